"""Explicit hour splits of a support item between streams (SDS-BUD-041, SDS-PLN-018)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import spec
from adapters.budget import BudgetInputError, compute_budget

VECTORS = Path(__file__).resolve().parents[3] / "conformance" / "vectors" / "budget"
ISSUED = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
COUNCIL = "00000000-0000-4000-8000-000000000001"
ATW = "00000000-0000-4000-8000-000000000003"
CLAIM = "00000000-0000-4000-8000-000000000004"


def _vector() -> dict[str, Any]:
    path = next(VECTORS.glob("bud-v-063-*.json"))
    vector: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return copy.deepcopy(vector)


def _budget(vector: dict[str, Any]) -> dict[str, Any]:
    return compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)


def _line(vector: dict[str, Any], line_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in vector["lines"] if d["id"] == line_id)
    return found


def _allocated(budget: dict[str, Any]) -> dict[str, int]:
    return {a["line"]: a["amount"]["amount_minor"] for a in budget["allocations"]}


def test_a_claim_inside_its_streams_split_funds_that_split() -> None:
    vector = _vector()
    _line(vector, CLAIM)["hours_of_day"] = {"from": "10:00", "to": "12:00"}
    budget = _budget(vector)
    assert [f for f in budget["flags"] if f["code"] == "overlapping-hour-split"] == []
    # The work split costs 18000; the award (18000) and the claim (3000) compete for it, so
    # 3000 of Access to Work money is left over, never spilling into the council's hours.
    assert _allocated(budget)[COUNCIL] == 30000
    assert sum(_allocated(budget).values()) == 48000
    assert all(a["rule"] == "SDS-BUD-041" for a in budget["allocations"])
    assert spec.validate(budget) == []


def test_a_claim_outside_every_split_is_rejected_with_its_own_reason() -> None:
    vector = _vector()
    _line(vector, CLAIM)["hours_of_day"] = {"from": "18:00", "to": "19:00"}
    (flag,) = [f for f in _budget(vector)["flags"] if f["code"] == "overlapping-hour-split"]
    assert flag["lines"] == [CLAIM]
    assert flag["items"] == ["pa"]
    assert "outside the hours split to its stream" in flag["message"]
    (left,) = _budget(vector)["unallocated"]
    assert left["line"] == CLAIM
    assert "SDS-BUD-041" in left["reason"]


def test_a_stream_with_no_split_cannot_fund_a_split_item() -> None:
    vector = _vector()
    vector["lines"] = [d for d in vector["lines"] if d["id"] != COUNCIL]
    budget = _budget(vector)
    assert _allocated(budget) == {ATW: 18000}
    assert budget["shortfall"]["amount_minor"] == 30000


def test_without_splits_the_same_lines_are_possible_double_funding() -> None:
    vector = _vector()
    item = vector["plan"]["support_items"][0]
    del item["hour_splits"]
    item["category"] = "employment-support"
    vector["lines"] = [d for d in vector["lines"] if d["id"] != CLAIM]
    for line in vector["lines"]:
        line.pop("hours_of_day", None)
    codes = [f["code"] for f in _budget(vector)["flags"]]
    assert "possible-double-funding" in codes
    assert "overlapping-hour-split" not in codes


def test_split_shares_are_largest_remainder_parts_of_the_cost() -> None:
    vector = _vector()
    item = vector["plan"]["support_items"][0]
    # 48001 over 180 and 300 minutes: 18000.375 and 30000.625, so the spare penny goes to
    # the larger remainder, the council's split.
    item["cost"] = {"amount": {"amount_minor": 48001, "currency": "GBP"}, "per": "one-off"}
    _line(vector, ATW)["award"]["amount"]["amount_minor"] = 100000
    _line(vector, COUNCIL)["award"]["amount"]["amount_minor"] = 100000
    allocated = _allocated(_budget(vector))
    assert (allocated[ATW], allocated[COUNCIL]) == (18000, 30001)


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("/support_items/0/hour_splits/0", ("plan", {"from": "12:00", "to": "09:00"})),
        ("/lines/0/hours_of_day", ("line", {"from": "13:00", "to": "13:00"})),
    ],
)
def test_hours_must_end_after_they_start(where: str, change: tuple[str, Any]) -> None:
    vector = _vector()
    kind, hours = change
    if kind == "plan":
        vector["plan"]["support_items"][0]["hour_splits"][0].update(hours)
    else:
        vector["lines"][0]["hours_of_day"] = hours
    with pytest.raises(BudgetInputError) as caught:
        _budget(vector)
    assert caught.value.where == where
    assert caught.value.requirement in ("SDS-PLN-018", "SDS-FND-015")
