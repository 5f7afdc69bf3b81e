"""The NHS board FHIR R4 Bundle adapter on its sample and on broken copies of it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import spec
from adapters.sources import AdapterResult, parse

SAMPLE = (Path(spec.__file__).parent / "sources" / "nhs-board" / "sample-bundle.json").read_bytes()
RECEIVED = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)
FIRST = "/entry/2/resource/term/0/asset/0/valuedItem/0"


def _parse(data: bytes) -> AdapterResult:
    return parse("nhs-board", data, file_name="bundle.json", received_at=RECEIVED)


def _edited(change: Any) -> bytes:
    bundle = json.loads(SAMPLE)
    change(bundle)
    return json.dumps(bundle).encode()


def test_each_valued_item_is_a_health_line_from_the_board() -> None:
    result = _parse(SAMPLE)
    assert result.problems == []
    assert [
        (line["award"]["per"], line["award"]["amount"]["amount_minor"]) for line in result.lines
    ] == [("per-week", 25000), ("per-4-weeks", 112040), ("one-off", 35000)]
    assert {line["purpose"] for line in result.lines} == {"health-need"}
    assert result.lines[0]["payer"] == {
        "kind": "health-board",
        "code": "S08000024",
        "name": "NHS Lothian",
    }
    assert result.lines[0]["person_identifier"] == {
        "system": "https://spec.sdsx.scot/id/chi",
        "value": "2902001002",
    }
    assert result.lines[1]["status"] == "provisional"


def test_bad_date_amount_and_unit_reject_only_their_records() -> None:
    def change(bundle: dict[str, Any]) -> None:
        items = bundle["entry"][4]["resource"]["term"][0]["asset"][0]["valuedItem"]
        items[0]["quantity"]["code"] = "fortnight"
        items[1]["net"]["value"] = "£3x0"
        bundle["entry"][2]["resource"]["applies"]["start"] = "2026-02-30"

    result = _parse(_edited(change))
    assert result.lines == []
    assert {r.locator: r.status for r in result.records} == {
        "/entry/2": "rejected",
        "/entry/4/resource/term/0/asset/0/valuedItem/0": "rejected",
        "/entry/4/resource/term/0/asset/0/valuedItem/1": "rejected",
    }
    found = {(p.locator, p.field, p.requirement) for p in result.problems}
    assert ("/entry/4/resource/term/0/asset/0/valuedItem/0", "/quantity", "SDS-SRC-010") in found
    assert ("/entry/4/resource/term/0/asset/0/valuedItem/1", "/net/value", "SDS-SRC-005") in found
    assert any(p.locator == "/entry/2" and "applies" in p.field for p in result.problems)


def test_a_bad_contract_keeps_the_others() -> None:
    def change(bundle: dict[str, Any]) -> None:
        bundle["entry"][4]["resource"]["status"] = "pondering"

    result = _parse(_edited(change))
    assert len(result.lines) == 1
    assert [(p.locator, p.field, p.requirement) for p in result.problems] == [
        ("/entry/4", "/resource/status", "SDS-SRC-010")
    ]


def test_bad_chi_is_rejected_without_echoing_it() -> None:
    result = _parse(SAMPLE.replace(b"2902001002", b"2902001005"))
    assert len(result.lines) == 2
    problem = result.problems[0]
    assert (problem.locator, problem.requirement) == ("/entry/2", "SDS-IDN-002")
    assert "2902001005" not in str(problem)


def test_invalid_fhir_patient_rejects_its_contract() -> None:
    def change(bundle: dict[str, Any]) -> None:
        bundle["entry"][1]["resource"]["birthDate"] = "29/02/2000"

    result = _parse(_edited(change))
    assert len(result.lines) == 2
    assert [p.locator for p in result.problems] == ["/entry/1", "/entry/2"]
    assert result.problems[0].requirement == "SDS-SRC-014"
    assert "29/02" not in str(result.problems[0])


def test_truncated_bundle_keeps_complete_entries() -> None:
    cut = SAMPLE[: SAMPLE.index(b"1204041006")]
    result = _parse(cut)
    assert len(result.lines) == 1
    assert [(p.locator, p.requirement) for p in result.problems] == [("file", "SDS-SRC-007")]


def test_not_a_bundle_and_nothing_readable_are_file_problems() -> None:
    assert _parse(b'{"resourceType": "Patient"}').unusable
    assert _parse(SAMPLE[:50]).unusable
    assert _parse(b"").unusable


def test_windows_1252_bytes_are_read_with_a_warning() -> None:
    result = _parse(SAMPLE.replace(b"overnight support", b"overnight support \x96 sleepover"))
    assert len(result.lines) == 3
    assert [(p.severity, p.requirement) for p in result.problems] == [("warning", "SDS-SRC-004")]
