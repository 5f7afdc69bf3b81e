"""Caps and thresholds, each checked at its own granularity and flagged, never fixed.

- ILF weekly maximum as an annual average (SDS-BUD-022): in each ILF year (1 April, 52
  weeks) the ILF lines' total may not exceed the weekly maximum x 52 x the share of the
  year's days the award covers. Weeks above the maximum (averaged respite) are fine.
- ILF council floor (SDS-BUD-025): over each ILF award's days in each ILF year, the
  council package's average weekly amount less the weekly charge must reach the re-opened
  fund's floor or, for legacy Group 2, the Threshold Sum (selected by application date)
  lowered by any rise in the weekly charge since it was set.
- DSA (SDS-BUD-023): basic and NMPH per academic year, pro rata for part-time study;
  equipment per course at the value for the course's first year; unspent basic allowance
  may top up NMPH or equipment (then the flag is information only).
- Access to Work (SDS-BUD-024): all AtW lines together per award year, from the first
  award's start, against the cap in force at the start of each award year.
- Minimum PA rate (SDS-BUD-029): Option 1 and ILF hourly rates, and Option 1 personal
  assistant items costed per hour, against the rate in force on each day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from adapters.budget.flags import Flag, pounds
from adapters.budget.inputs import ItemModel, LineModel
from adapters.budget.ledger import Piece, amount_over
from adapters.budget.normalise import exact_amount
from adapters.budget.periods import Anchor, Span, anchored_years, day, iso, parse_anchor, union
from adapters.budget.rates import table

__all__ = ["Computed", "atw_caps", "dsa_caps", "ilf_caps", "ilf_floors", "minimum_pa_rates"]


@dataclass(slots=True)
class Computed:
    """A line with its replayed pieces."""

    line: LineModel
    pieces: list[Piece]
    hourly: list[tuple[Span, int]]

    def amount(self, window: Span) -> Fraction:
        return amount_over(self.line, self.pieces, window)


def _fy_anchor(plan: Span) -> Anchor:
    return parse_anchor(table("conventions").at(plan.start, "financial_year_start"))


def _weekly_max(line: LineModel, span: Span) -> Iterator[tuple[Span, Fraction | None]]:
    cap = line.doc.get("cap")
    if cap and cap["per"] == "per-week":
        yield span, Fraction(int(cap["amount"]["amount_minor"]))
        return
    group = str(line.terms.get("ilf_group", "reopened"))
    for piece, money in table("ilf-weekly-maximum").pieces(span, group):
        yield piece, None if money is None else Fraction(int(money["amount_minor"]))


def ilf_caps(computed: list[Computed], plan: Span) -> Iterator[Flag]:
    """ILF totals per ILF year against the weekly maximum averaged over 52 weeks."""
    ilf = [c for c in computed if c.line.source == "ilf-scotland"]
    regular = [c for c in ilf if not c.line.one_off]
    if not regular:
        return
    anchor = _fy_anchor(plan)
    for year in anchored_years(anchor, plan):
        total = sum((c.amount(year) for c in ilf), Fraction(0))
        cap = Fraction(0)
        weeks = regular[0].line.convention.weeks_per_year or 52
        for covered in union([c.line.span & year for c in regular]):
            for piece, weekly in _weekly_max(regular[0].line, covered):
                if weekly is None:
                    return
                cap += weekly * weeks * piece.days / year.days
        if total > cap:
            yield Flag(
                "cap-exceeded",
                "SDS-BUD-022",
                "error",
                f"ILF year {iso(year.start)}: ILF total {pounds(total)} exceeds the weekly "
                f"maximum averaged over {weeks} weeks, {pounds(cap)}",
                tuple(c.line.id for c in ilf if not (c.line.span & year).empty),
            )


def _council_package(computed: list[Computed], window: Span) -> Fraction:
    return sum(
        (
            c.amount(window)
            for c in computed
            if c.line.source == "council-social-care"
            and c.line.purpose != "carer-support"
            and not c.line.one_off
        ),
        Fraction(0),
    )


def ilf_floors(
    computed: list[Computed], plan: Span, charge: dict[str, Any] | None
) -> Iterator[Flag]:
    """The council package against the ILF floor or Threshold Sum, per ILF year."""
    council_ids = tuple(c.line.id for c in computed if c.line.source == "council-social-care")
    anchor = _fy_anchor(plan)
    for c in computed:
        line = c.line
        group = str(line.terms.get("ilf_group", "reopened"))
        if line.source != "ilf-scotland" or line.one_off or group == "group-1":
            continue
        for year in anchored_years(anchor, line.span & plan):
            window = line.span & plan & year
            package = _council_package(computed, window) * 7 / window.days
            weekly_charge = Fraction(0)
            if charge is not None:
                weekly_charge = exact_amount(charge, window, line.convention) * 7 / window.days
            if group == "reopened":
                floor_money = table("ilf-reopened-floor").at(window.start, "floor")
                floor = Fraction(int(floor_money["amount_minor"]))
                what = "re-opened fund floor"
            else:
                applied = day(line.terms.get("ilf_applied_on", line.doc["period"]["start"]))
                sum_money = table("ilf-threshold-sum").at(applied, "threshold")
                baseline = line.terms.get("ilf_threshold_charge")
                rise = Fraction(0)
                if baseline is not None:
                    rise = max(Fraction(0), weekly_charge - int(baseline["amount_minor"]))
                floor = int(sum_money["amount_minor"]) - rise
                what = "Threshold Sum"
            if package - weekly_charge < floor:
                yield Flag(
                    "ilf-threshold-breach",
                    "SDS-BUD-025",
                    "error",
                    f"{iso(window.start)} to {iso(window.stop - 1)}: council package averages "
                    f"{pounds(package)}/week less charges {pounds(weekly_charge)}/week, "
                    f"below the {what} of {pounds(floor)}/week",
                    (line.id, *council_ids),
                )


def _dsa_cap(source: str, on: int) -> Fraction:
    money = table("dsa-caps").at(on, source)
    return Fraction(int(money["amount_minor"]))


def dsa_caps(computed: list[Computed], plan: Span) -> Iterator[Flag]:
    """DSA basic and NMPH per academic year (pro rata) and equipment per course."""
    dsa = [c for c in computed if c.line.family == "saas-dsa"]
    if not dsa:
        return
    academic = dsa[0].line.convention.academic_year
    years = list(anchored_years(academic, plan))
    basic = [c for c in dsa if c.line.source == "saas-dsa.basic"]

    def headroom(year: Span) -> Fraction:
        used = sum((c.amount(year) for c in basic), Fraction(0))
        return max(Fraction(0), _pro_rata("saas-dsa.basic", year, basic) - used)

    for source in ("saas-dsa.basic", "saas-dsa.nmph"):
        group = [c for c in dsa if c.line.source == source]
        for year in years:
            inside = [c for c in group if not (c.line.span & year).empty]
            if not inside:
                continue
            total = sum((c.amount(year) for c in inside), Fraction(0))
            cap = _pro_rata(source, year, inside)
            if total > cap:
                topped = source == "saas-dsa.nmph" and total - cap <= headroom(year)
                yield _dsa_flag(
                    source, f"academic year {iso(year.start)}", total, cap, topped, inside
                )
    courses: dict[Span, list[Computed]] = {}
    for c in dsa:
        if c.line.source == "saas-dsa.equipment" and c.line.convention.course is not None:
            courses.setdefault(c.line.convention.course, []).append(c)
    for course, group in sorted(courses.items()):
        if (course & plan).empty:
            continue
        total = sum((c.amount(course) for c in group), Fraction(0))
        cap = _dsa_cap("saas-dsa.equipment", course.start)
        if total > cap:
            last = max(c.line.span.start for c in group)
            year = next(anchored_years(academic, Span.single(last)))
            topped = total - cap <= headroom(year)
            yield _dsa_flag(
                "saas-dsa.equipment", f"course from {iso(course.start)}", total, cap, topped, group
            )


def _pro_rata(source: str, year: Span, group: list[Computed]) -> Fraction:
    intensity = max(
        (int(c.line.terms.get("study_intensity_percent", 100)) for c in group), default=100
    )
    return _dsa_cap(source, year.start) * intensity / 100


def _dsa_flag(
    source: str, where: str, total: Fraction, cap: Fraction, topped: bool, group: list[Computed]
) -> Flag:
    tail = "; the excess is within unspent basic allowance, which may top it up" if topped else ""
    return Flag(
        "cap-exceeded",
        "SDS-BUD-023",
        "info" if topped else "error",
        f"{source} {where}: {pounds(total)} exceeds the cap of {pounds(cap)}{tail}",
        tuple(c.line.id for c in group),
    )


def atw_caps(computed: list[Computed], plan: Span) -> Iterator[Flag]:
    """All Access to Work lines per award year against the annual cap."""
    atw = [c for c in computed if c.line.family == "dwp-access-to-work"]
    if not atw:
        return
    first = min(atw, key=lambda c: (c.line.span.start, c.line.id))
    anchor = first.line.convention.financial_year
    for year in anchored_years(anchor, plan):
        inside = [c for c in atw if not (c.line.span & year).empty]
        total = sum((c.amount(year) for c in inside), Fraction(0))
        given = next((c.line.doc["cap"] for c in inside if "cap" in c.line.doc), None)
        money = given["amount"] if given else table("atw-annual-cap").at(year.start, "cap")
        if money is None or not inside:
            continue
        cap = Fraction(int(money["amount_minor"]))
        if total > cap:
            yield Flag(
                "cap-exceeded",
                "SDS-BUD-024",
                "error",
                f"Access to Work award year {iso(year.start)}: {pounds(total)} exceeds the "
                f"annual cap of {pounds(cap)}",
                tuple(c.line.id for c in inside),
            )


def _below(span: Span, hourly: int) -> Iterator[tuple[Span, int]]:
    for piece, money in table("minimum-pa-rate").pieces(span, "hourly"):
        if hourly < int(money["amount_minor"]):
            yield piece, int(money["amount_minor"])


def minimum_pa_rates(
    computed: list[Computed], items: list[ItemModel], plan: Span
) -> Iterator[Flag]:
    """PA hourly rates below the minimum in force (SDS-BUD-029)."""
    for c in computed:
        line = c.line
        pa_line = line.source == "ilf-scotland" or (
            line.source == "council-social-care" and line.doc.get("sds_option") == "option-1"
        )
        if not pa_line:
            continue
        for span, hourly in c.hourly:
            for piece, minimum in _below(span & plan, hourly):
                yield Flag(
                    "below-minimum-pa-rate",
                    "SDS-BUD-029",
                    "warning",
                    f"hourly rate {hourly}p is below the minimum PA rate of {minimum}p from "
                    f"{iso(piece.start)}",
                    (line.id,),
                )
    for item in items:
        schedule = item.schedule
        if (
            item.category != "personal-assistant"
            or item.sds_option != "option-1"
            or not schedule
            or schedule["unit"] != "hour"
            or schedule["per"] != item.cost["per"]
        ):
            continue
        hourly_exact = Fraction(int(item.cost["amount"]["amount_minor"])) / Fraction(
            str(schedule["quantity"])
        )
        for piece, money in table("minimum-pa-rate").pieces(item.span, "hourly"):
            if hourly_exact < int(money["amount_minor"]):
                yield Flag(
                    "below-minimum-pa-rate",
                    "SDS-BUD-029",
                    "warning",
                    f"item costs {pounds(hourly_exact)} an hour, below the minimum PA rate "
                    f"of {pounds(Fraction(int(money['amount_minor'])))} from "
                    f"{iso(piece.start)}",
                    items=(item.id,),
                )
