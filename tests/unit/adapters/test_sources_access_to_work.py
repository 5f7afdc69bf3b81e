"""The Access to Work JSON adapter on its sample and on broken copies of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import spec
from adapters.sources import AdapterResult, parse

SAMPLE = (
    Path(spec.__file__).parent / "sources" / "dwp-access-to-work" / "sample.json"
).read_bytes()
RECEIVED = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)


def _parse(data: bytes) -> AdapterResult:
    return parse("dwp-access-to-work", data, file_name="atw.json", received_at=RECEIVED)


def _status(result: AdapterResult) -> dict[str, str]:
    return {r.locator: r.status for r in result.records}


def test_each_element_is_its_own_employment_line() -> None:
    result = _parse(SAMPLE)
    assert result.problems == []
    assert [line["source"] for line in result.lines] == [
        "dwp-access-to-work.support-worker",
        "dwp-access-to-work.travel-to-work",
        "dwp-access-to-work.special-aids-equipment",
        "dwp-access-to-work.support-worker",
    ]
    assert {line["purpose"] for line in result.lines} == {"employment-related"}
    assert result.lines[0]["terms"] == {
        "claim_window_months": 9,
        "employer_headcount": 260,
        "job_start": "2025-11-20",
    }
    assert "contribution" not in result.lines[2]


def test_nino_is_normalised_and_amounts_are_exact() -> None:
    lines = _parse(SAMPLE).lines
    assert lines[0]["person_identifier"]["value"] == "JG103759A"
    assert lines[1]["award"]["amount"]["amount_minor"] == 4500
    assert lines[2]["award"]["amount"]["amount_minor"] == 145000


def test_hourly_rate_times_hours_rounds_once_half_up() -> None:
    line = _parse(SAMPLE).lines[3]
    assert line["hourly"] == {
        "rate": {"amount_minor": 2137, "currency": "GBP"},
        "hours": 7.5,
        "per": "per-week",
    }
    assert line["award"]["amount"]["amount_minor"] == 16028  # 21.37 x 7.5 = 160.275


def test_bad_date_amount_and_code_reject_only_their_records() -> None:
    broken = (
        SAMPLE.replace(b'"2026-05-11", "end"', b'"2026-13-11", "end"')
        .replace(b'"1,450.00"', b'"1,4x0.00"')
        .replace(b'"TTW"', b'"TAXI"')
    )
    result = _parse(broken)
    assert _status(result) == {
        "/grants/0/elements/0": "ok",
        "/grants/0/elements/1": "rejected",
        "/grants/0/elements/2": "rejected",
        "/grants/1": "rejected",
    }
    assert {(p.locator, p.field, p.requirement) for p in result.problems} == {
        ("/grants/0/elements/1", "/code", "SDS-SRC-010"),
        ("/grants/0/elements/2", "/amount", "SDS-SRC-005"),
        ("/grants/1", "/award_period/start", "SDS-SRC-006"),
    }
    assert len(result.lines) == 1


def test_bad_nino_rejects_the_grant_without_echoing_it() -> None:
    result = _parse(SAMPLE.replace(b"CE654321B", b"TN654321B"))
    assert [(p.locator, p.field, p.requirement) for p in result.problems] == [
        ("/grants/1", "/claimant/nino", "SDS-IDN-003")
    ]
    assert "654321" not in str(result.problems[0])
    assert len(result.lines) == 3


def test_truncated_file_keeps_complete_grants() -> None:
    cut = SAMPLE[: SAMPLE.index(b"ATW-2026-000988") + 20]
    result = _parse(cut)
    assert len(result.lines) == 3
    assert result.problems[0].locator == "file"
    assert result.problems[0].requirement == "SDS-SRC-007"
    assert "kept the 1 complete record" in result.problems[0].reason


def test_truncated_file_with_nothing_whole_is_one_file_problem() -> None:
    result = _parse(SAMPLE[:120])
    assert result.lines == []
    assert result.unusable
    assert len(result.problems) == 1


def test_windows_1252_bytes_are_read_with_a_warning() -> None:
    result = _parse(SAMPLE.replace(b'"one-off"}', b'"one-off", "note": "caf\xe9"}'))
    assert len(result.lines) == 4
    assert [(p.severity, p.requirement) for p in result.problems] == [("warning", "SDS-SRC-004")]


def test_not_an_object_is_unusable() -> None:
    assert _parse(b"[1, 2]").unusable
    assert _parse(b"\xff\xfe").unusable
