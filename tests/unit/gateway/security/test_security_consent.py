"""Consent grants: purpose, recipient, period (end inclusive, Scottish date) and withdrawal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.security.consent import ConsentGrant, consent_in_force, grants

GRANT = {
    "id": "c1",
    "purpose": "budget-totals",
    "recipient": {"kind": "funder", "code": "ilf-scotland"},
    "period": {"start": "2026-04-01", "end": "2026-06-30"},
    "granted_at": "2026-03-31T10:00:00Z",
}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _found(grant: dict[str, object], at: str, **kw: str) -> bool:
    args = {"purpose": "budget-totals", "recipient_code": "ilf-scotland", **kw}
    return consent_in_force([grant], at=_at(at), **args) is not None


def test_in_force_inside_the_period() -> None:
    assert _found(GRANT, "2026-05-01T12:00:00+00:00")


def test_period_end_is_inclusive_in_scottish_time() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in Scotland (BST): outside the period.
    assert _found(GRANT, "2026-06-30T22:30:00+00:00")
    assert not _found(GRANT, "2026-06-30T23:30:00+00:00")


def test_not_before_it_was_granted_or_the_period_starts() -> None:
    assert not _found(GRANT, "2026-03-31T09:00:00+00:00")
    assert not _found({**GRANT, "granted_at": "2026-03-01T00:00:00Z"}, "2026-03-31T12:00:00+00:00")


def test_withdrawal_applies_from_its_instant() -> None:
    withdrawn = {**GRANT, "withdrawn_at": "2026-05-01T12:00:00Z"}
    assert _found(withdrawn, "2026-05-01T11:59:59+00:00")
    assert not _found(withdrawn, "2026-05-01T12:00:00+00:00")


def test_other_purpose_or_recipient_grants_nothing() -> None:
    assert not _found(GRANT, "2026-05-01T12:00:00+00:00", purpose="care-coordination")
    assert not _found(GRANT, "2026-05-01T12:00:00+00:00", recipient_code="saas-dsa")
    assert not _found(GRANT, "2026-05-01T12:00:00+00:00", recipient_kind="council-area")


def test_open_ended_period_and_unreadable_entries() -> None:
    open_ended = {**GRANT, "period": {"start": "2026-04-01"}}
    assert _found(open_ended, "2030-01-01T00:00:00+00:00")
    assert len(grants([{"purpose": "x"}, GRANT])) == 1


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ConsentGrant.from_dict(GRANT).in_force(datetime(2026, 5, 1))
    assert UTC
