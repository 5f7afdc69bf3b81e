"""Authorisation: the ONE place that answers "may this caller do this to this record".

Routers (through :mod:`gateway.store`) call :func:`authorize` once per record they touch,
:func:`list_scope` for searches and :func:`present` for every document they return; never
their own checks. The rules themselves live in :mod:`gateway.security.policy` (deny by
default, SDS-SEC-020 to SDS-SEC-027); this module turns their decisions into problems: 404
when the caller may not know the record exists, 403 when it may know but not act
(SDS-SEC-021). The decision's reason goes to the audit log, never into a response body.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from gateway.auth import Principal
from gateway.problems import ProblemError
from gateway.security.access import role_rules
from gateway.security.policy import Decision, minimise
from gateway.security.seam import (
    RecordLookup,
    audit_event,
    authorize_document,
    list_predicates,
)

__all__ = [
    "Action",
    "ListScope",
    "authorize",
    "decide",
    "list_scope",
    "note",
    "present",
    "refusal",
    "refuse_hidden",
]


class Action(StrEnum):
    """What a caller does to a record."""

    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    HISTORY = "history"
    IMPORT = "import"
    COMPUTE = "compute"


@dataclass(frozen=True, slots=True)
class ListScope:
    """Predicates the repository adds to every search for this caller.

    ``nothing``: no row at all. ``council_areas`` / ``sources`` / ``person_ids``: SQL
    predicates (``None`` = no such predicate). ``check_rows``: every row found must also pass
    :func:`authorize` (read) before it is returned, because the rule needs facts SQL lacks.
    ``sandbox_owner``: the only sandbox whose records the search may return (``None``: live
    records only), always applied (SDS-SEC-027).
    """

    nothing: bool = False
    council_areas: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    person_ids: frozenset[str] | None = None
    check_rows: bool = False
    sandbox_owner: str | None = None


_WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.IMPORT, Action.COMPUTE})
_DISCLOSED = Decision(True, "disclosed", 200)


def _audit(
    principal: Principal,
    action: str,
    record: dict[str, Any],
    decision: Decision,
    lookup: RecordLookup | None = None,
) -> None:
    """Append an allowed write to the chain in its own transaction; note anything else."""
    event = audit_event(
        principal.security,
        action,
        record,
        decision,
        request_id=principal.request_id or None,
        correlation_id=principal.correlation_id or None,
    )
    conn = getattr(lookup, "connection", None)
    if principal.audit is not None and conn is not None and decision.allowed:
        principal.audit.append(conn, event)
        principal.appended.append(1)
    else:
        principal.trail.append(event)


def note(principal: Principal, action: str, record: dict[str, Any]) -> None:
    """Audit a record disclosed without its own decision (a list row, a version, a bundle part)."""
    _audit(principal, action, record, _DISCLOSED)


def refuse_hidden(principal: Principal, action: Action, record: dict[str, Any]) -> None:
    """Audit the refusal of a record PostgreSQL's row-level wall kept from ``principal``.

    The wall is never stricter than the policy (SDS-SEC-028), so this is a 404 the policy
    would give too; the audit log says the wall gave it.
    """
    _audit(principal, action.value, record, Decision(False, "beyond-row-level-wall", 404))


def decide(
    principal: Principal,
    action: Action,
    record: dict[str, Any],
    lookup: RecordLookup,
    *,
    exists: bool = True,
    sandbox_owner: str | None = None,
) -> Decision:
    """The policy's decision, without raising (for searches and the audit log).

    ``sandbox_owner`` is the stored record's sandbox (for a record about to be created, the
    sandbox of its writer: :func:`gateway.security.rowlevel.sandbox_owner`).
    """
    return authorize_document(
        principal.security,
        action.value,
        record,
        lookup,
        exists=exists,
        sandbox_owner=sandbox_owner,
    )


def refusal(decision: Decision, record: dict[str, Any]) -> ProblemError:
    """The problem for a refused ``decision``: never the policy's reason."""
    kind = record.get("type") or "record"
    if decision.status == 404:
        return ProblemError(404, "not-found", f"no {kind} record with this id")
    return ProblemError(
        403,
        "forbidden",
        f"this organisation may not change this {kind} record",
        requirement="SDS-SEC-021",
    )


def authorize(
    principal: Principal,
    action: Action,
    record: dict[str, Any],
    lookup: RecordLookup,
    *,
    exists: bool | None = None,
    sandbox_owner: str | None = None,
) -> Decision:
    """Return the decision when ``principal`` may do ``action`` to ``record``; raise otherwise.

    ``record`` is the stored document (current version) or the document about to be stored;
    ``exists`` says which (by default: a create is new, anything else is stored). An update
    is decided on both, so nobody moves a record out of another's reach or into their own.
    ``sandbox_owner`` is as for :func:`decide`.
    """
    known = action is not Action.CREATE if exists is None else exists
    decision = decide(principal, action, record, lookup, exists=known, sandbox_owner=sandbox_owner)
    _audit(principal, action.value, record, decision, lookup if action in _WRITES else None)
    if not decision.allowed:
        if not known and action in _WRITES and decision.status == 404:
            raise refusal(Decision(False, decision.reason, 403), record)
        raise refusal(decision, record)
    return decision


def list_scope(principal: Principal, record_type: str) -> ListScope:
    """What ``principal`` may see of ``record_type`` in searches."""
    found = list_predicates(principal.security, record_type)
    if found.council_areas is not None and record_type != "person":
        # The index's council_area of other records is their own council or payer, not the
        # person's area the policy judges by: check each row instead.
        return ListScope(
            nothing=found.nothing,
            sources=found.sources,
            check_rows=True,
            sandbox_owner=found.sandbox_owner,
        )
    return ListScope(
        nothing=found.nothing,
        council_areas=found.council_areas,
        sources=found.sources,
        check_rows=found.check_rows,
        sandbox_owner=found.sandbox_owner,
    )


def present(principal: Principal, text: str) -> str:
    """A stored document's JSON text as ``principal`` may receive it (minimised per role)."""
    document: dict[str, Any] = orjson.loads(text)
    allowed = role_rules(principal.security.role).fields.get(str(document.get("type")), ())
    if "*" in allowed:
        return text
    return orjson.dumps(minimise(principal.security.role, document)).decode()
