"""Identifier claims: the table that makes one person per identifier race-free (SDS-API-007).

Identifiers are claimed in a table whose primary key is (system, assigner, value): the
database, not a prior read, refuses a second holder. The value stored is the identifier's
keyed lookup token, never the identifier itself (SDS-SEC-041), and while a field-key rotation
is under way the tokens under older keys are looked up too (SDS-SEC-042).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from gateway.storage.sealing import cipher_of, stored_values
from gateway.storage.tables import identifiers
from spec.identifiers import NINO_SYSTEM, normalise_nino

__all__ = [
    "IdentifierKey",
    "claim_identifiers",
    "identifier_key",
    "person_for_identifier",
    "release_identifiers",
]

IdentifierKey = tuple[str, str, str]


def identifier_key(identifier: dict[str, Any]) -> IdentifierKey:
    """(system, assigner code, value) with the value in its canonical form."""
    system = str(identifier.get("system", ""))
    value = str(identifier.get("value", ""))
    if system == NINO_SYSTEM:
        value = normalise_nino(value)
    assigner = identifier.get("assigner")
    code = str(assigner.get("code", "")) if isinstance(assigner, dict) else ""
    return system, code, value


def _insert_ignoring_conflict(conn: Connection, values: dict[str, str]) -> bool:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(identifiers).values(**values).on_conflict_do_nothing()
    return bool(conn.execute(statement).rowcount == 1)


def _holder(
    conn: Connection,
    system: str,
    assigner: str,
    values: Sequence[str],
    other_than: str | None = None,
) -> str | None:
    """The record (other than ``other_than``) holding any of ``values``.

    ``values`` are one identifier's stored forms, one per field key.
    """
    query = select(identifiers.c.record_id).where(
        identifiers.c.system == system,
        identifiers.c.assigner == assigner,
        identifiers.c.value.in_(values),
    )
    if other_than is not None:
        query = query.where(identifiers.c.record_id != other_than)
    owner = conn.execute(query.limit(1)).scalar_one_or_none()
    return None if owner is None else str(owner)


def claim_identifiers(
    conn: Connection, record_id: str, keys: Iterable[IdentifierKey]
) -> tuple[IdentifierKey, str] | None:
    """Claim every key for ``record_id``; on the first taken key, its key and owner.

    The claim stores the lookup token under the current field key, and the primary key
    refuses a second claim at once. While a rotation is under way another record may still
    hold the token of an older key, so those are looked up too (SDS-SEC-042).
    """
    cipher = cipher_of(conn)
    for system, assigner, value in dict.fromkeys(keys):
        current, *older = stored_values(cipher, system, value)
        values = {"system": system, "assigner": assigner, "value": current}
        claimed = _insert_ignoring_conflict(conn, {**values, "record_id": record_id})
        others = older if claimed else [current, *older]
        owner = _holder(conn, system, assigner, others, record_id) if others else None
        if owner is not None:
            return (system, assigner, value), owner
    return None


def release_identifiers(conn: Connection, record_id: str) -> None:
    conn.execute(delete(identifiers).where(identifiers.c.record_id == record_id))


def person_for_identifier(conn: Connection, keys: Sequence[IdentifierKey]) -> str | None:
    """The person holding any of ``keys``, or ``None``."""
    cipher = cipher_of(conn)
    for system, assigner, value in keys:
        owner = _holder(conn, system, assigner, stored_values(cipher, system, value))
        if owner is not None:
            return owner
    return None
