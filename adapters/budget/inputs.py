"""Reading the engine's inputs: a support plan, funding lines and an optional assessment.

The engine trusts documents that passed ``spec.validate`` but checks what it relies on and
raises :class:`BudgetInputError` (with a JSON pointer and requirement ID) when a document
cannot be budgeted: a plan without an end, mixed currencies, two different documents claiming
the same line version. Only the latest version of each funding line counts (SDS-BUD-037):
earlier versions are superseded, so they are dropped before anything is computed. Lines are
then put in canonical order (by id) so the result never depends on input order (SDS-BUD-018).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from adapters.budget.normalise import Convention
from adapters.budget.periods import FOREVER, Span, day, parse_anchor
from adapters.budget.rates import table

__all__ = [
    "BudgetInputError",
    "HourSplit",
    "ItemModel",
    "LineModel",
    "PlanModel",
    "minutes",
    "read_lines",
    "read_plan",
]

_SINGLE_DAY = 1


class BudgetInputError(ValueError):
    """Input the engine cannot budget: what is wrong, where (JSON pointer) and which rule."""

    def __init__(self, message: str, *, where: str = "", requirement: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.requirement = requirement

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        suffix = f" [{self.requirement}]" if self.requirement else ""
        return f"{prefix}{self.message}{suffix}"


def minutes(text: str) -> int:
    """Minutes since midnight of an ``HH:MM`` time of day (``24:00`` is the day's end)."""
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True, order=True)
class HourSplit:
    """Minutes ``[start, stop)`` of an item's day and the stream paying them (SDS-PLN-018)."""

    start: int
    stop: int
    source: str

    def text(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.stop)}"


@dataclass(slots=True)
class ItemModel:
    """A support item of the plan, as the engine needs it.

    An item split by hours is allocated as one part per split (SDS-BUD-041): ``part`` is the
    split a part stands for and ``part_of`` the id of the item it is part of.
    """

    id: str
    category: str
    sds_option: str
    cost: dict[str, Any]
    span: Span
    health_need: bool | None
    schedule: dict[str, Any] | None
    splits: tuple[HourSplit, ...] = ()
    part: HourSplit | None = None
    part_of: str | None = None


@dataclass(slots=True)
class PlanModel:
    """The support plan: its version, person, period and items."""

    id: str
    version: int
    person: dict[str, Any]
    span: Span
    currency: str
    items: list[ItemModel]


@dataclass(slots=True)
class LineModel:
    """A funding line, as the engine needs it, with its stream convention resolved."""

    doc: dict[str, Any]
    where: str
    id: str
    version: int
    source: str
    family: str
    purpose: str
    award: dict[str, Any]
    one_off: bool
    span: Span
    suspended: bool
    convention: Convention
    currency: str
    ledger: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    hourly_rate: int | None = None
    hours: tuple[int, int] | None = None

    @property
    def terms(self) -> dict[str, Any]:
        terms: dict[str, Any] = self.doc.get("terms", {})
        return terms

    @property
    def payer(self) -> str:
        return str(self.doc["payer"].get("code", ""))

    def check_currency(self, money: dict[str, Any], where: str) -> None:
        if money.get("currency") != self.currency:
            raise BudgetInputError(
                f"currency {money.get('currency')!r} differs from the plan's {self.currency!r}",
                where=where,
                requirement="SDS-COM-002",
            )


def _require(doc: dict[str, Any], key: str, where: str, requirement: str) -> Any:
    if key not in doc:
        raise BudgetInputError(
            f"{key!r} is required", where=f"{where}/{key}", requirement=requirement
        )
    return doc[key]


def read_plan(plan: dict[str, Any]) -> PlanModel:
    """The plan model; the plan must be closed (budgets are for a bounded period)."""
    if not isinstance(plan, dict) or plan.get("type") != "support-plan":
        raise BudgetInputError(
            "the plan must be a support-plan document", where="/type", requirement="SDS-BUD-001"
        )
    period = _require(plan, "period", "", "SDS-BUD-001")
    if "end" not in period:
        raise BudgetInputError(
            "a budget needs a plan period with an end",
            where="/period/end",
            requirement="SDS-BUD-001",
        )
    span = Span.of(period)
    items_raw = _require(plan, "support_items", "", "SDS-PLN-003")
    currency = "GBP"
    for raw in items_raw:
        currency = str(raw["cost"]["amount"]["currency"])
        break
    items = []
    for index, raw in enumerate(items_raw):
        where = f"/support_items/{index}"
        if raw["cost"]["amount"]["currency"] != currency:
            raise BudgetInputError(
                "support items use more than one currency",
                where=where + "/cost/amount/currency",
                requirement="SDS-COM-002",
            )
        item_span = Span.of(raw["period"]) & span if "period" in raw else span
        items.append(
            ItemModel(
                id=str(raw["id"]),
                category=str(raw["category"]),
                sds_option=str(raw["sds_option"]),
                cost=raw["cost"],
                span=item_span,
                health_need=raw.get("health_need"),
                schedule=raw.get("schedule"),
                splits=_hour_splits(raw.get("hour_splits", []), where + "/hour_splits"),
            )
        )
    items.sort(key=lambda item: item.id)
    return PlanModel(
        id=str(plan["id"]),
        version=int(plan["version"]),
        person=dict(plan["person"]),
        span=span,
        currency=currency,
        items=items,
    )


def _hours(hours: dict[str, Any], where: str, requirement: str) -> tuple[int, int]:
    """Minutes ``[from, to)`` of an hours-of-day object; ``to`` must be later than ``from``."""
    start, stop = minutes(str(hours["from"])), minutes(str(hours["to"]))
    if stop <= start:
        raise BudgetInputError(
            f"hours end at {hours['to']}, not after they start at {hours['from']}",
            where=where,
            requirement=requirement,
        )
    return start, stop


def _hour_splits(raw: list[dict[str, Any]], where: str) -> tuple[HourSplit, ...]:
    found = []
    for index, split in enumerate(raw):
        start, stop = _hours(split, f"{where}/{index}", "SDS-PLN-018")
        found.append(HourSplit(start, stop, str(split["source"])))
    return tuple(sorted(found))


def _convention(doc: dict[str, Any], family: str, span: Span) -> Convention:
    values = table("conventions")
    start = span.start
    academic = parse_anchor(values.at(start, "academic_year_start"))
    financial = parse_anchor(values.at(start, "financial_year_start"))
    terms = doc.get("terms", {})
    weeks = None
    if family == "ilf-scotland" and doc["source"] == "ilf-scotland":
        weeks = int(terms.get("weeks_per_year", values.at(start, "ilf_weeks_per_year")))
    if family == "dwp-access-to-work":
        # The Access to Work year is the award year, running from the award's start.
        first = date.fromordinal(start)
        financial = parse_anchor(f"{first.month:02d}-{first.day:02d}")
    if (
        family == "saas-dsa"
        and doc["award"]["per"] == "per-academic-year"
        and ("end" in doc["period"])
    ):
        # SAAS states the student's own academic year as the award period (often 1 August
        # or 1 September); a per-academic-year amount is spread over that year.
        first = date.fromordinal(start)
        academic = parse_anchor(f"{first.month:02d}-{first.day:02d}")
    course = Span.of(terms["course"]) if "course" in terms else span
    return Convention(financial, academic, weeks, None if course.stop == FOREVER else course)


def _line(doc: dict[str, Any], where: str, currency: str) -> LineModel:
    award = _require(doc, "award", where, "SDS-FND-003")
    period = _require(doc, "period", where, "SDS-FND-004")
    one_off = award["per"] == "one-off"
    span = (
        Span(day(period["start"]), day(period["start"]) + _SINGLE_DAY)
        if one_off
        else Span.of(period)
    )
    source = str(_require(doc, "source", where, "SDS-FND-002"))
    family = source.split(".", 1)[0]
    ledger = sorted(
        enumerate(doc.get("ledger", [])), key=lambda pair: (pair[1]["recorded_at"], pair[1]["id"])
    )
    hourly = doc.get("hourly")
    model = LineModel(
        doc=doc,
        where=where,
        id=str(doc["id"]),
        version=int(doc["version"]),
        source=source,
        family=family,
        purpose=str(_require(doc, "purpose", where, "SDS-FND-005")),
        award=award,
        one_off=one_off,
        span=span,
        suspended=doc.get("status") == "suspended",
        convention=_convention(doc, family, span),
        currency=currency,
        ledger=ledger,
        hourly_rate=int(hourly["rate"]["amount_minor"]) if hourly else None,
        hours=_hours(doc["hours_of_day"], where + "/hours_of_day", "SDS-FND-015")
        if "hours_of_day" in doc
        else None,
    )
    model.check_currency(award["amount"], where + "/award/amount")
    return model


def read_lines(lines: list[dict[str, Any]], currency: str) -> list[LineModel]:
    """The latest version of each line, in canonical (id) order."""
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, doc in enumerate(lines):
        if not isinstance(doc, dict) or doc.get("type") != "funding-line":
            raise BudgetInputError(
                "not a funding-line document",
                where=f"/lines/{index}/type",
                requirement="SDS-FND-001",
            )
        line_id = str(_require(doc, "id", f"/lines/{index}", "SDS-DOC-003"))
        seen = latest.get(line_id)
        if seen is None or doc["version"] > seen[1]["version"]:
            latest[line_id] = (index, doc)
        elif doc["version"] == seen[1]["version"] and doc != seen[1]:
            raise BudgetInputError(
                f"two different documents claim version {doc['version']} of line {line_id}",
                where=f"/lines/{index}/version",
                requirement="SDS-BUD-037",
            )
    return [_line(doc, f"/lines/{index}", currency) for _, (index, doc) in sorted(latest.items())]
