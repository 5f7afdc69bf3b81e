"""Rate limits, security headers, the demo registry and the organisation stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from gateway.security.access import Role
from gateway.security.datafolder import DataFolder
from gateway.security.demo_orgs import (
    DEMO_ORGANISATIONS,
    ensure_demo_organisations,
    refuse_demo_keys,
)
from gateway.security.errors import ConfigurationError, RateLimited
from gateway.security.keys import SigningKey
from gateway.security.organisations import (
    JsonOrganisationStore,
    Organisation,
    OrganisationError,
    SqlOrganisationStore,
)
from gateway.security.ratelimit import RateLimiter, security_headers


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_answers_429_with_retry_after() -> None:
    clock = _Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.check("glasgow-city")
    with pytest.raises(RateLimited) as caught:
        limiter.check("glasgow-city")
    assert caught.value.status == 429
    assert caught.value.headers() == {"Retry-After": "1"}
    limiter.check("city-of-edinburgh")  # another organisation has its own bucket
    clock.now += 0.5
    limiter.check("glasgow-city")


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    clock = _Clock()
    limiter = RateLimiter(rate=0.25, burst=1, clock=clock)
    assert limiter.retry_after("a") == 0
    assert limiter.retry_after("a") == 4


def test_full_buckets_are_forgotten_when_the_table_is_full() -> None:
    clock = _Clock()
    limiter = RateLimiter(rate=1, burst=1, clock=clock, max_keys=2)
    limiter.check("a")
    limiter.check("b")
    clock.now += 5
    limiter.check("c")
    assert limiter.retry_after("c") == 1


def test_security_headers_and_no_cors() -> None:
    headers = security_headers()
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert not any(h.lower().startswith("access-control-") for h in headers)
    assert "'self'" in security_headers(docs=True)["Content-Security-Policy"]


def test_demo_organisations_are_created_once_with_private_keys(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path / ".sdsx")
    setup = ensure_demo_organisations(folder)
    assert setup.created
    assert {c.organisation_id for c in setup.clients} == {d[0] for d in DEMO_ORGANISATIONS}
    for client in setup.clients:
        assert client.key_file.stat().st_mode & 0o777 == 0o600
        key = SigningKey.from_pem(client.key_file.read_bytes(), client.alg)
        org = folder.organisations().get(client.organisation_id)
        assert org is not None
        assert org.demo
        assert org.key(key.kid) is not None
    assert "sdsx token --client-id glasgow-city" in setup.instructions("http://x/oauth2/token")
    again = ensure_demo_organisations(folder)
    assert not again.created
    assert "already registered" in again.instructions("http://x/oauth2/token")


def test_production_refuses_active_demo_organisations(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    ensure_demo_organisations(folder)
    store = folder.organisations()
    with pytest.raises(ConfigurationError, match="demo-keys-in-production"):
        refuse_demo_keys(store)
    for org in store.list():
        store.save(org.disabled())
    refuse_demo_keys(store)


def test_data_folder_creates_keys_it_needs(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    cipher = folder.field_cipher()
    assert folder.field_keys_file.stat().st_mode & 0o777 == 0o600
    assert folder.field_cipher().decrypt("s", cipher.encrypt("s", "AB123456C")) == "AB123456C"
    assert folder.audit_signer().kid == folder.audit_signer().kid
    assert folder.audit_public_key_file.exists()
    assert folder.gateway_keyring().current.kid == folder.gateway_keyring().current.kid


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": Role.COUNCIL, "code": "S08000031"}, "not in value set 'council-area'"),
        ({"role": Role.HEALTH_BOARD, "code": "S12000049"}, "not in value set 'health-board'"),
        ({"role": Role.FUNDER, "code": "ilf-scotland"}, "needs funder_kind"),
        ({"role": Role.FUNDER, "code": "saas-dsa", "funder_kind": "dwp"}, "funder's code"),
        ({"role": Role.COUNCIL, "code": "S12000049", "funder_kind": "dwp"}, "only funders"),
        ({"role": Role.AUDITOR, "code": "a", "id": "Bad Id"}, "lower-case"),
        ({"role": Role.AUDITOR, "code": "a", "status": "paused"}, "status"),
    ],
)
def test_organisation_rules(fields: dict, message: str) -> None:
    args = {"id": "org-x", "name": "Org", **fields}
    with pytest.raises(OrganisationError, match=message):
        Organisation(**args)


def test_registry_holds_public_keys_only() -> None:
    org = Organisation("org-x", "Org", Role.AUDITOR, "a")
    with pytest.raises(OrganisationError, match="public keys only"):
        org.with_key({"kid": "k", "kty": "OKP", "crv": "Ed25519", "x": "x", "d": "secret"})
    with pytest.raises(OrganisationError, match="no key"):
        org.without_key("missing")


@pytest.mark.parametrize("kind", ["json", "sql"])
def test_stores_round_trip_with_rotation(kind: str, tmp_path: Path) -> None:
    if kind == "json":
        store: JsonOrganisationStore | SqlOrganisationStore = JsonOrganisationStore(
            tmp_path / "o.json"
        )
    else:
        store = SqlOrganisationStore(create_engine(f"sqlite+pysqlite:///{tmp_path / 'o.db'}"))
    k1 = {"kid": "k1", "kty": "OKP", "crv": "Ed25519", "x": "AA"}
    k2 = {"kid": "k2", "kty": "OKP", "crv": "Ed25519", "x": "BB"}
    org = Organisation("ilf-scotland", "ILF", Role.FUNDER, "ilf-scotland", "ilf-scotland")
    store.save(org.with_key(k1))
    store.save(org.with_key(k1).with_key(k2))
    loaded = store.get("ilf-scotland")
    assert loaded is not None
    assert [k["kid"] for k in loaded.keys] == ["k1", "k2"]
    store.save(loaded.without_key("k1").disabled())
    final = store.get("ilf-scotland")
    assert final is not None
    assert [k["kid"] for k in final.keys] == ["k2"]
    assert not final.active
    assert final.funder_kind == "ilf-scotland"
    assert [o.id for o in store.list()] == ["ilf-scotland"]
    assert store.get("nobody") is None
    if isinstance(store, SqlOrganisationStore):
        store.delete("ilf-scotland")
        assert store.list() == []
        store.engine.dispose()
