"""The semantic rules JSON Schema cannot express, each on a small document of its own."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from spec import derive_sds_option
from spec.rules import check_rules

VALID = Path(__file__).resolve().parents[3] / "spec" / "examples" / "valid"


def load(persona: str, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VALID / persona / f"{name}.json").read_text("utf-8"))
    return document


def first_line(persona: str) -> dict[str, Any]:
    text = (VALID / persona / "funding-lines.ndjson").read_text("utf-8")
    line: dict[str, Any] = json.loads(text.splitlines()[0])
    return line


def found(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(p.pointer, p.requirement, p.rule) for p in check_rules(document)}


@pytest.fixture
def plan() -> dict[str, Any]:
    return copy.deepcopy(load("rory-combined", "support-plan"))


# --- option 4 is derived (SDS-PLN-010) --------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "derived"),
    [
        ([], None),
        (["option-1"], "option-1"),
        (["option-2", "option-2"], "option-2"),
        (["option-3", None], "option-3"),
        (["option-1", "option-3"], "option-4"),
        (["option-1", "option-2", "option-3"], "option-4"),
    ],
)
def test_derive_sds_option(options: list[str | None], derived: str | None) -> None:
    items = [{"sds_option": o} if o else {} for o in options]
    assert derive_sds_option(items) == derived


def test_plan_option_may_be_omitted(plan: dict[str, Any]) -> None:
    del plan["sds_option"]
    assert found(plan) == set()


def test_plan_option_equal_to_derived_passes(plan: dict[str, Any]) -> None:
    assert plan["sds_option"] == "option-4"
    assert found(plan) == set()


def test_plan_option_contradicting_items_fails(plan: dict[str, Any]) -> None:
    for item in plan["support_items"]:
        item["sds_option"] = "option-1"
    assert found(plan) == {("/sds_option", "SDS-PLN-010", "derived-option")}


# --- periods (SDS-COM-005) ------------------------------------------------------------------


def test_period_of_one_day_and_open_periods_pass() -> None:
    line = first_line("angus-joint-ilf")
    line["period"] = {"start": "2025-04-01", "end": "2025-04-01"}
    assert found(line) == set()
    line["period"] = {"start": "2025-04-01"}
    assert found(line) == set()


def test_every_period_is_checked_wherever_it_is() -> None:
    line = json.loads(
        (VALID / "angus-joint-ilf" / "funding-lines.ndjson").read_text().splitlines()[2]
    )
    line["ledger"][1]["effective"] = {"start": "2025-05-15", "end": "2025-05-14"}
    assert found(line) == {("/ledger/1/effective/end", "SDS-COM-005", "period-order")}


# --- identifiers (SDS-IDN-002, SDS-IDN-003) -------------------------------------------------------


def test_identifier_on_a_funding_line_is_checked() -> None:
    line = first_line("ailsa-option-1")
    line["person_identifier"]["value"] = "3201201234"
    assert found(line) == {("/person_identifier/value", "SDS-IDN-002", "identifier")}


def test_identifier_problem_does_not_echo_the_value() -> None:
    person = load("rory-combined", "person")
    person["identifiers"][1]["value"] = "TN482917C"
    (problem,) = check_rules(person)
    assert "482917" not in problem.message
    assert problem.requirement == "SDS-IDN-003"


# --- local ids and outcome links (SDS-DOC-008, SDS-PLN-006) ----------------------------


def test_duplicate_ids_reported_at_each_repeat(plan: dict[str, Any]) -> None:
    for item in plan["support_items"][1:3]:
        item["id"] = plan["support_items"][0]["id"]
    assert found(plan) == {
        ("/support_items/1/id", "SDS-DOC-008", "unique-id"),
        ("/support_items/2/id", "SDS-DOC-008", "unique-id"),
    }


def test_the_same_id_in_different_lists_is_fine(plan: dict[str, Any]) -> None:
    plan["support_items"][0]["id"] = plan["personal_outcomes"][0]["id"]
    assert found(plan) == set()


def test_duplicate_assessed_need_ids() -> None:
    assessment = load("rory-combined", "assessment")
    assessment["assessed_needs"][3]["id"] = "n1"
    assert found(assessment) == {("/assessed_needs/3/id", "SDS-DOC-008", "unique-id")}


def test_outcome_links_must_resolve(plan: dict[str, Any]) -> None:
    plan["support_items"][0]["outcomes"] = ["o2", "o7"]
    plan["support_items"][4]["outcomes"] = ["missing"]
    assert found(plan) == {
        ("/support_items/0/outcomes/1", "SDS-PLN-006", "outcome-link"),
        ("/support_items/4/outcomes/0", "SDS-PLN-006", "outcome-link"),
    }


def test_removing_an_outcome_breaks_the_items_that_served_it(plan: dict[str, Any]) -> None:
    plan["personal_outcomes"] = [o for o in plan["personal_outcomes"] if o["id"] != "o3"]
    assert found(plan) == {("/support_items/6/outcomes/0", "SDS-PLN-006", "outcome-link")}


# --- versions (SDS-DOC-005) ---------------------------------------------------------------------


def test_version_two_superseding_version_one_passes() -> None:
    plan = load("fiona-option-3", "support-plan")
    assert plan["version"] == 2
    assert found(plan) == set()


@pytest.mark.parametrize(
    ("version", "supersedes"),
    [
        (1, "same-1"),
        (2, None),
        (3, "same-1"),
        (2, "other-1"),
        (2, "same-2"),
    ],
)
def test_versioning(version: int, supersedes: str | None) -> None:
    plan = load("fiona-option-3", "support-plan")
    plan["version"] = version
    if supersedes is None:
        del plan["supersedes"]
    else:
        which, number = supersedes.split("-")
        record = plan["id"] if which == "same" else load("rory-combined", "support-plan")["id"]
        plan["supersedes"] = {"id": record, "version": int(number)}
    assert found(plan) == {("/supersedes", "SDS-DOC-005", "versioning")}


def test_problems_are_sorted_by_pointer(plan: dict[str, Any]) -> None:
    plan["sds_option"] = "option-2"
    plan["period"] = {"start": "2026-01-01", "end": "2025-01-01"}
    plan["support_items"][1]["id"] = plan["support_items"][0]["id"]
    problems = check_rules(plan)
    assert [p.pointer for p in problems] == sorted(p.pointer for p in problems)
    assert len(problems) == 3


# --- money is never a decimal number (SDS-COM-001) ----------------------------------------------


def test_money_with_a_zero_fraction_is_refused() -> None:
    # JSON Schema's "integer" admits 12345.0, so this check lives in the rules.
    line = first_line("rory-combined")
    line["award"]["amount"]["amount_minor"] = 44980.0
    line["contribution"]["amount"]["amount"]["amount_minor"] = 2500.0
    assert found(line) == {
        ("/award/amount/amount_minor", "SDS-COM-001", "integer-money"),
        ("/contribution/amount/amount/amount_minor", "SDS-COM-001", "integer-money"),
    }


def test_other_numbers_may_be_decimal() -> None:
    plan = load("fiona-option-3", "support-plan")
    assert plan["support_items"][0]["schedule"]["quantity"] == 5.25
    assert found(plan) == set()
