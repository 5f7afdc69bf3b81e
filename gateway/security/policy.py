"""Access policy: may this organisation do this to this record? Deny unless a rule says yes.

The rules (SDS-SEC-020 to SDS-SEC-027):

- a **council** reads and writes records of people in its council area, and funding lines it
  pays itself;
- an **NHS board** reads the person, support plans and budgets of people a joint assessment
  names it in, reads and writes the joint assessments that name it, and reads and writes NHS
  funding lines it pays;
- a **funder** reads and writes funding lines of its own funding source, and reads a person's
  budget (minimised to totals) only while that person's consent for ``budget-totals`` to
  that funder is in force;
- an **auditor** reads the audit log and nothing else;
- a **vendor sandbox** reads and writes only sandbox records it owns; no other organisation
  sees sandbox records.

A record the organisation may not read answers **404**, whatever the action, so a refusal
never tells whether the record exists (SDS-SEC-021); a record it may read but not change
answers 403, as does a create it may not make. The decision's ``reason`` is for the audit log
only, never for the response body. Scopes in the token narrow further: a visible record
without the action's scope answers 403.

For an update, decide on the stored record (``exists=True``) and on the submitted one
(``exists=False``); both must allow, so nobody can move a record out of another's reach or
into their own.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import spec
from gateway.security.access import Role, header_fields, role_rules
from gateway.security.consent import consent_in_force
from gateway.security.tokens import Principal

__all__ = [
    "AUDIT_LOG",
    "AccessContext",
    "Action",
    "Decision",
    "RecordMeta",
    "decide",
    "describe",
    "minimise",
]

AUDIT_LOG = "audit-log"
_NHS_SOURCE = "nhs-board"
_TOTALS_PURPOSE = "budget-totals"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class RecordMeta:
    """What the policy needs to know about a record (never the whole document).

    ``council_area`` is the person's council area; ``health_boards`` the boards named by a
    joint assessment of the person; ``named_board`` the board an assessment itself names
    (joint assessments only); ``source`` and ``payer`` describe a funding line; ``consents``
    are the person's consent grants; ``sandbox_owner`` is the vendor organisation owning a
    sandbox record (``None`` for live data).
    """

    type: str
    id: str | None = None
    council_area: str | None = None
    health_boards: frozenset[str] = frozenset()
    named_board: str | None = None
    source: str | None = None
    payer: str | None = None
    consents: tuple[Mapping[str, Any], ...] = ()
    sandbox_owner: str | None = None


@dataclass(frozen=True, slots=True)
class AccessContext:
    """When the decision is made, and whether the record already exists."""

    now: datetime
    exists: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer: allowed or not, the HTTP status to give, and why (for the audit log)."""

    allowed: bool
    reason: str
    status: int
    consent_id: str | None = None


def _allow(reason: str, consent_id: str | None = None) -> Decision:
    return Decision(True, reason, 200, consent_id)


def _hidden(reason: str) -> Decision:
    return Decision(False, reason, 404)


def _forbidden(reason: str) -> Decision:
    return Decision(False, reason, 403)


@dataclass(frozen=True, slots=True)
class _Grant:
    ok: bool
    reason: str
    consent_id: str | None = field(default=None)


def _can_read(p: Principal, r: RecordMeta, now: datetime) -> _Grant:
    if p.role is Role.VENDOR_SANDBOX:
        owned = r.sandbox_owner == p.organisation_id
        return _Grant(owned, "own-sandbox-record" if owned else "not-own-sandbox-record")
    if r.sandbox_owner is not None:
        return _Grant(False, "sandbox-record")
    if p.role is Role.COUNCIL:
        if r.council_area is not None and r.council_area == p.code:
            return _Grant(True, "own-council-area")
        if r.type == "funding-line" and r.payer == p.code:
            return _Grant(True, "own-council-line")
        return _Grant(False, "other-council-area")
    if p.role is Role.HEALTH_BOARD:
        if r.type == "assessment":
            named = r.named_board == p.code
            return _Grant(named, "named-in-joint-assessment" if named else "not-named")
        if r.type == "funding-line":
            own = r.source == _NHS_SOURCE and r.payer == p.code
            return _Grant(own, "own-nhs-line" if own else "not-own-nhs-line")
        if r.type in ("person", "support-plan", "individual-budget"):
            named = p.code in r.health_boards
            return _Grant(named, "named-in-joint-assessment" if named else "no-joint-assessment")
        return _Grant(False, "not-for-health-boards")
    if p.role is Role.FUNDER:
        kind = role_rules(p.role).kinds.get(p.funder_kind or "")
        if r.type == "funding-line":
            own = kind is not None and kind.owns(r.source)
            return _Grant(own, "own-funding-source" if own else "other-funding-source")
        if r.type == "individual-budget":
            grant = consent_in_force(
                r.consents, purpose=_TOTALS_PURPOSE, recipient_code=p.code, at=now
            )
            if grant is None:
                return _Grant(False, "no-consent-in-force")
            return _Grant(True, "consent-in-force", grant.id)
        return _Grant(False, "not-for-funders")
    return _Grant(False, "role-reads-no-records")


def _can_write(p: Principal, r: RecordMeta) -> bool:
    if p.role is Role.VENDOR_SANDBOX:
        return r.sandbox_owner == p.organisation_id
    if r.sandbox_owner is not None:
        return False
    if p.role is Role.COUNCIL:
        own_line = r.type == "funding-line" and r.payer == p.code
        return own_line or (r.council_area is not None and r.council_area == p.code)
    if p.role is Role.HEALTH_BOARD:
        if r.type == "assessment":
            return r.named_board == p.code
        return r.type == "funding-line" and r.source == _NHS_SOURCE and r.payer == p.code
    if p.role is Role.FUNDER:
        kind = role_rules(p.role).kinds.get(p.funder_kind or "")
        return r.type == "funding-line" and kind is not None and kind.owns(r.source)
    return False


def decide(
    principal: Principal, action: Action | str, record: RecordMeta, context: AccessContext
) -> Decision:
    """Whether ``principal`` may ``action`` ``record``; deny by default."""
    action = Action(action)
    if record.type == AUDIT_LOG:
        if action is Action.READ and principal.role is Role.AUDITOR:
            if principal.has_scope("audit.read"):
                return _allow("auditor-reads-audit-log")
            return _forbidden("missing-scope audit.read")
        return _forbidden("audit-log-is-for-auditors")
    if record.type not in spec.DOCUMENT_TYPES:
        return _hidden("unknown-record-type")
    scope = f"{record.type}.{action.value}"
    readable = _can_read(principal, record, context.now)
    if action is Action.READ:
        if not readable.ok:
            return _hidden(readable.reason)
        if not principal.has_scope(scope):
            return _forbidden(f"missing-scope {scope}")
        return _allow(readable.reason, readable.consent_id)
    if _can_write(principal, record):
        if not principal.has_scope(scope):
            return _forbidden(f"missing-scope {scope}")
        return _allow("may-write")
    if context.exists and not readable.ok:
        return _hidden(readable.reason)
    return _forbidden("may-not-write")


def _ref_code(value: Any) -> str | None:
    if isinstance(value, Mapping) and isinstance(value.get("code"), str):
        return str(value["code"])
    return None


def describe(
    document: Mapping[str, Any],
    *,
    person: Mapping[str, Any] | None = None,
    health_boards: Iterable[str] = (),
    sandbox_owner: str | None = None,
) -> RecordMeta:
    """The :class:`RecordMeta` of ``document``, with facts from its ``person`` record.

    ``health_boards`` are the boards named by the person's joint assessments (the gateway
    looks them up); the council area and consents come from ``person``.
    """
    kind = str(document.get("type", ""))
    council_area = person.get("council_area") if person else None
    if kind == "person":
        council_area = document.get("council_area")
        person = document
    named_board = None
    if kind == "assessment" and document.get("kind") == "joint":
        named_board = _ref_code(document.get("health_board"))
    return RecordMeta(
        type=kind,
        id=document.get("id"),
        council_area=council_area if isinstance(council_area, str) else None,
        health_boards=frozenset(health_boards),
        named_board=named_board,
        source=document.get("source") if kind == "funding-line" else None,
        payer=_ref_code(document.get("payer")) if kind == "funding-line" else None,
        consents=tuple(person.get("consents", ())) if person else (),
        sandbox_owner=sandbox_owner,
    )


def _tree(paths: Iterable[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            existing = node.get(part)
            if existing is True:
                break
            node = node.setdefault(part, {})
        else:
            node[parts[-1]] = True
    return tree


_DROP = object()


def _keep(value: Any, tree: dict[str, Any] | bool) -> Any:
    """``value`` filtered by ``tree`` (``True`` keeps all); a scalar under a sub-tree is dropped."""
    if tree is True:
        return copy.deepcopy(value)
    if isinstance(value, list):
        items = (_keep(item, tree) for item in value)
        return [item for item in items if item is not _DROP]
    if isinstance(value, Mapping) and isinstance(tree, dict):
        kept = ((k, _keep(v, tree[k])) for k, v in value.items() if k in tree)
        return {k: v for k, v in kept if v is not _DROP}
    return _DROP


def minimise(role: Role | str, document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` reduced to the fields ``role`` may receive (``spec/access`` allow-lists).

    Unknown document types keep only the header fields. The result is a new object.
    """
    allowed = role_rules(role).fields.get(str(document.get("type")), ())
    if "*" in allowed:
        return {k: _keep(v, True) for k, v in document.items()}
    tree = _tree((*header_fields(), *allowed))
    kept = _keep(document, tree)
    return dict(kept) if isinstance(kept, Mapping) else {}
