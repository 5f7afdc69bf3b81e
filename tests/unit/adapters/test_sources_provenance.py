"""A line the standard refuses is reported without quoting the refused value (SDS-SRC-017)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adapters.sources.provenance import SourceFile

RECEIVED = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)
BAD_VALUES = ("JR48291", "2026-02-30")


def _fields(nino: str, start: str) -> dict[str, Any]:
    return {
        "person_identifier": {"system": "https://spec.sdsx.scot/id/nino", "value": nino},
        "source": "dwp-access-to-work",
        "payer": {"kind": "funder", "code": "DWP"},
        "award": {"amount": {"amount_minor": 1000, "currency": "GBP"}, "per": "per-week"},
        "period": {"start": start},
        "purpose": "employment-related",
        "status": "awarded",
    }


def test_a_refused_line_never_quotes_the_refused_values() -> None:
    source = SourceFile.open(
        b"sample", file_name="grant.json", adapter="test", version="1", received_at=RECEIVED
    )
    assert source.accept("record 1", _fields(*BAD_VALUES)) is None
    problems = source.result.problems
    assert {p.field for p in problems} == {"/person_identifier/value", "/period/start"}
    reasons = [p.reason for p in problems]
    assert not [r for r in reasons for value in BAD_VALUES if value in r]
