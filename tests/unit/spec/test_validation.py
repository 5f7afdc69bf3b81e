"""``spec.validate`` on the bundled examples: valid ones are clean, each invalid one reports
exactly the pointer and requirement its manifest names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import spec
from spec.identifiers import CHI_SYSTEM, NINO_SYSTEM

EXAMPLES = Path(__file__).resolve().parents[3] / "spec" / "examples"
VALID = list(spec.iter_documents([EXAMPLES / "valid"]))
CASES: list[dict[str, Any]] = json.loads((EXAMPLES / "invalid" / "cases.json").read_text("utf-8"))


def load_case(case: dict[str, Any]) -> Any:
    return json.loads((EXAMPLES / "invalid" / case["file"]).read_text("utf-8"))


@pytest.mark.parametrize("located", VALID, ids=lambda d: d.location.split("examples/valid/")[-1])
def test_valid_example_has_no_problems(located: spec.LocatedDocument) -> None:
    assert spec.validate(located.document) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_invalid_example_reports_exactly_its_expected_problems(case: dict[str, Any]) -> None:
    problems = spec.validate(load_case(case))
    found = {(p.pointer, p.requirement) for p in problems}
    expected = {(e["pointer"], e["requirement"]) for e in case["expect"]}
    assert found == expected, [str(p) for p in problems]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_problem_layer_matches_the_manifest(case: dict[str, Any]) -> None:
    # A "rule" case is schema-valid and fails only a semantic rule (SDS-DOC-011); a "schema"
    # case fails the schema, so the semantic rules are never run on it.
    document = load_case(case)
    if case["layer"] == "type":
        with pytest.raises(spec.SpecError):
            spec.document_type(document)
        return
    schema_valid = spec.validator(spec.document_type(document)).schema_valid(document)
    assert schema_valid is (case["layer"] == "rule")


def test_every_problem_carries_message_and_rule() -> None:
    for case in CASES:
        for problem in spec.validate(load_case(case)):
            assert problem.message, case["file"]
            assert problem.rule, case["file"]
            assert re.fullmatch(r"SDS-[A-Z]{2,3}-[0-9]{3}", problem.requirement), case["file"]


def personal_values(document: Any) -> set[str]:
    """CHI numbers, NINOs and the birth date in a document: what must never be echoed."""
    values: set[str] = set()
    if isinstance(document, dict):
        if document.get("system") in (CHI_SYSTEM, NINO_SYSTEM) and document.get("value"):
            values.add(str(document["value"]))
        if isinstance(document.get("birth_date"), str):
            values.add(document["birth_date"])
        for value in document.values():
            values |= personal_values(value)
    elif isinstance(document, list):
        for value in document:
            values |= personal_values(value)
    return values


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["layer"] == "rule"],
    ids=lambda c: c["file"],
)
def test_rule_problems_never_echo_personal_data(case: dict[str, Any]) -> None:
    document = load_case(case)
    for problem in spec.validate(document):
        for value in personal_values(document):
            assert value not in problem.message


def test_schema_problems_never_echo_personal_data() -> None:
    leaks = []
    for case in CASES:
        document = load_case(case)
        for problem in spec.validate(document):
            leaks += [
                case["file"] for value in personal_values(document) if value in problem.message
            ]
    assert leaks == []


@pytest.mark.parametrize("not_an_object", [[], "person", 3, None])
def test_a_document_must_be_an_object(not_an_object: Any) -> None:
    (problem,) = spec.validate(not_an_object)
    assert problem.requirement == "SDS-DOC-002"


def test_validate_is_deterministic() -> None:
    case = next(c for c in CASES if c["file"] == "funding-line-without-person.json")
    first = spec.validate(load_case(case))
    assert first == spec.validate(load_case(case))
    assert first == sorted(first)


def test_ndjson_documents_are_located_by_line() -> None:
    located = [d for d in VALID if "rory-combined/funding-lines.ndjson" in d.location]
    assert [d.location.rsplit(":", 1)[1] for d in located] == ["1", "2", "3", "4", "5", "6"]
    assert all(d.document["type"] == "funding-line" for d in located)


def test_a_document_the_fast_path_rejects_is_never_reported_valid() -> None:
    person = json.loads((EXAMPLES / "valid" / "rory-combined" / "person.json").read_text("utf-8"))
    person["identifiers"][0]["value"] += "\n"
    assert not spec.validator("person").schema_valid(person)
    assert spec.validate(person) != []
