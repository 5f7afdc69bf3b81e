"""Money, empty values, naming systems and ids: the exact parts of the FHIR mapping."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from spec.fhir.empties import restore_empty, strip_empty
from spec.fhir.identifiers import CHI_FHIR_SYSTEM, fhir_system, record_id, standard_system
from spec.fhir.money import MAX_MINOR, money_from_fhir, money_to_fhir
from spec.fhir.warnings import ElementReader, FhirMappingError
from spec.identifiers import CHI_SYSTEM


@pytest.mark.parametrize(
    ("money", "fhir"),
    [
        ({"amount_minor": 12345, "currency": "GBP"}, {"value": 123.45, "currency": "GBP"}),
        ({"amount_minor": -5, "currency": "GBP"}, {"value": -0.05, "currency": "GBP"}),
        ({"amount_minor": 500, "currency": "JPY"}, {"value": 500, "currency": "JPY"}),
        ({"amount_minor": 1234, "currency": "KWD"}, {"value": 1.234, "currency": "KWD"}),
        (
            {"amount_minor": MAX_MINOR - 1, "currency": "GBP"},
            {"value": 9999999999999.99, "currency": "GBP"},
        ),
    ],
)
def test_money_scales_by_the_currency_exponent_both_ways(money: Any, fhir: Any) -> None:
    assert money_to_fhir(money) == fhir
    assert money_from_fhir(fhir["value"], fhir["currency"], "here") == money


def test_money_too_large_for_a_json_number_is_refused() -> None:
    with pytest.raises(FhirMappingError, match="too large") as caught:
        money_to_fhir({"amount_minor": MAX_MINOR, "currency": "GBP"}, "/award/amount")
    assert caught.value.where == "/award/amount"
    assert caught.value.requirement == "SDS-FHR-006"


@pytest.mark.parametrize(
    ("value", "currency"), [(1.005, "GBP"), (0.5, "JPY"), (True, "GBP"), (1, None)]
)
def test_money_that_the_standard_cannot_hold_is_refused(value: Any, currency: Any) -> None:
    with pytest.raises(FhirMappingError):
        money_from_fhir(value, currency, "Coverage.extension[3].valueMoney")


def test_empty_values_are_restored_where_they_were() -> None:
    document = {
        "a": "",
        "b": {"c": "", "d": []},
        "e": [{"f": "x", "g": ""}, {"f": "y"}],
        "extensions": {"org.kept": ""},
    }
    stripped, empties = strip_empty(copy.deepcopy(document))
    assert stripped == {"e": [{"f": "x"}, {"f": "y"}], "extensions": {"org.kept": ""}}
    assert ("/b", "object") in empties
    assert restore_empty(stripped, list(reversed(empties))) == []
    assert stripped == document


def test_an_empty_element_that_does_not_fit_is_reported() -> None:
    assert restore_empty({"a": "x"}, [("/a/b", "string"), ("/z/0", "array")]) == ["/a/b", "/z/0"]


def test_chi_is_written_with_the_registered_oid_and_read_either_way() -> None:
    assert fhir_system(CHI_SYSTEM) == CHI_FHIR_SYSTEM
    assert standard_system(CHI_FHIR_SYSTEM) == CHI_SYSTEM
    assert standard_system(CHI_SYSTEM) == CHI_SYSTEM
    assert fhir_system("https://spec.sdsx.scot/id/nino") == "https://spec.sdsx.scot/id/nino"


def test_foreign_ids_become_stable_uuid_v4_shaped_ids() -> None:
    kept = "4a1c8f2e-6b7d-4e9a-8c3b-1d2e3f4a5b6c"
    assert record_id(kept) == (kept, False)
    derived, changed = record_id("example")
    assert changed
    assert record_id("example") == (derived, True)
    assert derived[14] == "4"
    assert derived[19] in "89ab"


def test_the_reader_reports_the_highest_unread_element() -> None:
    reader = ElementReader({"a": {"b": 1, "c": [1, 2]}, "d": 2}, "Patient")
    inner = reader.child("a")
    assert inner is not None
    inner.take("b")
    assert list(reader.leftovers()) == [("Patient.a.c", [1, 2]), ("Patient.d", 2)]
