"""Signed budgets: a detached JWS over the budget, checkable offline against published keys.

The signature covers the canonical JSON of the budget without its ``signature`` field and is
written in the budget as ``header..signature`` (compact JWS with the payload detached, RFC 7515
appendix F), which is the schema's ``signature`` pattern. Anyone holding the gateway's JWKS
(``/.well-known/jwks.json``, or a copy of it) can check a budget with
:func:`verify_budget` or ``sdsx verify-budget`` without calling the gateway (SDS-SEC-050).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError

from gateway.security.canonical import canonical_json
from gateway.security.keys import (
    CLIENT_ALGORITHMS,
    SigningKey,
    jws_registry,
    key_matches_algorithm,
    public_key_set,
)

__all__ = ["BUDGET_JWS_TYPE", "BudgetCheck", "sign_budget", "signing_input", "verify_budget"]

BUDGET_JWS_TYPE = "sdsx-budget+jws"


def signing_input(budget: Mapping[str, Any]) -> bytes:
    """The bytes a budget signature covers: canonical JSON without ``signature``."""
    return canonical_json({k: v for k, v in budget.items() if k != "signature"})


def sign_budget(budget: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """A copy of ``budget`` with ``signature`` set to a detached JWS by ``key``."""
    compact = key.sign(signing_input(budget), {"typ": BUDGET_JWS_TYPE, "cty": "json"})
    header, _payload, signature = compact.split(".")
    return {**budget, "signature": f"{header}..{signature}"}


@dataclass(frozen=True, slots=True)
class BudgetCheck:
    """The outcome of checking a budget's signature."""

    ok: bool
    reason: str
    kid: str | None = None

    def __str__(self) -> str:
        kid = f" (key {self.kid})" if self.kid else ""
        return f"{'valid' if self.ok else 'INVALID'}: {self.reason}{kid}"


def verify_budget(budget: Mapping[str, Any], jwks: Mapping[str, Any]) -> BudgetCheck:
    """Check ``budget``'s detached signature against the public keys in ``jwks``."""
    signature = budget.get("signature")
    if not isinstance(signature, str) or not signature:
        return BudgetCheck(False, "unsigned: the budget has no signature")
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "" or not parts[0] or not parts[2]:
        return BudgetCheck(False, "malformed: the signature is not 'header..signature'")
    try:
        header = dict(jws.extract_compact(signature.encode("ascii"), payload=b"").headers())
    except (JoseError, ValueError, UnicodeError):
        return BudgetCheck(False, "malformed: the signature header cannot be read")
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in CLIENT_ALGORITHMS:
        return BudgetCheck(False, f"algorithm-not-allowed: {alg!r}")
    keys = jwks.get("keys", [])
    public = next((k for k in keys if isinstance(k, Mapping) and k.get("kid") == kid), None)
    if public is None:
        return BudgetCheck(False, "unknown-kid: no published key has the signature's kid", kid)
    if not key_matches_algorithm(dict(public), str(alg)):
        return BudgetCheck(False, "wrong-key-type: the published key cannot verify " + str(alg))
    try:
        jws.deserialize_compact(
            signature,
            public_key_set([dict(public)]).keys[0],
            algorithms=[str(alg)],
            registry=jws_registry([str(alg)]),
            payload=signing_input(budget),
        )
    except BadSignatureError:
        return BudgetCheck(False, "bad-signature: the budget changed after it was signed", kid)
    except (JoseError, ValueError):
        return BudgetCheck(False, "bad-signature: the signature cannot be checked", kid)
    return BudgetCheck(True, "signature verifies", kid)
