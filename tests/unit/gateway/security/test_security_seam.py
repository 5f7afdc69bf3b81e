"""The seam bridge: decisions from stored documents plus what the store knows of the person."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.security.access import Role, role_rules
from gateway.security.policy import Action
from gateway.security.seam import authorize_document, list_predicates, policy_action
from gateway.security.tokens import Principal

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PERSON = {
    "type": "person",
    "id": "p1",
    "council_area": "S12000049",
    "consents": [
        {
            "id": "c1",
            "purpose": "budget-totals",
            "recipient": {"kind": "funder", "code": "ilf-scotland"},
            "period": {"start": "2026-04-01"},
            "granted_at": "2026-04-01T00:00:00Z",
        }
    ],
}


class Store:
    def __init__(self) -> None:
        self.people: dict[str, Mapping[str, Any]] = {"p1": PERSON}
        self.boards: dict[str, frozenset[str]] = {"p1": frozenset({"S08000031"})}
        self.person_reads = 0

    def person(self, person_id: str) -> Mapping[str, Any] | None:
        self.person_reads += 1
        return self.people.get(person_id)

    def joint_assessment_boards(self, person_id: str) -> frozenset[str]:
        return self.boards.get(person_id, frozenset())


def _p(org: str, role: Role, code: str, kind: str | None = None) -> Principal:
    return Principal(org, role, code, role_rules(role).scopes, funder_kind=kind)


GLASGOW = _p("glasgow-city", Role.COUNCIL, "S12000049")
EDINBURGH = _p("city-of-edinburgh", Role.COUNCIL, "S12000036")
GGC = _p("nhs-ggc", Role.HEALTH_BOARD, "S08000031")
ILF = _p("ilf-scotland", Role.FUNDER, "ilf-scotland", "ilf-scotland")
PLAN = {"type": "support-plan", "id": "sp1", "person": {"id": "p1"}}
BUDGET = {"type": "individual-budget", "id": "b1", "person": {"id": "p1"}}


def test_gateway_actions_map_onto_read_and_write() -> None:
    assert policy_action("history") is Action.READ
    assert policy_action("import") is Action.WRITE
    with pytest.raises(KeyError):
        policy_action("delete")


def test_decisions_use_the_person_from_the_store() -> None:
    store = Store()
    assert authorize_document(GLASGOW, "read", PLAN, store, now=NOW).allowed
    assert authorize_document(EDINBURGH, "read", PLAN, store, now=NOW).status == 404
    assert authorize_document(GGC, "read", PLAN, store, now=NOW).allowed
    assert authorize_document(GGC, "update", PLAN, store, now=NOW).status == 403
    assert authorize_document(ILF, "read", BUDGET, store, now=NOW).consent_id == "c1"


def test_withdrawal_counts_on_the_next_call_because_nothing_is_cached() -> None:
    store = Store()
    assert authorize_document(ILF, "read", BUDGET, store, now=NOW).allowed
    withdrawn = dict(PERSON)
    withdrawn["consents"] = [{**PERSON["consents"][0], "withdrawn_at": "2026-05-01T11:00:00Z"}]
    store.people["p1"] = withdrawn
    assert authorize_document(ILF, "read", BUDGET, store, now=NOW).status == 404
    assert store.person_reads == 2


def test_a_record_of_an_unknown_person_is_hidden() -> None:
    orphan = {"type": "support-plan", "person": {"id": "nobody"}}
    assert authorize_document(GLASGOW, "read", orphan, Store(), now=NOW).status == 404


def test_list_predicates_per_role() -> None:
    council = list_predicates(GLASGOW, "support-plan")
    assert council.council_areas == frozenset({"S12000049"})
    assert not council.check_rows
    lines = list_predicates(ILF, "funding-line")
    assert lines.sources is not None
    assert {"ilf-scotland", "ilf-scotland.transition-fund"} == lines.sources
    assert list_predicates(ILF, "person").nothing
    assert list_predicates(ILF, "individual-budget").check_rows
    assert list_predicates(GGC, "support-plan").check_rows
    auditor = _p("audit-scotland", Role.AUDITOR, "audit-scotland")
    assert list_predicates(auditor, "person").nothing
    assert list_predicates(GLASGOW, "invoice").nothing


def test_audit_event_names_ids_and_consent_never_content() -> None:
    from gateway.security.seam import audit_event

    budget = {**BUDGET, "version": 3, "totals": {"net": {"amount_minor": 5, "currency": "GBP"}}}
    decision = authorize_document(ILF, "read", budget, Store(), now=NOW)
    event = audit_event(ILF, "read", budget, decision, request_id="r1", correlation_id="c", at=NOW)
    assert (event.actor, event.record_id, event.record_version) == ("ilf-scotland", "b1", 3)
    assert (event.outcome, event.consent_id) == ("allowed", "c1")
    refused = authorize_document(EDINBURGH, "read", budget, Store(), now=NOW)
    assert audit_event(EDINBURGH, "read", budget, refused).outcome == "refused-404"
    assert "amount_minor" not in repr(event)
