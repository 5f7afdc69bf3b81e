"""The normaliser's speed-ups change no figure: integer rounding and remembered amounts.

``round_half_up`` rounds with integers instead of Fractions; ``exact_amount``,
``weekly_equivalent`` and the day conversions keep what they have worked out (SDS-BUD-003,
SDS-BUD-009). Each must give exactly what the plain computation gives.
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.budget.normalise import (
    Convention,
    _exact_amount,
    _weekly_equivalent,
    exact_amount,
    round_half_up,
    weekly_equivalent,
)
from adapters.budget.periods import Anchor, Span, day, iso, parse_anchor

PERS = [
    "per-day",
    "per-week",
    "per-4-weeks",
    "per-calendar-month",
    "per-financial-year",
    "per-academic-year",
    "per-course",
]
START = date(2024, 1, 1).toordinal()


def _reference_round(value: Fraction) -> int:
    """Half away from zero with Fractions, as the engine rounded before the speed-up."""
    if value < 0:
        return -_reference_round(-value)
    return math.floor(value + Fraction(1, 2))


@settings(max_examples=500, deadline=None)
@given(st.fractions(max_denominator=10**6), st.integers(-(10**12), 10**12))
def test_integer_rounding_equals_fraction_rounding(value: Fraction, whole: int) -> None:
    for candidate in (value, value * 10**9, Fraction(whole), Fraction(2 * whole + 1, 2)):
        assert round_half_up(candidate) == _reference_round(candidate)


def test_rounding_sends_halves_away_from_zero() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (-3, -1, 1, 3)] == [-2, -1, 1, 2]
    assert round_half_up(Fraction(-7, 3)) == -2
    assert round_half_up(Fraction(7, 3)) == 2


@st.composite
def conventions(draw: st.DrawFn) -> Convention:
    course_start = START + draw(st.integers(0, 400))
    return Convention(
        Anchor(draw(st.integers(1, 12)), draw(st.integers(1, 28))),
        Anchor(draw(st.integers(1, 12)), draw(st.integers(1, 28))),
        draw(st.sampled_from([None, 52])),
        Span(course_start, course_start + draw(st.integers(1, 1500))),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 10**9),
    st.sampled_from(PERS),
    st.integers(0, 800),
    st.integers(0, 800),
    conventions(),
)
def test_remembered_amounts_equal_fresh_ones(
    amount: int, per: str, offset: int, days: int, convention: Convention
) -> None:
    span = Span(START + offset, START + offset + days)
    rate = {"amount": {"amount_minor": amount, "currency": "GBP"}, "per": per}
    fresh = _exact_amount(amount, per, span, convention) if days else Fraction(0)
    assert exact_amount(rate, span, convention) == fresh
    # Asked again (now from the cache), the figure is the same.
    assert exact_amount(rate, span, convention) == fresh


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from([*PERS[:-1], "per-course"]), conventions())
def test_remembered_weekly_figures_equal_fresh_ones(
    amount: int, per: str, convention: Convention
) -> None:
    rate = {"amount": {"amount_minor": amount, "currency": "GBP"}, "per": per}
    fresh = _weekly_equivalent(amount, per, convention)
    assert weekly_equivalent(rate, convention) == fresh
    assert weekly_equivalent(rate, convention) == fresh


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_remembered_days_and_anchors_equal_fresh_ones(when: date) -> None:
    text = when.isoformat()
    for _ in range(2):
        assert day(text) == when.toordinal()
        assert iso(when.toordinal()) == text
        assert parse_anchor(f"{when.month:02d}-{when.day:02d}") == Anchor(when.month, when.day)
