"""The SAAS DSA XML adapter on its sample and on broken copies of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import spec
from adapters.sources import AdapterResult, parse

SAMPLE = (Path(spec.__file__).parent / "sources" / "saas-dsa" / "sample.xml").read_bytes()
RECEIVED = dt.datetime(2026, 8, 21, 9, 0, tzinfo=dt.UTC)
FIRST = "/DSAAwardExport/StudentAward[1]"
SECOND = "/DSAAwardExport/StudentAward[2]"


def _parse(data: bytes) -> AdapterResult:
    return parse("saas-dsa", data, file_name="dsa.xml", received_at=RECEIVED)


def test_each_allowance_is_its_own_study_line() -> None:
    result = _parse(SAMPLE)
    assert result.problems == []
    assert [(line["source"], line["award"]["per"]) for line in result.lines[:4]] == [
        ("saas-dsa.basic", "per-academic-year"),
        ("saas-dsa.equipment", "per-course"),
        ("saas-dsa.nmph", "per-academic-year"),
        ("saas-dsa.travel", "per-academic-year"),
    ]
    assert {line["purpose"] for line in result.lines} == {"study-related"}


def test_equipment_covers_the_course_and_the_rest_the_academic_year() -> None:
    basic, equipment = _parse(SAMPLE).lines[:2]
    assert basic["period"] == {"start": "2026-08-01", "end": "2027-07-31"}
    assert equipment["period"] == {"start": "2026-09-14", "end": "2030-06-30"}
    assert equipment["terms"]["course"] == equipment["period"]


def test_part_time_intensity_and_exact_amounts() -> None:
    part_time = _parse(SAMPLE).lines[4:]
    assert [line["terms"]["study_intensity_percent"] for line in part_time] == [50, 50]
    assert [line["award"]["amount"]["amount_minor"] for line in part_time] == [86250, 1026000]


def test_bad_amount_date_and_code_reject_only_their_records() -> None:
    broken = (
        SAMPLE.replace(b"<Amount>2400.00</Amount>", b"<Amount>24OO.00</Amount>")
        .replace(b'type="TRAVEL"', b'type="TAXI"')
        .replace(b'start="2025-09-15"', b'start="15/09/2025"')
    )
    result = _parse(broken)
    assert {r.locator: r.status for r in result.records} == {
        f"{FIRST}/Allowance[1]": "ok",
        f"{FIRST}/Allowance[2]": "rejected",
        f"{FIRST}/Allowance[3]": "ok",
        f"{FIRST}/Allowance[4]": "rejected",
        SECOND: "rejected",
    }
    assert {(p.locator, p.field, p.requirement) for p in result.problems} == {
        (f"{FIRST}/Allowance[2]", "Amount", "SDS-SRC-005"),
        (f"{FIRST}/Allowance[4]", "@type", "SDS-SRC-010"),
        (SECOND, "Course/@start", "SDS-SRC-006"),
    }


def test_truncated_file_keeps_complete_awards() -> None:
    cut = SAMPLE[: SAMPLE.index(b"MA Social")]
    result = _parse(cut)
    assert len(result.lines) == 4
    assert [(p.locator, p.requirement) for p in result.problems] == [("file", "SDS-SRC-007")]
    assert "kept the 1 complete award" in result.problems[0].reason


def test_nothing_readable_is_one_file_problem() -> None:
    for data in (SAMPLE[:60], b"", b"<Other/>", b"not xml at all"):
        result = _parse(data)
        assert result.unusable, data
        assert len(result.problems) == 1


def test_windows_1252_bytes_are_read_with_a_warning() -> None:
    result = _parse(SAMPLE.replace(b"Computing Science", b"Computing Science \x96 Hons"))
    assert len(result.lines) == 6
    assert [(p.severity, p.requirement) for p in result.problems] == [("warning", "SDS-SRC-004")]


def test_doctype_and_entities_are_refused() -> None:
    evil = SAMPLE.replace(
        b"<DSAAwardExport",
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<DSAAwardExport',
    )
    result = _parse(evil)
    assert result.unusable
    assert "DOCTYPE" in result.problems[0].reason
