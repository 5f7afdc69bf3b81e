"""Client assertions: the signed JWT a client authenticates with (RFC 7523, private_key_jwt).

The checks, in order, each with its own refusal reason (SDS-SEC-002 to SDS-SEC-005):

1. the value is a compact JWS (``malformed``);
2. ``alg`` is ``none`` (``unsigned``), an HMAC (``symmetric-algorithm``) or anything else not
   allowed (``algorithm-not-allowed``);
3. ``kid`` is present (``missing-kid``); the issuer is a registered (``unknown-client``), active
   (``client-disabled``) organisation that has a key with that kid (``unknown-kid``) of the
   right type for ``alg`` (``wrong-key-type``);
4. the signature verifies with that key (``bad-signature``);
5. ``iss`` = ``sub`` = the client id (``wrong-issuer``); ``aud`` is exactly the token endpoint
   URL (``wrong-audience``); ``exp``, ``iat`` and ``jti`` are present (``missing-claim``); not
   expired (``expired``), not issued in the future (``issued-in-future``), not before ``nbf``
   (``not-yet-valid``), ``exp`` - ``iat`` at most 300 s (``lifetime-too-long``);
6. the ``jti`` was not used before (``replayed-jti``). This runs last, so a refused assertion
   never uses up its ``jti``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError

from gateway.security.errors import AuthenticationError
from gateway.security.keys import (
    CLIENT_ALGORITHMS,
    SigningKey,
    jws_registry,
    key_matches_algorithm,
    public_key_set,
)
from gateway.security.organisations import Organisation, OrganisationStore
from gateway.security.replay import ReplayCache

__all__ = [
    "ASSERTION_TYPE",
    "AssertionPolicy",
    "check_algorithm",
    "compact_header",
    "make_client_assertion",
    "verify_client_assertion",
]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True, slots=True)
class AssertionPolicy:
    """What an acceptable assertion looks like at this gateway."""

    token_url: str
    max_lifetime_seconds: int = 300
    leeway_seconds: int = 30
    algorithms: tuple[str, ...] = CLIENT_ALGORITHMS


def _refuse(reason: str, detail: str) -> AuthenticationError:
    return AuthenticationError(reason, detail)


def compact_header(assertion: str) -> dict[str, Any]:
    """The protected header of a compact JWS, read before any key is chosen."""
    parts = assertion.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise _refuse("malformed", "The token is not a compact JWS (three parts).")
    try:
        obj = jws.extract_compact(assertion.encode("ascii"))
    except (JoseError, ValueError, UnicodeError) as exc:
        raise _refuse("malformed", "The token could not be decoded.") from exc
    return dict(obj.headers())


def check_algorithm(alg: object, allowed: tuple[str, ...]) -> str:
    """``alg`` when it is one of ``allowed``; a distinct refusal for none, HMAC and others."""
    if not isinstance(alg, str) or alg.lower() == "none":
        raise _refuse("unsigned", "Unsigned tokens (alg 'none') are never accepted.")
    if alg.upper().startswith("HS"):
        raise _refuse(
            "symmetric-algorithm",
            f"Algorithm {alg} uses a shared secret; sign with {', '.join(allowed)}.",
        )
    if alg not in allowed:
        raise _refuse(
            "algorithm-not-allowed", f"Algorithm {alg} is not allowed; use {', '.join(allowed)}."
        )
    return alg


def _number(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse("missing-claim", f"The assertion needs a numeric '{name}' claim.")
    return int(value)


def _check_claims(
    claims: dict[str, Any], client_id: str, policy: AssertionPolicy, now: datetime
) -> tuple[str, int]:
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise _refuse("wrong-issuer", "The assertion's iss and sub must both be the client id.")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if policy.token_url not in audiences:
        raise _refuse("wrong-audience", f"The assertion's aud must be exactly {policy.token_url}.")
    exp = _number(claims, "exp")
    iat = _number(claims, "iat")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        raise _refuse("missing-claim", "The assertion needs a 'jti' string (1-255 characters).")
    stamp = int(now.timestamp())
    leeway = policy.leeway_seconds
    if exp <= stamp - leeway:
        raise _refuse("expired", "The assertion has expired.")
    if iat > stamp + leeway:
        raise _refuse("issued-in-future", "The assertion's iat is in the future.")
    if "nbf" in claims and _number(claims, "nbf") > stamp + leeway:
        raise _refuse("not-yet-valid", "The assertion is not valid yet (nbf).")
    if exp - iat > policy.max_lifetime_seconds:
        raise _refuse(
            "lifetime-too-long",
            f"exp - iat must be at most {policy.max_lifetime_seconds} seconds.",
        )
    return jti, exp


def verify_client_assertion(
    assertion: str,
    *,
    policy: AssertionPolicy,
    organisations: OrganisationStore,
    replay: ReplayCache,
    now: datetime | None = None,
    client_id: str | None = None,
) -> Organisation:
    """The organisation that signed ``assertion``, or :class:`AuthenticationError` saying why not.

    ``client_id`` is the form's ``client_id`` when the client sent one; it must then match.
    """
    now = now or datetime.now(UTC)
    header = compact_header(assertion)
    alg = check_algorithm(header.get("alg"), policy.algorithms)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _refuse("missing-kid", "The assertion header needs the 'kid' of the signing key.")
    try:
        unverified = json.loads(jws.extract_compact(assertion.encode("ascii")).payload)
    except (JoseError, ValueError) as exc:
        raise _refuse("malformed", "The assertion's claims are not a JSON object.") from exc
    if not isinstance(unverified, dict) or not isinstance(unverified.get("iss"), str):
        raise _refuse("malformed", "The assertion's claims need an 'iss' string.")
    issuer: str = unverified["iss"]
    if client_id is not None and client_id != issuer:
        raise _refuse("wrong-issuer", "The assertion's iss is not the client_id sent.")
    organisation = organisations.get(issuer)
    if organisation is None:
        raise _refuse("unknown-client", "No organisation is registered with that client id.")
    if not organisation.active:
        raise _refuse("client-disabled", "The organisation is disabled.")
    public_jwk = organisation.key(kid)
    if public_jwk is None:
        raise _refuse("unknown-kid", "The organisation has no active key with that kid.")
    if not key_matches_algorithm(public_jwk, alg):
        raise _refuse("wrong-key-type", f"The key with that kid cannot verify {alg}.")
    try:
        key = public_key_set([public_jwk]).keys[0]
        verified = jws.deserialize_compact(
            assertion, key, algorithms=[alg], registry=jws_registry([alg])
        )
    except BadSignatureError as exc:
        raise _refuse("bad-signature", "The assertion's signature does not verify.") from exc
    except (JoseError, ValueError) as exc:
        raise _refuse("bad-signature", "The assertion's signature could not be checked.") from exc
    claims = json.loads(verified.payload)
    jti, exp = _check_claims(claims, organisation.id, policy, now)
    expires_at = datetime.fromtimestamp(exp, UTC) + timedelta(seconds=policy.leeway_seconds)
    if not replay.remember(organisation.id, jti, expires_at=expires_at, now=now):
        raise _refuse("replayed-jti", "This assertion's jti was already used.")
    return organisation


def make_client_assertion(
    *,
    client_id: str,
    token_url: str,
    private_pem: bytes | str,
    alg: str,
    now: datetime | None = None,
    lifetime_seconds: int = 60,
    jti: str | None = None,
) -> str:
    """A client assertion signed with ``private_pem`` (what ``sdsx token`` and tests send)."""
    key = SigningKey.from_pem(private_pem, alg)
    issued = int((now or datetime.now(UTC)).timestamp())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": issued,
        "exp": issued + lifetime_seconds,
        "jti": jti or str(uuid.uuid4()),
    }
    return key.sign(json.dumps(claims).encode(), {"typ": "JWT"})
