"""The bundled examples: what they must cover, and that each persona hangs together."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import spec
from spec.identifiers import CHI_SYSTEM, chi_birth_date

EXAMPLES = Path(__file__).resolve().parents[3] / "spec" / "examples"
VALID = EXAMPLES / "valid"
INVALID = EXAMPLES / "invalid"
PERSONA_FILES = {"person.json", "assessment.json", "support-plan.json", "funding-lines.ndjson"}


class Persona:
    """One persona folder, read."""

    def __init__(self, folder: Path) -> None:
        self.name = folder.name
        self.files = {p.name for p in folder.iterdir()}
        self.person: dict[str, Any] = json.loads((folder / "person.json").read_text("utf-8"))
        self.assessment: dict[str, Any] = json.loads(
            (folder / "assessment.json").read_text("utf-8")
        )
        self.plan: dict[str, Any] = json.loads((folder / "support-plan.json").read_text("utf-8"))
        text = (folder / "funding-lines.ndjson").read_text("utf-8")
        self.lines: list[dict[str, Any]] = [json.loads(x) for x in text.splitlines() if x.strip()]

    def sources(self) -> set[str]:
        return {line["source"] for line in self.lines}

    def streams(self) -> set[str]:
        return {source.split(".")[0] for source in self.sources()}


PERSONAS = [Persona(folder) for folder in sorted(VALID.iterdir()) if folder.is_dir()]
ALL_LINES = [line for persona in PERSONAS for line in persona.lines]
CASES: list[dict[str, Any]] = json.loads((INVALID / "cases.json").read_text("utf-8"))


def by_name(persona: Persona) -> str:
    return persona.name


def test_at_least_six_personas() -> None:
    assert len(PERSONAS) >= 6


@pytest.mark.parametrize("persona", PERSONAS, ids=by_name)
def test_persona_has_its_four_files(persona: Persona) -> None:
    assert persona.files == PERSONA_FILES


@pytest.mark.parametrize("persona", PERSONAS, ids=by_name)
def test_persona_ids_are_consistent(persona: Persona) -> None:
    person_id = persona.person["id"]
    assert persona.assessment["person"] == {"id": person_id}
    assert persona.plan["person"] == {"id": person_id}
    assert persona.plan["assessment"] == {
        "id": persona.assessment["id"],
        "version": persona.assessment["version"],
    }
    known = {(i["system"], i["value"]) for i in persona.person["identifiers"]}
    for line in persona.lines:
        assert line["person"] == {"id": person_id}
        identifier = line["person_identifier"]
        assert (identifier["system"], identifier["value"]) in known


@pytest.mark.parametrize("persona", PERSONAS, ids=by_name)
def test_persona_places_agree(persona: Persona) -> None:
    council_area = persona.person["council_area"]
    assert persona.assessment["council"]["code"] == council_area
    assert persona.plan["council"]["code"] == council_area
    for line in persona.lines:
        if line["source"] == "council-social-care":
            assert line["payer"] == {**persona.plan["council"]}
        if line["source"] == "nhs-board":
            assert line["payer"]["code"] == persona.person["health_board"]


@pytest.mark.parametrize("persona", PERSONAS, ids=by_name)
def test_chi_date_agrees_with_birth_date(persona: Persona) -> None:
    # SDS-PER-005: the examples model the SHOULD, so receivers see what agreement looks like.
    born = persona.person["birth_date"]
    for identifier in persona.person["identifiers"]:
        if identifier["system"] == CHI_SYSTEM:
            found = chi_birth_date(identifier["value"])
            assert found is not None
            assert found.strftime("%m-%d") == born[5:]
            assert found.year % 100 == int(born[2:4])


def test_record_ids_are_unique_across_examples() -> None:
    ids = [d.document["id"] for d in spec.iter_documents([VALID])]
    assert len(ids) == len(set(ids))


def test_every_sds_option_is_shown() -> None:
    item_options = {item["sds_option"] for p in PERSONAS for item in p.plan["support_items"]}
    assert item_options == {"option-1", "option-2", "option-3"}
    derived = {spec.derive_sds_option(p.plan["support_items"]) for p in PERSONAS}
    assert derived == {"option-1", "option-2", "option-3", "option-4"}


def test_every_funding_source_is_shown() -> None:
    codes = {code.code for code in spec.valueset("funding-source").codes}
    assert {line["source"] for line in ALL_LINES} == codes


def test_a_joint_assessment_with_its_nhs_board_paying() -> None:
    joint = [p for p in PERSONAS if p.assessment["kind"] == "joint"]
    assert joint
    for persona in joint:
        board = persona.assessment["health_board"]["code"]
        assert any(
            line["source"] == "nhs-board" and line["payer"]["code"] == board
            for line in persona.lines
        )
        assert any(item.get("health_need") for item in persona.plan["support_items"])


def test_a_young_person_with_dsa() -> None:
    students = [p for p in PERSONAS if any(s.startswith("saas-dsa.") for s in p.sources())]
    assert any(int(p.person["birth_date"][:4]) >= 2000 for p in students)
    dsa = [line for p in students for line in p.lines if line["source"].startswith("saas-dsa")]
    assert any(line["terms"].get("study_intensity_percent", 100) < 100 for line in dsa)
    assert all("course" in line["terms"] for line in dsa)
    assert {line["award"]["per"] for line in dsa} >= {"per-academic-year", "one-off"}


def test_a_person_in_work_with_access_to_work() -> None:
    atw = [line for line in ALL_LINES if line["source"].startswith("dwp-access-to-work")]
    assert atw
    for line in atw:
        assert line["purpose"] == "employment-related"
        assert line["person_identifier"]["system"] == "https://spec.sdsx.scot/id/nino"
        assert {"employer_headcount", "job_start"} <= set(line["terms"])
    assert any("contribution" in line for line in atw), "an employer cost share is shown"


def test_one_persona_combines_council_ilf_access_to_work_and_nhs() -> None:
    wanted = {"council-social-care", "ilf-scotland", "dwp-access-to-work", "nhs-board"}
    assert any(wanted <= p.streams() for p in PERSONAS)


def test_plans_show_carers_contingency_and_risk_enablement() -> None:
    plans = [p.plan for p in PERSONAS]
    carers = [c for plan in plans for c in plan.get("carers", [])]
    assert any("record" in c.get("carer_plan", {}) for c in carers)
    assert all(c["agreed_on"] for c in carers)
    assert all(plan.get("contingency_plans") for plan in plans)
    assert any(plan.get("risk_enablement") for plan in plans)


def test_people_show_consents_and_a_welfare_guardian() -> None:
    people = [p.person for p in PERSONAS]
    assert sum(1 for person in people if person.get("consents")) >= 4
    relationships = {
        r["relationship"] for person in people for r in person.get("representatives", [])
    }
    assert "welfare-guardian" in relationships


def test_ledger_shows_a_backdated_uplift_and_a_clawback() -> None:
    entries = [entry for line in ALL_LINES for entry in line.get("ledger", [])]
    kinds = {entry["kind"] for entry in entries}
    assert {"uplift", "clawback"} <= kinds
    assert any(entry["effective"]["start"] < entry["recorded_at"][:10] for entry in entries)


def test_ilf_award_is_weekly_in_pence_with_52_weeks() -> None:
    ilf = [line for line in ALL_LINES if line["source"] == "ilf-scotland"]
    assert ilf
    for line in ilf:
        assert line["award"]["per"] == "per-week"
        assert line["terms"]["weeks_per_year"] == 52
        assert line["award"]["amount"]["amount_minor"] <= line["cap"]["amount"]["amount_minor"]


def test_most_lines_carry_provenance() -> None:
    with_provenance = [line for line in ALL_LINES if "provenance" in line]
    assert len(with_provenance) * 2 >= len(ALL_LINES)


def test_budget_example_points_at_a_real_plan_and_lines() -> None:
    budget = json.loads((VALID / "budget-minimal.json").read_text("utf-8"))
    plans = {(p.plan["id"], p.plan["version"]): p for p in PERSONAS}
    persona = plans[(budget["plan"]["id"], budget["plan"]["version"])]
    assert budget["person"] == persona.plan["person"]
    line_ids = {line["id"] for line in persona.lines}
    item_ids = {item["id"] for item in persona.plan["support_items"]}
    assert {a["line"] for a in budget["allocations"]} <= line_ids
    assert {a["item"] for a in budget["allocations"]} <= item_ids
    allocated = sum(a["amount"]["amount_minor"] for a in budget["allocations"])
    assert allocated == budget["totals"]["net"]["amount_minor"]


# --- the invalid manifest --------------------------------------------------------------------


def test_manifest_lists_every_invalid_file_once() -> None:
    listed = [case["file"] for case in CASES]
    assert len(listed) == len(set(listed))
    assert set(listed) == {p.name for p in INVALID.glob("*.json")} - {"cases.json"}
    assert len(listed) >= 40


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_manifest_entry_is_well_formed(case: dict[str, Any]) -> None:
    assert set(case) == {"file", "description", "layer", "expect"}
    assert case["layer"] in {"schema", "rule", "type"}
    assert case["description"].strip()
    assert case["expect"]
    for expected in case["expect"]:
        assert set(expected) == {"pointer", "requirement"}
        assert expected["pointer"] == "" or expected["pointer"].startswith("/")
        assert re.fullmatch(r"SDS-[A-Z]{2,3}-[0-9]{3}", expected["requirement"])


def test_examples_folder_is_data_only() -> None:
    suffixes = {p.suffix for p in EXAMPLES.rglob("*") if p.is_file()}
    assert suffixes <= {".json", ".ndjson", ".md"}
