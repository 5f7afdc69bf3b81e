"""PostgreSQL row-level security: the second wall refuses rows even if the policy is skipped."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from gateway.security.access import Role, role_rules
from gateway.security.rowlevel import apply_session, enable_statements
from gateway.security.tokens import Principal

pytestmark = pytest.mark.postgres

ROWS = [
    ("g-plan", "support-plan", "S12000049", None),
    ("e-plan", "support-plan", "S12000036", None),
    ("g-ilf", "funding-line", "S12000049", "ilf-scotland"),
    ("e-dwp", "funding-line", "S12000036", "dwp-access-to-work.support-worker"),
    ("unlinked", "funding-line", None, "council-social-care"),
    ("g-budget", "individual-budget", "S12000049", None),
]


def _p(org: str, role: Role, code: str, kind: str | None = None) -> Principal:
    return Principal(org, role, code, role_rules(role).scopes, funder_kind=kind)


@pytest.fixture
def walled() -> Iterator[tuple[Engine, str]]:
    url = os.environ.get("SDSX_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SDSX_TEST_POSTGRES_URL is not set, and CI must run the PostgreSQL tests")
        pytest.skip("SDSX_TEST_POSTGRES_URL is not set")
    engine = create_engine(url)
    schema = f"sdsx_rls_{uuid.uuid4().hex[:10]}"
    app_role = f"{schema}_app"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text(f'CREATE ROLE "{app_role}" NOLOGIN'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{app_role}"'))
        table = f'"{schema}".records'
        conn.execute(
            text(
                f"CREATE TABLE {table} "
                "(id text primary key, type text, council_area text, source text)"
            )
        )
        conn.execute(text(f'GRANT SELECT, INSERT ON {table} TO "{app_role}"'))
        for statement in enable_statements(table):
            conn.execute(text(statement))
        conn.execute(text(f'SET LOCAL ROLE "{app_role}"'))
        apply_session(conn, None)
        for row in ROWS:
            conn.execute(
                text(f"INSERT INTO {table} VALUES (:a, :b, :c, :d)"),
                dict(zip("abcd", row, strict=True)),
            )
    try:
        yield engine, app_role
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP ROLE "{app_role}"'))
        engine.dispose()


def _visible(
    engine: Engine, app_role: str, principal: Principal | None, *, named: bool = True
) -> set[str]:
    schema = app_role.removesuffix("_app")
    with engine.begin() as conn:
        conn.execute(text(f'SET LOCAL ROLE "{app_role}"'))
        if named:
            apply_session(conn, principal)
        return set(conn.execute(text(f'SELECT id FROM "{schema}".records')).scalars())


def test_each_role_sees_only_rows_within_its_wall(walled: tuple[Engine, str]) -> None:
    engine, role = walled
    glasgow = _p("glasgow-city", Role.COUNCIL, "S12000049")
    assert _visible(engine, role, glasgow) == {"g-plan", "g-ilf", "g-budget", "unlinked"}
    dwp = _p("dwp", Role.FUNDER, "dwp-access-to-work", "dwp")
    assert _visible(engine, role, dwp) == {"e-dwp", "g-budget"}
    auditor = _p("audit", Role.AUDITOR, "audit")
    assert _visible(engine, role, auditor) == set()
    assert _visible(engine, role, None) == {r[0] for r in ROWS}


def test_a_transaction_that_names_no_caller_sees_nothing(walled: tuple[Engine, str]) -> None:
    engine, role = walled
    assert _visible(engine, role, None, named=False) == set()


def test_writes_outside_the_wall_are_refused(walled: tuple[Engine, str]) -> None:
    from sqlalchemy.exc import ProgrammingError

    engine, role = walled
    schema = role.removesuffix("_app")

    def foreign_insert() -> None:
        with engine.begin() as conn:
            conn.execute(text(f'SET LOCAL ROLE "{role}"'))
            apply_session(conn, _p("glasgow-city", Role.COUNCIL, "S12000049"))
            conn.execute(
                text(f"INSERT INTO \"{schema}\".records VALUES ('x', 'person', 'S12000036', NULL)")
            )

    with pytest.raises(ProgrammingError, match="row-level security"):
        foreign_insert()
