"""Budget computation over stored records, on SQLite and PostgreSQL (SDS-API-017)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
from gateway_client import ApiClient
from gateway_documents import funding_line, person

PERSONA = Path(__file__).resolve().parents[2] / "spec" / "examples" / "valid" / "rory-combined"
SERVER = ("id", "version", "supersedes", "recorded_at")


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((PERSONA / name).read_bytes())
    return {k: v for k, v in document.items() if k not in SERVER}


def _persona(api: ApiClient) -> str:
    """Store the persona's person, assessment, lines and plan; the plan's id."""
    person_id = api.post("/v1/persons", json=_load("person.json")).json()["id"]
    assessment = _load("assessment.json") | {"person": {"id": person_id}}
    assessment_id = api.post("/v1/assessments", json=assessment).json()["id"]
    lines = []
    for raw in (PERSONA / "funding-lines.ndjson").read_bytes().splitlines():
        line = {k: v for k, v in orjson.loads(raw).items() if k not in (*SERVER, "person")}
        lines.append(orjson.dumps(line))
    bulk = api.post(
        "/v1/bulk", content=b"\n".join(lines), headers={"Content-Type": "application/x-ndjson"}
    )
    assert bulk.json()["summary"]["rejected"] == 0, bulk.text
    plan = _load("support-plan.json") | {
        "person": {"id": person_id},
        "assessment": {"id": assessment_id, "version": 1},
    }
    created = api.post("/v1/support-plans", json=plan)
    assert created.status_code == 201, created.text
    plan_id: str = created.json()["id"]
    return plan_id


def test_compute_uses_the_persons_stored_lines_and_versions_the_budget(api: ApiClient) -> None:
    plan_id = _persona(api)
    stranger = person()
    api.post("/v1/persons", json=stranger)
    api.post("/v1/funding-lines", json=funding_line(stranger["identifiers"][0]["value"]))
    first = api.post("/v1/budgets/compute", json={"plan": plan_id})
    assert first.status_code == 201, first.text
    budget = first.json()
    assert budget["type"] == "individual-budget"
    assert budget["plan"]["id"] == plan_id
    assert budget["version"] == 1
    mine = api.get(f"/v1/funding-lines?person={budget['person']['id']}").json()["items"]
    assert {entry["line"]["id"] for entry in budget["lines"]} == {d["id"] for d in mine}
    assert first.headers["location"] == f"/v1/budgets/{budget['id']}"
    again = api.post("/v1/budgets/compute", json={"plan": plan_id})
    assert again.status_code == 200
    assert again.json()["id"] == budget["id"]
    assert again.json()["version"] == 2
    assert again.json()["supersedes"] == {"id": budget["id"], "version": 1}
    assert api.get(f"/v1/budgets?plan={plan_id}").json()["items"][0]["version"] == 2


def test_compute_for_an_unknown_plan_is_422(api: ApiClient) -> None:
    response = api.post("/v1/budgets/compute", json={"plan": str(uuid.uuid4())})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/plan"
    assert api.post("/v1/budgets/compute", json={"plan": 7}).status_code == 422
