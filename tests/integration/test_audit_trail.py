"""Every read and write leaves an audit entry; auditors alone read the chain, which verifies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI
from gateway_client import ApiClient
from gateway_documents import person
from gateway_tokens import BASE

from gateway.app import create_app
from gateway.config import Settings
from gateway.security.audit import load_public_key, read_checkpoints, read_entries, verify
from gateway.security.datafolder import DataFolder


@pytest.fixture
def audited(settings: Settings) -> Iterator[tuple[ApiClient, Settings, FastAPI]]:
    """The gateway with a checkpoint signed every 3 entries."""
    settings = replace(settings, audit_checkpoint_every=3)
    app = create_app(settings)
    with start_blocking_portal() as portal:
        client = portal.call(lambda: _open(httpx.ASGITransport(app=app)))
        try:
            yield ApiClient(portal, client, settings.data_dir, "city-of-edinburgh"), settings, app
        finally:
            portal.call(client.aclose)
            app.state.database.dispose()


async def _open(transport: httpx.ASGITransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, base_url=BASE)


def _entries(auditor: ApiClient) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    after = 0
    while True:
        page = auditor.get(f"/v1/audit?after={after}&limit=2")
        assert page.status_code == 200, page.text
        found += page.json()["items"]
        if page.json()["next_after"] is None:
            return found
        after = page.json()["next_after"]


def test_reads_writes_and_refusals_are_chained_and_verify(audited: tuple) -> None:
    api, settings, app = audited
    created = api.post("/v1/persons", json=person())
    assert created.status_code == 201
    record_id = created.json()["id"]
    assert api.get(f"/v1/persons/{record_id}").status_code == 200
    assert api.get("/v1/persons").status_code == 200
    glasgow = api.acting_as("glasgow-city")
    assert glasgow.get(f"/v1/persons/{record_id}").status_code == 404
    assert glasgow.get(f"/v1/persons/{uuid.uuid4()}").status_code == 404
    assert api.get("/v1/audit").status_code == 403
    auditor = api.acting_as("demo-auditor")
    assert auditor.get(f"/v1/persons/{record_id}").status_code == 404

    entries = _entries(auditor)
    about = [
        (e["actor"], e["action"], e["outcome"], e["record_version"])
        for e in entries
        if e["record_id"] == record_id
    ]
    assert ("city-of-edinburgh", "create", "allowed", 1) in about
    assert ("city-of-edinburgh", "read", "allowed", 1) in about
    assert ("city-of-edinburgh", "list", "allowed", 1) in about
    assert ("glasgow-city", "read", "refused-404", 1) in about
    assert ("demo-auditor", "read", "refused-404", 1) in about
    assert any(e["action"] == "refused-audit-log" for e in entries)
    assert all(e["request_id"] for e in entries)
    assert not any("Person" in str(e) for e in entries), "no personal data in the log"

    folder = DataFolder(settings.data_dir)
    with app.state.database.engine.connect() as conn:
        stored = read_entries(conn)
    checkpoints = read_checkpoints(folder.checkpoints_file)
    assert checkpoints, "a checkpoint is signed every 3 entries"
    public_key = load_public_key(folder.audit_public_key_file.read_bytes())
    assert verify(stored, checkpoints, public_key).ok
    edited = [replace(e, actor="someone-else") if e.seq == 2 else e for e in stored]
    assert not verify(edited, checkpoints, public_key).ok
