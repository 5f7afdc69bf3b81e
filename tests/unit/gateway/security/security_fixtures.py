"""Shared test helpers for the security unit tests: a small registry with real keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.security.access import Role
from gateway.security.authentication import Authenticator
from gateway.security.keys import GatewayKeyring, KeyPair, generate_key_pair
from gateway.security.organisations import JsonOrganisationStore, Organisation
from gateway.security.replay import InMemoryReplayCache

TOKEN_URL = "https://gateway.test/oauth2/token"
ISSUER = "https://gateway.test"
NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


@dataclass
class Registry:
    store: JsonOrganisationStore
    keys: dict[str, KeyPair]
    authenticator: Authenticator
    keyring: GatewayKeyring


_KEY_CACHE: dict[str, KeyPair] = {}


def cached_key(name: str, alg: str) -> KeyPair:
    """RSA generation is slow; reuse key pairs across tests (they are never mutated)."""
    if name not in _KEY_CACHE:
        _KEY_CACHE[name] = generate_key_pair(alg)
    return _KEY_CACHE[name]


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    store = JsonOrganisationStore(tmp_path / "organisations.json")
    keys = {
        "glasgow-city": cached_key("glasgow", "ES256"),
        "city-of-edinburgh": cached_key("edinburgh", "RS256"),
        "ilf-scotland": cached_key("ilf", "EdDSA"),
    }
    store.save(
        Organisation("glasgow-city", "Glasgow City Council", Role.COUNCIL, "S12000049").with_key(
            keys["glasgow-city"].public_jwk
        )
    )
    store.save(
        Organisation(
            "city-of-edinburgh", "City of Edinburgh Council", Role.COUNCIL, "S12000036"
        ).with_key(keys["city-of-edinburgh"].public_jwk)
    )
    store.save(
        Organisation(
            "ilf-scotland", "ILF Scotland", Role.FUNDER, "ilf-scotland", funder_kind="ilf-scotland"
        ).with_key(keys["ilf-scotland"].public_jwk)
    )
    keyring = GatewayKeyring.load_or_create(tmp_path / "gateway-keys")
    authenticator = Authenticator(
        organisations=store,
        replay=InMemoryReplayCache(),
        keyring=keyring,
        token_url=TOKEN_URL,
        issuer=ISSUER,
    )
    return Registry(store, keys, authenticator, keyring)
