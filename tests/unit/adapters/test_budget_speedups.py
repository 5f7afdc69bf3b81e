"""The engine's small speed-ups give exactly what the plain arithmetic gives.

``amount_over`` sums from its first amount instead of from zero, ``Span.__and__`` picks ends
without ``max``/``min`` and the backfill timeline starts each day from its first change
(SDS-BUD-009, SDS-BUD-026). Each is checked against the plain form on generated input.
"""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.budget.flags import _weekly_timeline
from adapters.budget.ledger import amount_over
from adapters.budget.normalise import Convention, exact_amount, weekly_equivalent
from adapters.budget.periods import FOREVER, Anchor, Span

CONVENTION = Convention(Anchor(4, 1), Anchor(9, 1), None, Span(738000, 739500))
PERS = ["per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "one-off"]
spans = st.builds(
    lambda start, days: Span(start, start + days), st.integers(738000, 739000), st.integers(-5, 900)
)


@st.composite
def pieces(draw: st.DrawFn) -> list[tuple[Span, dict[str, Any] | None]]:
    found: list[tuple[Span, dict[str, Any] | None]] = []
    for _ in range(draw(st.integers(0, 4))):
        rate = None
        if draw(st.integers(0, 4)):
            rate = {
                "amount": {"amount_minor": draw(st.integers(-(10**6), 10**8)), "currency": "GBP"},
                "per": draw(st.sampled_from(PERS)),
            }
        found.append((draw(spans), rate))
    return found


def _plain_amount_over(found: list[tuple[Span, dict[str, Any] | None]], window: Span) -> Fraction:
    total = Fraction(0)
    for span, rate in found:
        if rate is None:
            continue
        if rate["per"] == "one-off":
            if window.contains(span.start):
                total += int(rate["amount"]["amount_minor"])
            continue
        total += exact_amount(rate, span & window, CONVENTION)
    return total


@settings(max_examples=300, deadline=None)
@given(pieces(), spans)
def test_amount_over_equals_the_plain_sum(
    found: list[tuple[Span, dict[str, Any] | None]], window: Span
) -> None:
    line: Any = SimpleNamespace(convention=CONVENTION)
    got = amount_over(line, found, window)
    assert isinstance(got, Fraction)
    assert got == _plain_amount_over(found, window)


@settings(max_examples=300, deadline=None)
@given(spans, spans)
def test_span_intersection_equals_max_and_min(one: Span, other: Span) -> None:
    assert one & other == Span(max(one.start, other.start), min(one.stop, other.stop))


near_spans = st.builds(
    lambda start, days: Span(start, start + days), st.integers(0, 6), st.integers(-2, 5)
)


@settings(max_examples=500, deadline=None)
@given(near_spans | spans, near_spans | spans)
def test_spans_meet_exactly_when_their_intersection_is_not_empty(one: Span, other: Span) -> None:
    assert one.meets(other) is not (one & other).empty


def _plain_timeline(lines: list[tuple[Any, list[Any]]]) -> dict[int, Fraction]:
    changes: dict[int, Fraction] = {}
    for line, found in lines:
        for span, rate in found:
            if rate is None or rate["per"] == "one-off":
                continue
            weekly = weekly_equivalent(rate, line.convention)
            changes[span.start] = changes.get(span.start, Fraction(0)) + weekly
            if span.stop != FOREVER:
                changes[span.stop] = changes.get(span.stop, Fraction(0)) - weekly
    return changes


@settings(max_examples=200, deadline=None)
@given(st.lists(pieces(), max_size=4), st.booleans())
def test_backfill_timeline_equals_the_plain_sums(
    lines: list[list[tuple[Span, dict[str, Any] | None]]], open_ended: bool
) -> None:
    line: Any = SimpleNamespace(convention=CONVENTION)
    with_lines = [
        (line, [(Span(s.start, FOREVER) if open_ended else s, r) for s, r in found])
        for found in lines
    ]
    assert _weekly_timeline(with_lines) == _plain_timeline(with_lines)
