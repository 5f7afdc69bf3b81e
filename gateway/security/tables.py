"""The security layer's tables, on their own ``MetaData`` so they never collide with the gateway's.

All names start with ``security_``. ``create_tables(engine)`` creates what is missing; an Alembic
migration in the gateway can instead include :data:`metadata` in its target metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "audit_checkpoints",
    "audit_entries",
    "create_tables",
    "metadata",
    "organisation_keys",
    "organisations",
    "seen_assertions",
]

metadata = MetaData()

organisations = Table(
    "security_organisations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("code", String(64), nullable=False),
    Column("funder_kind", String(32)),
    Column("status", String(16), nullable=False),
    Column("demo", Integer, nullable=False, default=0),
    Column("created_at", String(32), nullable=False),
)

organisation_keys = Table(
    "security_organisation_keys",
    metadata,
    Column(
        "organisation_id",
        String(64),
        ForeignKey("security_organisations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kid", String(128), nullable=False),
    Column("jwk", Text, nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("retired_at", String(32)),
    PrimaryKeyConstraint("organisation_id", "kid"),
)

# One row per client assertion accepted; the primary key makes a replay fail in the database
# even when two gateway processes see the same assertion at the same moment (SDS-SEC-004).
seen_assertions = Table(
    "security_seen_assertions",
    metadata,
    Column("issuer", String(64), nullable=False),
    Column("jti", String(255), nullable=False),
    Column("expires_at", String(32), nullable=False),
    PrimaryKeyConstraint("issuer", "jti"),
)

audit_entries = Table(
    "security_audit_entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("record_type", String(32)),
    Column("record_id", String(64)),
    Column("record_version", Integer),
    Column("request_id", String(128)),
    Column("correlation_id", String(128)),
    Column("consent_id", String(64)),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

audit_checkpoints = Table(
    "security_audit_checkpoints",
    metadata,
    Column("size", Integer, primary_key=True, autoincrement=False),
    Column("head", String(64), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("kid", String(128), nullable=False),
    Column("signature", String(128), nullable=False),
    UniqueConstraint("head", name="uq_security_audit_checkpoint_head"),
)


def create_tables(engine: Engine) -> None:
    """Create the security tables that do not exist yet."""
    metadata.create_all(engine)
