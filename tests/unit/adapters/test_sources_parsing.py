"""Amounts, dates, line ids and the package's own example (SDS-SRC-002/005/006)."""

from __future__ import annotations

import doctest
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import adapters.sources
from adapters.sources.amounts import (
    AmountError,
    pence_from_decimal,
    pence_from_pence_text,
    pence_from_pounds,
)
from adapters.sources.provenance import line_id
from adapters.sources.source_codes import stream_maps
from adapters.sources.uk_dates import DateError, parse_date, parse_iso_date, parse_uk_date


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£1,234.50", 123450),
        ("1234.5", 123450),
        ("£ 330", 33000),
        ("0.10", 10),
        ("£1,000,000.01", 100000001),
        ("GBP 12.00", 1200),
        (".5", 50),
        ("\u00a312.30", 1230),
    ],
)
def test_pounds_are_read_exactly(text: str, pence: int) -> None:
    assert pence_from_pounds(text) == pence


@pytest.mark.parametrize(
    "text",
    [
        "£1,2x4",
        "1,23.00",
        "1.234",
        "£",
        "",
        "12,3456",
        "1e3",
        "NaN",
        "£-",
        "twelve",
    ],
)
def test_malformed_pounds_are_refused(text: str) -> None:
    with pytest.raises(AmountError):
        pence_from_pounds(text)


def test_negatives_only_when_allowed() -> None:
    with pytest.raises(AmountError, match="negative"):
        pence_from_pounds("-£5.00")
    assert pence_from_pounds("(£5.00)", allow_negative=True) == -500
    assert pence_from_pounds("-£5.00", allow_negative=True) == -500


def test_decimals_and_pence_text() -> None:
    assert pence_from_decimal(Decimal("0.1") + Decimal("0.2")) == 30
    with pytest.raises(AmountError):
        pence_from_decimal(Decimal("Infinity"))
    assert pence_from_pence_text(" 12345 ") == 12345
    with pytest.raises(AmountError):
        pence_from_pence_text("123.45")


def test_uk_dates_are_day_first_and_strict() -> None:
    assert parse_uk_date("01/04/2026").isoformat() == "2026-04-01"
    assert parse_uk_date("1/4/2026").isoformat() == "2026-04-01"
    assert parse_uk_date("29/02/2028").isoformat() == "2028-02-29"
    for bad in ("31/06/2026", "29/02/2027", "01/04/26", "2026-04-01", "01/04/2026 00:00"):
        with pytest.raises(DateError):
            parse_uk_date(bad)


def test_iso_and_profile_date_forms() -> None:
    assert parse_iso_date("2026-04-01").isoformat() == "2026-04-01"
    assert parse_date("01.04.2026", "%d.%m.%Y").isoformat() == "2026-04-01"
    assert parse_date("20260401", "%Y%m%d").isoformat() == "2026-04-01"
    with pytest.raises(DateError, match=r"%d\.%m\.%Y"):
        parse_date("2026-04-01", "%d.%m.%Y")


def test_line_ids_are_deterministic_version_4_uuids() -> None:
    digest = "ab" * 32
    first = line_id(digest, "line 2")
    assert first == line_id(digest, "line 2")
    assert first != line_id(digest, "line 3")
    assert first != line_id("cd" * 32, "line 2")
    parsed = uuid.UUID(first)
    assert parsed.version == 4
    assert str(parsed) == first


def test_package_example_runs() -> None:
    failures, tried = doctest.testmod(adapters.sources, raise_on_error=False)
    assert tried > 0
    assert failures == 0


@pytest.mark.parametrize("stream", ["ilf-scotland", "dwp-access-to-work", "saas-dsa", "nhs-board"])
def test_stream_code_maps_load_and_map_into_value_sets(stream: str) -> None:
    maps = stream_maps(stream)
    assert maps
    assert all(key == key.upper() for codes in maps.values() for key in codes)


@given(st.integers(min_value=0, max_value=10**12))
def test_any_amount_written_as_a_spreadsheet_would_reads_back_exactly(pence: int) -> None:
    pounds, pennies = divmod(pence, 100)
    assert pence_from_pounds(f"£{pounds:,}.{pennies:02d}") == pence
    assert pence_from_pounds(f"{pounds}.{pennies:02d}") == pence
    assert pence_from_decimal(Decimal(pence) / 100) == pence
