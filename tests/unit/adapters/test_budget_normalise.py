"""Exact normalisation, one rounding, largest remainder, and the day arithmetic under them."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.budget import largest_remainder, round_half_up
from adapters.budget.normalise import Convention, exact_amount, weekly_equivalent
from adapters.budget.periods import Anchor, Span, add_months, anchored_years, months, union

CALENDAR = Convention(Anchor(4, 1), Anchor(9, 1))
ILF = Convention(Anchor(4, 1), Anchor(9, 1), weeks_per_year=52)


def _span(start: str, end: str) -> Span:
    return Span.of({"start": start, "end": end})


def _rate(pence: int, per: str) -> dict[str, object]:
    return {"amount": {"amount_minor": pence, "currency": "GBP"}, "per": per}


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(5, 2), 3),
        (Fraction(7, 2), 4),
        (Fraction(-5, 2), -3),
        (Fraction(49, 10), 5),
        (Fraction(41, 10), 4),
        (Fraction(0), 0),
    ],
)
def test_round_half_up_sends_halves_away_from_zero(value: Fraction, rounded: int) -> None:
    assert round_half_up(value) == rounded


def test_largest_remainder_gives_ties_to_the_earlier_part() -> None:
    assert largest_remainder(4004, [Fraction(1)] * 3) == [1335, 1335, 1334]
    assert largest_remainder(10, [Fraction(0), Fraction(0)]) == [0, 0]
    assert largest_remainder(7, []) == []


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_largest_remainder_parts_sum_to_the_total(total: int, weights: list[int]) -> None:
    parts = largest_remainder(total, [Fraction(w) for w in weights])
    if sum(weights):
        assert sum(parts) == total
        for part, weight in zip(parts, weights, strict=True):
            assert abs(part - Fraction(total * weight, sum(weights))) < 1


def test_daily_spread_of_330_a_week_over_july_reconciles() -> None:
    days = [
        exact_amount(_rate(33000, "per-week"), Span.single(d), CALENDAR)
        for d in range(
            _span("2025-07-01", "2025-07-31").start, _span("2025-07-01", "2025-07-31").stop
        )
    ]
    month = round_half_up(sum(days, Fraction(0)))
    assert month == 146143
    assert sum(largest_remainder(month, days)) == month


def test_ilf_year_is_52_weeks_even_in_a_leap_year() -> None:
    year = _span("2027-04-01", "2028-03-31")
    assert year.days == 366
    assert exact_amount(_rate(33000, "per-week"), year, ILF) == 33000 * 52
    assert exact_amount(_rate(33000, "per-week"), year, CALENDAR) == Fraction(33000 * 366, 7)
    assert exact_amount(_rate(100000, "per-4-weeks"), year, ILF) == 100000 * 13


def test_calendar_month_uses_its_own_days() -> None:
    feb = _span("2028-02-01", "2028-02-29")
    assert exact_amount(_rate(290000, "per-calendar-month"), feb, CALENDAR) == 290000
    half = _span("2028-02-01", "2028-02-15")
    assert exact_amount(_rate(290000, "per-calendar-month"), half, CALENDAR) == 150000


def test_per_course_needs_a_closed_course() -> None:
    with pytest.raises(ValueError, match="per-course"):
        exact_amount(_rate(100, "per-course"), _span("2025-09-01", "2025-09-30"), CALENDAR)


def test_weekly_equivalent_is_nominal() -> None:
    assert weekly_equivalent(_rate(52000, "per-financial-year"), CALENDAR) == 1000
    assert weekly_equivalent(_rate(2800, "per-4-weeks"), CALENDAR) == 700
    with pytest.raises(ValueError, match="one-off"):
        weekly_equivalent(_rate(1, "one-off"), CALENDAR)


def test_anchored_years_and_months_cover_a_span() -> None:
    span = _span("2025-01-03", "2026-02-10")
    years = list(anchored_years(Anchor(4, 1), span))
    assert [date.fromordinal(y.start).isoformat() for y in years] == ["2024-04-01", "2025-04-01"]
    assert len(list(months(span))) == 14
    assert list(anchored_years(Anchor(4, 1), Span(5, 5))) == []


def test_add_months_clamps_to_the_month_end() -> None:
    start = date(2025, 1, 31).toordinal()
    assert date.fromordinal(add_months(start, 1)) == date(2025, 2, 28)
    assert date.fromordinal(add_months(start, 13)) == date(2026, 2, 28)


def test_union_merges_touching_spans() -> None:
    assert union([Span(5, 8), Span(1, 3), Span(3, 4), Span(9, 9)]) == [Span(1, 4), Span(5, 8)]
