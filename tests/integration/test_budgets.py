"""Budget computation over stored records, on SQLite and PostgreSQL (SDS-API-017)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from gateway_client import ApiClient
from gateway_documents import funding_line, person
from gateway_personas import store_persona
from typer.testing import CliRunner

from sdsx.cli import app


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


def test_a_budget_fetched_signed_verifies_offline_and_an_edit_does_not(
    api: ApiClient, tmp_path: Path
) -> None:
    plan_id = store_persona(api)
    budget_id = api.post("/v1/budgets/compute", json={"plan": plan_id}).json()["id"]
    signed = api.get(f"/v1/budgets/{budget_id}?format=jws")
    assert signed.status_code == 200, signed.text
    by_accept = api.get(f"/v1/budgets/{budget_id}", headers={"Accept": "application/jose"})
    assert "signature" in by_accept.json()
    assert "signature" not in api.get(f"/v1/budgets/{budget_id}").json()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(api.get("/.well-known/jwks.json").text)
    budget_file = tmp_path / "budget.json"
    budget_file.write_text(signed.text)
    runner = CliRunner()
    checked = runner.invoke(app, ["verify-budget", str(budget_file), "--jwks", str(jwks)])
    assert checked.exit_code == 0, checked.output
    edited = signed.json()
    edited["totals"]["net"]["amount_minor"] += 1
    budget_file.write_text(json.dumps(edited))
    refused = runner.invoke(app, ["verify-budget", str(budget_file), "--jwks", str(jwks)])
    assert refused.exit_code != 0
    totals_only = api.acting_as("ilf-scotland").get(f"/v1/budgets/{budget_id}?format=jws")
    assert totals_only.status_code == 404  # no consent to ILF in force for this persona now
