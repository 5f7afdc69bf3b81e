"""Engines for SQLite and PostgreSQL, tuned for durability and for failing fast.

SQLite runs in WAL mode with ``synchronous=FULL`` (an acknowledged write survives a crash or
power loss) and a busy timeout; write transactions start with ``BEGIN IMMEDIATE`` so two
writers queue on the lock instead of failing on a read-to-write upgrade. PostgreSQL gets a
connect timeout, statement and lock timeouts and pre-ping, so a database outage surfaces
within the configured timeout as an error the gateway turns into 503 (SDS-API-015).

Every transaction opened through :meth:`Database.read` or :meth:`Database.write` stands behind
PostgreSQL's row-level wall (SDS-SEC-028): it drops to the gateway's ``sdsx_app`` role and
names its caller, :meth:`Database.for_caller`'s principal, or the gateway itself. The raw
engines stay for migrations and the security layer, whose tables hold no personal record.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import ConnectionPoolEntry

from gateway.config import Settings
from gateway.security.fieldcrypto import FieldCipher
from gateway.security.fieldkeys import load_field_keys
from gateway.security.rowlevel import apply_session, enter_wall
from gateway.security.tokens import Principal
from gateway.storage.sealing import CIPHER_OPTION

__all__ = ["Database", "open_database"]


@dataclass(frozen=True, slots=True)
class Database:
    """The read engine and the write engine of one gateway (the same pool underneath).

    On SQLite, writers of one process also queue on :attr:`write_lock` before asking for the
    database lock: SQLite's own busy handler polls with sleeps of up to 100 ms, which would
    put those sleeps into the tail latency of every write that meets another.

    ``caller`` is who the transactions of this view act for (``None``: the gateway itself).
    """

    engine: Engine
    writer: Engine
    is_sqlite: bool
    timeout_seconds: float
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    caller: Principal | None = None

    def dispose(self) -> None:
        self.engine.dispose()

    def for_caller(self, caller: Principal | None) -> Database:
        """The same database (engines and write lock shared), acting for ``caller``."""
        return replace(self, caller=caller)

    def _walled(self, conn: Connection) -> Connection:
        enter_wall(conn)
        apply_session(conn, self.caller)
        return conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction for :attr:`caller`, behind the row-level wall."""
        with self.engine.begin() as conn:
            yield self._walled(conn)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends without an exception."""
        with self._writing() as conn:
            yield self._walled(conn)

    @contextmanager
    def maintain(self) -> Iterator[Connection]:
        """A write transaction as the database owner, naming the gateway itself.

        For the gateway's own work on every row that a migration would otherwise do (field-key
        re-encryption): it needs the owner's rights, which :data:`APP_ROLE` lacks, and it must
        name itself ``system``, since forced row-level security binds a non-superuser owner
        too and would otherwise show it no rows (SDS-SEC-028, SDS-SEC-042).
        """
        with self._writing() as conn:
            apply_session(conn, None)
            yield conn

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        if not self.is_sqlite:
            with self.writer.begin() as conn:
                yield conn
            return
        if not self.write_lock.acquire(timeout=self.timeout_seconds):
            raise PoolTimeout("no write slot within the database timeout")
        try:
            with self.writer.begin() as conn:
                yield conn
        finally:
            self.write_lock.release()

    def ping(self) -> None:
        """Raise unless the database answers; on SQLite, unless it can take the write lock."""
        with self.write() as conn:
            conn.execute(text("SELECT 1"))


def _sqlite_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.database and url.database != ":memory:":
        from pathlib import Path

        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": settings.db_timeout_seconds, "check_same_thread": False},
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_timeout=settings.db_timeout_seconds,
    )
    busy_ms = int(settings.db_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # The driver's own transaction handling is switched off so the "begin" hook below
        # decides how each transaction starts (the SQLAlchemy pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sdsx_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(settings: Settings) -> Engine:
    engine = create_engine(
        settings.database_url,
        connect_args={"connect_timeout": max(1, math.ceil(settings.db_timeout_seconds))},
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_timeout=settings.db_timeout_seconds,
        pool_pre_ping=True,
    )
    timeout_ms = int(settings.db_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {timeout_ms}")
            cursor.execute(f"SET lock_timeout = {timeout_ms}")
            cursor.execute("SET idle_in_transaction_session_timeout = 60000")
        dbapi_connection.commit()

    return engine


def open_database(settings: Settings, cipher: FieldCipher | None = None) -> Database:
    """Engines for ``settings.database_url``, carrying the field cipher (SDS-SEC-040).

    ``cipher`` defaults to the one ``settings`` configure; without field keys in production
    this raises :class:`~gateway.security.errors.ConfigurationError`.
    """
    sealing = {CIPHER_OPTION: cipher or load_field_keys(settings).cipher}
    if settings.is_sqlite:
        engine = _sqlite_engine(settings).execution_options(**sealing)
        writer = engine.execution_options(sdsx_write=True)
        return Database(engine, writer, True, settings.db_timeout_seconds)
    engine = _postgres_engine(settings).execution_options(**sealing)
    return Database(engine, engine, False, settings.db_timeout_seconds)
