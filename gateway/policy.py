"""Authorisation: the ONE place that answers "may this caller do this to this record".

Routers call :func:`authorize` exactly once per record they touch and :func:`list_scope` for
searches, never their own checks. Today every authenticated client may do everything; issue
#6 fills this module in (organisations, roles, consents) without touching the routers. A
refusal raises a problem: 404 when the caller may not know the record exists, 403 when it
may know but not act (R3: 404, not 403, for foreign objects).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gateway.auth import Principal

__all__ = ["Action", "ListScope", "authorize", "list_scope"]


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
    """Predicates the repository adds to every search for this caller (empty = no limit)."""

    council_areas: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    person_ids: frozenset[str] | None = field(default=None)


def authorize(principal: Principal, action: Action, record: dict[str, Any] | None) -> None:
    """Return when ``principal`` may do ``action`` to ``record``; raise a problem otherwise.

    ``record`` is the stored document (current version) or, for a create, the document to
    be stored. The allow-all answer is deliberate and temporary: issue #6 replaces it.
    """
    del principal, action, record


def list_scope(principal: Principal, record_type: str) -> ListScope:
    """What ``principal`` may see of ``record_type`` in searches."""
    del principal, record_type
    return ListScope()
