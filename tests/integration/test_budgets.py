"""Budget computation over stored records, on SQLite and PostgreSQL (SDS-API-017)."""

from __future__ import annotations

import uuid

from gateway_client import ApiClient
from gateway_documents import funding_line, person
from gateway_personas import store_persona


def test_compute_uses_the_persons_stored_lines_and_versions_the_budget(api: ApiClient) -> None:
    plan_id = store_persona(api)
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
