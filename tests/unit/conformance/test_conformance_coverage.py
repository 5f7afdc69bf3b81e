"""The coverage gate: every MUST is verified by a check or vector, or excused in writing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conformance.coverage import NOT_AUTOMATED, coverage_gaps, verified_requirements
from conformance.session import all_target_checks
from spec.requirements import load_catalogue

CATALOGUE = load_catalogue()


def test_every_must_is_verified_or_has_a_recorded_reason() -> None:
    assert coverage_gaps(CATALOGUE) == []


def test_the_gate_fails_for_an_unexcused_must_and_a_stale_excuse(tmp_path: Path) -> None:
    entries = json.loads(NOT_AUTOMATED.read_text())["requirements"]
    dropped = entries[0]["requirement"]
    stale = {"requirement": "SDS-API-006", "reason": "an excuse for a requirement that is checked"}
    path = tmp_path / "not-automated.json"
    path.write_text(json.dumps({"requirements": [*entries[1:], stale]}))
    gaps = coverage_gaps(CATALOGUE, path)
    assert any(g.startswith(dropped) for g in gaps)
    assert any("SDS-API-006 is excused but verified" in g for g in gaps)


def test_check_ids_are_unique_stable_names_citing_catalogued_requirements() -> None:
    checks = all_target_checks()
    ids = [c.id for c in checks]
    assert len(ids) == len(set(ids))
    for check in checks:
        assert re.fullmatch(r"[a-z0-9]+(\.[a-z0-9-]+)+", check.id), check.id
        assert check.requirements, check.id
        assert all(r in CATALOGUE for r in check.requirements), check.id


def test_every_group_verifies_something() -> None:
    verified = verified_requirements()
    for area in ("API", "DOC", "BUD", "SEC", "CNF"):
        assert any(r.startswith(f"SDS-{area}-") for r in verified), area


def test_only_checks_that_store_people_or_budgets_do_not_apply_to_a_funder() -> None:
    from conformance.capabilities import parse_capabilities
    from conformance.runner import applicability

    funder = parse_capabilities(
        {"role": "funder", "level": "full", "features": ["behaviour", "contract", "fhir"]}
    )
    by_id = {c.id: applicability(c, funder) for c in all_target_checks()}
    # A funder's system is tested on its own funding lines.
    assert by_id["behaviour.if-match"] is None
    assert by_id["behaviour.request-id"] is None
    assert by_id["contract.no-server-error"] is None
    # What it truly cannot do is named with the rule that forbids it.
    assert "only a council may write people (SDS-SEC-023)" in str(by_id["behaviour.unique-person"])
    assert "receives no person record (SDS-SEC-022" in str(by_id["fhir.patient-read"])


def test_the_coverage_command_lists_every_must_and_exits_0() -> None:
    from typer.testing import CliRunner

    from sdsx.cli import app

    ran = CliRunner().invoke(app, ["conformance", "coverage"])
    assert ran.exit_code == 0, ran.output
    musts = [r.id for r in CATALOGUE if r.level == "MUST"]
    assert all(rid in ran.output for rid in musts)
