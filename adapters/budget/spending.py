"""Spending against what was released and what may carry forward (SDS-BUD-039, SDS-BUD-040).

A line may report what was spent from it (``spending``, SDS-FND-014): the last day the report
covers and each sum spent or committed on a day (wages owed and invoices due count on the day
they fall due). Without a report spending is unknown, never zero (FUNDING.md rule 26), so
nothing here is checked.

Carry periods come from the ``carry-forward`` rate table, per stream (FUNDING.md rule 17):

- ``financial-year``: ILF Scotland and council money is looked at year by year from the
  line's financial-year start. At a year end the report covers, what is left (carried in, plus
  the year's award, less the year's spending) may pass into the next year only as the stream
  allows: ILF one week's award as contingency, a council as its local policy says (everything
  by default, or ``contingency_weeks`` when the line's terms set ``carry_forward`` false). The
  excess is to be clawed back with the stream's reason; until clawbacks of at least the excess
  are recorded after the year end, ``carry-forward-excess`` says so. Either way the excess is
  not money of the next year.
- ``course``: DSA equipment money is for the whole course, so spending is looked at over it.
- ``award``: money rolls forward within the award period (the NDIS-style default).

Released to date (FUNDING.md rule 18): a line paid in instalments (``payment``) releases, on
each payment day from the first payment (else the award's start), the days up to the next
payment day, at the rates its ledger had recorded by then. Within a carry period spending up to
any day may not exceed what was carried in plus what was released by that day; the first day it
does raises ``released-to-date-exceeded``. No figure is changed: a flag, never a silent fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import groupby
from typing import Any

from adapters.budget.flags import Flag, pounds
from adapters.budget.inputs import LineModel
from adapters.budget.ledger import Piece, amount_over, rates_recorded_by
from adapters.budget.normalise import round_half_up, weekly_equivalent
from adapters.budget.periods import FOREVER, Span, add_months, anchored_years, day, iso
from adapters.budget.rates import table

__all__ = ["Spend", "spending_flags"]

_DAYS_PER = {"per-day": 1, "per-week": 7, "per-4-weeks": 28}
_MONTHS_PER = {"per-calendar-month": 1, "per-financial-year": 12, "per-academic-year": 12}


@dataclass(frozen=True, slots=True, order=True)
class Spend:
    """One sum spent or committed from a line."""

    day: int
    id: str
    amount: int
    item: str | None


@dataclass(frozen=True, slots=True)
class _Period:
    """A carry period, and whether it ends at the end of a financial year."""

    span: Span
    year_end: bool


def _report(line: LineModel) -> tuple[int, list[Spend]] | None:
    report = line.doc.get("spending")
    if report is None:
        return None
    spends = []
    for index, entry in enumerate(report["entries"]):
        line.check_currency(entry["amount"], f"{line.where}/spending/entries/{index}/amount")
        spends.append(
            Spend(
                day(entry["date"]),
                str(entry["id"]),
                int(entry["amount"]["amount_minor"]),
                entry.get("item"),
            )
        )
    return day(report["reported_to"]), sorted(spends)


def _policy(line: LineModel) -> dict[str, Any]:
    streams: dict[str, dict[str, Any]] = table("carry-forward").at(line.span.start, "streams")
    policy = dict(streams.get(line.source) or streams.get(line.family) or streams["default"])
    terms = line.terms
    if policy["carry"] == "local-policy" and "carry_forward" in terms:
        policy["carry_forward"] = bool(terms["carry_forward"])
    if "contingency_weeks" in terms:
        policy["contingency_weeks"] = int(terms["contingency_weeks"])
    return policy


def _periods(line: LineModel, policy: dict[str, Any], bound: Span) -> list[_Period]:
    if policy["period"] == "financial-year":
        years = anchored_years(line.convention.financial_year, bound)
        return [_Period(year & bound, (year & bound).stop == year.stop) for year in years]
    if policy["period"] == "course" and line.convention.course is not None:
        return [_Period(line.convention.course, False)]
    return [_Period(bound, False)]


def _next_payment(payment: dict[str, Any], first: int, on: int) -> int | None:
    """The payment day after the last one on or before ``on``; ``None`` before the first."""
    if on < first:
        return None
    per = str(payment["frequency"])
    if per in _DAYS_PER:
        step = _DAYS_PER[per]
        return first + ((on - first) // step + 1) * step
    if per in _MONTHS_PER:
        step = _MONTHS_PER[per]
        count = 0
        while add_months(first, (count + 1) * step) <= on:
            count += 1
        return add_months(first, (count + 1) * step)
    return FOREVER  # one-off or per course: everything is paid on the first payment day.


def _weekly(line: LineModel, pieces: list[Piece], on: int) -> Fraction:
    for span, rate in pieces:
        if span.contains(on) and rate is not None and rate["per"] != "one-off":
            return weekly_equivalent(rate, line.convention)
    return Fraction(0)


def _recovered(line: LineModel, reason: str, after: Span) -> int:
    """Clawbacks for ``reason`` recorded as effective within ``after``."""
    total = 0
    for _, entry in line.ledger:
        if (
            entry["kind"] == "clawback"
            and entry.get("reason") == reason
            and after.contains(day(entry["effective"]["start"]))
        ):
            total += abs(int(entry["amount"]["amount_minor"]))
    return total


def spending_flags(
    lines: list[tuple[LineModel, list[Piece]]], plan: Span, items: frozenset[str]
) -> Iterator[Flag]:
    """Released-to-date and carry-forward flags for every line that reports its spending.

    A released-to-date flag names the support items the day's spending paid for, among
    ``items`` (the plan's): a line's report may name items of another version of the plan.
    """
    for line, pieces in lines:
        report = _report(line)
        if report is None or line.one_off:
            continue
        reported_to, spends = report
        bound = Span(line.span.start, min(line.span.stop, max(plan.stop, reported_to + 1)))
        policy = _policy(line)
        carried = 0
        for period in _periods(line, policy, bound):
            inside = [s for s in spends if period.span.contains(s.day)]
            yield from _released(line, period.span, inside, carried, plan, items)
            spent = sum(s.amount for s in inside)
            closing = carried + round_half_up(amount_over(line, pieces, period.span)) - spent
            carried = max(0, closing)
            last = period.span.stop - 1
            if not period.year_end or last > reported_to or policy["carry"] == "within-period":
                continue
            if policy["carry"] == "local-policy" and policy.get("carry_forward", True):
                continue
            weeks = int(policy.get("contingency_weeks", 0))
            allowed = round_half_up(weeks * _weekly(line, pieces, last))
            carried = max(0, min(closing, allowed))
            excess = closing - allowed
            if excess <= 0 or not plan.contains(last):
                continue
            reason = str(policy["clawback_reason"])
            recovered = _recovered(line, reason, Span(period.span.stop, add_months(last + 1, 12)))
            if recovered >= excess:
                continue
            done = f"; {pounds(recovered)} has been" if recovered else ""
            yield Flag(
                "carry-forward-excess",
                "SDS-BUD-040",
                "warning",
                f"the financial year {iso(period.span.start)} to {iso(last)} ends with "
                f"{pounds(closing)} unspent; at most {weeks} week(s) of the award "
                f"({pounds(allowed)}) may be kept, so {pounds(excess)} is to be clawed back "
                f"(reason {reason}){done}; nothing above it carries into the next year",
                (line.id,),
            )


def _released(
    line: LineModel,
    period: Span,
    spends: list[Spend],
    carried: int,
    plan: Span,
    items: frozenset[str],
) -> Iterator[Flag]:
    """The first day in ``period`` spending runs ahead of what was released (SDS-BUD-039)."""
    payment = line.doc.get("payment")
    if payment is None or not spends:
        return
    first = day(payment.get("first_payment") or line.doc["period"]["start"])
    spent = 0
    for on, group in groupby(spends, key=lambda s: s.day):
        today = list(group)
        spent += sum(s.amount for s in today)
        if not plan.contains(on):
            continue
        upto = _next_payment(payment, first, on)
        released = 0
        if upto is not None:
            window = Span(period.start, upto) & period
            released = round_half_up(amount_over(line, rates_recorded_by(line, on), window))
        if spent > carried + released:
            brought = f"{pounds(carried)} carried in and " if carried else ""
            yield Flag(
                "released-to-date-exceeded",
                "SDS-BUD-039",
                "error",
                f"by {iso(on)} {pounds(spent)} was spent from the line, more than the "
                f"{brought}{pounds(released)} released by then ({payment['frequency']} "
                f"instalments from {iso(first)}); later instalments cannot be drawn early, "
                "even within the annual total",
                (line.id,),
                tuple(sorted({s.item for s in today if s.item in items})),
            )
            return
