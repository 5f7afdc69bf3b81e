"""FHIR from other systems is read or refused element by element, never with a traceback.

``foreign/patient-example.json`` and ``foreign/careplan-example.json`` are the FHIR R4
specification's own Patient/example and CarePlan/example, re-typed by hand.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spec.fhir import FhirMappingError, from_bundle, from_json, to_bundle

FOREIGN = Path(__file__).parent / "foreign"
FIXTURES = json.loads((Path(__file__).parent / "documents.json").read_text(encoding="utf-8"))


def _load(name: str) -> Any:
    return json.loads((FOREIGN / name).read_text(encoding="utf-8"))


def _messages(result: Any) -> dict[str, str]:
    return {i.location: i.message for i in result.issues}


def test_a_scottish_patient_from_another_system_is_read_with_warnings() -> None:
    result = from_bundle(_load("patient-scottish-system.json"))
    assert result.errors == []
    [person] = result.documents
    assert person["identifiers"] == [
        {"system": "https://spec.sdsx.scot/id/chi", "value": "0103851002"}
    ]
    assert person["name"] == {"given": "Morag Ann", "family": "MacLeod"}
    assert person["council_area"] == "S12000036"
    assert person["recorded_at"] == "2026-05-01T09:15:00Z"
    found = _messages(result)
    assert "is not one the standard knows" in found["Patient.identifier[1]"]
    assert {"Patient.gender", "Patient.address", "Patient.name[0].prefix"} <= found.keys()


def test_the_fhir_specification_patient_fails_with_element_level_reasons() -> None:
    result = from_bundle(_load("patient-example.json"))
    assert result.documents == []
    found = _messages(result)
    assert "urn:oid:1.2.36.146.595.217.0.1" in found["Patient.identifier[0]"]
    for dropped in ("Patient.telecom", "Patient.address", "Patient.contact", "Patient._birthDate"):
        assert found[dropped] == "has no place in the standard; not read"
    errors = [e.message for e in result.errors]
    assert any("/council_area" in e and "Patient.managingOrganization" in e for e in errors)
    assert any("/identifiers" in e for e in errors)


def test_the_fhir_specification_careplan_fails_with_element_level_reasons() -> None:
    result = from_bundle(_load("careplan-example.json"))
    assert result.documents == []
    found = _messages(result)
    assert "not read" in found["CarePlan.author"]
    assert "CarePlan.activity[0].detail.code" in found
    assert "CarePlan.goal" in found
    assert any("/support_items/0/cost" in e.message for e in result.errors)


def test_invalid_fhir_is_an_error_at_the_element() -> None:
    patient = _load("patient-scottish-system.json")
    patient["birthDate"] = "1985-13-01"
    result = from_bundle(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    )
    assert [e.location for e in result.errors] == ["Bundle.entry[0].resource.birthDate"]
    assert result.documents == []


def test_resources_with_no_place_are_named() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}},
            {"resource": {"resourceType": "Nonsense"}},
            {"request": {"method": "GET", "url": "Patient"}},
        ],
    }
    result = from_bundle(bundle)
    assert (
        _messages(result)["Bundle.entry[0].resource"]
        == "a Observation has no place in the standard"
    )
    assert [e.location for e in result.errors] == [
        "Bundle.entry[1].resource",
        "Bundle.entry[2].resource",
    ]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"entry": []}', b'"Patient"'])
def test_input_that_is_not_fhir_raises_a_mapping_error(raw: bytes) -> None:
    with pytest.raises(FhirMappingError):
        from_json(raw, "upload.json")


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=4,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, member in value.items():
            found.extend(_paths(member, (*path, key)))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found.extend(_paths(member, (*path, index)))
    return found


BUNDLE = orjson.loads(orjson.dumps(to_bundle(FIXTURES)))
PATHS = [p for p in _paths(BUNDLE) if len(p) > 2]


def _damage_and_read(where: tuple[Any, ...], value: Any) -> None:
    damaged = copy.deepcopy(BUNDLE)
    target = damaged
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    result = from_bundle(damaged)
    assert all(i.location and i.message for i in result.issues)


@settings(max_examples=60, deadline=None)
@given(where=st.sampled_from(PATHS), value=_JSON)
def test_a_damaged_bundle_never_raises(where: tuple[Any, ...], value: Any) -> None:
    _damage_and_read(where, value)


@settings(max_examples=60, deadline=None)
@given(where=st.sampled_from(PATHS), value=st.sampled_from(["x", "2026-01-01", "0", "#outcome-0"]))
def test_a_bundle_with_odd_but_valid_values_never_raises(
    where: tuple[Any, ...], value: Any
) -> None:
    # Strings mostly pass the R4B models, so these reach the readers themselves.
    _damage_and_read(where, value)
