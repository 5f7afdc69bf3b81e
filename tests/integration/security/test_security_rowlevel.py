"""PostgreSQL's row-level wall (SDS-SEC-028): rows stay out of reach with the policy bypassed.

The gateway stores the Rory persona and a person of Glasgow's through its API, a vendor
sandbox stores a person of its own, and then the storage layer is called directly, as a given
organisation, with no policy predicate at all: PostgreSQL alone must keep every row outside
that organisation's reach out of reads, history and writes. The gateway connects as the
superuser ``postgres``, so these tests also prove the wall stands for a superuser.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PostgresSchema, postgres_base_url
from gateway_client import ApiClient
from gateway_documents import person
from gateway_personas import store_persona
from sqlalchemy import select, text
from sqlalchemy.exc import DataError, ProgrammingError

from gateway.config import Settings
from gateway.policy import ListScope
from gateway.security.access import Role, role_rules
from gateway.security.rowlevel import enter_wall, system_view
from gateway.security.tokens import Principal
from gateway.storage import Database, open_database
from gateway.storage import records as repo
from gateway.storage.tables import idempotency_keys, records

pytestmark = pytest.mark.postgres

KINDS = ("person", "assessment", "support-plan", "funding-line", "individual-budget")
EVERYTHING = ListScope()
GLASGOW = "S12000049"


@pytest.fixture
def database_url() -> Iterator[str]:
    """PostgreSQL only: SQLite has no row-level security, the policy is its only wall."""
    schema = PostgresSchema(postgres_base_url())
    try:
        yield schema.url
    finally:
        schema.drop()


def _principal(org: str, role: Role, code: str, kind: str | None = None) -> Principal:
    return Principal(org, role, code, role_rules(role).scopes, funder_kind=kind)


PRINCIPALS = {
    "city-of-edinburgh": _principal("city-of-edinburgh", Role.COUNCIL, "S12000036"),
    "glasgow-city": _principal("glasgow-city", Role.COUNCIL, GLASGOW),
    "nhs-lothian": _principal("nhs-lothian", Role.HEALTH_BOARD, "S08000024"),
    "ilf-scotland": _principal("ilf-scotland", Role.FUNDER, "ilf-scotland", "ilf-scotland"),
    "dwp-access-to-work": _principal(
        "dwp-access-to-work", Role.FUNDER, "dwp-access-to-work", "dwp"
    ),
    "demo-auditor": _principal("demo-auditor", Role.AUDITOR, "demo-auditor"),
    "demo-vendor": _principal("demo-vendor", Role.VENDOR_SANDBOX, "demo-vendor"),
}


@pytest.fixture
def stored(api: ApiClient, settings: Settings) -> Iterator[tuple[Database, dict[str, str]]]:
    """The world, stored through the API; the database, and record id -> label.

    Labels are ``person``, ``glasgow-person``, ``sandbox-person``, the other record types,
    and ``line:<source>`` for funding lines.
    """
    plan_id = store_persona(api)
    budget = api.post("/v1/budgets/compute", json={"plan": plan_id})
    assert budget.status_code == 201, budget.text
    glasgow = api.acting_as("glasgow-city").post("/v1/persons", json=person(council_area=GLASGOW))
    sandbox = api.acting_as("demo-vendor").post("/v1/persons", json=person())
    assert glasgow.status_code == sandbox.status_code == 201, (glasgow.text, sandbox.text)
    database = open_database(settings)
    labels = {glasgow.json()["id"]: "glasgow-person", sandbox.json()["id"]: "sandbox-person"}
    with database.write() as conn:
        for kind in KINDS:
            for row in repo.search(conn, kind, repo.SearchFilters(), EVERYTHING, None, 100):
                source = row.document.get("source")
                labels.setdefault(row.id, kind if source is None else f"line:{source}")
    try:
        yield database, labels
    finally:
        database.dispose()


def _visible(database: Database, principal: Principal | None) -> set[str]:
    """Every record id a bare query finds: no policy predicate, only the wall."""
    with database.for_caller(principal).read() as conn:
        return set(conn.execute(select(records.c.id)).scalars())


def test_each_caller_sees_only_rows_within_its_wall(stored: tuple) -> None:
    database, labels = stored
    assert sorted(labels.values()).count("line:council-social-care") == 2
    assert len(labels) == 12, sorted(labels.values())

    def having(*wanted: str) -> set[str]:
        return {i for i, label in labels.items() if label.startswith(wanted)}

    rory = {i for i, label in labels.items() if label not in ("glasgow-person", "sandbox-person")}
    live = ("person", "assessment", "support-plan", "individual-budget")
    expected = {
        "city-of-edinburgh": rory,
        "glasgow-city": having("glasgow-person"),
        "nhs-lothian": having(*live, "glasgow-person", "line:nhs-board"),
        "ilf-scotland": having("individual-budget", "line:ilf-scotland"),
        "dwp-access-to-work": having("individual-budget", "line:dwp-access-to-work"),
        "demo-auditor": set(),
        "demo-vendor": having("sandbox-person"),
    }
    for organisation, ids in expected.items():
        seen = _visible(database, PRINCIPALS[organisation])
        assert seen == ids, (organisation, sorted(labels[i] for i in seen ^ ids))
    assert _visible(database, None) == set(labels)


def test_a_transaction_that_names_no_caller_sees_nothing(stored: tuple) -> None:
    database, _labels = stored
    with database.engine.begin() as conn:
        enter_wall(conn)
        assert conn.execute(text("SELECT count(*) FROM records")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM record_versions")).scalar_one() == 0


def test_the_policys_own_look_ups_see_past_the_wall_and_then_give_the_caller_back(
    stored: tuple,
) -> None:
    database, labels = stored
    glasgow = {i for i, label in labels.items() if label == "glasgow-person"}
    with database.for_caller(PRINCIPALS["glasgow-city"]).read() as conn:
        with system_view(conn):
            assert set(conn.execute(select(records.c.id)).scalars()) == set(labels)
            with system_view(conn):
                assert len(set(conn.execute(select(records.c.id)).scalars())) == len(labels)
        assert set(conn.execute(select(records.c.id)).scalars()) == glasgow


def test_the_wall_stands_although_the_gateway_connects_as_a_superuser(stored: tuple) -> None:
    database, _labels = stored
    with database.for_caller(PRINCIPALS["glasgow-city"]).read() as conn:
        row = conn.execute(
            text(
                "SELECT current_user, session_user,"
                " (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"
            )
        ).one()
    assert row[0] == "sdsx_app"
    if row[2] is not True:
        pytest.skip("SDSX_TEST_POSTGRES_URL connects as an ordinary role, not a superuser")


def test_history_versions_and_direct_reads_stop_at_the_wall(stored: tuple) -> None:
    database, labels = stored
    by_label = {label: i for i, label in labels.items()}
    foreign = by_label["person"]
    with database.for_caller(PRINCIPALS["glasgow-city"]).read() as conn:
        assert repo.get_record(conn, foreign) is None
        assert repo.get_version(conn, foreign, 1) is None
        assert repo.history(conn, foreign, 0, 10) == []
        assert repo.get_record(conn, by_label["glasgow-person"]) is not None
    with database.for_caller(PRINCIPALS["demo-vendor"]).read() as conn:
        assert repo.get_record(conn, foreign) is None
        assert repo.get_record(conn, by_label["sandbox-person"]) is not None


def _document(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "id": str(uuid.uuid4()), "version": 1, **fields}


@pytest.mark.parametrize(
    ("organisation", "document", "sandbox"),
    [
        ("glasgow-city", _document("person", council_area="S12000036"), None),
        ("glasgow-city", _document("person", council_area=GLASGOW), "demo-vendor"),
        ("ilf-scotland", _document("funding-line", source="dwp-access-to-work"), None),
        ("nhs-lothian", _document("funding-line", source="ilf-scotland"), None),
        ("demo-vendor", _document("person", council_area=GLASGOW), None),
        ("demo-auditor", _document("person", council_area=GLASGOW), None),
    ],
)
def test_writes_outside_the_wall_are_refused(
    stored: tuple, organisation: str, document: dict[str, Any], sandbox: str | None
) -> None:
    database, _labels = stored
    caller = database.for_caller(PRINCIPALS[organisation])
    with pytest.raises(ProgrammingError, match="row-level security"), caller.write() as conn:
        repo.insert_record(conn, document, organisation, sandbox_owner=sandbox)


def test_updates_of_rows_beyond_the_wall_change_nothing(stored: tuple) -> None:
    database, labels = stored
    rory = next(i for i, label in labels.items() if label == "person")
    with database.read() as conn:
        current = repo.get_record(conn, rory)
    assert current is not None
    changed = {**current.document, "version": current.version + 1, "birth_date": "1901-01-01"}
    with database.for_caller(PRINCIPALS["glasgow-city"]).write() as conn:
        assert repo.update_record(conn, changed, current.version, "glasgow-city") is None
    with database.read() as conn:
        after = repo.get_record(conn, rory)
    assert after is not None
    assert after.version == current.version


def test_idempotency_keys_are_their_clients_alone(api: ApiClient, settings: Settings) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post("/v1/persons", json=person(), headers=key).status_code == 201
    database = open_database(settings)
    try:
        owners = {}
        for organisation in ("city-of-edinburgh", "glasgow-city"):
            with database.for_caller(PRINCIPALS[organisation]).read() as conn:
                found = conn.execute(select(idempotency_keys.c.client_id)).scalars().all()
                owners[organisation] = set(found)
    finally:
        database.dispose()
    assert owners == {"city-of-edinburgh": {"city-of-edinburgh"}, "glasgow-city": set()}


def test_routers_open_transactions_only_behind_the_wall() -> None:
    """A raw engine connection in a router would bypass the wall, so none may exist."""
    gateway = Path(__file__).resolve().parents[3] / "gateway"
    raw = re.compile(r"\.(engine|writer)\.(connect|begin)\(")
    offenders = [
        f"{path.relative_to(gateway.parent)}:{number}"
        for path in [*sorted((gateway / "routers").glob("*.py")), gateway / "store.py"]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if raw.search(line)
    ]
    assert not offenders, offenders


def test_maintenance_runs_as_the_gateway_itself(stored: tuple) -> None:
    """Re-encryption sees every row even where forced row-level security binds the owner."""
    database, labels = stored
    with database.maintain() as conn:
        role = conn.execute(text("SELECT current_setting('sdsx.role', true)")).scalar_one()
        seen = set(conn.execute(select(records.c.id)).scalars())
    assert role == "system"
    assert seen == set(labels)


def test_a_look_up_that_breaks_the_transaction_reports_its_own_error(stored: tuple) -> None:
    """An outage inside a policy look-up must reach the 503 handling, not a restore error."""
    database, _labels = stored
    caller = PRINCIPALS["city-of-edinburgh"]
    with (
        pytest.raises(DataError),
        database.for_caller(caller).read() as conn,
        system_view(conn),
    ):
        conn.execute(text("SELECT 1 / 0"))
