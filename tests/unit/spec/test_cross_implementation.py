"""The published schemas give the same verdict in ``jsonschema`` and ``jsonschema-rs``.

Both run offline over the same registry, with format checking on. The documented exception
(SDS-DOC-011) is what JSON Schema cannot express: identifier check digits, period order,
derived option 4, unique local ids, outcome links and version pairing. Invalid examples of
that kind ("layer": "rule" in the manifest) must be schema-valid in both implementations.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

import spec
from spec.registry import load_schema, schemas

EXAMPLES = Path(__file__).resolve().parents[3] / "spec" / "examples"
VALID = list(spec.iter_documents([EXAMPLES / "valid"]))
CASES: list[dict[str, Any]] = json.loads((EXAMPLES / "invalid" / "cases.json").read_text("utf-8"))


@functools.cache
def python_validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        load_schema(kind),
        registry=spec.registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


@functools.cache
def rust_validator(kind: str) -> Any:
    registry = jsonschema_rs.Registry(list(schemas().items()))
    return jsonschema_rs.validator_for(load_schema(kind), registry=registry, validate_formats=True)


def verdicts(kind: str, document: Any) -> tuple[bool, bool]:
    return python_validator(kind).is_valid(document), rust_validator(kind).is_valid(document)


@pytest.mark.parametrize("uri", sorted(schemas()))
def test_every_schema_is_a_valid_2020_12_schema(uri: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schemas()[uri])


@pytest.mark.parametrize("located", VALID, ids=lambda d: d.location.split("examples/valid/")[-1])
def test_valid_examples_pass_in_both(located: spec.LocatedDocument) -> None:
    assert verdicts(located.document["type"], located.document) == (True, True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_invalid_examples_get_the_same_verdict(case: dict[str, Any]) -> None:
    document = json.loads((EXAMPLES / "invalid" / case["file"]).read_text("utf-8"))
    if case["layer"] == "type":
        # No schema is chosen for an unknown type; every schema must refuse it, in both.
        for kind in spec.DOCUMENT_TYPES:
            assert verdicts(kind, document) == (False, False), kind
        return
    expected = case["layer"] == "rule"
    assert verdicts(document["type"], document) == (expected, expected)


def test_the_rust_validator_is_the_one_spec_uses() -> None:
    # The fast path in spec.validation must agree with the validator built here.
    for located in VALID:
        kind = located.document["type"]
        assert spec.validator(kind).schema_valid(located.document)
    for case in CASES:
        document = json.loads((EXAMPLES / "invalid" / case["file"]).read_text("utf-8"))
        if case["layer"] != "type":
            kind = document["type"]
            fast = spec.validator(kind).schema_valid(document)
            assert fast is rust_validator(kind).is_valid(document), case["file"]
