"""The record repository: current versions and the append-only version log.

Every function takes a :class:`~sqlalchemy.engine.Connection` inside the caller's
transaction; the request owns the transaction. Updates are compare-and-set on the version
column (``UPDATE … WHERE id = ? AND version = ?``), never read-then-write, so two writers
racing on one record cannot both win (SDS-API-006). Identifier claims live in
:mod:`gateway.storage.identifier_claims`.

CHI and National Insurance numbers never reach the database in clear: documents are sealed on
the way in and opened on the way out (:mod:`gateway.storage.sealing`, SDS-SEC-040).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection

from gateway.auth import Principal
from gateway.policy import Action, ListScope, decide
from gateway.security.rowlevel import system_view
from gateway.storage.sealing import (
    SealingError,
    cipher_of,
    open_text,
    seal_text,
    unreadable,
)
from gateway.storage.tables import record_versions, records

__all__ = [
    "SearchFilters",
    "StoreLookup",
    "StoredRecord",
    "dump_document",
    "get_record",
    "get_version",
    "history",
    "insert_record",
    "search",
    "search_visible",
    "stamp",
    "update_record",
]


def stamp(moment: dt.datetime | None = None) -> str:
    """A fixed-width UTC timestamp (``…T…​.ffffffZ``): text order is time order."""
    moment = moment or dt.datetime.now(dt.UTC)
    # isoformat pads the year to four digits on every platform; strftime's %Y does not
    # (glibc writes year 999 as "999"), which would break the text order below year 1000.
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def dump_document(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One stored version: its id, type, version, the exact JSON text and its sandbox, if any."""

    id: str
    type: str
    version: int
    updated_at: str
    text: str
    sandbox_owner: str | None = None

    @property
    def document(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.text)
        return value


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """List filters; ``None`` means "any"."""

    person: str | None = None
    council_area: str | None = None
    status: str | None = None
    source: str | None = None
    updated_since: str | None = None
    plan: str | None = None


def _reference(document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _council_area(document: dict[str, Any]) -> str | None:
    if isinstance(document.get("council_area"), str):
        return str(document["council_area"])
    for key in ("council", "payer"):
        org = document.get(key)
        if isinstance(org, dict) and org.get("kind") == "council-area":
            return str(org.get("code"))
    return None


def _index(document: dict[str, Any]) -> dict[str, Any]:
    """The indexed columns of a document (all derived from standard fields)."""
    kind = document["type"]
    status = document.get("status")
    source = document.get("source")
    return {
        "person_id": document["id"] if kind == "person" else _reference(document, "person"),
        "plan_id": _reference(document, "plan"),
        "council_area": _council_area(document),
        "status": status if isinstance(status, str) else None,
        "source": source if isinstance(source, str) else None,
    }


# Statements built once: parameters are bound per call, so SQLAlchemy reuses the compiled form.
_INSERT_RECORD = insert(records)
_INSERT_VERSION = insert(record_versions)


def _sealed(conn: Connection, document: dict[str, Any], text: str) -> str:
    """The text to store for ``document``: ``text`` with its CHI and NI numbers sealed."""
    return seal_text(cipher_of(conn), text, document["id"]) or text


def _person_area(conn: Connection, document: dict[str, Any]) -> str | None:
    """The council area of the record's person, which the row-level wall judges by."""
    if document["type"] == "person":
        return _council_area(document)
    person_id = _reference(document, "person")
    if person_id is None:
        return None
    with system_view(conn):
        person = get_record(conn, person_id, "person")
    return None if person is None else _council_area(person.document)


def insert_record(
    conn: Connection,
    document: dict[str, Any],
    recorded_by: str,
    *,
    sandbox_owner: str | None = None,
) -> StoredRecord:
    """Store version 1 of a new record (a duplicate id fails on the primary key)."""
    text = dump_document(document)
    stored = _sealed(conn, document, text)
    updated_at = stamp()
    conn.execute(
        _INSERT_RECORD,
        {
            "id": document["id"],
            "type": document["type"],
            "version": document["version"],
            "updated_at": updated_at,
            "recorded_by": recorded_by,
            "document": stored,
            "sandbox_owner": sandbox_owner,
            "person_area": _person_area(conn, document),
            **_index(document),
        },
    )
    _append_version(conn, document, stored, updated_at, recorded_by)
    return StoredRecord(
        document["id"], document["type"], document["version"], updated_at, text, sandbox_owner
    )


def update_record(
    conn: Connection, document: dict[str, Any], expected: int, recorded_by: str
) -> StoredRecord | None:
    """Replace version ``expected`` by ``document``; ``None`` when ``expected`` is stale."""
    text = dump_document(document)
    stored = _sealed(conn, document, text)
    updated_at = stamp()
    result = conn.execute(
        update(records)
        .where(records.c.id == document["id"], records.c.version == expected)
        .values(
            version=document["version"],
            updated_at=updated_at,
            recorded_by=recorded_by,
            document=stored,
            person_area=_person_area(conn, document),
            **_index(document),
        )
        .returning(records.c.sandbox_owner)
    )
    owners = result.scalars().all()
    if len(owners) != 1:
        return None
    _append_version(conn, document, stored, updated_at, recorded_by)
    return StoredRecord(
        document["id"], document["type"], document["version"], updated_at, text, owners[0]
    )


def _append_version(
    conn: Connection, document: dict[str, Any], text: str, recorded_at: str, recorded_by: str
) -> None:
    conn.execute(
        _INSERT_VERSION,
        {
            "id": document["id"],
            "version": document["version"],
            "type": document["type"],
            "recorded_at": recorded_at,
            "recorded_by": recorded_by,
            "document": text,
        },
    )


def _row(conn: Connection, row: Any) -> StoredRecord:
    """A stored row with its protected values opened: the text exactly as it was written."""
    try:
        text = open_text(cipher_of(conn), row.document, row.id)
    except SealingError as exc:
        raise unreadable(exc) from None
    owner = getattr(row, "sandbox_owner", None)
    return StoredRecord(row.id, row.type, row.version, row.updated_at, text, owner)


def get_record(conn: Connection, record_id: str, kind: str | None = None) -> StoredRecord | None:
    """The current version of a record (of type ``kind`` when given)."""
    c = records.c
    query = select(c.id, c.type, c.version, c.updated_at, c.document, c.sandbox_owner).where(
        c.id == record_id
    )
    if kind is not None:
        query = query.where(records.c.type == kind)
    row = conn.execute(query).first()
    return None if row is None else _row(conn, row)


def get_version(conn: Connection, record_id: str, version: int) -> StoredRecord | None:
    row = conn.execute(
        select(
            record_versions.c.id,
            record_versions.c.type,
            record_versions.c.version,
            record_versions.c.recorded_at.label("updated_at"),
            record_versions.c.document,
        ).where(record_versions.c.id == record_id, record_versions.c.version == version)
    ).first()
    return None if row is None else _row(conn, row)


def history(conn: Connection, record_id: str, after: int, limit: int) -> list[StoredRecord]:
    """Versions of a record after version ``after``, oldest first."""
    rows = conn.execute(
        select(
            record_versions.c.id,
            record_versions.c.type,
            record_versions.c.version,
            record_versions.c.recorded_at.label("updated_at"),
            record_versions.c.document,
        )
        .where(record_versions.c.id == record_id, record_versions.c.version > after)
        .order_by(record_versions.c.version)
        .limit(limit)
    ).all()
    return [_row(conn, r) for r in rows]


def search(
    conn: Connection,
    kind: str,
    filters: SearchFilters,
    scope: ListScope,
    after: tuple[str, str] | None,
    limit: int,
) -> list[StoredRecord]:
    """Current records of one type in (updated_at, id) order, after the cursor position."""
    if scope.nothing:
        return []
    c = records.c
    query = select(c.id, c.type, c.version, c.updated_at, c.document, c.sandbox_owner).where(
        c.type == kind,
        # Sandbox records are the sandbox's alone, and live records never its (SDS-SEC-027).
        c.sandbox_owner.is_(None)
        if scope.sandbox_owner is None
        else c.sandbox_owner == scope.sandbox_owner,
    )
    for column, wanted in (
        (c.person_id, filters.person),
        (c.council_area, filters.council_area),
        (c.status, filters.status),
        (c.plan_id, filters.plan),
    ):
        if wanted is not None:
            query = query.where(column == wanted)
    if filters.source is not None:
        # A source code names its sub-streams too: "ilf-scotland" also finds
        # "ilf-scotland.transition-fund".
        pattern = "".join("\\" + ch if ch in "\\%_" else ch for ch in filters.source)
        query = query.where(
            or_(c.source == filters.source, c.source.like(pattern + ".%", escape="\\"))
        )
    if filters.updated_since is not None:
        query = query.where(c.updated_at >= filters.updated_since)
    # The policy's predicates go into the SQL itself, so paging never leaks (HAPI #2207).
    for column, allowed in (
        (c.council_area, scope.council_areas),
        (c.source, scope.sources),
        (c.person_id, scope.person_ids),
    ):
        if allowed is not None:
            query = query.where(column.in_(sorted(allowed)))
    if after is not None:
        query = query.where(
            or_(c.updated_at > after[0], and_(c.updated_at == after[0], c.id > after[1]))
        )
    rows = conn.execute(query.order_by(c.updated_at, c.id).limit(limit)).all()
    return [_row(conn, r) for r in rows]


def search_visible(
    conn: Connection,
    principal: Principal,
    kind: str,
    filters: SearchFilters,
    scope: ListScope,
    after: tuple[str, str] | None,
    limit: int,
) -> list[StoredRecord]:
    """:func:`search`, keeping only rows ``principal`` may read when the scope says so.

    Rows are scanned in batches from the cursor position until ``limit`` readable rows are
    found or the table ends, so paging terminates and every page (and its cursor, which
    names the page's last row) holds only readable rows (HAPI #2207).
    """
    if scope.nothing or not scope.check_rows:
        return search(conn, kind, filters, scope, after, limit)
    lookup = StoreLookup(conn)
    batch = max(limit, 50)
    found: list[StoredRecord] = []
    position = after
    while len(found) < limit:
        rows = search(conn, kind, filters, scope, position, batch)
        found.extend(
            r
            for r in rows
            if decide(
                principal, Action.READ, r.document, lookup, sandbox_owner=r.sandbox_owner
            ).allowed
        )
        if len(rows) < batch:
            break
        position = (rows[-1].updated_at, rows[-1].id)
    return found[:limit]


class StoreLookup:
    """What the policy needs to know about a record's person, read in the caller's transaction.

    Implements :class:`gateway.security.seam.RecordLookup`; nothing is cached, so a consent
    withdrawn in one request counts from the next (SDS-SEC-031).
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @property
    def connection(self) -> Connection:
        """The caller's connection (the policy audits allowed writes in its transaction)."""
        return self._conn

    def person(self, person_id: str) -> Mapping[str, Any] | None:
        # The policy needs the person's area and consents even where its caller may not
        # read the person (a funder reading a consented budget), so it looks past the wall.
        with system_view(self._conn):
            stored = get_record(self._conn, person_id, "person")
        return None if stored is None else stored.document

    def joint_assessment_boards(self, person_id: str) -> frozenset[str]:
        with system_view(self._conn):
            texts = (
                self._conn.execute(
                    select(records.c.document).where(
                        records.c.type == "assessment", records.c.person_id == person_id
                    )
                )
                .scalars()
                .all()
            )
        boards = set()
        for text in texts:
            document = orjson.loads(text)
            board = document.get("health_board")
            if document.get("kind") == "joint" and isinstance(board, dict):
                code = board.get("code")
                if isinstance(code, str):
                    boards.add(code)
        return frozenset(boards)
