"""The bridge from the gateway's authorisation seam (``gateway.policy``) to the access policy.

The gateway's seam receives a stored document (or one about to be stored) and an action name;
the policy needs facts the document alone does not hold: the person's council area and
consents, and which NHS boards the person's joint assessments name. :class:`RecordLookup` is
how the gateway supplies them from its store; :func:`authorize_document` does the rest.
:func:`list_predicates` gives the search predicates the repository can apply in SQL, and says
when each row must still pass :func:`authorize_document` (boards, consented budgets, sandboxes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import spec
from gateway.security.access import Role, role_rules
from gateway.security.audit import AuditEvent
from gateway.security.policy import AccessContext, Action, Decision, decide, describe
from gateway.security.tokens import Principal

__all__ = [
    "ListPredicates",
    "RecordLookup",
    "audit_event",
    "authorize_document",
    "list_predicates",
    "policy_action",
]

# The gateway's action names (gateway.policy.Action values) and what the policy sees.
_ACTIONS: dict[str, Action] = {
    "read": Action.READ,
    "history": Action.READ,
    "create": Action.WRITE,
    "update": Action.WRITE,
    "import": Action.WRITE,
    "compute": Action.WRITE,
}


def policy_action(name: str) -> Action:
    """The policy action for a gateway action name; unknown names raise ``KeyError``."""
    return _ACTIONS[str(name)]


class RecordLookup(Protocol):
    """What the gateway's store tells the policy about a record's person."""

    def person(self, person_id: str) -> Mapping[str, Any] | None:
        """The current person document, or ``None``."""
        ...

    def joint_assessment_boards(self, person_id: str) -> frozenset[str]:
        """GSS codes of the NHS boards named by the person's joint assessments."""
        ...


def _person_id(document: Mapping[str, Any]) -> str | None:
    if document.get("type") == "person":
        value = document.get("id")
    else:
        ref = document.get("person")
        value = ref.get("id") if isinstance(ref, Mapping) else None
    return value if isinstance(value, str) else None


def authorize_document(
    principal: Principal,
    action: str | Action,
    document: Mapping[str, Any],
    lookup: RecordLookup,
    *,
    exists: bool = True,
    sandbox_owner: str | None = None,
    now: datetime | None = None,
) -> Decision:
    """The policy's decision on ``document``, with its person's facts fetched via ``lookup``.

    The person record is read on every call (never cached), so a withdrawn consent counts
    from the next request (SDS-SEC-031).
    """
    act = action if isinstance(action, Action) else policy_action(action)
    person_id = _person_id(document)
    person = document if document.get("type") == "person" else None
    if person is None and person_id:
        person = lookup.person(person_id)
    boards = lookup.joint_assessment_boards(person_id) if person_id else frozenset()
    meta = describe(document, person=person, health_boards=boards, sandbox_owner=sandbox_owner)
    return decide(principal, act, meta, AccessContext(now or datetime.now(UTC), exists=exists))


@dataclass(frozen=True, slots=True)
class ListPredicates:
    """Search predicates for one caller and record type.

    ``nothing``: the search returns no rows at all. ``council_areas`` / ``sources``: SQL
    predicates (``None`` = no such predicate). ``check_rows``: each row found must also pass
    :func:`authorize_document` (read), because the rule needs facts SQL does not have here.
    ``sandbox_owner``: the sandbox whose records alone the search returns (``None``: live
    records alone, SDS-SEC-027).
    """

    nothing: bool = False
    council_areas: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    check_rows: bool = True
    sandbox_owner: str | None = None


def _owned_sources(principal: Principal) -> frozenset[str]:
    kind = role_rules(principal.role).kinds.get(principal.funder_kind or "")
    if kind is None:
        return frozenset()
    return frozenset(c for c in spec.valueset("funding-source").code_list if kind.owns(c))


def list_predicates(principal: Principal, record_type: str) -> ListPredicates:
    """What a search of ``record_type`` by ``principal`` may return, as predicates."""
    if record_type not in spec.DOCUMENT_TYPES:
        return ListPredicates(nothing=True, check_rows=False)
    if not principal.has_scope(f"{record_type}.read"):
        return ListPredicates(nothing=True, check_rows=False)
    if principal.role is Role.COUNCIL:
        # Funding lines a council pays can be unlinked (no council area yet): rows are checked.
        return ListPredicates(
            council_areas=frozenset({principal.code}), check_rows=record_type == "funding-line"
        )
    if principal.role is Role.FUNDER:
        if record_type == "funding-line":
            return ListPredicates(sources=_owned_sources(principal), check_rows=False)
        return ListPredicates(check_rows=True)
    if principal.role is Role.VENDOR_SANDBOX:
        return ListPredicates(check_rows=False, sandbox_owner=principal.organisation_id)
    if principal.role is Role.HEALTH_BOARD:
        return ListPredicates(check_rows=True)
    return ListPredicates(nothing=True, check_rows=False)


def audit_event(
    principal: Principal,
    action: str,
    document: Mapping[str, Any] | None,
    decision: Decision,
    *,
    request_id: str | None = None,
    correlation_id: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """The audit entry for one decision on one record (SDS-AUD-001): ids only, no content."""
    document = document or {}
    version = document.get("version")
    record_id = document.get("id")
    return AuditEvent(
        actor=principal.organisation_id,
        action=str(action),
        outcome="allowed" if decision.allowed else f"refused-{decision.status}",
        record_type=str(document["type"]) if document.get("type") else None,
        record_id=record_id if isinstance(record_id, str) else None,
        record_version=version if isinstance(version, int) else None,
        request_id=request_id,
        correlation_id=correlation_id,
        consent_id=decision.consent_id,
        at=at or datetime.now(UTC),
    )
