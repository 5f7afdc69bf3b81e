"""Spending against released instalments and carry-forward per stream (SDS-BUD-039, 040, 042).

Each test starts from a hand-worked vector and changes one thing, so a figure that moves is
the rule under test; the vectors themselves hold the worked arithmetic.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.budget import BudgetInputError, compute_budget

VECTORS = Path(__file__).resolve().parents[3] / "conformance" / "vectors" / "budget"
ISSUED = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
ILF = "00000000-0000-4000-8000-000000000002"
COUNCIL = "00000000-0000-4000-8000-000000000001"


def _vector(vector_id: str) -> dict[str, Any]:
    path = next(VECTORS.glob(vector_id.lower() + "-*.json"))
    vector: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vector


def _line(vector: dict[str, Any], line_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in vector["lines"] if d["id"] == line_id)
    return found


def _flags(vector: dict[str, Any], code: str) -> list[dict[str, Any]]:
    budget = compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    return [flag for flag in budget["flags"] if flag["code"] == code]


def _money(pence: int) -> dict[str, Any]:
    return {"amount_minor": pence, "currency": "GBP"}


def test_one_penny_more_than_released_is_flagged_with_the_day_and_amounts() -> None:
    vector = copy.deepcopy(_vector("BUD-V-059"))
    assert _flags(vector, "released-to-date-exceeded") == []
    entries = _line(vector, ILF)["spending"]["entries"]
    entries[1]["amount"]["amount_minor"] += 1
    (flag,) = _flags(vector, "released-to-date-exceeded")
    assert flag["lines"] == [ILF]
    assert flag["items"] == ["pa"]
    assert "2025-05-01" in flag["message"]
    assert "£2,867.85" in flag["message"]
    assert "£2,867.84" in flag["message"]


def test_only_the_plans_own_items_are_named() -> None:
    vector = copy.deepcopy(_vector("BUD-V-058"))
    _line(vector, ILF)["spending"]["entries"][0]["item"] = "an-item-of-another-plan"
    (flag,) = _flags(vector, "released-to-date-exceeded")
    assert flag["lines"] == [ILF]
    assert "items" not in flag


def test_without_instalments_or_without_a_report_nothing_is_released_checked() -> None:
    vector = copy.deepcopy(_vector("BUD-V-058"))
    assert _flags(vector, "released-to-date-exceeded")
    del _line(vector, ILF)["payment"]
    assert _flags(vector, "released-to-date-exceeded") == []
    vector = copy.deepcopy(_vector("BUD-V-058"))
    del _line(vector, ILF)["spending"]
    assert _flags(vector, "released-to-date-exceeded") == []


def test_a_later_first_payment_releases_nothing_before_it() -> None:
    vector = copy.deepcopy(_vector("BUD-V-059"))
    _line(vector, ILF)["payment"]["first_payment"] = "2025-04-02"
    (flag,) = _flags(vector, "released-to-date-exceeded")
    assert "by 2025-04-01" in flag["message"]
    assert "£0.00 released" in flag["message"]


def test_a_backdated_uplift_counts_as_released_only_once_recorded() -> None:
    vector = copy.deepcopy(_vector("BUD-V-059"))
    line = _line(vector, ILF)
    line["spending"]["entries"] = [
        {"id": "s1", "date": "2025-04-20", "amount": _money(150000), "item": "pa"}
    ]
    # £360 a week from 1 April: April's instalment becomes 1872000 x 30/365 = 153863.01.
    uplift = {
        "id": "u1",
        "kind": "uplift",
        "effective": {"start": "2025-04-01"},
        "rate": {"amount": _money(36000), "per": "per-week"},
    }
    line["ledger"] = [{**uplift, "recorded_at": "2025-04-10T09:00:00Z"}]
    assert _flags(vector, "released-to-date-exceeded") == []
    line["ledger"] = [{**uplift, "recorded_at": "2025-06-10T09:00:00Z"}]
    (flag,) = _flags(vector, "released-to-date-exceeded")
    assert "£1,410.41 released" in flag["message"]


def test_spending_must_share_the_plan_currency() -> None:
    vector = copy.deepcopy(_vector("BUD-V-058"))
    _line(vector, ILF)["spending"]["entries"][0]["amount"]["currency"] = "EUR"
    with pytest.raises(BudgetInputError) as caught:
        compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    assert caught.value.requirement == "SDS-COM-002"
    assert caught.value.where.endswith("/spending/entries/0/amount")


def test_a_clawback_short_of_the_excess_still_flags_and_says_how_much_was_recovered() -> None:
    vector = copy.deepcopy(_vector("BUD-V-060"))
    line = _line(vector, ILF)
    line["ledger"] = [
        {
            "id": "c1",
            "kind": "clawback",
            "effective": {"start": "2026-04-20"},
            "recorded_at": "2026-04-20T09:00:00Z",
            "amount": {"amount_minor": -82999, "currency": "GBP"},
            "adjusts": "award",
            "reason": "ilf-excess-over-one-week",
        }
    ]
    (flag,) = _flags(vector, "carry-forward-excess")
    assert "£830.00 is to be clawed back" in flag["message"]
    assert "£829.99 has been" in flag["message"]
    line["ledger"][0]["amount"]["amount_minor"] = -83000
    assert _flags(vector, "carry-forward-excess") == []
    line["ledger"][0]["reason"] = "unspent-policy"
    assert _flags(vector, "carry-forward-excess"), "only the stream's own reason recovers it"


def test_a_balance_within_one_week_or_a_year_not_yet_reported_is_not_flagged() -> None:
    vector = copy.deepcopy(_vector("BUD-V-060"))
    spending = _line(vector, ILF)["spending"]
    spending["entries"][1]["amount"]["amount_minor"] = 883000  # leaves exactly 33000
    assert _flags(vector, "carry-forward-excess") == []
    spending["entries"][1]["amount"]["amount_minor"] = 882999
    assert _flags(vector, "carry-forward-excess")
    spending["reported_to"] = "2026-03-30"
    assert _flags(vector, "carry-forward-excess") == []


def test_council_money_carries_by_default_and_its_own_terms_decide() -> None:
    vector = copy.deepcopy(_vector("BUD-V-062"))
    assert _flags(vector, "carry-forward-excess")
    del _line(vector, COUNCIL)["terms"]
    assert _flags(vector, "carry-forward-excess") == []
    _line(vector, COUNCIL)["terms"] = {"carry_forward": False}
    (flag,) = _flags(vector, "carry-forward-excess")
    assert "£3,714.29 is to be clawed back (reason unspent-policy)" in flag["message"]


def test_council_carry_forward_lets_last_year_balance_fund_this_years_spending() -> None:
    vector = copy.deepcopy(_vector("BUD-V-061"))
    # Council money carried whole into April lets 300000 be spent on 2 April: 4 weeks of
    # the year before (council £800/week from 1 October) were left unspent.
    council = _line(vector, COUNCIL)
    council["payment"] = {"frequency": "per-4-weeks", "first_payment": "2025-10-01"}
    council["spending"] = {
        "reported_to": "2026-04-30",
        "entries": [
            {"id": "s1", "date": "2026-03-31", "amount": _money(1760000)},
            {"id": "s2", "date": "2026-04-02", "amount": _money(300000)},
        ],
    }
    assert [f["lines"] for f in _flags(vector, "released-to-date-exceeded")] == [[ILF]]
    council["terms"] = {"carry_forward": False}
    lines = {tuple(f["lines"]) for f in _flags(vector, "released-to-date-exceeded")}
    assert lines == {(ILF,), (COUNCIL,)}


@pytest.mark.parametrize(("spent", "flagged"), [(387088, False), (387089, True)])
def test_dsa_equipment_money_is_released_and_spent_over_the_whole_course(
    spent: int, flagged: bool
) -> None:
    vector = copy.deepcopy(_vector("BUD-V-044"))
    course = {"start": "2023-09-01", "end": "2027-08-31"}
    line = next(d for d in vector["lines"] if d["source"] == "saas-dsa.equipment")
    line.update(
        award={"amount": _money(516000), "per": "per-course"},
        period=course,
        payment={"frequency": "per-academic-year", "first_payment": "2023-09-01"},
        spending={
            "reported_to": "2025-12-31",
            "entries": [{"id": "s1", "date": "2025-10-06", "amount": _money(spent)}],
        },
    )
    vector["lines"] = [line]
    # Nothing was spent in the course's first two years, and it is all still there: by
    # 6 October 2025 three yearly instalments of the course's 1461 days have been released,
    # 1096 days: 516000 x 1096/1461 = 387088.30.
    found = _flags(vector, "released-to-date-exceeded")
    assert bool(found) is flagged
    assert not found or "from 2023-09-01" in found[0]["message"]
    assert _flags(vector, "carry-forward-excess") == []


@pytest.mark.parametrize(
    ("assessed_on", "flagged"), [("2025-04-01", False), ("2025-04-02", True), (None, True)]
)
def test_a_means_test_may_be_done_up_to_twelve_months_after_payments_start(
    assessed_on: str | None, flagged: bool
) -> None:
    vector = copy.deepcopy(_vector("BUD-V-066"))
    entry = _line(vector, COUNCIL)["ledger"][0]
    if assessed_on is None:
        del entry["assessed_on"]  # The recorded day (1 June 2025) stands in for it.
    else:
        entry["assessed_on"] = assessed_on
    found = _flags(vector, "means-test-out-of-time")
    assert bool(found) is flagged
    budget = compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    assert budget["totals"]["adjustments"]["amount_minor"] == -120000


def test_payments_start_at_the_first_payment_when_one_is_given() -> None:
    vector = copy.deepcopy(_vector("BUD-V-066"))
    _line(vector, COUNCIL)["payment"]["first_payment"] = "2024-07-01"
    assert _flags(vector, "means-test-out-of-time") == []
    del _line(vector, COUNCIL)["payment"]
    assert _flags(vector, "means-test-out-of-time")
