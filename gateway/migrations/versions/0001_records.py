"""Records, their versions, identifiers, idempotency keys and the gateway's secrets.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("person_id", sa.String(36)),
        sa.Column("plan_id", sa.String(36)),
        sa.Column("council_area", sa.String(16)),
        sa.Column("status", sa.String(32)),
        sa.Column("source", sa.String(64)),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_index("ix_records_type_updated", "records", ["type", "updated_at", "id"])
    op.create_index("ix_records_person", "records", ["person_id", "type"])
    op.create_index("ix_records_plan", "records", ["plan_id", "type"])
    op.create_index("ix_records_council_area", "records", ["type", "council_area"])
    op.create_index("ix_records_status", "records", ["type", "status"])
    op.create_index("ix_records_source", "records", ["type", "source"])
    op.create_table(
        "record_versions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name="pk_record_versions"),
    )
    op.create_table(
        "identifiers",
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("assigner", sa.String(64), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("system", "assigner", "value", name="pk_identifiers"),
    )
    op.create_index("ix_identifiers_record", "identifiers", ["record_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "key", name="pk_idempotency_keys"),
    )
    secrets_table = op.create_table(
        "gateway_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    # The cursor-signing secret is created once per database, so every gateway process on
    # the database signs and checks cursors alike without configuration (SDS-API-010).
    op.bulk_insert(secrets_table, [{"name": "cursor", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    for name in ("gateway_secrets", "idempotency_keys", "identifiers", "record_versions"):
        op.drop_table(name)
    op.drop_table("records")
