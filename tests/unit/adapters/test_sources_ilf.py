"""The ILF Scotland CSV adapter on its sample and on broken copies of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import spec
from adapters.sources import AdapterResult, parse

SAMPLE = (Path(spec.__file__).parent / "sources" / "ilf-scotland" / "sample.csv").read_bytes()
RECEIVED = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)


def _parse(data: bytes) -> AdapterResult:
    return parse("ilf-scotland", data, file_name="awards.csv", received_at=RECEIVED)


def _by_locator(result: AdapterResult) -> dict[str, str]:
    return {r.locator: r.status for r in result.records}


def test_sample_reads_every_row() -> None:
    result = _parse(SAMPLE)
    assert len(result.lines) == 5
    assert result.problems == []
    weekly = result.lines[0]
    assert weekly["award"] == {
        "amount": {"amount_minor": 33000, "currency": "GBP"},
        "per": "per-week",
    }
    assert weekly["terms"] == {"weeks_per_year": 52}
    assert weekly["payment"] == {"frequency": "per-calendar-month"}
    grant = result.lines[3]
    assert grant["source"] == "ilf-scotland.transition-fund"
    assert grant["award"]["per"] == "one-off"
    assert grant["purpose"] == "one-off-goal"


def test_thousands_separator_and_contribution_are_exact() -> None:
    line = _parse(SAMPLE).lines[1]
    assert line["award"]["amount"]["amount_minor"] == 100000
    assert line["contribution"]["amount"]["amount"]["amount_minor"] == 5475


def test_row_without_chi_is_identified_by_ilf_reference() -> None:
    line = _parse(SAMPLE).lines[4]
    assert line["person_identifier"] == {
        "system": "https://spec.sdsx.scot/id/ilf-scotland",
        "value": "ILF-R-000187",
    }


def test_bad_date_bad_amount_and_unknown_code_reject_only_their_rows() -> None:
    broken = (
        SAMPLE.replace(b"17/06/2026", b"31/06/2026")
        .replace(b"\xc2\xa3412.36", b'"\xc2\xa31,2x4"')
        .replace(b"Transition Fund", b"Lottery")
    )
    result = _parse(broken)
    assert _by_locator(result) == {
        "line 2": "ok",
        "line 3": "rejected",
        "line 4": "rejected",
        "line 5": "rejected",
        "line 6": "ok",
    }
    found = {(p.locator, p.field, p.requirement) for p in result.problems}
    assert found == {
        ("line 3", "Award Start", "SDS-SRC-006"),
        ("line 4", "Award Amount", "SDS-SRC-005"),
        ("line 5", "Award Type", "SDS-SRC-010"),
    }
    assert len(result.lines) == 2


def test_windows_1252_file_is_read_with_a_warning() -> None:
    cp1252 = SAMPLE.decode("utf-8-sig").encode("cp1252")
    result = _parse(cp1252)
    assert len(result.lines) == 5
    assert [(p.locator, p.severity, p.requirement) for p in result.problems] == [
        ("file", "warning", "SDS-SRC-004")
    ]
    assert result.lines[0]["award"]["amount"]["amount_minor"] == 33000


def test_mixed_encoding_reads_each_line_in_its_own_encoding() -> None:
    lines = SAMPLE.split(b"\r\n")
    lines[2] = lines[2].decode("utf-8").encode("cp1252")
    result = _parse(b"\r\n".join(lines))
    assert len(result.lines) == 5
    assert [p.severity for p in result.problems] == ["warning"]
    assert "line(s) 3" in result.problems[0].reason


def test_truncated_file_keeps_the_rows_before_the_cut() -> None:
    cut = SAMPLE[: SAMPLE.index(b"ILF-TF-020019") + 25]
    result = _parse(cut)
    assert len(result.lines) == 3
    assert _by_locator(result)["line 5"] == "rejected"
    assert "cut short" in result.problems[0].reason
    assert result.problems[0].requirement == "SDS-SRC-007"


def test_cut_inside_a_quoted_cell_keeps_earlier_rows() -> None:
    cut = SAMPLE[: SAMPLE.index(b'"\xc2\xa31,000') + 4]
    result = _parse(cut)
    assert len(result.lines) == 1
    assert result.problems[0].locator == "line 3"
    assert "cut short" in result.problems[0].reason


def test_missing_column_is_a_file_level_problem() -> None:
    result = _parse(SAMPLE.replace(b"Award Amount", b"Amount"))
    assert result.lines == []
    assert result.unusable
    assert result.problems[0].locator == "file"
    assert "Award Amount" in result.problems[0].reason


def test_bad_chi_is_rejected_without_echoing_it() -> None:
    result = _parse(SAMPLE.replace(b"0101871002", b"0101871003"))
    problem = result.problems[0]
    assert (problem.locator, problem.field, problem.requirement) == (
        "line 2",
        "CHI Number",
        "SDS-IDN-002",
    )
    assert "0101871003" not in str(problem)


def test_empty_and_unreadable_files_never_raise() -> None:
    assert _parse(b"").unusable
    assert _parse(b"\x00\x81\x8d\n").unusable


def test_short_row_mid_file_is_not_called_cut_short() -> None:
    result = _parse(SAMPLE.replace(b",\xc2\xa30.00,01/04/2026", b",01/04/2026", 1))
    assert [(p.locator, p.requirement) for p in result.problems] == [("line 2", "SDS-SRC-007")]
    assert "cut short" not in result.problems[0].reason
    assert len(result.lines) == 4
