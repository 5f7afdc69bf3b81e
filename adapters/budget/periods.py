"""Exact day arithmetic: half-open spans of date ordinals and each stream's own year.

Documents write periods as people do, ``{start, end}`` with ``end`` the last day covered. The
engine works with half-open spans ``[start, stop)`` of ``date.toordinal()`` integers, so a
span's length is ``stop - start`` days and two spans meet without overlapping when one's
``stop`` is the other's ``start``. An open-ended period runs to :data:`FOREVER`.

Years are anchored on a month and day (SDS-BUD-009): the financial year on 1 April (council,
NHS, ILF), the academic year on 1 September (DSA), and the Access to Work award year on the
anniversary of the award's start.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "FOREVER",
    "Anchor",
    "Span",
    "add_months",
    "anchored_years",
    "day",
    "iso",
    "months",
    "parse_anchor",
    "union",
]

FOREVER = date.max.toordinal()


# Plans, lines and ledgers repeat a few dates and year anchors endlessly; converting each once
# keeps the hot path of bulk budgeting short. The results are immutable (ints, str, a frozen
# Anchor) and the caches are bounded, so memory stays flat.
@functools.lru_cache(maxsize=8192)
def day(text: str) -> int:
    """The ordinal of an ISO date string."""
    return date.fromisoformat(text).toordinal()


@functools.lru_cache(maxsize=8192)
def iso(ordinal: int) -> str:
    """The ISO date string of an ordinal."""
    return date.fromordinal(ordinal).isoformat()


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Days ``[start, stop)`` as date ordinals."""

    start: int
    stop: int

    @classmethod
    def of(cls, period: dict[str, Any]) -> Span:
        """The span of a document period (``end`` inclusive, absent ``end`` open-ended)."""
        end = period.get("end")
        return cls(day(period["start"]), day(end) + 1 if end else FOREVER)

    @classmethod
    def single(cls, ordinal: int) -> Span:
        return cls(ordinal, ordinal + 1)

    @property
    def days(self) -> int:
        return max(0, self.stop - self.start)

    @property
    def empty(self) -> bool:
        return self.stop <= self.start

    def __and__(self, other: Span) -> Span:
        # Conditional expressions rather than max()/min(): the engine intersects spans tens
        # of times per budget, and the builtins' call overhead dominated.
        return Span(
            self.start if self.start >= other.start else other.start,
            self.stop if self.stop <= other.stop else other.stop,
        )

    def meets(self, other: Span) -> bool:
        """Whether ``self & other`` is not empty, without building the intersection.

        Allocation asks this for every line and item pair (SDS-BUD-020); the four comparisons
        are exactly ``not (self & other).empty`` written out.
        """
        return (
            self.start < other.stop
            and other.start < self.stop
            and self.start < self.stop
            and other.start < other.stop
        )

    def contains(self, ordinal: int) -> bool:
        return self.start <= ordinal < self.stop

    def within(self, other: Span) -> bool:
        return other.start <= self.start and self.stop <= other.stop

    def as_period(self) -> dict[str, str]:
        """The document form ``{start, end}`` with ``end`` inclusive."""
        return {"start": iso(self.start), "end": iso(self.stop - 1)}


@dataclass(frozen=True, slots=True)
class Anchor:
    """The month and day a stream's year starts on."""

    month: int
    day: int

    def on_or_before(self, ordinal: int) -> int:
        """The start of the anchored year containing ``ordinal``."""
        when = date.fromordinal(ordinal)
        start = _anchored(when.year, self)
        return start if start <= ordinal else _anchored(when.year - 1, self)


@functools.lru_cache(maxsize=256)
def parse_anchor(text: str) -> Anchor:
    """An anchor from ``MM-DD`` text, as the conventions table writes it."""
    month, dom = text.split("-")
    return Anchor(int(month), int(dom))


def _anchored(year: int, anchor: Anchor) -> int:
    last = calendar.monthrange(year, anchor.month)[1]
    return date(year, anchor.month, min(anchor.day, last)).toordinal()


def anchored_years(anchor: Anchor, span: Span) -> Iterator[Span]:
    """The whole anchored years that intersect ``span``, in order."""
    if span.empty:
        return
    start = anchor.on_or_before(span.start)
    while start < span.stop:
        year = date.fromordinal(start).year + 1
        stop = _anchored(year, anchor)
        yield Span(start, stop)
        start = stop


def months(span: Span) -> Iterator[Span]:
    """The whole calendar months that intersect ``span``, in order."""
    if span.empty:
        return
    first = date.fromordinal(span.start).replace(day=1)
    while first.toordinal() < span.stop:
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        yield Span(first.toordinal(), nxt.toordinal())
        first = nxt


def add_months(ordinal: int, count: int) -> int:
    """``ordinal`` moved ``count`` calendar months on, clamped to the month's last day."""
    when = date.fromordinal(ordinal)
    index = when.month - 1 + count
    year, month = when.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(when.day, last)).toordinal()


def union(spans: list[Span]) -> list[Span]:
    """The days covered by any of ``spans``, as sorted disjoint spans."""
    merged: list[Span] = []
    for span in sorted(s for s in spans if not s.empty):
        if merged and span.start <= merged[-1].stop:
            merged[-1] = Span(merged[-1].start, max(merged[-1].stop, span.stop))
        else:
            merged.append(span)
    return merged
