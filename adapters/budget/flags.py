"""Flags: what the engine found, naming the lines and items concerned and the rule (SDS-BUD-007).

Findings are never silently fixed; the budget carries them. Severity says what a reader must
do: ``error`` breaks a rule the budget depends on (overlapping awards, a cap or ILF threshold
breached, ILF backfilling a council cut), ``warning`` needs a person to look (possible double
funding, continuity gap, out-of-time claim, restricted money left over, shortfall), ``info``
explains (a line partly outside the plan period, a cap met through an allowed top-up).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

from adapters.budget.inputs import LineModel
from adapters.budget.ledger import Piece
from adapters.budget.normalise import round_half_up, weekly_equivalent
from adapters.budget.periods import FOREVER, Span, add_months, day, iso, union
from adapters.budget.rates import table

__all__ = [
    "Flag",
    "backfill_attempts",
    "claims_out_of_time",
    "continuity_gaps",
    "late_means_tests",
    "outside_period",
    "overlapping_awards",
    "pounds",
]


@dataclass(frozen=True, slots=True, order=True)
class Flag:
    """One finding."""

    code: str
    rule: str
    severity: str
    message: str
    lines: tuple[str, ...] = field(default=())
    items: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": self.code, "severity": self.severity}
        if self.lines:
            found["lines"] = sorted(set(self.lines))
        if self.items:
            found["items"] = sorted(set(self.items))
        found["rule"] = self.rule
        found["message"] = self.message
        return found


def pounds(value: Fraction | int) -> str:
    """An amount of pence as a message shows it, rounded once: ``£1,234.50``."""
    pence = round_half_up(Fraction(value))
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def _period_text(span: Span) -> str:
    end = "open" if span.stop == FOREVER else iso(span.stop - 1)
    return f"{iso(span.start)} to {end}"


def outside_period(lines: Iterable[LineModel], plan: Span) -> Iterator[Flag]:
    """Lines wholly (warning) or partly (info) outside the plan period (SDS-BUD-008)."""
    for line in lines:
        if line.span.within(plan):
            continue
        wholly = (line.span & plan).empty
        yield Flag(
            "outside-period",
            "SDS-BUD-008",
            "warning" if wholly else "info",
            f"award {_period_text(line.span)} lies {'wholly' if wholly else 'partly'} outside "
            f"the plan period {_period_text(plan)}; only the overlap counts",
            (line.id,),
        )


def overlapping_awards(lines: list[LineModel], plan: Span) -> Iterator[Flag]:
    """Two regular awards of the same stream and purpose overlapping (SDS-BUD-021).

    Council lines paid through different SDS options are option 4 sub-lines, not overlaps.
    """
    regular = [line for line in lines if not line.one_off]
    for a, b in combinations(regular, 2):
        if (a.source, a.purpose, a.doc.get("sds_option")) != (
            b.source,
            b.purpose,
            b.doc.get("sds_option"),
        ):
            continue
        both = a.span & b.span & plan
        if not both.empty:
            yield Flag(
                "overlapping-award",
                "SDS-BUD-021",
                "error",
                f"two {a.source} awards for {a.purpose} overlap {_period_text(both)} and "
                "neither supersedes the other",
                (a.id, b.id),
            )


def continuity_gaps(lines: list[LineModel], plan: Span) -> Iterator[Flag]:
    """A council's lines ending and the next council's starting later than the next day."""
    council = [line for line in lines if line.source == "council-social-care" and not line.one_off]
    by_payer: dict[str, list[LineModel]] = {}
    for line in council:
        by_payer.setdefault(line.payer, []).append(line)
    cover = {payer: union([line.span for line in group]) for payer, group in by_payer.items()}
    for old, new in sorted((o, n) for o in cover for n in cover if o != n):
        old_end = cover[old][-1].stop
        new_start = cover[new][0].start
        if cover[old][0].start < new_start and old_end < new_start:
            gap = Span(old_end, new_start) & plan
            if not gap.empty:
                yield Flag(
                    "continuity-gap",
                    "SDS-BUD-027",
                    "warning",
                    f"council {old} funding ends {iso(old_end - 1)} and council {new} starts "
                    f"{iso(new_start)}: no council funding {_period_text(gap)}",
                    tuple(line.id for line in by_payer[old] + by_payer[new]),
                )


def claims_out_of_time(lines: list[LineModel], issued_day: int) -> Iterator[Flag]:
    """Access to Work claims made later than the claim window after delivery (SDS-BUD-028)."""
    window = table("claim-window")
    for line in lines:
        if line.family != "dwp-access-to-work" or not line.one_off:
            continue
        delivered = day(line.doc["period"].get("end", line.doc["period"]["start"]))
        claimed_text = line.doc.get("recorded_at") or line.doc.get("provenance", {}).get(
            "received_at"
        )
        claimed = day(claimed_text[:10]) if claimed_text else issued_day
        months = int(line.terms.get("claim_window_months", window.at(delivered, "months")))
        deadline = add_months(delivered, months)
        if claimed > deadline:
            yield Flag(
                "claim-out-of-time",
                "SDS-BUD-028",
                "warning",
                f"support delivered {iso(delivered)} was claimed {iso(claimed)}, after the "
                f"{months}-month window closed on {iso(deadline)}; counted, needs review",
                (line.id,),
            )


def _weekly_timeline(lines: list[tuple[LineModel, list[Piece]]]) -> dict[int, Fraction]:
    """Changes in the summed weekly-equivalent rate, keyed by the day they happen."""
    changes: dict[int, Fraction] = {}
    for line, pieces in lines:
        for span, rate in pieces:
            if rate is None or rate["per"] == "one-off":
                continue
            weekly = weekly_equivalent(rate, line.convention)
            # The first change on a day is the rate itself: no zero Fraction to add it to.
            start = changes.get(span.start)
            changes[span.start] = weekly if start is None else start + weekly
            if span.stop != FOREVER:
                stop = changes.get(span.stop)
                changes[span.stop] = -weekly if stop is None else stop - weekly
    return changes


def backfill_attempts(
    council: list[tuple[LineModel, list[Piece]]],
    ilf: list[tuple[LineModel, list[Piece]]],
    plan: Span,
) -> Iterator[Flag]:
    """A council cut and an ILF rise within the backfill window (SDS-BUD-026)."""
    window = int(table("conventions").at(plan.start, "backfill_window_days"))
    cuts = sorted(
        d for d, c in _weekly_timeline(council).items() if c < 0 and plan.start < d < plan.stop
    )
    rises = sorted(
        d for d, c in _weekly_timeline(ilf).items() if c > 0 and plan.start < d < plan.stop
    )
    for cut in cuts:
        near = [rise for rise in rises if abs(rise - cut) <= window]
        if near:
            yield Flag(
                "ilf-backfill-attempt",
                "SDS-BUD-026",
                "error",
                f"council funding falls on {iso(cut)} while ILF rises on {iso(near[0])}; "
                "ILF never replaces a council reduction",
                tuple(line.id for line, _ in council + ilf),
            )


def late_means_tests(lines: Iterable[LineModel]) -> Iterator[Flag]:
    """Reg 3 repayments asked for after the means-test window closed (SDS-BUD-042).

    A council may assess a direct payment's contribution after payments start and ask for a
    repayment, but not later than the window (one year) after they started. The repayment is
    still counted as recorded, never silently dropped; the flag says it is not allowed.
    """
    for line in lines:
        late = [
            entry
            for _, entry in line.ledger
            if entry["kind"] == "clawback" and entry.get("reason") == "late-means-test-reg3"
        ]
        if not late:
            continue
        first = line.doc.get("payment", {}).get("first_payment") or line.doc["period"]["start"]
        started = day(first)
        months = int(table("means-test-window").at(started, "months"))
        deadline = add_months(started, months)
        for entry in late:
            done = day(entry.get("assessed_on") or entry["recorded_at"][:10])
            if done > deadline:
                yield Flag(
                    "means-test-out-of-time",
                    "SDS-BUD-042",
                    "error",
                    f"clawback {entry['id']}: the means test was done {iso(done)}, more than "
                    f"{months} months after payments started {iso(started)} (the window "
                    f"closed {iso(deadline)}); the repayment is not allowed",
                    (line.id,),
                )
