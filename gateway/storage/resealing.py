"""Rewriting stored protected values in batches: first sealing, key rotation, and undoing both.

Three jobs walk the same stored places (document texts of ``records`` and ``record_versions``,
the ``identifiers`` lookup tokens, the ``idempotency_keys`` bodies):

- ``seal``: the migration to sealed storage (revision 0002) seals every clear value;
- ``rotate``: ``sdsx keys reencrypt`` moves every value under an older key to the current one
  (SDS-SEC-042);
- ``open``: the migration's downgrade writes everything back in clear.

Each job is a list of passes; each pass is a sequence of steps over a bounded batch of rows, and
the caller decides the transactions: the migration runs every step in its own transaction,
``reencrypt`` commits after each step, so a stopped rotation loses at most one batch and a rerun
carries on with the rows that still need it. Lookups keep working throughout because lookup
tokens under every known key are tried (SDS-SEC-041), and a document is only rewritten if it
still holds the text that was read (compare-and-set), so a concurrent write wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import ColumnElement, Table, delete, false, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from gateway.security.fieldcrypto import FieldCipher
from gateway.storage.database import Database
from gateway.storage.identifier_claims import identifier_key
from gateway.storage.sealing import (
    PROTECTED_SYSTEMS,
    open_blob,
    open_text,
    reseal_text,
    seal_blob,
    seal_text,
)
from gateway.storage.tables import idempotency_keys, identifiers, record_versions, records

__all__ = [
    "Job",
    "Progress",
    "Step",
    "passes",
    "reencrypt",
    "run_in_one_transaction",
    "stored_under",
]

Job = Literal["seal", "rotate", "open"]
# One step: (connection, position after which to go on, batch size) -> (new position, rows
# rewritten, whether the pass is finished).
Step = Callable[[Connection, Any, int], tuple[Any, int, bool]]


@dataclass(slots=True)
class Progress:
    """Rows rewritten by each pass, and the batches (transactions) it took."""

    rewritten: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    finished: bool = False

    def add(self, name: str, count: int) -> None:
        self.rewritten[name] = self.rewritten.get(name, 0) + count
        self.batches += 1


def _sealed_under(column: Any, kids: Iterable[str]) -> ColumnElement[bool]:
    wanted = [column.contains(f'"sdsx1.{kid}.', autoescape=True) for kid in kids]
    return or_(*wanted) if wanted else false()


def _documents(table: Table, keys: tuple[str, ...], job: Job, cipher: FieldCipher) -> Step:
    """A pass over one document table, in primary-key order."""
    columns = [table.c[name] for name in keys]
    if job == "seal":
        predicate = or_(*(table.c.document.contains(s) for s in sorted(PROTECTED_SYSTEMS)))
    elif job == "rotate":
        predicate = _sealed_under(table.c.document, cipher.kids[1:])
    else:
        predicate = table.c.document.contains('"sdsx1.', autoescape=True)

    def change(text: str, record_id: str) -> str | None:
        if job == "seal":
            return seal_text(cipher, text, record_id)
        if job == "rotate":
            return reseal_text(cipher, text, record_id)
        opened = open_text(cipher, text, record_id)
        return None if opened == text else opened

    def step(conn: Connection, after: Any, limit: int) -> tuple[Any, int, bool]:
        query = select(*columns, table.c.document).where(predicate)
        if after is not None:
            query = query.where(tuple_(*columns) > tuple_(*after))
        rows = conn.execute(query.order_by(*columns).limit(limit)).all()
        changed = 0
        for row in rows:
            new = change(row.document, row.id)
            if new is None:
                continue
            this_row = [column == value for column, value in zip(columns, row[:-1], strict=True)]
            result = conn.execute(
                update(table)
                .where(*this_row, table.c.document == row.document)
                .values(document=new)
            )
            changed += result.rowcount
        last = tuple(rows[-1][:-1]) if rows else after
        return last, changed, len(rows) < limit

    return step


def _insert_ignoring_conflict(conn: Connection, values: dict[str, str]) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(identifiers).values(**values).on_conflict_do_nothing())


def _tokenise(conn: Connection, cipher: FieldCipher, record_id: str) -> int:
    """Replace the clear protected values a record holds in ``identifiers`` by lookup tokens."""
    c = identifiers.c
    rows = conn.execute(
        select(c.system, c.assigner, c.value).where(
            c.record_id == record_id, c.system.in_(PROTECTED_SYSTEMS), ~c.value.contains(".")
        )
    ).all()
    for row in rows:
        conn.execute(
            update(identifiers)
            .where(c.system == row.system, c.assigner == row.assigner, c.value == row.value)
            .values(value=cipher.lookup_token(row.system, row.value))
        )
    return len(rows)


def _rederive(conn: Connection, cipher: FieldCipher, record_id: str, clear: bool) -> int:
    """Write a record's protected ``identifiers`` rows again from its current document.

    A keyed hash cannot be turned back into its value, so the new rows (tokens under the
    current key, or clear values) come from the person document itself.
    """
    text = conn.execute(
        select(records.c.document).where(records.c.id == record_id)
    ).scalar_one_or_none()
    if text is None:
        return 0
    document = orjson.loads(open_text(cipher, text, record_id))
    c = identifiers.c
    conn.execute(
        delete(identifiers).where(c.record_id == record_id, c.system.in_(PROTECTED_SYSTEMS))
    )
    written = 0
    for identifier in document.get("identifiers", []):
        system, assigner, value = identifier_key(identifier)
        if system not in PROTECTED_SYSTEMS:
            continue
        stored = value if clear else cipher.lookup_token(system, value)
        row = {"system": system, "assigner": assigner, "value": stored, "record_id": record_id}
        _insert_ignoring_conflict(conn, row)
        written += 1
    return written


def _identifiers(job: Job, cipher: FieldCipher) -> Step:
    """A pass over the persons whose identifier rows need rewriting, in record id order."""
    c = identifiers.c
    if job == "seal":
        needs: ColumnElement[bool] = ~c.value.contains(".")
    elif job == "rotate":
        needs = ~c.value.startswith(f"{cipher.current}.", autoescape=True)
    else:
        needs = c.value.contains(".")

    def step(conn: Connection, after: Any, limit: int) -> tuple[Any, int, bool]:
        query = select(c.record_id).where(c.system.in_(PROTECTED_SYSTEMS), needs)
        if after is not None:
            query = query.where(c.record_id > after)
        owners = conn.execute(query.distinct().order_by(c.record_id).limit(limit)).scalars().all()
        changed = 0
        for owner in owners:
            if job == "seal":
                changed += _tokenise(conn, cipher, owner)
            else:
                changed += _rederive(conn, cipher, owner, clear=job == "open")
        return (owners[-1] if owners else after), changed, len(owners) < limit

    return step


def _replays(job: Job, cipher: FieldCipher) -> Step:
    """A pass over stored Idempotency-Key responses, in key order."""
    c = idempotency_keys.c

    def change(client_id: str, key: str, body: bytes) -> bytes | None:
        sealed = FieldCipher.is_sealed(body[:6].decode(errors="replace"))
        if job == "seal":
            return None if sealed or not body else seal_blob(cipher, client_id, key, body)
        if not sealed:
            return None
        opened = open_blob(cipher, client_id, key, body)
        if job == "open":
            return opened
        if not cipher.blob_needs_reencryption(body):
            return None
        return seal_blob(cipher, client_id, key, opened)

    def step(conn: Connection, after: Any, limit: int) -> tuple[Any, int, bool]:
        query = select(c.client_id, c.key, c.body)
        if after is not None:
            query = query.where(tuple_(c.client_id, c.key) > tuple_(*after))
        rows = conn.execute(query.order_by(c.client_id, c.key).limit(limit)).all()
        changed = 0
        for row in rows:
            new = change(row.client_id, row.key, bytes(row.body))
            if new is not None:
                conn.execute(
                    update(idempotency_keys)
                    .where(c.client_id == row.client_id, c.key == row.key)
                    .values(body=new)
                )
                changed += 1
        last = (rows[-1].client_id, rows[-1].key) if rows else after
        return last, changed, len(rows) < limit

    return step


def passes(job: Job, cipher: FieldCipher) -> list[tuple[str, Step]]:
    """The passes of ``job``, in order: documents before the identifiers derived from them."""
    return [
        ("records", _documents(records, ("id",), job, cipher)),
        ("record_versions", _documents(record_versions, ("id", "version"), job, cipher)),
        ("identifiers", _identifiers(job, cipher)),
        ("idempotency_keys", _replays(job, cipher)),
    ]


def run_in_one_transaction(
    conn: Connection, job: Job, cipher: FieldCipher, batch_size: int = 500
) -> Progress:
    """Every pass of ``job`` on ``conn``, inside the caller's transaction (migrations)."""
    progress = Progress()
    for name, step in passes(job, cipher):
        position, finished = None, False
        while not finished:
            position, changed, finished = step(conn, position, batch_size)
            progress.add(name, changed)
    return progress


def reencrypt(
    database: Database,
    cipher: FieldCipher,
    *,
    batch_size: int = 200,
    max_batches: int | None = None,
    on_batch: Callable[[str, int], None] | None = None,
) -> Progress:
    """Move every stored value to the current field key, one batch per transaction.

    Stops after ``max_batches`` transactions when given (``finished`` is then false); a later
    run finds the rows still under an older key and carries on (SDS-SEC-042).
    """
    progress = Progress()
    for name, step in passes("rotate", cipher):
        position, done = None, False
        while not done:
            if max_batches is not None and progress.batches >= max_batches:
                return progress
            # Like a migration, re-encryption is the gateway's own work on every row, so it
            # runs as the database owner, naming the gateway itself.
            with database.maintain() as conn:
                position, changed, done = step(conn, position, batch_size)
            progress.add(name, changed)
            if on_batch is not None:
                on_batch(name, changed)
    progress.finished = True
    return progress


def stored_under(conn: Connection, kid: str) -> dict[str, int]:
    """How many stored rows still hold a value sealed (or hashed) under key ``kid``."""
    counts = {
        table.name: conn.execute(
            select(func.count()).where(_sealed_under(table.c.document, (kid,)))
        ).scalar_one()
        for table in (records, record_versions)
    }
    counts["identifiers"] = conn.execute(
        select(func.count()).where(identifiers.c.value.startswith(f"{kid}.", autoescape=True))
    ).scalar_one()
    prefix = f"sdsx1.{kid}.".encode()
    bodies = conn.execute(select(idempotency_keys.c.body)).scalars()
    counts["idempotency_keys"] = sum(1 for body in bodies if bytes(body).startswith(prefix))
    return counts
