"""The access matrix: every role x every action x own/other record, two organisations per role.

The expected grants below are written out by hand from the rules in the issue, not derived
from the policy code, so the test fails on any unexpected allow (or unexpected refusal).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.security.access import Role, header_fields, role_rules
from gateway.security.policy import (
    AUDIT_LOG,
    AccessContext,
    Action,
    RecordMeta,
    decide,
    describe,
    minimise,
)
from gateway.security.tokens import Principal

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
GLASGOW, EDINBURGH = "S12000049", "S12000036"
GGC, LOTHIAN = "S08000031", "S08000024"


def _principal(org: str, role: Role, code: str, kind: str | None = None) -> Principal:
    return Principal(org, role, code, role_rules(role).scopes, funder_kind=kind)


PRINCIPALS = {
    "glasgow": _principal("glasgow-city", Role.COUNCIL, GLASGOW),
    "edinburgh": _principal("city-of-edinburgh", Role.COUNCIL, EDINBURGH),
    "ggc": _principal("nhs-ggc", Role.HEALTH_BOARD, GGC),
    "lothian": _principal("nhs-lothian", Role.HEALTH_BOARD, LOTHIAN),
    "ilf": _principal("ilf-scotland", Role.FUNDER, "ilf-scotland", "ilf-scotland"),
    "dwp": _principal("dwp-atw", Role.FUNDER, "dwp-access-to-work", "dwp"),
    "saas": _principal("saas", Role.FUNDER, "saas-dsa", "saas"),
    "auditor-a": _principal("audit-scotland", Role.AUDITOR, "audit-scotland"),
    "auditor-b": _principal("care-inspectorate", Role.AUDITOR, "care-inspectorate"),
    "vendor-a": _principal("vendor-a", Role.VENDOR_SANDBOX, "vendor-a"),
    "vendor-b": _principal("vendor-b", Role.VENDOR_SANDBOX, "vendor-b"),
}


def _grant(gid: str, code: str, *, end: str | None = None, withdrawn: str | None = None) -> Any:
    grant: dict[str, Any] = {
        "id": gid,
        "purpose": "budget-totals",
        "recipient": {"kind": "funder", "code": code},
        "period": {"start": "2026-04-01", **({"end": end} if end else {})},
        "granted_at": "2026-04-01T09:00:00Z",
    }
    if withdrawn:
        grant["withdrawn_at"] = withdrawn
    return grant


def _records() -> dict[str, RecordMeta]:
    people = {
        "g": (
            {
                "type": "person",
                "id": "p-g",
                "council_area": GLASGOW,
                "consents": [_grant("c1", "ilf-scotland")],
            },
            GGC,
        ),
        "e": (
            {
                "type": "person",
                "id": "p-e",
                "council_area": EDINBURGH,
                "consents": [
                    _grant("c2", "dwp-access-to-work", withdrawn="2026-04-20T10:00:00Z"),
                    _grant("c3", "saas-dsa", end="2026-04-30"),
                ],
            },
            LOTHIAN,
        ),
    }
    records: dict[str, RecordMeta] = {}
    for key, (person, board) in people.items():
        area = person["council_area"]

        def rec(
            name: str,
            doc: dict[str, Any],
            *,
            p: dict[str, Any] = person,
            b: str = board,
            k: str = key,
        ) -> None:
            records[f"{k}.{name}"] = describe(doc, person=p, health_boards=[b])

        rec("person", person)
        rec(
            "assessment-joint",
            {
                "type": "assessment",
                "kind": "joint",
                "health_board": {"kind": "health-board", "code": board},
            },
        )
        rec("assessment-single", {"type": "assessment", "kind": "single"})
        rec("plan", {"type": "support-plan"})
        rec("budget", {"type": "individual-budget"})
        rec(
            "line-council",
            {
                "type": "funding-line",
                "source": "council-social-care",
                "payer": {"kind": "council-area", "code": area},
            },
        )
        rec("line-ilf", {"type": "funding-line", "source": "ilf-scotland"})
        rec("line-dwp", {"type": "funding-line", "source": "dwp-access-to-work.support-worker"})
        rec("line-saas", {"type": "funding-line", "source": "saas-dsa.travel"})
        rec(
            "line-nhs",
            {
                "type": "funding-line",
                "source": "nhs-board",
                "payer": {"kind": "health-board", "code": board},
            },
        )
    for vendor in ("vendor-a", "vendor-b"):
        v = vendor[-1]
        records[f"sb-{v}.person"] = describe(
            {"type": "person", "council_area": GLASGOW}, sandbox_owner=vendor
        )
        records[f"sb-{v}.line"] = describe(
            {"type": "funding-line", "source": "ilf-scotland"}, sandbox_owner=vendor
        )
    records["audit-log"] = RecordMeta(type=AUDIT_LOG)
    return records


RECORDS = _records()
ALL_G = {r for r in RECORDS if r.startswith("g.")}
ALL_E = {r for r in RECORDS if r.startswith("e.")}

EXPECTED_READ = {
    "glasgow": ALL_G,
    "edinburgh": ALL_E,
    "ggc": {"g.person", "g.assessment-joint", "g.plan", "g.budget", "g.line-nhs"},
    "lothian": {"e.person", "e.assessment-joint", "e.plan", "e.budget", "e.line-nhs"},
    "ilf": {"g.line-ilf", "e.line-ilf", "g.budget"},
    "dwp": {"g.line-dwp", "e.line-dwp"},
    "saas": {"g.line-saas", "e.line-saas"},
    "auditor-a": {"audit-log"},
    "auditor-b": {"audit-log"},
    "vendor-a": {"sb-a.person", "sb-a.line"},
    "vendor-b": {"sb-b.person", "sb-b.line"},
}
EXPECTED_WRITE = {
    "glasgow": ALL_G,
    "edinburgh": ALL_E,
    "ggc": {"g.assessment-joint", "g.line-nhs"},
    "lothian": {"e.assessment-joint", "e.line-nhs"},
    "ilf": {"g.line-ilf", "e.line-ilf"},
    "dwp": {"g.line-dwp", "e.line-dwp"},
    "saas": {"g.line-saas", "e.line-saas"},
    "auditor-a": set(),
    "auditor-b": set(),
    "vendor-a": {"sb-a.person", "sb-a.line"},
    "vendor-b": {"sb-b.person", "sb-b.line"},
}


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("exists", [True, False])
def test_access_matrix(who: str, action: Action, exists: bool) -> None:
    principal = PRINCIPALS[who]
    table = EXPECTED_READ if action is Action.READ else EXPECTED_WRITE
    wrong = []
    for name, record in RECORDS.items():
        decision = decide(principal, action, record, AccessContext(NOW, exists=exists))
        expected = name in table[who]
        if decision.allowed != expected:
            wrong.append(f"{who} {action} {name}: allowed={decision.allowed} ({decision.reason})")
            continue
        if decision.allowed:
            assert decision.status == 200
            continue
        readable = name in EXPECTED_READ[who]
        if name == AUDIT_LOG:
            want = 403
        elif action is Action.READ or (exists and not readable):
            want = 404
        else:
            want = 403
        if decision.status != want:
            wrong.append(f"{who} {action} {name}: status {decision.status}, want {want}")
    assert not wrong, "\n".join(wrong)


def test_funder_budget_read_cites_the_consent() -> None:
    decision = decide(PRINCIPALS["ilf"], Action.READ, RECORDS["g.budget"], AccessContext(NOW))
    assert decision.allowed
    assert decision.consent_id == "c1"


def test_withdrawn_consent_takes_effect_on_the_next_request() -> None:
    before = NOW.replace(month=4, day=20, hour=9)
    after = before + timedelta(hours=2)
    budget = RECORDS["e.budget"]
    assert decide(PRINCIPALS["dwp"], Action.READ, budget, AccessContext(before)).allowed
    refused = decide(PRINCIPALS["dwp"], Action.READ, budget, AccessContext(after))
    assert (refused.allowed, refused.status) == (False, 404)


def test_consent_outside_its_period_grants_nothing() -> None:
    budget = RECORDS["e.budget"]
    assert decide(PRINCIPALS["saas"], Action.READ, budget, AccessContext(NOW - timedelta(days=2)))
    assert not decide(PRINCIPALS["saas"], Action.READ, budget, AccessContext(NOW)).allowed


def test_missing_scope_on_a_visible_record_is_403() -> None:
    narrow = Principal("glasgow-city", Role.COUNCIL, GLASGOW, frozenset({"person.read"}))
    assert decide(narrow, Action.READ, RECORDS["g.person"], AccessContext(NOW)).allowed
    assert decide(narrow, Action.WRITE, RECORDS["g.person"], AccessContext(NOW)).status == 403
    assert decide(narrow, Action.READ, RECORDS["g.plan"], AccessContext(NOW)).status == 403
    assert decide(narrow, Action.READ, RECORDS["e.plan"], AccessContext(NOW)).status == 404


def test_moving_a_person_to_another_council_needs_both_decisions() -> None:
    glasgow = PRINCIPALS["glasgow"]
    stored = RECORDS["e.person"]
    moved = describe({"type": "person", "council_area": GLASGOW})
    assert decide(glasgow, Action.WRITE, moved, AccessContext(NOW, exists=False)).allowed
    assert decide(glasgow, Action.WRITE, stored, AccessContext(NOW)).status == 404


def test_unknown_record_types_are_hidden() -> None:
    decision = decide(PRINCIPALS["glasgow"], Action.READ, RecordMeta("invoice"), AccessContext(NOW))
    assert (decision.allowed, decision.status) == (False, 404)


PLAN = {
    "standard": "sdsx/1.0",
    "type": "support-plan",
    "id": "x",
    "version": 2,
    "person": {"id": "p"},
    "period": {"start": "2026-04-01", "end": "2027-03-31"},
    "status": "agreed",
    "personal_outcomes": [{"id": "o1", "notes": "private"}],
    "about_me": {"notes": "private"},
    "support_items": [{"id": "s1"}],
}
BUDGET = {
    "standard": "sdsx/1.0",
    "type": "individual-budget",
    "id": "b",
    "version": 1,
    "person": {"id": "p"},
    "lines": [{"source": "council-social-care"}],
    "totals": {
        "gross": {"amount_minor": 100, "currency": "GBP"},
        "net": {"amount_minor": 90, "currency": "GBP"},
        "by_source": [{"source": "council-social-care"}],
    },
    "signature": "a..b",
}


def test_a_funder_never_receives_plan_outcomes_or_notes() -> None:
    seen = minimise(Role.FUNDER, PLAN)
    assert set(seen) == {"standard", "type", "id", "version", "person", "period", "status"}
    assert "private" not in repr(seen)


def test_a_funder_receives_only_budget_totals() -> None:
    seen = minimise(Role.FUNDER, BUDGET)
    assert "lines" not in seen
    assert "signature" not in seen
    assert seen["totals"] == {"gross": BUDGET["totals"]["gross"], "net": BUDGET["totals"]["net"]}


def test_a_council_receives_everything_as_a_copy() -> None:
    seen = minimise(Role.COUNCIL, PLAN)
    assert seen == PLAN
    seen["about_me"]["notes"] = "changed"
    assert PLAN["about_me"] == {"notes": "private"}


def test_an_auditor_receives_header_fields_only() -> None:
    assert set(minimise(Role.AUDITOR, BUDGET)) == set(header_fields())


_fields = st.sampled_from(
    [
        "standard",
        "type",
        "id",
        "version",
        "person",
        "totals",
        "lines",
        "notes",
        "about_me",
        "personal_outcomes",
        "period",
        "status",
        "identifiers",
        "name",
        "extensions",
        "zz",
    ]
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_fields, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    role=st.sampled_from(list(Role)),
    kind=st.sampled_from(
        ["person", "assessment", "support-plan", "funding-line", "individual-budget", "other"]
    ),
    body=st.dictionaries(_fields, _json, max_size=10),
)
def test_minimised_documents_hold_only_allow_listed_fields(
    role: Role, kind: str, body: dict[str, Any]
) -> None:
    document = {**body, "type": kind}
    allowed = role_rules(role).fields.get(kind, ())
    seen = minimise(role, document)
    if "*" in allowed:
        assert seen == document
        return
    top = set(header_fields()) | {a.split(".")[0] for a in allowed}
    assert set(seen) <= top
    for path in (a for a in allowed if "." in a):
        head, tail = path.split(".", 1)
        if isinstance(seen.get(head), dict):
            assert set(seen[head]) <= {tail.split(".")[0]} | {
                p.split(".", 1)[1].split(".")[0] for p in allowed if p.startswith(head + ".")
            }
