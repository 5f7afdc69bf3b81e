"""Exact normalisation of rates to days, one rounding per line, and largest-remainder splits.

A rate is kept as awarded (``{"amount": money, "per": frequency}``); the engine only ever
derives figures from it. Amounts over a span are exact :class:`fractions.Fraction` values
computed with the stream's own year (SDS-BUD-009):

- calendar streams (council, NHS, DSA, Access to Work): a week is 7 days, four weeks 28 days,
  a calendar month its own days, a financial year (from 1 April; for Access to Work the award
  year from the award's start) or academic year (from 1 September) its own 365 or 366 days,
  a course its own days;
- ILF Scotland: the ILF year from 1 April "consists of 52 weeks", so a weekly award is worth
  exactly 52 weeks a year (a monthly one 12 months, a four-weekly one 13) and the annual
  figure is spread over the year's calendar days. A leap year does not give 52 2/7 weeks.

Rounding happens once per figure at the output boundary, half up to the penny (half away from
zero for negative adjustments) (SDS-BUD-003). When a rounded total is split into parts, the
largest-remainder method makes the parts add up to the total exactly (SDS-BUD-010).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from adapters.budget.periods import Anchor, Span, anchored_years, months

__all__ = [
    "Convention",
    "exact_amount",
    "largest_remainder",
    "round_half_up",
    "weekly_equivalent",
]


@dataclass(frozen=True, slots=True)
class Convention:
    """How one line's rates turn into days: its years and, for ILF, its weeks per year."""

    financial_year: Anchor
    academic_year: Anchor
    weeks_per_year: int | None = None
    course: Span | None = None

    def course_days(self) -> int:
        if self.course is None or self.course.empty:
            raise ValueError("a per-course amount needs a closed course or award period")
        return self.course.days


def _spread(amount: int, periods: Iterable[Span], span: Span) -> Fraction:
    """``amount`` per period, prorated by days; whole periods are added as integers."""
    whole = 0
    part = Fraction(0)
    for period in periods:
        days = (period & span).days
        if days == period.days:
            whole += amount
        else:
            part += Fraction(amount * days, period.days)
    return part + whole


def _per_year(amount: int, anchor: Anchor, span: Span) -> Fraction:
    return _spread(amount, anchored_years(anchor, span), span)


def _ilf_annual(amount: int, per: str, weeks: int) -> Fraction | None:
    if per == "per-week":
        return Fraction(amount * weeks)
    if per == "per-4-weeks":
        return Fraction(amount * weeks, 4)
    if per == "per-calendar-month":
        return Fraction(amount * 12)
    if per in ("per-financial-year", "per-academic-year"):
        return Fraction(amount)
    return None


def exact_amount(rate: dict[str, Any], span: Span, convention: Convention) -> Fraction:
    """The exact amount ``rate`` yields over ``span`` (one-off rates are handled by callers)."""
    if span.empty:
        return Fraction(0)
    financial, academic, course = (
        convention.financial_year,
        convention.academic_year,
        convention.course,
    )
    return _remembered_amount(
        int(rate["amount"]["amount_minor"]),
        str(rate["per"]),
        span.start,
        span.stop,
        (financial.month, financial.day, academic.month, academic.day),
        convention.weeks_per_year,
        None if course is None else (course.start, course.stop),
    )


# The engine asks for the same figure several times per line (gross, ledger effects,
# contributions, caps) and a population repeats the same awards, so results are kept; the
# bound keeps memory flat however many budgets a process computes. The key is plain ints and
# strings, which hash and compare in C (the dataclasses' own __eq__ would cost more than the
# look-up saves). A Fraction is immutable, so sharing one is safe (SDS-BUD-009).
@functools.lru_cache(maxsize=16384)
def _remembered_amount(
    amount: int,
    per: str,
    start: int,
    stop: int,
    anchors: tuple[int, int, int, int],
    weeks: int | None,
    course: tuple[int, int] | None,
) -> Fraction:
    convention = Convention(
        Anchor(anchors[0], anchors[1]),
        Anchor(anchors[2], anchors[3]),
        weeks,
        None if course is None else Span(*course),
    )
    return _exact_amount(amount, per, Span(start, stop), convention)


def _exact_amount(amount: int, per: str, span: Span, convention: Convention) -> Fraction:
    if convention.weeks_per_year is not None:
        annual = _ilf_annual(amount, per, convention.weeks_per_year)
        if annual is not None:
            total = Fraction(0)
            for year in anchored_years(convention.financial_year, span):
                total += annual * (year & span).days / year.days
            return total
    if per == "per-day":
        return Fraction(amount * span.days)
    if per == "per-week":
        return Fraction(amount * span.days, 7)
    if per == "per-4-weeks":
        return Fraction(amount * span.days, 28)
    if per == "per-calendar-month":
        return _spread(amount, months(span), span)
    if per == "per-financial-year":
        return _per_year(amount, convention.financial_year, span)
    if per == "per-academic-year":
        return _per_year(amount, convention.academic_year, span)
    if per == "per-course":
        return Fraction(amount * span.days, convention.course_days())
    raise ValueError(f"frequency {per!r} has no daily equivalent")


def weekly_equivalent(rate: dict[str, Any], convention: Convention) -> Fraction:
    """A nominal weekly figure for comparing rates over time (months count as 52/12 weeks)."""
    pence, per = int(rate["amount"]["amount_minor"]), str(rate["per"])
    if per == "per-course":
        return _weekly_equivalent(pence, per, convention)
    return _remembered_weekly(pence, per, convention.weeks_per_year)


# Kept for the same reason as ``_remembered_amount``, on a key of plain values: the flags ask
# for every piece's weekly figure on every budget, and the same awards recur. Only a
# per-course figure needs the whole convention (its course), so it is not remembered.
@functools.lru_cache(maxsize=4096)
def _remembered_weekly(pence: int, per: str, weeks: int | None) -> Fraction:
    return _weekly_equivalent(pence, per, Convention(_NO_ANCHOR, _NO_ANCHOR, weeks))


_NO_ANCHOR = Anchor(1, 1)


def _weekly_equivalent(pence: int, per: str, convention: Convention) -> Fraction:
    amount = Fraction(pence)
    weeks = convention.weeks_per_year or 52
    factors = {
        "per-day": Fraction(7),
        "per-week": Fraction(1),
        "per-4-weeks": Fraction(1, 4),
        "per-calendar-month": Fraction(12, weeks),
        "per-financial-year": Fraction(1, weeks),
        "per-academic-year": Fraction(1, weeks),
    }
    if per == "per-course":
        return amount * 7 / convention.course_days()
    if per not in factors:
        raise ValueError(f"frequency {per!r} has no weekly equivalent")
    return amount * factors[per]


def round_half_up(value: Fraction) -> int:
    """Round to a whole penny, halves away from zero (SDS-BUD-003).

    ``floor(n/d + 1/2)`` is ``(2n + d) // 2d`` in integers, which avoids building Fractions
    on the engine's hottest path; the result is the same integer.
    """
    numerator, denominator = value.numerator, value.denominator
    if numerator < 0:
        return -((denominator - 2 * numerator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


def largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """Split ``total`` pence in proportion to ``weights`` so the parts sum to it exactly.

    Each part gets the floor of its exact share; the pennies left go one each to the parts
    with the largest remainders, ties to the earlier part (SDS-BUD-010).
    """
    whole = sum(weights, Fraction(0))
    if not weights:
        return []
    if whole == 0:
        return [0] * len(weights)
    shares = [Fraction(total) * w / whole for w in weights]
    parts = [math.floor(s) for s in shares]
    left = total - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts
