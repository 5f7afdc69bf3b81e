"""Seal CHI and National Insurance numbers at rest in an existing database.

Document texts get their protected values sealed, the identifiers table gets keyed lookup
tokens instead of values (its ``value`` column widens to hold them) and stored Idempotency-Key
responses are sealed whole (SDS-SEC-040, SDS-SEC-041). The field keys come from the same
settings as the gateway's: the engine the gateway migrates with carries its cipher, and a
migration run any other way reads them from the environment. An empty database needs no key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.config import Settings
from gateway.security.fieldcrypto import FieldCipher
from gateway.security.fieldkeys import load_field_keys
from gateway.storage.resealing import Job, run_in_one_transaction
from gateway.storage.sealing import CIPHER_OPTION

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_STORED = ("records", "record_versions", "identifiers", "idempotency_keys")


def _cipher(conn: sa.Connection) -> FieldCipher:
    cipher = conn.get_execution_options().get(CIPHER_OPTION)
    if isinstance(cipher, FieldCipher):
        return cipher
    return load_field_keys(Settings.from_env()).cipher


def _is_empty(conn: sa.Connection) -> bool:
    return all(
        conn.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None for table in _STORED
    )


def _rewrite(job: Job) -> None:
    conn = op.get_bind()
    if not _is_empty(conn):
        run_in_one_transaction(conn, job, _cipher(conn))


def upgrade() -> None:
    with op.batch_alter_table("identifiers") as batch:
        batch.alter_column(
            "value", type_=sa.String(128), existing_type=sa.String(64), existing_nullable=False
        )
    _rewrite("seal")


def downgrade() -> None:
    _rewrite("open")
    with op.batch_alter_table("identifiers") as batch:
        batch.alter_column(
            "value", type_=sa.String(64), existing_type=sa.String(128), existing_nullable=False
        )
