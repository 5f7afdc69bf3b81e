"""Consent: whether a person's recorded consent lets an organisation see something, right now.

A grant on the person record names a purpose (``consent-purpose`` value set), a recipient
organisation, a period of whole days (end inclusive) and, once withdrawn, ``withdrawn_at``
(SDS-CON-001). A grant is in force at an instant when it was granted at or before it, is not
withdrawn at or before it, and the instant's date in Scotland falls inside the period.
Nothing is cached: the person record is read on each request, so a withdrawal takes effect on
the very next request (SDS-SEC-031).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["SCOTLAND", "ConsentGrant", "consent_in_force", "grants"]

SCOTLAND = ZoneInfo("Europe/London")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class ConsentGrant:
    """One consent grant from a person record."""

    id: str
    purpose: str
    recipient_kind: str
    recipient_code: str
    start: date
    end: date | None
    granted_at: datetime
    withdrawn_at: datetime | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ConsentGrant:
        period = raw["period"]
        return cls(
            id=str(raw["id"]),
            purpose=str(raw["purpose"]),
            recipient_kind=str(raw["recipient"]["kind"]),
            recipient_code=str(raw["recipient"]["code"]),
            start=date.fromisoformat(period["start"]),
            end=date.fromisoformat(period["end"]) if period.get("end") else None,
            granted_at=_instant(raw["granted_at"]),
            withdrawn_at=_instant(raw["withdrawn_at"]) if raw.get("withdrawn_at") else None,
        )

    def in_force(self, at: datetime) -> bool:
        """Whether this grant applies at the instant ``at`` (timezone-aware)."""
        if at.tzinfo is None:
            raise ValueError("consent is evaluated at a timezone-aware instant")
        if self.granted_at > at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        day = at.astimezone(SCOTLAND).date()
        return self.start <= day and (self.end is None or day <= self.end)


def grants(consents: Iterable[Mapping[str, Any]]) -> list[ConsentGrant]:
    """The grants of a person's ``consents`` array; unreadable entries are skipped (no grant)."""
    found = []
    for raw in consents:
        try:
            found.append(ConsentGrant.from_dict(raw))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def consent_in_force(
    consents: Iterable[Mapping[str, Any]],
    *,
    purpose: str,
    recipient_code: str,
    at: datetime,
    recipient_kind: str | None = None,
) -> ConsentGrant | None:
    """The first grant in force at ``at`` for ``purpose`` to ``recipient_code``, if any."""
    for grant in grants(consents):
        if grant.purpose != purpose or grant.recipient_code != recipient_code:
            continue
        if recipient_kind is not None and grant.recipient_kind != recipient_kind:
            continue
        if grant.in_force(at):
            return grant
    return None
