"""Alembic environment: migrations always run on a connection the gateway hands over.

Several gateway processes may start together on one database, so the migration takes a lock
first: a transaction-scoped advisory lock on PostgreSQL, the write lock (``BEGIN IMMEDIATE``)
on SQLite. The version check happens inside that transaction, so only one process migrates.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from gateway.storage.tables import metadata

_LOCK_ID = 0x5D5C_6A7E_0001


def _run() -> None:
    connection = context.config.attributes["connection"]
    if connection.dialect.name == "sqlite":
        connection = connection.execution_options(sdsx_write=True)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        context.run_migrations()


_run()
