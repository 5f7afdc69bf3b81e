"""FHIR R4 routes over the stored records, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import orjson
from gateway_client import ApiClient
from gateway_documents import person
from gateway_personas import store_persona

from spec.fhir import to_bundle

FHIR = "application/fhir+json"


def test_metadata_is_a_capability_statement(api: ApiClient) -> None:
    response = api.get("/fhir/r4/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"] == FHIR
    assert response.json()["resourceType"] == "CapabilityStatement"


def test_read_and_document_of_stored_records(api: ApiClient) -> None:
    plan_id = store_persona(api)
    budget = api.post("/v1/budgets/compute", json={"plan": plan_id}).json()
    patient = api.get(f"/fhir/r4/Patient/{budget['person']['id']}")
    assert patient.status_code == 200, patient.text
    assert patient.json()["resourceType"] == "Patient"
    assert patient.json()["id"] == budget["person"]["id"]
    assert patient.headers["etag"] == 'W/"1"'
    document = api.get(f"/fhir/r4/CarePlan/{plan_id}/$document")
    assert document.status_code == 200, document.text
    bundle = document.json()
    assert bundle["type"] == "document"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[0] == "Composition"
    assert {"Patient", "CarePlan", "Account", "Coverage"} <= set(kinds)


def test_errors_on_fhir_routes_are_operation_outcomes(api: ApiClient) -> None:
    for url in (f"/fhir/r4/Patient/{uuid.uuid4()}", f"/fhir/r4/Observation/{uuid.uuid4()}"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.headers["content-type"] == FHIR
        assert response.json()["resourceType"] == "OperationOutcome"
    refused = api.post("/fhir/r4", json={"resourceType": "Patient"}, headers={"Content-Type": FHIR})
    assert refused.status_code == 422
    assert refused.json()["resourceType"] == "OperationOutcome"


def test_transaction_bundle_is_stored_all_or_nothing(api: ApiClient) -> None:
    first = person() | {"id": str(uuid.uuid4()), "version": 1}
    second = person() | {"id": str(uuid.uuid4()), "version": 1}
    bundle = to_bundle([first, second], bundle_type="transaction")
    response = api.post(
        "/fhir/r4",
        content=orjson.dumps(bundle),
        headers={"Content-Type": FHIR, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 200, response.text
    statuses = [e["response"]["status"] for e in response.json()["entry"]]
    assert statuses == ["201 Created", "201 Created"]
    assert api.get(f"/v1/persons/{first['id']}").status_code == 200
    clash = person(chi_number=first["identifiers"][0]["value"]) | {
        "id": str(uuid.uuid4()),
        "version": 1,
    }
    fresh = person() | {"id": str(uuid.uuid4()), "version": 1}
    refused = api.post(
        "/fhir/r4",
        json=to_bundle([fresh, clash], bundle_type="transaction"),
        headers={"Content-Type": FHIR},
    )
    assert refused.status_code == 409
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert api.get(f"/v1/persons/{fresh['id']}").status_code == 404
