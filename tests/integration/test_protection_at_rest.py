"""No CHI or National Insurance number in clear anywhere in the database (SDS-SEC-040).

A full flow (persons with CHI and NINO, their updates and history, funding lines by
identifier, source imports and NDJSON bulk with Idempotency-Key replays, a budget, a FHIR
transaction and FHIR reads) runs on SQLite and PostgreSQL, then every column of every table is
scanned for each identifier used, in every spelling it was sent in.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from gateway_client import ApiClient
from gateway_documents import chi, funding_line, person
from gateway_personas import store_persona
from gateway_storage_scan import clear_values_in
from sqlalchemy import create_engine, text

from gateway.config import Settings
from spec.fhir import to_bundle
from spec.identifiers import CHI_SYSTEM, NINO_SYSTEM

SOURCES = Path(__file__).resolve().parents[2] / "spec" / "sources"
FHIR = "application/fhir+json"
# The persona (rory-combined), the ILF sample's CHIs and the DWP sample's NINOs.
PERSONA_CHI, PERSONA_NINO = "0909872554", "JR482917C"
ILF_CHIS = ("0101871002", "1503921007")
DWP_NINOS = ("JG 10 37 59 A", "CE654321B")


def _replayed(
    api: ApiClient, url: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> bytes:
    """POST twice with one Idempotency-Key: the second answer must be the stored replay."""
    headers = {"Idempotency-Key": str(uuid.uuid4()), **(headers or {})}
    first = api.post(url, headers=headers, **kwargs)
    assert first.status_code in (200, 201), first.text
    again = api.post(url, headers=headers, **kwargs)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.content == first.content
    return first.content


def test_full_flow_leaves_no_clear_chi_or_nino_in_any_column(
    api: ApiClient, settings: Settings
) -> None:
    used = [PERSONA_CHI, PERSONA_NINO, *ILF_CHIS, *DWP_NINOS]
    plan_id = store_persona(api)
    budget = api.post("/v1/budgets/compute", json={"plan": plan_id})
    assert budget.status_code == 201, budget.text
    person_id = budget.json()["person"]["id"]
    persona = api.get(f"/v1/persons/{person_id}")
    assert {i["value"] for i in persona.json()["identifiers"]} >= {PERSONA_CHI, PERSONA_NINO}

    # A person with both identifiers, created with a replayed key and then updated twice.
    both = person(chi_number=(number := chi()))
    both["identifiers"].append({"system": NINO_SYSTEM, "value": "AB123456C"})
    used += [number, "AB123456C"]
    created = orjson.loads(_replayed(api, "/v1/persons", json=both))
    url = f"/v1/persons/{created['id']}"
    for version in (1, 2):
        changed = {k: v for k, v in created.items() if k != "version"} | {
            "birth_date": "1990-01-02"
        }
        assert api.put(url, json=changed, headers={"If-Match": f'"{version}"'}).status_code == 200
    history = api.get(f"{url}/history").json()["items"]
    assert [d["identifiers"] for d in history] == [both["identifiers"]] * 3
    first_version = api.get(f"{url}/history/1")
    assert first_version.content == orjson.dumps(created)  # the bytes that were written

    # Funding lines found by identifier; imports (CHI and NINO sources) with replays.
    ilf = api.acting_as("ilf-scotland")
    assert ilf.post("/v1/funding-lines", json=funding_line(number)).status_code == 201
    mine = api.get(f"/v1/funding-lines?person={created['id']}").json()["items"]
    assert [line["person_identifier"]["value"] for line in mine] == [number]
    _replayed(
        ilf,
        "/v1/imports/ilf-scotland",
        content=(SOURCES / "ilf-scotland" / "sample.csv").read_bytes(),
    )
    dwp = api.acting_as("dwp-access-to-work")
    report = _replayed(
        dwp,
        "/v1/imports/dwp-access-to-work",
        content=(SOURCES / "dwp-access-to-work" / "sample.json").read_bytes(),
    )
    assert orjson.loads(report)["summary"]["records"] >= 2

    bulk_person = person(chi_number=(bulk_number := chi()))
    used.append(bulk_number)
    _replayed(
        api,
        "/v1/bulk",
        content=orjson.dumps(bulk_person),
        headers={"Content-Type": "application/x-ndjson"},
    )

    # FHIR: a transaction (replayed) and reads of what it stored.
    fhir_person = person(chi_number=(fhir_number := chi())) | {
        "id": str(uuid.uuid4()),
        "version": 1,
    }
    used.append(fhir_number)
    _replayed(
        api,
        "/fhir/r4",
        content=orjson.dumps(to_bundle([fhir_person], bundle_type="transaction")),
        headers={"Content-Type": FHIR},
    )
    patient = api.get(f"/fhir/r4/Patient/{fhir_person['id']}")
    assert patient.status_code == 200, patient.text
    assert fhir_number in patient.text
    assert PERSONA_CHI in api.get(f"/fhir/r4/CarePlan/{plan_id}/$document").text

    assert clear_values_in(settings.database_url, used) == []


def test_the_scan_finds_a_clear_value(api: ApiClient, settings: Settings) -> None:
    """The scan itself can fail: a CHI written in clear where nothing seals it is found."""
    number = chi()
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO gateway_secrets (name, value) VALUES ('probe', :v)"), {"v": number}
        )
    engine.dispose()
    assert clear_values_in(settings.database_url, [number]) == ["gateway_secrets.value"]


@pytest.mark.parametrize("system", [CHI_SYSTEM, NINO_SYSTEM])
def test_identifier_columns_hold_lookup_tokens(
    api: ApiClient, settings: Settings, system: str
) -> None:
    value = chi() if system == CHI_SYSTEM else "CE123456A"
    body = person() | {"identifiers": [{"system": system, "value": value}]}
    assert api.post("/v1/persons", json=body).status_code == 201
    engine = create_engine(settings.database_url)
    with engine.connect() as conn:
        stored = (
            conn.execute(text("SELECT value FROM identifiers WHERE system = :s"), {"s": system})
            .scalars()
            .all()
        )
    engine.dispose()
    assert len(stored) == 1
    kid, _, digest = stored[0].partition(".")
    assert kid == "k1"
    assert len(digest) == 64
