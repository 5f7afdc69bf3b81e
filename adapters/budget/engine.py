"""``compute_budget``: one support plan and its funding lines in, one individual budget out.

The steps, each in its own module:

1. read the inputs, keeping only the latest version of each line (``inputs``);
2. replay each line's award and append-only ledger into rate pieces (``ledger``);
3. normalise each line to the plan period exactly, with its stream's own year, and round
   once (``normalise``); only the overlap of award and plan counts (SDS-BUD-008);
4. work out contributions and nets (``contributions``);
5. allocate nets to support items by min-cost maximum flow (``allocation``), an item split
   by hours as one part per split (``splits``);
6. check caps, thresholds, spending and the other rules, raising flags (``caps``, ``flags``,
   ``spending``, ``splits``);
7. add up the rounded lines into totals (SDS-BUD-005).

The result is deterministic apart from ``id`` and ``issued_at`` (SDS-BUD-018).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from adapters.budget import caps, splits
from adapters.budget import flags as findings
from adapters.budget.allocation import Allocation, Offer, allocate
from adapters.budget.caps import Computed
from adapters.budget.contributions import (
    atw_cost_share,
    charge_over,
    chargeable,
    own_contribution,
    split_charge,
)
from adapters.budget.flags import Flag
from adapters.budget.inputs import ItemModel, LineModel, PlanModel, read_lines, read_plan
from adapters.budget.ledger import LedgerView, amount_over, replay
from adapters.budget.normalise import Convention, exact_amount, round_half_up
from adapters.budget.periods import Span, day, parse_anchor
from adapters.budget.rates import rates_release, table
from adapters.budget.spending import spending_flags
from spec import STANDARD_VERSION, valueset

__all__ = ["ENGINE_VERSION", "compute_budget"]

# 1.1.0 added released-to-date, carry-forward, hour splits and the reg-3 window
# (SDS-BUD-039 to SDS-BUD-042).
ENGINE_VERSION = "1.1.0"


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount_minor": amount, "currency": currency}


def _plan_convention(plan: PlanModel) -> Convention:
    values = table("conventions")
    return Convention(
        parse_anchor(values.at(plan.span.start, "financial_year_start")),
        parse_anchor(values.at(plan.span.start, "academic_year_start")),
    )


def _planned_cost(item: ItemModel, convention: Convention) -> int:
    if item.span.empty:
        return 0
    if item.cost["per"] == "one-off":
        return int(item.cost["amount"]["amount_minor"])
    return round_half_up(exact_amount(item.cost, item.span, convention))


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Line:
    """One line's derived figures."""

    def __init__(self, model: LineModel, view: LedgerView, plan: Span) -> None:
        self.model = model
        self.view = view
        self.window = model.span & plan
        self.gross = round_half_up(amount_over(model, view.pieces, self.window))
        self.contribution = 0
        self.basis: str | None = None

    @property
    def net(self) -> int:
        return max(0, self.gross - self.contribution)


def _contributions(
    rows: list[_Line], plan: PlanModel, assessment: dict[str, Any] | None, convention: Convention
) -> list[Flag]:
    found: list[Flag] = []
    charged = [r for r in rows if chargeable(r.model) and r.gross > 0]
    charge = charge_over(assessment, [r.window for r in charged], convention)
    for row in rows:
        model = row.model
        if model.purpose == "carer-support":
            row.basis = "carer support carries no charge"
            continue
        if charge is not None and chargeable(model):
            continue
        shared = atw_cost_share(model, amount_over(model, row.view.pieces, row.window))
        if shared is not None:
            value, row.basis = shared
            row.contribution = min(row.gross, round_half_up(value))
        else:
            row.contribution = min(row.gross, round_half_up(own_contribution(model, row.window)))
    if charge is not None and charged:
        total = round_half_up(charge)
        parts, exceeded = split_charge(total, [r.gross for r in charged])
        for row, part in zip(charged, parts, strict=True):
            row.contribution = part
            row.basis = "share of the person's assessed charge"
        if exceeded:
            found.append(
                Flag(
                    "contribution-exceeds-cost",
                    "SDS-BUD-012",
                    "warning",
                    f"the assessed charge for the period ({total}p) exceeds the gross council "
                    f"funding ({sum(r.gross for r in charged)}p); net floored at zero and the "
                    "charge capped at cost",
                    tuple(r.model.id for r in charged),
                )
            )
    return found


def _line_doc(row: _Line, currency: str) -> dict[str, Any]:
    model = row.model
    doc: dict[str, Any] = {
        "line": {"id": model.id, "version": model.version},
        "source": model.source,
        "purpose": model.purpose,
        "awarded": model.award,
    }
    if not row.window.empty:
        doc["overlap"] = row.window.as_period()
    doc["gross"] = _money(row.gross, currency)
    doc["contribution"] = _money(row.contribution, currency)
    doc["net"] = _money(row.net, currency)
    if row.basis:
        doc["contribution_basis"] = row.basis
    if row.view.effects:
        doc["adjustments"] = _money(row.view.adjustments, currency)
        entries = []
        for effect in row.view.effects:
            entry: dict[str, Any] = {
                "entry": effect.entry,
                "kind": effect.kind,
                "effect": _money(effect.effect, currency),
            }
            if effect.arrears is not None:
                entry["arrears"] = _money(effect.arrears, currency)
            if effect.adjusts is not None:
                entry["adjusts"] = effect.adjusts
            if effect.reason is not None:
                entry["reason"] = effect.reason
            entries.append(entry)
        doc["ledger"] = entries
    doc["one_off"] = model.one_off
    return doc


def _ordered(codes: list[str], valueset_id: str) -> list[str]:
    order = valueset(valueset_id).code_list
    return sorted(set(codes), key=order.index)


def compute_budget(
    plan: dict[str, Any],
    lines: list[dict[str, Any]],
    *,
    issued_at: datetime,
    issued_by: dict[str, Any] | None = None,
    assessment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The individual budget for ``plan`` from ``lines`` (SDS-BUD-001).

    Raises :class:`adapters.budget.BudgetInputError` when the inputs cannot be budgeted.
    """
    model = read_plan(plan)
    currency = model.currency
    stamp = _timestamp(issued_at)
    convention = _plan_convention(model)
    rows = [
        _Line(line, replay(line, model.span), model.span) for line in read_lines(lines, currency)
    ]
    flagged: list[Flag] = _contributions(rows, model, assessment, convention)
    costs = [(item, _planned_cost(item, convention)) for item in model.items]
    parts = splits.divide(costs)
    offers = [Offer(r.model, r.net, r.window) for r in rows if not r.window.empty]
    by_part, leftovers, funded = allocate(offers, parts, model.span)
    allocations = _whole_items(by_part)

    computed = [Computed(r.model, r.view.pieces, r.view.hourly) for r in rows]
    charge_rate = None
    if assessment and assessment.get("financial_assessment"):
        charge_rate = assessment["financial_assessment"]["assessed_charge"]
    plan_span = model.span
    line_models = [r.model for r in rows]
    flagged += findings.outside_period(line_models, plan_span)
    flagged += findings.overlapping_awards(line_models, plan_span)
    flagged += findings.continuity_gaps(line_models, plan_span)
    flagged += findings.claims_out_of_time(line_models, day(stamp[:10]))
    flagged += findings.backfill_attempts(
        [
            (c.line, c.pieces)
            for c in computed
            if c.line.source == "council-social-care" and c.line.purpose != "carer-support"
        ],
        [(c.line, c.pieces) for c in computed if c.line.source == "ilf-scotland"],
        plan_span,
    )
    flagged += caps.ilf_caps(computed, plan_span)
    flagged += caps.ilf_floors(computed, plan_span, charge_rate)
    flagged += caps.dsa_caps(computed, plan_span)
    flagged += caps.atw_caps(computed, plan_span)
    flagged += caps.minimum_pa_rates(computed, model.items, plan_span)
    flagged += spending_flags(
        [(c.line, c.pieces) for c in computed],
        plan_span,
        frozenset(item.id for item in model.items),
    )
    flagged += findings.late_means_tests(line_models)
    flagged += splits.rejected_hours(line_models, model.items)
    flagged += _allocation_flags(rows, by_part, leftovers, parts, funded)

    by_line = {r.model.id: r for r in rows}
    allocated = sum(a.amount for a in allocations)
    planned = sum(cost for _, cost in costs)
    option_of = {item.id: item.sds_option for item in model.items}
    by_option: dict[str, int] = {}
    for a in allocations:
        by_option[option_of[a.item]] = by_option.get(option_of[a.item], 0) + a.amount
    by_source: dict[str, list[int]] = {}
    for r in rows:
        entry = by_source.setdefault(r.model.source, [0, 0])
        entry[0] += r.net
        entry[1] += r.view.adjustments
    totals: dict[str, Any] = {
        "gross": _money(sum(r.gross for r in rows), currency),
        "contribution": _money(sum(r.contribution for r in rows), currency),
        "net": _money(sum(r.net for r in rows), currency),
        "regular": _money(sum(r.net for r in rows if not r.model.one_off), currency),
        "one_off": _money(sum(r.net for r in rows if r.model.one_off), currency),
        "adjustments": _money(sum(r.view.adjustments for r in rows), currency),
        "planned_cost": _money(planned, currency),
        "allocated": _money(allocated, currency),
        "by_source": [
            {
                "source": s,
                "amount": _money(by_source[s][0], currency),
                "adjustments": _money(by_source[s][1], currency),
            }
            for s in _ordered(list(by_source), "funding-source")
        ],
        "by_option": [
            {"sds_option": o, "amount": _money(by_option[o], currency)}
            for o in _ordered(list(by_option), "sds-option")
        ],
    }
    budget: dict[str, Any] = {
        "standard": STANDARD_VERSION,
        "type": "individual-budget",
        "id": str(uuid.uuid4()),
        "version": 1,
        "recorded_at": stamp,
        "person": {"id": model.person["id"]},
        "plan": {"id": model.id, "version": model.version},
        "period": model.span.as_period(),
        "status": "indicative",
        "calculation": {
            "method": "sdsx-engine",
            "engine_version": ENGINE_VERSION,
            "rate_tables": rates_release(),
            "rounding": "half-up-per-line",
        },
        "lines": [_line_doc(by_line[line_id], currency) for line_id in sorted(by_line)],
        "allocations": [
            {"line": a.line, "item": a.item, "amount": _money(a.amount, currency), "rule": a.rule}
            for a in sorted(allocations, key=lambda a: (a.line, a.item))
        ],
        "totals": totals,
    }
    if planned > allocated:
        budget["shortfall"] = _money(planned - allocated, currency)
    budget["unallocated"] = [
        {"line": left.line, "amount": _money(left.amount, currency), "reason": left.reason}
        for left in leftovers
    ]
    budget["flags"] = [flag.as_dict() for flag in sorted(set(flagged))]
    if issued_by is not None:
        budget["issued_by"] = issued_by
    budget["issued_at"] = stamp
    return budget


def _whole_items(parts: list[Allocation]) -> list[Allocation]:
    """Allocations per support item of the plan, the parts of a split item added together.

    Money reaching an item through its hour splits was admitted by SDS-BUD-041.
    """
    merged: dict[tuple[str, str], Allocation] = {}
    for a in parts:
        item = splits.whole(a.item)
        rule = a.rule if item == a.item else "SDS-BUD-041"
        seen = merged.get((a.line, item))
        amount = a.amount + (seen.amount if seen else 0)
        merged[(a.line, item)] = Allocation(a.line, item, amount, rule)
    return list(merged.values())


def _allocation_flags(
    rows: list[_Line],
    allocations: list[Any],
    leftovers: list[Any],
    costs: list[tuple[ItemModel, int]],
    funded: dict[str, int],
) -> list[Flag]:
    found: list[Flag] = []
    family = {r.model.id: r.model.family for r in rows}
    for left in leftovers:
        if left.restricted:
            found.append(
                Flag(
                    "restriction-unallocatable",
                    "SDS-BUD-030",
                    "warning",
                    f"{left.amount}p of restricted money is unallocated: {left.reason}",
                    (left.line,),
                )
            )
    per_item: dict[str, set[str]] = {}
    for a in allocations:
        per_item.setdefault(a.item, set()).add(a.line)
    # Each part of an item split by hours is paid by its own stream (SDS-BUD-041), so lines of
    # several streams on one item are possible double funding only within one part.
    for item_id, line_ids in sorted(per_item.items()):
        if len({family[i] for i in line_ids}) > 1:
            found.append(
                Flag(
                    "possible-double-funding",
                    "SDS-BUD-019",
                    "warning",
                    "lines from more than one stream fund this item; record which hours or "
                    "purchases each pays for",
                    tuple(sorted(line_ids)),
                    (splits.whole(item_id),),
                )
            )
    short = sorted({splits.whole(i.id) for i, cost in costs if funded.get(i.id, 0) < cost})
    if short:
        gap = sum(cost - funded.get(item.id, 0) for item, cost in costs)
        found.append(
            Flag(
                "shortfall",
                "SDS-BUD-031",
                "warning",
                f"planned support costs {gap}p more than the lines can fund",
                items=tuple(short),
            )
        )
    return found
