"""Revision 0002 converts a database written in clear, and its downgrade gives the clear back.

The rows are written as revision 0001's gateway wrote them (documents, versions, identifier
claims and a stored Idempotency-Key response, all in clear); after the upgrade no clear CHI or
NINO is left (SDS-SEC-040), a restarted gateway reads the same bytes, refuses a duplicate,
finds a person by identifier and replays the stored response.
"""

from __future__ import annotations

import datetime as dt

import orjson
from gateway_client import running_api
from gateway_documents import chi, funding_line, person
from gateway_storage_scan import clear_values_in
from sqlalchemy import create_engine, insert, select

from gateway.config import Settings
from gateway.idempotency import fingerprint
from gateway.migrations import downgrade, upgrade
from gateway.storage import open_database
from gateway.storage.records import stamp
from gateway.storage.tables import idempotency_keys, identifiers, record_versions, records
from spec.identifiers import CHI_SYSTEM, NINO_SYSTEM

COUNCIL = "city-of-edinburgh"
NINO = "JT654321D"
REPLAY_KEY = "replay-key-0001"


def _clear_rows(settings: Settings, number: str) -> tuple[str, bytes, bytes]:
    """A person and its claims written in clear at revision 0001; its text and a replay."""
    engine = create_engine(settings.database_url)
    upgrade(engine, "0001")
    owner = person(chi_number=number)
    owner["identifiers"].append({"system": NINO_SYSTEM, "value": NINO})
    owner |= {"id": "11111111-1111-4111-8111-111111111111", "version": 1}
    owner["recorded_at"] = "2026-11-30T10:00:00.000Z"
    text = orjson.dumps(owner).decode()
    request = orjson.dumps(person())
    at = stamp()
    with engine.begin() as conn:
        row = {"id": owner["id"], "type": "person", "version": 1, "recorded_by": COUNCIL}
        conn.execute(
            insert(records).values(
                **row, updated_at=at, document=text, person_id=owner["id"], council_area="S12000036"
            )
        )
        conn.execute(insert(record_versions).values(**row, recorded_at=at, document=text))
        for system, value in ((CHI_SYSTEM, number), (NINO_SYSTEM, NINO)):
            conn.execute(
                insert(identifiers).values(
                    system=system, assigner="", value=value, record_id=owner["id"]
                )
            )
        conn.execute(
            insert(idempotency_keys).values(
                client_id=COUNCIL,
                key=REPLAY_KEY,
                fingerprint=fingerprint("POST", "/v1/persons", "", request),
                state="done",
                status_code=201,
                headers=orjson.dumps({"content-type": "application/json"}).decode(),
                body=text.encode(),
                created_at=stamp(dt.datetime.now(dt.UTC)),
            )
        )
    engine.dispose()
    return text, request, text.encode()


def test_upgrade_seals_clear_values_and_downgrade_restores_them(settings: Settings) -> None:
    number = chi()
    text, request, replay = _clear_rows(settings, number)
    assert clear_values_in(settings.database_url, [number, NINO]) != []

    database = open_database(settings)
    upgrade(database.writer)
    database.dispose()
    assert clear_values_in(settings.database_url, [number, NINO]) == []

    with running_api(settings, COUNCIL) as api:
        owner = orjson.loads(text)["id"]
        assert api.get(f"/v1/persons/{owner}").text == text
        assert api.get(f"/v1/persons/{owner}/history/1").text == text
        assert api.post("/v1/persons", json=person(chi_number=number)).status_code == 409
        nino_clash = person() | {"identifiers": [{"system": NINO_SYSTEM, "value": NINO}]}
        assert api.post("/v1/persons", json=nino_clash).status_code == 409
        line = api.acting_as("ilf-scotland").post("/v1/funding-lines", json=funding_line(number))
        assert line.json()["person"] == {"id": owner}
        again = api.post(
            "/v1/persons",
            content=request,
            headers={"Idempotency-Key": REPLAY_KEY, "Content-Type": "application/json"},
        )
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.content == replay

    database = open_database(settings)
    downgrade(database.writer, "0001")
    with database.engine.connect() as conn:
        assert (
            conn.execute(select(records.c.document).where(records.c.id == owner)).scalar_one()
            == text
        )
        claims = conn.execute(
            select(identifiers.c.value).where(identifiers.c.record_id == owner)
        ).scalars()
        assert sorted(claims) == sorted([number, NINO])
        body = conn.execute(
            select(idempotency_keys.c.body).where(idempotency_keys.c.key == REPLAY_KEY)
        ).scalar_one()
        assert bytes(body) == replay
    database.dispose()


def test_an_empty_database_migrates_without_any_field_key(settings: Settings) -> None:
    engine = create_engine(settings.database_url)  # no cipher, no key configured anywhere
    upgrade(engine)
    engine.dispose()
    assert not (settings.data_dir / "field-keys.json").exists()
