"""The FHIR server answers the gateway mounts: metadata, read, $document, transaction, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from fhir.resources.R4B.bundle import Bundle

from spec import validate
from spec.fhir import from_bundle, to_bundle
from spec.fhir.interactions import (
    capability_statement,
    document_bundle,
    document_type_for,
    from_transaction_bundle,
    operation_outcome,
    read_resource,
)
from spec.fhir.warnings import FhirIssue

DOCS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "documents.json").read_text(encoding="utf-8")
)
PERSON, ASSESSMENT, PLAN, LINE_1, LINE_2, BUDGET = DOCS


def test_the_capability_statement_lists_every_document_resource() -> None:
    statement = capability_statement(software_version="0.1.0", date="2026-11-23")
    rest = statement["rest"][0]
    assert [r["type"] for r in rest["resource"]] == [
        "Patient",
        "QuestionnaireResponse",
        "CarePlan",
        "Coverage",
        "Account",
    ]
    assert rest["interaction"] == [{"code": "transaction"}]
    assert "application/fhir+json" in statement["format"]


def test_read_answers_the_primary_resource() -> None:
    resource = read_resource(PLAN)
    assert (resource["resourceType"], resource["id"]) == ("CarePlan", PLAN["id"])
    assert document_type_for("CarePlan") == "support-plan"
    assert document_type_for("Observation") is None


def test_the_document_bundle_starts_with_a_composition_and_reads_back() -> None:
    stamp = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    bundle = document_bundle(PERSON, PLAN, BUDGET, [LINE_1, LINE_2], timestamp=stamp)
    Bundle.model_validate(bundle)
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert [s["title"] for s in composition["section"]] == [
        "Person",
        "Support plan",
        "Individual budget",
        "Funding lines",
    ]
    assert bundle["timestamp"] == "2026-04-02T09:00:00Z"
    result = from_bundle(orjson.loads(orjson.dumps(bundle)))
    assert result.issues == []
    assert result.documents == [PERSON, PLAN, BUDGET, LINE_1, LINE_2]


def test_a_transaction_is_read_whole_or_refused() -> None:
    good = from_transaction_bundle(to_bundle(DOCS, bundle_type="transaction"))
    assert good.ok
    assert good.documents == DOCS
    collection = from_transaction_bundle(to_bundle(DOCS))
    assert not collection.ok
    assert any(i.location == "Bundle.type" for i in collection.issues)
    assert not from_transaction_bundle(["not", "a", "bundle"]).ok


def test_operation_outcomes_carry_location_and_requirement() -> None:
    problems = validate({"type": "person"})
    outcome = operation_outcome(
        [*problems, FhirIssue("Patient.gender", "has no place in the standard"), "boom"]
    )
    first, *_, warning, plain = outcome["issue"]
    assert first["location"] == [problems[0].pointer]
    assert first["details"]["text"] == problems[0].requirement
    assert warning == {
        "severity": "warning",
        "code": "informational",
        "diagnostics": "has no place in the standard",
        "expression": ["Patient.gender"],
        "details": warning["details"],
    }
    assert plain["code"] == "processing"
    assert operation_outcome([])["issue"][0]["severity"] == "information"


def test_a_foreign_composition_is_reported_not_swallowed() -> None:
    bundle = document_bundle(PERSON, PLAN, None, [])
    del bundle["entry"][0]["resource"]["meta"]
    result = from_bundle(orjson.loads(orjson.dumps(bundle)))
    assert result.documents == [PERSON, PLAN]
    assert [i.location for i in result.issues] == ["Bundle.entry[0].resource"]
