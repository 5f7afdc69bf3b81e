"""The vectors check themselves: valid against their schema, unique IDs, catalogued
requirements, and every schema vector's expectation confirmed by the reference validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.vectorsets import (
    BUDGET_SCHEMA,
    BUDGET_VECTORS,
    SCHEMA_SCHEMA,
    SCHEMA_VECTORS,
    Vector,
    derive_schema_vectors,
    load_vectors,
    vector_problems,
)
from spec import validate
from spec.requirements import load_catalogue

SCHEMA = load_vectors(SCHEMA_VECTORS)
# Built in two parts so the repository-wide cited-ID test does not read it as a citation.
UNKNOWN_ID = "SDS-" + "ZZZ-999"


@pytest.mark.parametrize(
    ("folder", "schema"), [(SCHEMA_VECTORS, SCHEMA_SCHEMA), (BUDGET_VECTORS, BUDGET_SCHEMA)]
)
def test_vectors_are_sound(folder: Path, schema: Path) -> None:
    assert load_vectors(folder), f"{folder} holds no vectors"
    assert vector_problems(folder, schema, load_catalogue()) == []


@pytest.mark.parametrize("vector", SCHEMA, ids=[v.id for v in SCHEMA])
def test_the_reference_validator_agrees_with_every_schema_vector(vector: Vector) -> None:
    problems = validate(vector.entry["document"])
    assert (not problems) is vector.entry["valid"]
    found = {(p.pointer, p.requirement) for p in problems}
    assert found == {(e["pointer"], e["requirement"]) for e in vector.entry["expect"]}


def test_the_sanity_check_catches_duplicates_and_unknown_requirements(tmp_path: Path) -> None:
    entry = dict(SCHEMA[0].entry)
    broken = dict(entry, requirements=[UNKNOWN_ID])
    (tmp_path / "a.json").write_text(
        __import__("json").dumps({"description": "x", "vectors": [entry, broken]})
    )
    problems = vector_problems(tmp_path, SCHEMA_SCHEMA, load_catalogue())
    assert any("already used" in p for p in problems)
    assert any(UNKNOWN_ID in p and "not in the catalogue" in p for p in problems)


def test_the_schema_vectors_are_the_standards_examples() -> None:
    """Regenerate with ``python -m conformance.vectorsets`` when the examples change."""
    import json

    for name, content in derive_schema_vectors().items():
        committed = json.loads((SCHEMA_VECTORS / name).read_text(encoding="utf-8"))
        assert committed == content, f"{name} is stale: run python -m conformance.vectorsets"
