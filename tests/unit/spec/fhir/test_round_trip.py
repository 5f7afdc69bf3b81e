"""Standard -> FHIR -> standard returns the same documents (SDS-FHR-003)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from fhir_strategies import documents
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec import DOCUMENT_TYPES, iter_documents
from spec._paths import EXAMPLES
from spec.fhir import from_bundle, to_bundle, to_resources, validate_resource

FIXTURES = json.loads((Path(__file__).parent / "documents.json").read_text(encoding="utf-8"))
EXAMPLES_VALID = [d.document for d in iter_documents([EXAMPLES / "valid"])]
BUDGET_VECTORS = sorted(
    (Path(__file__).parents[4] / "conformance" / "vectors" / "budget").glob("*.json")
)


def _exact(document: Any) -> bytes:
    """Byte-exact JSON, so 12 and 12.0 or a reordered list do not pass as equal."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def _round_trip(docs: list[dict[str, Any]], *, check: bool = True) -> list[dict[str, Any]]:
    bundle = orjson.loads(orjson.dumps(to_bundle(docs)))
    result = from_bundle(bundle, check=check)
    assert result.issues == []
    return result.documents


def test_bundled_examples_exist() -> None:
    assert {d["type"] for d in EXAMPLES_VALID} >= {"person", "support-plan", "funding-line"}


@pytest.mark.parametrize(
    "document", EXAMPLES_VALID + FIXTURES, ids=lambda d: f"{d['type']}-{d['id'][:8]}"
)
def test_every_example_round_trips_exactly(document: dict[str, Any]) -> None:
    assert [_exact(d) for d in _round_trip([document])] == [_exact(document)]


@pytest.mark.parametrize("path", BUDGET_VECTORS, ids=lambda p: p.stem[:9])
def test_every_budget_vectors_plan_and_lines_round_trip(path: Path) -> None:
    # The vectors use every budget input the standard has (ledgers, spending reports, hour
    # splits, hours of day, terms), so each must travel through FHIR and back unchanged.
    vector = json.loads(path.read_text(encoding="utf-8"))
    docs = [vector["plan"], *vector["lines"]]
    assert [_exact(d) for d in _round_trip(docs)] == [_exact(d) for d in docs]


def test_a_whole_set_round_trips_in_order() -> None:
    docs = EXAMPLES_VALID + FIXTURES
    assert [_exact(d) for d in _round_trip(docs)] == [_exact(d) for d in docs]


def test_a_transaction_bundle_round_trips_and_puts_each_resource() -> None:
    bundle = to_bundle(FIXTURES, bundle_type="transaction")
    requests = [e["request"] for e in bundle["entry"]]
    assert all(r["method"] == "PUT" for r in requests)
    assert requests[0]["url"] == f"Patient/{FIXTURES[0]['id']}"
    result = from_bundle(orjson.loads(orjson.dumps(bundle)))
    assert [_exact(d) for d in result.documents] == [_exact(d) for d in FIXTURES]


@pytest.mark.parametrize("doc_type", DOCUMENT_TYPES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_documents_round_trip(doc_type: str, data: st.DataObject) -> None:
    document = data.draw(documents(doc_type))
    assert [_exact(d) for d in _round_trip([document], check=False)] == [_exact(document)]


def test_every_resource_validates_with_the_r4b_models() -> None:
    for document in EXAMPLES_VALID + FIXTURES:
        for resource in to_resources(document):
            validate_resource(resource)


def test_empty_values_travel_in_the_empty_element_extension() -> None:
    person = next(d for d in FIXTURES if d["type"] == "person")
    assert person["name"]["preferred"] == ""
    patient = to_resources(person)[0]
    empties = [e for e in patient["extension"] if e["url"].endswith("/empty-element")]
    assert empties[0]["extension"][0] == {"url": "path", "valueString": "/name/preferred"}
    assert all(n.get("given") != [""] for n in patient["name"])
