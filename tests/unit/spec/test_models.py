"""The typed models: generated from the schemas, never drifting from them, round-tripping data."""

from __future__ import annotations

import copy
import functools
import importlib.metadata
import json
from pathlib import Path
from typing import Any

import pydantic
import pytest

import spec
import spec.models
from spec._paths import EXAMPLES
from spec.models import MODELS, dump_document, generate, parse_document
from spec.models.generate import DOCUMENT_MODELS, GENERATED, bundle, render
from spec.registry import load_schema

FUNDING_LINE: dict[str, Any] = {
    "standard": "sdsx/1.0",
    "type": "funding-line",
    "id": "3f0b8a52-6c1d-4e7a-9b2f-5d8c1e4a7b90",
    "version": 2,
    "supersedes": {"id": "3f0b8a52-6c1d-4e7a-9b2f-5d8c1e4a7b90", "version": 1},
    "recorded_at": "2025-04-02T09:30:00Z",
    "person_identifier": {"system": "https://spec.sdsx.scot/id/nino", "value": "AB123456C"},
    "source": "ilf-scotland",
    "payer": {"kind": "funder", "code": "ILFS", "name": "ILF Scotland"},
    "source_reference": "ILF-2025-0042",
    "award": {"amount": {"amount_minor": 45000, "currency": "GBP"}, "per": "per-week"},
    "period": {"start": "2025-04-01", "end": "2026-03-31"},
    "payment": {"frequency": "per-calendar-month", "first_payment": "2025-04-28"},
    "purpose": "any-eligible-need",
    "status": "awarded",
    "terms": {"weeks_per_year": 52},
    "ledger": [
        {
            "id": "award-1",
            "kind": "award",
            "effective": {"start": "2025-04-01"},
            "recorded_at": "2025-03-20T12:00:00Z",
            "rate": {"amount": {"amount_minor": 45000, "currency": "GBP"}, "per": "per-week"},
        }
    ],
}

SUPPORT_PLAN: dict[str, Any] = {
    "standard": "sdsx/1.0",
    "type": "support-plan",
    "id": "9a1c2e3f-4b5d-4e6f-8a7b-0c1d2e3f4a5b",
    "version": 1,
    "person": {"id": "0b4c5e1a-2f3d-4c6e-8a9b-1c2d3e4f5a6b"},
    "council": {"kind": "council-area", "code": "S12000036", "name": "City of Edinburgh"},
    "status": "agreed",
    "period": {"start": "2025-04-01", "end": "2026-03-31"},
    "sds_option": "option-4",
    "about_me": {"strengths": ["Plays the fiddle"], "what_matters": ["Seeing my friends"]},
    "personal_outcomes": [
        {
            "id": "out-1",
            "description": "Get out to the folk club every week.",
            "national_outcome": "social-inclusion",
            "status": "in-progress",
        }
    ],
    "support_items": [
        {
            "id": "pa",
            "category": "personal-assistant",
            "description": "A personal assistant employed through a direct payment.",
            "sds_option": "option-1",
            "schedule": {"quantity": 12.5, "unit": "hour", "per": "per-week"},
            "cost": {"amount": {"amount_minor": 21250, "currency": "GBP"}, "per": "per-week"},
            "outcomes": ["out-1"],
        },
        {
            "id": "respite",
            "category": "short-breaks",
            "description": "Two short breaks a year arranged by the council.",
            "sds_option": "option-3",
            "provider": {"kind": "provider", "code": "P-0042"},
            "cost": {
                "amount": {"amount_minor": 90000, "currency": "GBP"},
                "per": "per-financial-year",
            },
        },
    ],
    "review": {"due": "2025-10-01"},
    "agreed_by": [{"party": "person", "name": "A. Example", "agreed_on": "2025-03-25"}],
}

INLINE = {"inline funding line": FUNDING_LINE, "inline support plan": SUPPORT_PLAN}


def _examples() -> list[tuple[str, Any]]:
    found = [(name, doc) for name, doc in INLINE.items()]
    valid = EXAMPLES / "valid"
    if valid.is_dir():
        for located in spec.iter_documents([valid]):
            found.append((str(Path(located.location).relative_to(EXAMPLES)), located.document))
    return found


EXAMPLE_DOCUMENTS = _examples()


@functools.cache
def _fresh() -> str:
    return render()


def test_committed_models_match_a_fresh_generation() -> None:
    installed = importlib.metadata.version("datamodel-code-generator")
    assert GENERATED.read_text(encoding="utf-8") == _fresh(), (
        f"{GENERATED} has drifted from spec/schemas (or was written by another version of "
        f"datamodel-code-generator than the installed {installed}): "
        "run `python -m spec.models.generate`"
    )


def test_generate_explains_a_missing_generator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing() -> str:
        raise ModuleNotFoundError(
            "No module named 'datamodel_code_generator'", name="datamodel_code_generator"
        )

    monkeypatch.setattr(generate, "render", missing)
    assert generate.main(["--check"]) == 2
    assert "install the test extra" in capsys.readouterr().err


def test_generate_writes_the_file_and_check_mode_reports_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "_generated.py"
    monkeypatch.setattr(generate, "GENERATED", target)
    monkeypatch.setattr(generate, "render", _fresh)
    assert generate.main(["--check"]) == 1
    assert "is stale" in capsys.readouterr().err
    assert generate.main([]) == 0
    assert target.read_text(encoding="utf-8") == _fresh()
    assert generate.main(["--check"]) == 0
    target.write_text(_fresh() + "# edited by hand\n", encoding="utf-8")
    assert generate.main(["--check"]) == 1


def test_bundle_refs_all_resolve_inside_the_bundle() -> None:
    bundled = bundle()
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(bundled)
    assert refs
    missing = {r for r in refs if r.removeprefix("#/$defs/") not in bundled["$defs"]}
    assert missing == set()


def test_bundle_refuses_a_definition_name_used_by_two_files() -> None:
    files = {
        "common.schema.json": {"$defs": {"money": {"type": "integer"}}},
        "extra.schema.json": {"$defs": {"money": {"type": "string"}}},
    }
    with pytest.raises(ValueError, match=r"\$defs/money is defined in both"):
        bundle(files)


def test_bundle_refuses_a_ref_it_cannot_place() -> None:
    files = {"person.schema.json": {"properties": {"x": {"$ref": "#/properties/y"}}}}
    with pytest.raises(ValueError, match="cannot bundle"):
        bundle(files)


def test_there_is_one_model_per_document_type() -> None:
    assert tuple(MODELS) == spec.DOCUMENT_TYPES
    assert sorted(DOCUMENT_MODELS.values()) == sorted(m.__name__ for m in MODELS.values())


@pytest.mark.parametrize("kind", spec.DOCUMENT_TYPES)
def test_model_fields_are_the_schema_properties(kind: str) -> None:
    schema = load_schema(kind)
    model = MODELS[kind]
    assert set(model.model_fields) == set(schema["properties"])
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    assert required == set(schema["required"])


@pytest.mark.parametrize(
    ("name", "document"), EXAMPLE_DOCUMENTS, ids=[n for n, _ in EXAMPLE_DOCUMENTS]
)
def test_valid_documents_round_trip_through_their_model(name: str, document: Any) -> None:
    assert spec.validate(document) == [], f"{name} is not valid, so it cannot test the models"
    model = parse_document(copy.deepcopy(document))
    assert type(model) is MODELS[document["type"]]
    assert dump_document(model) == document
    # The JSON text round-trips too, so a producer writing the model gets the same bytes back.
    assert json.loads(model.model_dump_json(exclude_none=True)) == document


def test_absent_optional_values_stay_absent() -> None:
    line = parse_document(FUNDING_LINE)
    dumped = dump_document(line)
    for absent in ("hourly", "cap", "contribution", "sds_option", "person", "extensions"):
        assert absent not in dumped
    assert "end" not in dumped["ledger"][0]["effective"]


def test_models_give_typed_access() -> None:
    line = parse_document(FUNDING_LINE)
    assert isinstance(line, spec.models.FundingLine)
    assert line.award.amount.amount_minor == 45000
    assert line.period.end is not None
    assert line.period.end.isoformat() == "2026-03-31"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "funding-lines"}, "type"),
        (
            {"award": {"amount": {"amount_minor": -1, "currency": "GBP"}, "per": "per-week"}},
            "award",
        ),
        (
            {"award": {"amount": {"amount_minor": 450.5, "currency": "GBP"}, "per": "per-week"}},
            "award",
        ),
        ({"source": "pocket-money"}, "source"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_models_reject_documents_of_the_wrong_shape(change: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        parse_document({**FUNDING_LINE, **change})
    assert field in str(caught.value)


def _isort_style(name: str) -> tuple[int, str]:
    # The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_exports_are_sorted_and_exist() -> None:
    exported = spec.models.__all__
    assert exported == sorted(exported, key=_isort_style)
    for name in exported:
        assert hasattr(spec.models, name), name
