"""Budget signatures: detached JWS matching the schema pattern, checked offline."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

import spec
from gateway.security.budget_signing import sign_budget, verify_budget
from gateway.security.keys import GatewayKeyring, SigningKey

_EXAMPLES = Path(spec.__file__).parent / "examples" / "valid"


def _budget() -> dict[str, Any]:
    for path in sorted(_EXAMPLES.rglob("*.json")):
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and doc.get("type") == "individual-budget":
            doc.pop("signature", None)
            return doc
    pytest.fail("no individual-budget example in spec/examples/valid")


@pytest.fixture(scope="module")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> GatewayKeyring:
    return GatewayKeyring.load_or_create(tmp_path_factory.mktemp("keys"))


def test_signed_budget_is_valid_per_schema_and_verifies(keyring: GatewayKeyring) -> None:
    signed = sign_budget(_budget(), keyring.current)
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+", signed["signature"])
    assert spec.validate(signed) == []
    check = verify_budget(signed, keyring.jwks())
    assert check.ok, str(check)
    assert check.kid == keyring.current.kid


def test_any_change_after_signing_is_found(keyring: GatewayKeyring) -> None:
    signed = sign_budget(_budget(), keyring.current)
    changed = copy.deepcopy(signed)
    changed["version"] = signed["version"] + 1
    assert verify_budget(changed, keyring.jwks()).reason.startswith("bad-signature")


def test_key_order_does_not_matter(keyring: GatewayKeyring) -> None:
    signed = sign_budget(_budget(), keyring.current)
    reordered = dict(reversed(list(signed.items())))
    assert verify_budget(reordered, keyring.jwks()).ok


def test_unknown_key_unsigned_and_malformed_are_refused(keyring: GatewayKeyring) -> None:
    signed = sign_budget(_budget(), SigningKey.generate())
    assert verify_budget(signed, keyring.jwks()).reason.startswith("unknown-kid")
    assert verify_budget(_budget(), keyring.jwks()).reason.startswith("unsigned")
    bad = {**signed, "signature": "abc.def.ghi"}
    assert verify_budget(bad, keyring.jwks()).reason.startswith("malformed")
    assert str(verify_budget(bad, keyring.jwks())).startswith("INVALID")
