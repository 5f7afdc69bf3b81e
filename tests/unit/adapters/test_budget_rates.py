"""Rate tables: valid against their meta-schema, dated, and selected by date."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.budget import RateTableError
from adapters.budget.periods import Span
from adapters.budget.rates import rate_tables, rates_release, table


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def test_every_table_loads() -> None:
    assert {
        "ilf-weekly-maximum",
        "dsa-caps",
        "atw-annual-cap",
        "atw-cost-share",
        "minimum-pa-rate",
        "claim-window",
        "conventions",
    } <= set(rate_tables())


def test_a_date_selects_the_latest_entry_on_or_before_it() -> None:
    rates = table("minimum-pa-rate")
    assert rates.at(_day("2024-03-31"), "hourly")["amount_minor"] == 1090
    assert rates.at(_day("2024-04-01"), "hourly")["amount_minor"] == 1200
    maximum = table("ilf-weekly-maximum")
    assert maximum.at(_day("2024-07-31"), "group-1")["amount_minor"] == 81500
    assert maximum.at(_day("2024-08-01"), "group-1")["amount_minor"] == 100000


def test_pieces_cut_a_span_where_figures_change() -> None:
    span = Span(_day("2024-01-01"), _day("2024-12-31"))
    pieces = list(table("minimum-pa-rate").pieces(span, "hourly"))
    assert [p.start for p, _ in pieces] == [_day("2024-01-01"), _day("2024-04-01")]


def test_missing_tables_entries_and_figures_are_named() -> None:
    with pytest.raises(RateTableError, match="no rate table 'nope'"):
        table("nope")
    with pytest.raises(RateTableError, match="no entry in force on 2000-01-01"):
        table("minimum-pa-rate").at(_day("2000-01-01"), "hourly")
    with pytest.raises(RateTableError, match="no figure 'weekly'"):
        table("minimum-pa-rate").at(_day("2025-01-01"), "weekly")


def test_release_names_the_tables() -> None:
    assert rates_release().startswith("rates-")
    assert len(rates_release()) <= 40
