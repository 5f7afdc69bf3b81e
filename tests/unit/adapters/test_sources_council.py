"""The council adapter: case-system exports through the two shipped mapping profiles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import spec
from adapters.sources import AdapterResult, parse
from adapters.sources.council import parse_with_profile
from adapters.sources.mapping import load_profile

COUNCIL = Path(spec.__file__).parent / "sources" / "council"
CSV = (COUNCIL / "carefirst-like-export.csv").read_bytes()
JSON = (COUNCIL / "mosaic-like-export.json").read_bytes()
RECEIVED = dt.datetime(2026, 4, 3, 7, 0, tzinfo=dt.UTC)


def _csv(data: bytes) -> AdapterResult:
    return parse(
        "council", data, file_name="export.csv", received_at=RECEIVED, profile="carefirst-like-csv"
    )


def _json(data: bytes) -> AdapterResult:
    return parse(
        "council", data, file_name="export.json", received_at=RECEIVED, profile="mosaic-like-json"
    )


def _status(result: AdapterResult) -> dict[str, str]:
    return {r.locator: r.status for r in result.records}


def test_csv_rows_become_council_lines_with_option_and_council_payer() -> None:
    result = _csv(CSV)
    assert result.problems == []
    assert len(result.lines) == 5
    for line in result.lines:
        assert line["source"] == "council-social-care"
        assert line["payer"] == {
            "kind": "council-area",
            "code": "S12000049",
            "name": "Glasgow City",
        }
        assert line["sds_option"] in {"option-1", "option-2", "option-3"}
        assert line["provenance"]["adapter"] == "council/carefirst-like-csv"
    first = result.lines[0]
    assert first["person_identifier"]["value"] == "0101871002"  # spaces stripped
    assert first["award"] == {
        "amount": {"amount_minor": 41280, "currency": "GBP"},
        "per": "per-week",
    }
    assert first["contribution"]["amount"]["amount"]["amount_minor"] == 2500
    assert result.lines[1]["award"]["amount"]["amount_minor"] == 115000


def test_empty_optional_values_stay_absent_not_zero() -> None:
    telecare = _csv(CSV).lines[2]
    assert "end" not in telecare["period"]
    assert "contribution" not in telecare
    assert "review_date" not in telecare


def test_carer_support_maps_to_its_purpose() -> None:
    carer = _csv(CSV).lines[3]
    assert carer["purpose"] == "carer-support"
    assert carer["extensions"] == {"S12000049.support_category": "carer-support"}


def test_json_nested_packages_in_pence_read_through_relative_pointers() -> None:
    result = _json(JSON)
    assert result.problems == []
    assert [r.locator for r in result.records][:2] == [
        "/people/0/packages/0/services/0",
        "/people/0/packages/0/services/1",
    ]
    first = result.lines[0]
    assert first["person_identifier"]["value"] == "1503921007"
    assert first["period"] == {"start": "2026-04-06", "end": "2027-04-04"}
    assert first["extensions"]["S12000036.ras_indicative_pence"] == 2145000
    assert first["contribution"]["mode"] == "gross-then-invoiced"
    assert result.lines[2]["award"] == {
        "amount": {"amount_minor": 39999, "currency": "GBP"},
        "per": "one-off",
    }
    assert "S12000036.ras_model" not in result.lines[3]["extensions"]


def test_csv_bad_date_amount_and_code_reject_only_their_rows() -> None:
    broken = (
        CSV.replace(b"01/05/2026", b"2026-05-01")
        .replace(b'"\xc2\xa31,150.00"', b'"\xc2\xa31,1x0.00"')
        .replace(b",TEL,", b",TELE,")
    )
    result = _csv(broken)
    assert _status(result) == {
        "line 2": "ok",
        "line 3": "rejected",
        "line 4": "rejected",
        "line 5": "ok",
        "line 6": "rejected",
    }
    assert {(p.locator, p.field, p.requirement) for p in result.problems} == {
        ("line 3", "Cost", "SDS-SRC-005"),
        ("line 4", "Service Code", "SDS-SRC-010"),
        ("line 6", "Start Date", "SDS-SRC-006"),
    }


def test_csv_missing_option_is_rejected_for_sds_fnd_007() -> None:
    result = _csv(CSV.replace(b"SR-55122,TEL,Telecare,3,", b"SR-55122,TEL,Telecare,,"))
    problems = [(p.locator, p.field, p.requirement) for p in result.problems]
    assert problems == [("line 4", "SDS Option", "SDS-SRC-009")]
    assert len(result.lines) == 4


def test_csv_windows_1252_and_truncation() -> None:
    cp1252 = CSV.decode("utf-8").encode("cp1252")
    assert len(_csv(cp1252).lines) == 5
    cut = _csv(CSV[: CSV.index(b"SR-56002") + 12])
    assert len(cut.lines) == 4
    assert "cut short" in cut.problems[0].reason


def test_json_bad_values_reject_only_their_services() -> None:
    document = json.loads(JSON)
    services = document["people"][0]["packages"][0]["services"]
    services[1]["amountPence"] = "21O00"
    services[2]["period"] = "FORTNIGHTLY"
    document["people"][1]["packages"][0]["startDate"] = "01/05/2026"
    result = _json(json.dumps(document).encode())
    assert len(result.lines) == 1
    assert {(p.locator, p.field, p.requirement) for p in result.problems} == {
        ("/people/0/packages/0/services/1", "0/amountPence", "SDS-SRC-005"),
        ("/people/0/packages/0/services/2", "0/period", "SDS-SRC-010"),
        ("/people/1/packages/0/services/0", "2/startDate", "SDS-SRC-006"),
        ("/people/1/packages/0/services/1", "2/startDate", "SDS-SRC-006"),
    }


def test_json_truncated_keeps_complete_people() -> None:
    result = _json(JSON[: JSON.index(b"MOS-501277")])
    assert len(result.lines) == 3
    assert [(p.locator, p.requirement) for p in result.problems] == [("file", "SDS-SRC-007")]


def test_a_council_s_own_profile_needs_no_code() -> None:
    profile = load_profile(
        """
profile: tiny-csv
title: A council's own two-column export
version: "0.1"
council: S12000030
format: {kind: csv}
fields:
  - {target: /person_identifier/system, const: "https://spec.sdsx.scot/id/chi"}
  - {target: /person_identifier/value, from: chi}
  - {target: /sds_option, const: option-1, valueset: sds-option}
  - {target: /award/amount/amount_minor, from: pence, money: pence}
  - {target: /award/amount/currency, const: GBP}
  - {target: /award/per, const: per-week}
  - {target: /period/start, from: from, date: "%d.%m.%Y"}
  - {target: /purpose, const: any-eligible-need}
  - {target: /status, const: awarded}
"""
    )
    data = b"chi,pence,from\n0101871002,12345,01.04.2026\n"
    result = parse_with_profile(data, profile, file_name="own.csv", received_at=RECEIVED)
    assert result.problems == []
    line: dict[str, Any] = result.lines[0]
    assert line["payer"]["code"] == "S12000030"
    assert line["award"]["amount"]["amount_minor"] == 12345
    assert line["period"] == {"start": "2026-04-01"}
    assert spec.validate(line) == []


def test_invalid_identifier_is_rejected_without_echoing_it() -> None:
    result = _csv(CSV.replace(b"010187 1002", b"01018710"))
    problem = result.problems[0]
    assert (problem.locator, problem.field, problem.requirement) == (
        "line 2",
        "/person_identifier/value",
        "SDS-IDN-002",
    )
    assert "01018710" not in str(problem)
    assert len(result.lines) == 4


def test_json_object_where_a_value_is_expected_rejects_the_record() -> None:
    document = json.loads(JSON)
    document["people"][0]["packages"][0]["services"][0]["serviceId"] = {"id": "SVC-90011"}
    result = _json(json.dumps(document).encode())
    assert [(p.locator, p.field) for p in result.problems] == [
        ("/people/0/packages/0/services/0", "0/serviceId")
    ]
    assert len(result.lines) == 4
