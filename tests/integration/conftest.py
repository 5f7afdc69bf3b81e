"""Fixtures for gateway tests: a database per test on SQLite and on PostgreSQL.

The gateway's data folder (demo organisations and their keys) is a fresh temporary folder
per test; ``api`` acts as the City of Edinburgh Council (the council area of the test
documents), and ``api.acting_as(...)`` as any other demo organisation.

Every test using ``database_url`` runs twice, on a fresh SQLite file and on a fresh
PostgreSQL schema (dropped afterwards). PostgreSQL comes from ``SDSX_TEST_POSTGRES_URL``; when
it is unset the PostgreSQL runs skip with the reason, except under CI (``CI`` set), where
they fail: CI must prove both databases.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from gateway.config import Settings, sqlite_url

sys.path.insert(0, str(Path(__file__).parent))

from gateway_client import ApiClient, running_api
from gateway_tokens import BASE

POSTGRES_ENV = "SDSX_TEST_POSTGRES_URL"
COUNCIL = "city-of-edinburgh"


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set, and CI must run the PostgreSQL tests")
        pytest.skip(
            f"{POSTGRES_ENV} is not set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    return url


class PostgresSchema:
    """A uniquely named schema, and a URL whose connections use it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.name = f"sdsx_test_{uuid.uuid4().hex[:12]}"
        self._engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with self._engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        separator = "&" if "?" in base_url else "?"
        self.url = f"{base_url}{separator}options={quote(f'-csearch_path={self.name}')}"

    def drop(self) -> None:
        with self._engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self._engine.dispose()


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _fresh_database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield sqlite_url(folder / "sdsx.db")
        return
    schema = PostgresSchema(postgres_base_url())
    try:
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema."""
    yield from _fresh_database(request.param, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One fresh database shared by a module's tests, for runs too many for one per test."""
    yield from _fresh_database(request.param, tmp_path_factory.mktemp("database"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        db_timeout_seconds=5.0,
        data_dir=tmp_path / ".sdsx",
        public_url=BASE,
        rate_per_second=0,
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiClient]:
    """The gateway on a fresh database, reached through httpx's ASGI transport."""
    with running_api(settings, COUNCIL) as client:
        yield client
