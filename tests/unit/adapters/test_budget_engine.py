"""compute_budget's contract: what it refuses, where it says so, and what it passes through."""

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
ISSUED = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _vector(vector_id: str) -> dict[str, Any]:
    path = next(VECTORS.glob(vector_id.lower() + "-*.json"))
    vector: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vector


def _refusal(plan: dict[str, Any], lines: list[dict[str, Any]]) -> BudgetInputError:
    with pytest.raises(BudgetInputError) as caught:
        compute_budget(plan, lines, issued_at=ISSUED)
    return caught.value


def test_plan_must_be_a_closed_support_plan() -> None:
    vector = _vector("BUD-V-001")
    open_plan = copy.deepcopy(vector["plan"])
    del open_plan["period"]["end"]
    error = _refusal(open_plan, vector["lines"])
    assert (error.where, error.requirement) == ("/period/end", "SDS-BUD-001")
    assert "SDS-BUD-001" in str(error)
    error = _refusal(vector["lines"][0], vector["lines"])
    assert error.where == "/type"


def test_lines_must_share_the_plan_currency() -> None:
    vector = _vector("BUD-V-001")
    line = copy.deepcopy(vector["lines"][0])
    line["award"]["amount"]["currency"] = "EUR"
    error = _refusal(vector["plan"], [line])
    assert error.where == "/lines/0/award/amount"
    assert error.requirement == "SDS-COM-002"


def test_a_variation_needs_a_rate() -> None:
    vector = _vector("BUD-V-014")
    lines = copy.deepcopy(vector["lines"])
    del lines[0]["ledger"][0]["rate"]
    error = _refusal(vector["plan"], lines)
    assert error.where == "/lines/0/ledger/0"
    assert error.requirement == "SDS-BUD-032"


def test_only_funding_lines_are_budgeted() -> None:
    vector = _vector("BUD-V-001")
    error = _refusal(vector["plan"], [vector["plan"]])
    assert error.where == "/lines/0/type"


def test_issue_details_pass_through_and_naive_times_are_utc() -> None:
    vector = _vector("BUD-V-001")
    issuer = {"kind": "council-area", "code": "S12000036"}
    budget = compute_budget(
        vector["plan"], vector["lines"], issued_at=datetime(2026, 1, 15, 12), issued_by=issuer
    )
    assert budget["issued_by"] == issuer
    assert budget["issued_at"] == "2026-01-15T12:00:00Z"
    assert budget["version"] == 1
    assert "supersedes" not in budget
    assert budget["calculation"]["rounding"] == "half-up-per-line"
    assert spec.validate(budget) == []


def test_each_budget_gets_a_new_id_and_nothing_else_changes() -> None:
    vector = _vector("BUD-V-035")
    first = compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    second = compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    assert first["id"] != second["id"]
    assert {**first, "id": ""} == {**second, "id": ""}


def test_the_inputs_are_not_modified() -> None:
    vector = _vector("BUD-V-019")
    before = copy.deepcopy(vector)
    compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    assert vector == before


def test_flags_explain_themselves_without_personal_data() -> None:
    vector = _vector("BUD-V-041")
    budget = compute_budget(vector["plan"], vector["lines"], issued_at=ISSUED)
    for flag in budget["flags"]:
        assert flag["rule"].startswith("SDS-BUD-")
        assert flag["message"]
        assert flag.get("lines") or flag.get("items")
    for left in budget["unallocated"]:
        assert "SDS-BUD-" in left["reason"]
