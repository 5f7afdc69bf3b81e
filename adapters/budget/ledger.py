"""The append-only ledger of a funding line, replayed into rate pieces, lumps and arrears.

A line's money is its award plus its ledger (SDS-BUD-032). Entries are never edited: they are
replayed in the order they were recorded (``recorded_at``, then ``id``), each one changing the
rate from its ``effective.start``:

- ``award``, ``variation``, ``uplift``: a new rate over ``effective`` (to the line's end when
  ``effective`` is open);
- ``suspension``: nothing is due over ``effective``;
- ``termination``: nothing is due from ``effective.start`` on;
- ``clawback``, ``refund``, ``arrears``: a lump sum dated ``effective.start``. A clawback is
  always a recovery (negative) and names the entry it adjusts, an earlier entry of the line or
  ``award`` for the original award (SDS-BUD-034); it moves only its own line's money, never
  another source's.

Each rate entry's effect on the plan period is the difference it makes to the line's gross,
taken between rounded cumulative figures so the effects add up to the gross exactly. When an
entry was recorded after it took effect, the part of its effect for the days already past is
its arrears (SDS-BUD-033). A first-version line recorded after its award started is a backdated
award: its original award is shown as entry ``award`` with the arrears for the days before it
was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeVar

from adapters.budget.inputs import BudgetInputError, LineModel
from adapters.budget.normalise import exact_amount, round_half_up
from adapters.budget.periods import Span, day

__all__ = [
    "ORIGINAL_AWARD",
    "EntryEffect",
    "LedgerView",
    "Piece",
    "amount_over",
    "rates_recorded_by",
    "replay",
]

_RATE_KINDS = frozenset({"award", "variation", "uplift"})
_LUMP_KINDS = frozenset({"clawback", "refund", "arrears"})

Piece = tuple[Span, dict[str, Any] | None]
_V = TypeVar("_V")

# The id by which an entry refers to the line's original award, which has no entry of its own.
ORIGINAL_AWARD = "award"


@dataclass(frozen=True, slots=True)
class EntryEffect:
    """What one ledger entry did to the line within the plan period."""

    entry: str
    kind: str
    effect: int
    arrears: int | None = None
    adjusts: str | None = None
    reason: str | None = None


@dataclass(slots=True)
class LedgerView:
    """A line after replaying its ledger."""

    pieces: list[Piece]
    hourly: list[tuple[Span, int]]
    effects: list[EntryEffect] = field(default_factory=list)
    adjustments: int = 0


def _overlay(pieces: list[tuple[Span, _V]], span: Span, value: _V) -> list[tuple[Span, _V]]:
    """``pieces`` with ``value`` laid over ``span`` (later entries win)."""
    out: list[tuple[Span, _V]] = []
    for piece, old in pieces:
        if (piece & span).empty:
            out.append((piece, old))
            continue
        if piece.start < span.start:
            out.append((Span(piece.start, span.start), old))
        out.append((piece & span, value))
        if span.stop < piece.stop:
            out.append((Span(span.stop, piece.stop), old))
    return out


def amount_over(line: LineModel, pieces: Iterable[Piece], window: Span) -> Fraction:
    """The exact amount the pieces yield inside ``window``.

    Most lines are one piece, so the sum starts from the first amount rather than from a
    zero Fraction: the same exact value with one Fraction addition fewer per call.
    """
    total: Fraction | None = None
    for span, rate in pieces:
        if rate is None:
            continue
        if rate["per"] == "one-off":
            if window.contains(span.start):
                lump = int(rate["amount"]["amount_minor"])
                total = Fraction(lump) if total is None else total + lump
            continue
        part = exact_amount(rate, span & window, line.convention)
        total = part if total is None else total + part
    return Fraction(0) if total is None else total


def _entry_span(line: LineModel, entry: dict[str, Any]) -> Span:
    span = Span.of(entry["effective"])
    return Span(span.start, min(span.stop, line.span.stop))


def _apply(line: LineModel, pieces: list[Piece], entry: dict[str, Any], where: str) -> list[Piece]:
    kind = entry["kind"]
    span = _entry_span(line, entry)
    if kind in _RATE_KINDS:
        rate = entry.get("rate")
        if rate is None:
            raise BudgetInputError(
                f"a {kind} entry needs a rate", where=where, requirement="SDS-BUD-032"
            )
        line.check_currency(rate["amount"], where + "/rate/amount")
        if line.one_off:
            return [(p, rate) for p, _ in pieces]
        return _overlay(pieces, span, rate)
    if kind == "suspension":
        return _overlay(pieces, span, None)
    if kind == "termination":
        return _overlay(pieces, Span(span.start, line.span.stop), None)
    return pieces


def _lump(line: LineModel, entry: dict[str, Any], known: set[str], where: str) -> int:
    if "amount" not in entry:
        raise BudgetInputError(
            f"a {entry['kind']} entry needs an amount", where=where, requirement="SDS-BUD-034"
        )
    line.check_currency(entry["amount"], where + "/amount")
    amount = int(entry["amount"]["amount_minor"])
    if entry["kind"] == "clawback":
        if entry.get("adjusts") not in known:
            raise BudgetInputError(
                f"clawback adjusts {entry.get('adjusts')!r}, which is not an earlier entry "
                "of this line",
                where=where + "/adjusts",
                requirement="SDS-BUD-034",
            )
        return -abs(amount)
    return amount


def rates_recorded_by(line: LineModel, ordinal: int) -> list[Piece]:
    """The line's rate pieces as its ledger stood on day ``ordinal`` (SDS-BUD-039).

    Rate entries recorded after that day are left out, so what was released by then is what
    was known by then: a backdated uplift counts only from the day it was recorded.
    """
    pieces: list[Piece] = [(line.span, None if line.suspended else line.award)]
    for index, entry in line.ledger:
        if entry["kind"] in _LUMP_KINDS or day(entry["recorded_at"][:10]) > ordinal:
            continue
        pieces = _apply(line, pieces, entry, f"{line.where}/ledger/{index}")
    return pieces


def replay(line: LineModel, plan: Span) -> LedgerView:
    """Replay the line's award and ledger; effects and lumps are those inside ``plan``."""
    base = line.award
    pieces: list[Piece] = [(line.span, None if line.suspended else base)]
    window = line.span & plan
    hourly: list[tuple[Span, int]] = []
    if line.hourly_rate is not None:
        hourly = [(line.span, line.hourly_rate)]
    view = LedgerView(pieces=pieces, hourly=hourly)
    previous = round_half_up(amount_over(line, pieces, window))
    backdated = _award_arrears(line, pieces, window)
    if backdated is not None:
        view.effects.append(EntryEffect(ORIGINAL_AWARD, "award", previous, backdated))
    known: set[str] = {ORIGINAL_AWARD}
    for index, entry in line.ledger:
        where = f"{line.where}/ledger/{index}"
        kind = entry["kind"]
        if kind in _LUMP_KINDS:
            amount = _lump(line, entry, known, where)
            if plan.contains(day(entry["effective"]["start"])):
                view.adjustments += amount
                view.effects.append(
                    EntryEffect(
                        entry["id"], kind, amount, None, entry.get("adjusts"), entry.get("reason")
                    )
                )
            known.add(entry["id"])
            continue
        before = view.pieces
        view.pieces = _apply(line, before, entry, where)
        if "hourly_rate" in entry and not line.one_off:
            hourly_rate = int(entry["hourly_rate"]["amount_minor"])
            view.hourly = _overlay(view.hourly, _entry_span(line, entry), hourly_rate)
        known.add(entry["id"])
        current = round_half_up(amount_over(line, view.pieces, window))
        effect, previous = current - previous, current
        arrears = _arrears(line, before, view.pieces, entry, window)
        if effect or arrears:
            view.effects.append(
                EntryEffect(entry["id"], kind, effect, arrears, entry.get("adjusts"), None)
            )
    return view


def _arrears(
    line: LineModel, before: list[Piece], after: list[Piece], entry: dict[str, Any], window: Span
) -> int | None:
    """The part of an entry's effect for days already past when it was recorded."""
    recorded = day(entry["recorded_at"][:10])
    effective = day(entry["effective"]["start"])
    if recorded <= effective:
        return None
    past = Span(effective, recorded) & window
    if past.empty:
        return None
    change = amount_over(line, after, past) - amount_over(line, before, past)
    return round_half_up(change) or None


def _award_arrears(line: LineModel, pieces: list[Piece], window: Span) -> int | None:
    """Arrears of a first-version line recorded after its award started (SDS-BUD-033)."""
    recorded_at = line.doc.get("recorded_at")
    if line.version != 1 or not recorded_at or line.one_off:
        return None
    past = Span(line.span.start, day(recorded_at[:10])) & window
    if past.empty:
        return None
    return round_half_up(amount_over(line, pieces, past)) or None
