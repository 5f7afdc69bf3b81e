"""Replay caches: each client assertion's ``jti`` is accepted once (SDS-SEC-004).

:class:`SqlReplayCache` is the one to run in production: the primary key on (issuer, jti)
makes the database refuse the second insert, so two gateway processes cannot both accept the
same assertion. :class:`InMemoryReplayCache` is for a single process and for tests.
Entries are kept until the assertion expires; after that the ``exp`` check refuses it anyway.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from gateway.security.tables import create_tables, seen_assertions

__all__ = ["InMemoryReplayCache", "ReplayCache", "SqlReplayCache"]


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ReplayCache(Protocol):
    """Remembers which (issuer, jti) pairs were used."""

    def remember(self, issuer: str, jti: str, *, expires_at: datetime, now: datetime) -> bool:
        """Record the pair; ``True`` the first time, ``False`` when it was seen before."""
        ...


class InMemoryReplayCache:
    """A per-process replay cache (tests and single-process use)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def remember(self, issuer: str, jti: str, *, expires_at: datetime, now: datetime) -> bool:
        with self._lock:
            self._seen = {k: exp for k, exp in self._seen.items() if exp > now}
            if (issuer, jti) in self._seen:
                return False
            self._seen[(issuer, jti)] = expires_at
            return True


class SqlReplayCache:
    """A replay cache in the database, correct across processes by a unique key."""

    def __init__(self, engine: Engine, *, create: bool = True) -> None:
        self.engine = engine
        if create:
            create_tables(engine)

    def remember(self, issuer: str, jti: str, *, expires_at: datetime, now: datetime) -> bool:
        with self.engine.begin() as conn:
            conn.execute(delete(seen_assertions).where(seen_assertions.c.expires_at < _stamp(now)))
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(seen_assertions).values(
                        issuer=issuer, jti=jti, expires_at=_stamp(expires_at)
                    )
                )
        except IntegrityError:
            return False
        return True
