"""Invariants of the budget engine, checked on generated plans and lines (hypothesis)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import spec
from adapters.budget import compute_budget

PERSON = "20000000-0000-4000-8000-000000000001"
ISSUED = datetime(2026, 1, 15, tzinfo=UTC)
CATEGORIES = spec.valueset("support-category").code_list
PURPOSES = {
    "council-social-care": ["any-eligible-need", "carer-support"],
    "ilf-scotland": ["independent-living"],
    "dwp-access-to-work.support-worker": ["employment-related"],
    "dwp-access-to-work.special-aids-equipment": ["employment-related"],
    "saas-dsa.nmph": ["study-related"],
    "nhs-board": ["health-need"],
}
PAYERS = {
    "council-social-care": {"kind": "council-area", "code": "S12000036"},
    "nhs-board": {"kind": "health-board", "code": "S08000024"},
}
PERS = ["per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "one-off"]
OPTIONS = ["option-1", "option-2", "option-3"]
BASE = date(2025, 4, 1)
STREAMS = ["council-social-care", "dwp-access-to-work", "ilf-scotland", "nhs-board", "saas-dsa"]
PAYMENTS = ["per-week", "per-4-weeks", "per-calendar-month", "per-financial-year", "one-off"]


def _money(pence: int) -> dict[str, Any]:
    return {"amount_minor": pence, "currency": "GBP"}


def _day(offset: int) -> str:
    return (BASE + timedelta(days=offset)).isoformat()


@st.composite
def items(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for n in range(draw(st.integers(1, 4))):
        option = draw(st.sampled_from(OPTIONS))
        item: dict[str, Any] = {
            "id": f"item-{n}",
            "category": draw(st.sampled_from(CATEGORIES)),
            "description": "support",
            "sds_option": option,
            "cost": {
                "amount": _money(draw(st.integers(0, 200_000))),
                "per": draw(st.sampled_from(PERS)),
            },
        }
        if option != "option-1":
            item["provider"] = {"kind": "provider", "code": "P1"}
        if draw(st.booleans()):
            start = draw(st.integers(0, 300))
            item["period"] = {"start": _day(start), "end": _day(start + draw(st.integers(0, 200)))}
        if draw(st.integers(0, 3)) == 0:
            item["hour_splits"] = [
                draw(_hours(source=True)) for _ in range(draw(st.integers(2, 3)))
            ]
        found.append(item)
    return found


@st.composite
def _hours(draw: st.DrawFn, *, source: bool = False) -> dict[str, Any]:
    start = draw(st.integers(0, 23))
    hours: dict[str, Any] = {
        "from": f"{start:02d}:00",
        "to": f"{draw(st.integers(start + 1, 24)):02d}:00",
    }
    if source:
        hours["source"] = draw(st.sampled_from(STREAMS))
    return hours


@st.composite
def _spending(draw: st.DrawFn, start: int) -> dict[str, Any]:
    entries = [
        {
            "id": f"s{n}",
            "date": _day(start + draw(st.integers(0, 400))),
            "amount": _money(draw(st.integers(0, 10**7))),
            **({"item": f"item-{draw(st.integers(0, 3))}"} if draw(st.booleans()) else {}),
        }
        for n in range(draw(st.integers(0, 4)))
    ]
    return {"reported_to": _day(start + draw(st.integers(0, 500))), "entries": entries}


@st.composite
def lines(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for n in range(draw(st.integers(0, 6))):
        source = draw(st.sampled_from(sorted(PURPOSES)))
        per = draw(st.sampled_from(PERS))
        start = draw(st.integers(-100, 400))
        end = start if per == "one-off" else start + draw(st.integers(0, 500))
        line: dict[str, Any] = {
            "standard": "sdsx/1.0",
            "type": "funding-line",
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "version": 1,
            "person": {"id": PERSON},
            "source": source,
            "payer": PAYERS.get(source, {"kind": "funder", "code": source.split(".")[0]}),
            "award": {"amount": _money(draw(st.integers(0, 10**9))), "per": per},
            "period": {"start": _day(start), "end": _day(end)},
            "purpose": draw(st.sampled_from(PURPOSES[source])),
            "status": draw(st.sampled_from(["awarded", "awarded", "provisional", "suspended"])),
        }
        if source == "council-social-care":
            line["sds_option"] = draw(st.sampled_from(OPTIONS))
        if source.endswith("equipment"):
            line["terms"] = {"employer_headcount": draw(st.integers(0, 400))}
        if source == "council-social-care" and draw(st.booleans()):
            line["terms"] = {"carry_forward": draw(st.booleans())}
        if draw(st.booleans()):
            line["payment"] = {
                "frequency": draw(st.sampled_from(PAYMENTS)),
                "first_payment": _day(start + draw(st.integers(-10, 40))),
            }
        if draw(st.booleans()):
            line["spending"] = draw(_spending(start))
        if draw(st.integers(0, 3)) == 0:
            line["hours_of_day"] = draw(_hours())
        found.append(line)
    return found


def _plan(support_items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "standard": "sdsx/1.0",
        "type": "support-plan",
        "id": "10000000-0000-4000-8000-000000000001",
        "version": 1,
        "person": {"id": PERSON},
        "status": "draft",
        "period": {"start": "2025-04-01", "end": "2026-03-31"},
        "personal_outcomes": [
            {
                "id": "o1",
                "description": "Live well",
                "national_outcome": "independence",
                "status": "in-progress",
            }
        ],
        "support_items": support_items,
        "review": {"due": "2026-03-31"},
    }


def _charge(draw_charge: int | None) -> dict[str, Any] | None:
    if draw_charge is None:
        return None
    return {
        "financial_assessment": {
            "assessed_charge": {"amount": _money(draw_charge), "per": "per-week"},
            "assessed_on": "2025-03-01",
        }
    }


def _pence(money: dict[str, Any]) -> int:
    return int(money["amount_minor"])


def _stable(budget: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in budget.items() if k not in ("id", "issued_at", "recorded_at")}


SETTINGS = settings(max_examples=60, deadline=None)
CHARGES = st.one_of(st.none(), st.integers(0, 100_000))


@SETTINGS
@given(items(), lines(), CHARGES)
def test_money_is_conserved(
    support: list[dict[str, Any]], funding: list[dict[str, Any]], charge: int | None
) -> None:
    budget = compute_budget(_plan(support), funding, issued_at=ISSUED, assessment=_charge(charge))
    allocated = sum(_pence(a["amount"]) for a in budget["allocations"])
    left = sum(_pence(u["amount"]) for u in budget["unallocated"])
    assert allocated + left == _pence(budget["totals"]["net"])
    assert allocated == _pence(budget["totals"]["allocated"])
    planned = _pence(budget["totals"]["planned_cost"])
    assert allocated + _pence(budget.get("shortfall", _money(0))) == planned
    assert spec.validate(budget) == []


@SETTINGS
@given(items(), lines(), CHARGES)
def test_totals_are_sums_of_rounded_lines_and_nets_never_negative(
    support: list[dict[str, Any]], funding: list[dict[str, Any]], charge: int | None
) -> None:
    budget = compute_budget(_plan(support), funding, issued_at=ISSUED, assessment=_charge(charge))
    for key in ("gross", "contribution", "net"):
        assert _pence(budget["totals"][key]) == sum(_pence(line[key]) for line in budget["lines"])
    for line in budget["lines"]:
        assert _pence(line["net"]) >= 0
        assert _pence(line["net"]) == _pence(line["gross"]) - _pence(line["contribution"])
    by_source = sum(_pence(entry["amount"]) for entry in budget["totals"]["by_source"])
    assert by_source == _pence(budget["totals"]["net"])
    assert _pence(budget["totals"]["regular"]) + _pence(budget["totals"]["one_off"]) == _pence(
        budget["totals"]["net"]
    )


@SETTINGS
@given(items(), lines())
def test_restrictions_are_never_breached(
    support: list[dict[str, Any]], funding: list[dict[str, Any]]
) -> None:
    budget = compute_budget(_plan(support), funding, issued_at=ISSUED)
    purposes = spec.valueset("purpose-restriction")
    purpose_of = {line["id"]: line["purpose"] for line in funding}
    source_of = {line["id"]: line["source"] for line in funding}
    category_of = {item["id"]: item["category"] for item in support}
    splits_of = {item["id"]: [s["source"] for s in item.get("hour_splits", [])] for item in support}
    net_of = {line["line"]["id"]: _pence(line["net"]) for line in budget["lines"]}
    per_line: dict[str, int] = {}
    for allocation in budget["allocations"]:
        splits = splits_of[allocation["item"]]
        source = source_of[allocation["line"]]
        if splits:
            # An item split by hours is paid only by the streams its splits name (SDS-BUD-041).
            assert any(source == s or source.startswith(s + ".") for s in splits)
            assert allocation["rule"] == "SDS-BUD-041"
            continue
        code = purposes.get(purpose_of[allocation["line"]])
        assert code is not None
        admits = code.mappings["admits"]
        assert admits == "*" or category_of[allocation["item"]] in admits.split()
        per_line[allocation["line"]] = per_line.get(allocation["line"], 0) + _pence(
            allocation["amount"]
        )
    for line_id, used in per_line.items():
        assert used <= net_of[line_id]


@SETTINGS
@given(items(), lines(), CHARGES, st.randoms(use_true_random=False))
def test_input_order_does_not_matter(
    support: list[dict[str, Any]], funding: list[dict[str, Any]], charge: int | None, rng: Any
) -> None:
    first = compute_budget(_plan(support), funding, issued_at=ISSUED, assessment=_charge(charge))
    shuffled_items = copy.deepcopy(support)
    shuffled_lines = copy.deepcopy(funding)
    rng.shuffle(shuffled_items)
    rng.shuffle(shuffled_lines)
    again = compute_budget(
        _plan(shuffled_items), shuffled_lines, issued_at=ISSUED, assessment=_charge(charge)
    )
    assert _stable(again) == _stable(first)


@SETTINGS
@given(items(), lines(), CHARGES)
def test_spending_reports_only_ever_add_flags(
    support: list[dict[str, Any]], funding: list[dict[str, Any]], charge: int | None
) -> None:
    # Released-to-date and carry-forward are flagged, never fixed (SDS-BUD-039, SDS-BUD-040):
    # without the spending reports every figure is the same, and only their flags go.
    reported = compute_budget(_plan(support), funding, issued_at=ISSUED, assessment=_charge(charge))
    unreported = compute_budget(
        _plan(support),
        [{k: v for k, v in line.items() if k != "spending"} for line in funding],
        issued_at=ISSUED,
        assessment=_charge(charge),
    )
    spending_codes = {"released-to-date-exceeded", "carry-forward-excess"}
    assert {k: v for k, v in _stable(reported).items() if k != "flags"} == {
        k: v for k, v in _stable(unreported).items() if k != "flags"
    }
    assert [f for f in reported["flags"] if f["code"] not in spending_codes] == unreported["flags"]
    assert not [f for f in unreported["flags"] if f["code"] in spending_codes]
