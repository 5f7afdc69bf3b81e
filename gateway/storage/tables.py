"""The gateway's tables: current records, their append-only versions, identifiers, keys.

Documents are stored as the exact JSON text the gateway returns, so a read, a history read
and an idempotent replay give the same bytes. The columns beside the text are the indexed
facts list filters need (type, person, council area, status, source, plan, updated_at).
``updated_at`` is a fixed-width UTC string (``YYYY-MM-DDTHH:MM:SS.ffffffZ``) so its text
order is its time order on every database. ``sandbox_owner`` names the vendor sandbox a
record belongs to (``NULL`` for live data, SDS-SEC-027) and ``person_area`` the council area
of the record's person when it was written; PostgreSQL's row-level wall reads both
(SDS-SEC-028).

No column holds a CHI or National Insurance number in clear: document texts carry them sealed,
the identifiers table their lookup tokens, and ``idempotency_keys.body`` is sealed whole
(:mod:`gateway.storage.sealing`, SDS-SEC-040).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

__all__ = [
    "gateway_secrets",
    "idempotency_keys",
    "identifiers",
    "metadata",
    "record_versions",
    "records",
]

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("person_id", String(36)),
    Column("plan_id", String(36)),
    Column("council_area", String(16)),
    Column("status", String(32)),
    Column("source", String(64)),
    Column("updated_at", String(32), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("document", Text, nullable=False),
    Column("sandbox_owner", String(64)),
    Column("person_area", String(16)),
    Index("ix_records_type_updated", "type", "updated_at", "id"),
    Index("ix_records_person", "person_id", "type"),
    Index("ix_records_plan", "plan_id", "type"),
    Index("ix_records_council_area", "type", "council_area", "updated_at", "id"),
    Index("ix_records_status", "type", "status"),
    Index("ix_records_source", "type", "source", "updated_at", "id"),
)

record_versions = Table(
    "record_versions",
    metadata,
    Column("id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("document", Text, nullable=False),
    PrimaryKeyConstraint("id", "version", name="pk_record_versions"),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("system", String(200), nullable=False),
    Column("assigner", String(64), nullable=False),
    # A CHI or NI number is held as its keyed lookup token, "<kid>.<hex HMAC>" (SDS-SEC-041).
    Column("value", String(128), nullable=False),
    Column("record_id", String(36), nullable=False),
    PrimaryKeyConstraint("system", "assigner", "value", name="pk_identifiers"),
    Index("ix_identifiers_record", "record_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("client_id", String(128), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("headers", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
    PrimaryKeyConstraint("client_id", "key", name="pk_idempotency_keys"),
)

gateway_secrets = Table(
    "gateway_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)
