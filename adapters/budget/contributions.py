"""Gross, contribution and net: the person's charge, a line's own contribution, AtW cost share.

Each line has a gross (what its award yields in the plan period), a contribution and a net
(gross less contribution, floored at zero) (SDS-BUD-002, SDS-BUD-012).

- The person's assessed charge (``assessment.financial_assessment.assessed_charge``) reduces
  council funding only (SDS-BUD-011). It is taken over the days the chargeable council lines
  cover, rounded once, and split across those lines in proportion to their gross by largest
  remainder. Carer support never carries a charge (carers' waiver, reg 3A), nor do one-off
  council amounts. When the charge exceeds the gross it is capped at cost and the engine
  raises ``contribution-exceeds-cost``. With no assessment, a council line's own
  ``contribution`` is used instead.
- Other lines use their own ``contribution`` (e.g. the ILF contribution from care benefits),
  normalised like the award.
- The Access to Work employer cost share is computed, never entered (SDS-BUD-013): for the
  equipment element only, once the person has been in post at least the table's minimum days,
  by the employer's headcount band (first ``threshold`` plus ``percent`` of the next
  ``band_width``), then any personal-use share (``terms.personal_use_share``) of what is left.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from adapters.budget.inputs import LineModel
from adapters.budget.ledger import amount_over
from adapters.budget.normalise import Convention, exact_amount, largest_remainder
from adapters.budget.periods import Span, day, union
from adapters.budget.rates import table

__all__ = ["atw_cost_share", "charge_over", "chargeable", "own_contribution", "split_charge"]


def chargeable(line: LineModel) -> bool:
    """Whether the person's assessed charge may reduce this line (SDS-BUD-011)."""
    return (
        line.source == "council-social-care"
        and line.purpose != "carer-support"
        and not line.one_off
    )


def charge_over(
    assessment: dict[str, Any] | None, spans: list[Span], convention: Convention
) -> Fraction | None:
    """The exact assessed charge over the union of ``spans``, or ``None`` without one."""
    if not assessment:
        return None
    financial = assessment.get("financial_assessment")
    if not financial:
        return None
    rate = financial["assessed_charge"]
    covered = union(spans)
    if rate["per"] == "one-off":
        return Fraction(int(rate["amount"]["amount_minor"])) if covered else Fraction(0)
    return sum((exact_amount(rate, span, convention) for span in covered), Fraction(0))


def split_charge(charge: int, grosses: list[int]) -> tuple[list[int], bool]:
    """The charge split over lines by gross (largest remainder), capped at their total.

    Returns the parts and whether the charge exceeded the cost (SDS-BUD-012).
    """
    total = sum(grosses)
    if charge >= total:
        return list(grosses), charge > total
    return largest_remainder(charge, [Fraction(g) for g in grosses]), False


def own_contribution(line: LineModel, window: Span) -> Fraction:
    """The line's own stated contribution over ``window``, exact."""
    given = line.doc.get("contribution")
    if not given:
        return Fraction(0)
    rate = given["amount"]
    line.check_currency(rate["amount"], line.where + "/contribution/amount/amount")
    piece = Span.single(line.span.start) if line.one_off else line.span
    return amount_over(line, [(piece, rate)], window)


def _band(headcount: int, bands: list[dict[str, Any]]) -> dict[str, Any]:
    chosen = bands[0]
    for band in sorted(bands, key=lambda b: int(b["min_headcount"])):
        if headcount >= int(band["min_headcount"]):
            chosen = band
    return chosen


def atw_cost_share(line: LineModel, cost: Fraction) -> tuple[Fraction, str] | None:
    """The exact AtW employer and personal-use share of ``cost``, with its basis."""
    shares = table("atw-cost-share")
    bought = line.span.start
    if line.source not in shares.at(bought, "shared_sources"):
        return None
    terms = line.terms
    employer = Fraction(0)
    basis = []
    started = terms.get("job_start")
    in_post = bought - day(started) if started else None
    if in_post is not None and in_post < int(shares.at(bought, "min_days_in_post")):
        basis.append(f"in post {in_post} days: no employer share")
    elif "employer_headcount" in terms:
        band = _band(int(terms["employer_headcount"]), shares.at(bought, "bands"))
        threshold = int(band["threshold"]["amount_minor"])
        width = int(band["band_width"]["amount_minor"])
        above = min(max(cost - threshold, Fraction(0)), Fraction(width))
        employer = min(cost, Fraction(threshold)) + above * int(band["percent"]) / 100
        basis.append(
            f"employer {terms['employer_headcount']} staff: first "
            f"{threshold} + {band['percent']}% of next {width} pence"
        )
    personal = Fraction(0)
    share = terms.get("personal_use_share")
    if share:
        personal = (cost - employer) * int(share["numerator"]) / int(share["denominator"])
        basis.append(f"personal use {share['numerator']}/{share['denominator']}")
    return employer + personal, "; ".join(basis) or "no cost share"
