"""Row-level security on PostgreSQL: a second wall under the policy module (SDS-SEC-028).

The policy module decides per record; if a code path ever forgets to ask it, PostgreSQL still
refuses rows outside the caller's reach. Every gateway transaction on PostgreSQL first drops
to the ``sdsx_app`` role (:data:`APP_ROLE`, ``NOLOGIN``, created by migration 0003), which is
subject to row-level security even when the gateway connects as a superuser or as the tables'
owner, then names its caller in transaction-local settings (:func:`apply_session`). The
policies written by :func:`wall_statements` compare each row with those settings.

The wall is deny-by-default: a transaction that names no caller sees no rows, and the
gateway's own work names itself ``system``. It is coarser than the policy, never finer, so it
can never refuse what the policy allows: a council is held to the records of people in its
area and the lines it pays (SDS-SEC-023), a funder to its own funding source's lines and to
budgets (which the policy gates on consent, SDS-SEC-025), an NHS board away from every line
but NHS ones (SDS-SEC-024), an auditor away from every record (SDS-SEC-026), and a vendor
sandbox to the sandbox records it owns while nobody else sees any (SDS-SEC-027).

The policy module itself needs a few facts from rows its caller may not read (a person's
consents before a funder reads a budget, the boards a joint assessment names);
:func:`system_view` lends it the gateway's own view for exactly those look-ups.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

import spec
from gateway.security.access import Role, role_rules
from gateway.security.tokens import Principal

__all__ = [
    "APP_ROLE",
    "SYSTEM",
    "apply_session",
    "enter_wall",
    "grant_statements",
    "sandbox_owner",
    "system_view",
    "wall_statements",
]

SYSTEM = "system"
APP_ROLE = "sdsx_app"
_POLICY = "sdsx_org_wall"
_SETTINGS = ("role", "code", "org", "sources")
# What the gateway's role may do to each table (SDS-SEC-028): the gateway never deletes a
# record or a version, nor changes a version once written, so its role cannot either; the
# cursor secret is read, never written.
_GRANTS = {
    "records": "SELECT, INSERT, UPDATE",
    "record_versions": "SELECT, INSERT",
    "identifiers": "SELECT, INSERT, DELETE",
    "idempotency_keys": "SELECT, INSERT, UPDATE, DELETE",
    "gateway_secrets": "SELECT",
}


def _setting(name: str) -> str:
    # A scalar subquery is evaluated once per statement (an InitPlan), not once per row as a
    # bare current_setting() would be: measured 2.6x faster on a 100,000-row list.
    return f"(SELECT coalesce(current_setting('sdsx.{name}', true), ''))"


def _records_rule() -> str:
    role, code, org, sources = (_setting(name) for name in _SETTINGS)
    return f"""(
        {role} = '{SYSTEM}'
        OR ({role} = '{Role.VENDOR_SANDBOX.value}' AND sandbox_owner = {org})
        OR (sandbox_owner IS NULL AND (
            ({role} = '{Role.COUNCIL.value}' AND (
                person_area = {code}
                OR (type = 'funding-line' AND council_area = {code})))
            OR ({role} = '{Role.HEALTH_BOARD.value}' AND (
                type <> 'funding-line' OR source = 'nhs-board'))
            OR ({role} = '{Role.FUNDER.value}' AND (
                type = 'individual-budget'
                OR source = ANY (string_to_array({sources}, ','))))))
    )"""


def _policy(table: str, rule: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {_POLICY} ON {table}",
        f"CREATE POLICY {_POLICY} ON {table} USING {rule} WITH CHECK {rule}",
    ]


def wall_statements() -> list[str]:
    """SQL that turns the wall on for the gateway's tables of personal records (idempotent).

    ``records`` is judged row by row; a row of ``record_versions`` is visible while its
    current record is, so history never shows more than the record; an idempotency key's
    stored response (which holds a record) belongs to the client that sent it.
    ``identifiers`` stays outside the wall: linking a funder's line to its person, and
    refusing a second person with one CHI, must see every claim (SDS-API-007).
    """
    role, org = _setting("role"), _setting("org")
    versions = f"({role} = '{SYSTEM}' OR id IN (SELECT id FROM records))"
    keys = f"({role} = '{SYSTEM}' OR client_id = {org})"
    return [
        *_policy("records", _records_rule()),
        *_policy("record_versions", versions),
        *_policy("idempotency_keys", keys),
    ]


def grant_statements(schema: str) -> list[str]:
    """SQL creating :data:`APP_ROLE` if missing and granting it what the gateway needs.

    The role is shared by every schema of the cluster, so creating it tolerates a concurrent
    creator. Tables made later in ``schema`` (the security layer's, created at start-up) are
    readable and appendable by default; none holds a personal record.
    """
    quoted = '"' + schema.replace('"', '""') + '"'
    create = f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$"""
    # A gateway connecting as an ordinary role needs membership to SET ROLE; a superuser
    # needs none (and granting a role to a superuser would only add noise).
    member = f"""DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
        END IF;
    END $$"""
    return [
        create,
        member,
        f"GRANT USAGE ON SCHEMA {quoted} TO {APP_ROLE}",
        *(f"GRANT {rights} ON {table} TO {APP_ROLE}" for table, rights in _GRANTS.items()),
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quoted} GRANT SELECT, INSERT ON TABLES TO {APP_ROLE}",
        # The audit chain is appended inside each write's transaction (SDS-AUD-001); on a
        # database upgraded in place its table already exists.
        f"""DO $$ BEGIN
            IF to_regclass('security_audit_entries') IS NOT NULL THEN
                GRANT SELECT, INSERT ON security_audit_entries TO {APP_ROLE};
            END IF;
        END $$""",
    ]


def _sources(principal: Principal) -> str:
    kind = role_rules(principal.role).kinds.get(principal.funder_kind or "")
    if kind is None:
        return ""
    return ",".join(c for c in spec.valueset("funding-source").code_list if kind.owns(c))


def sandbox_owner(principal: Principal) -> str | None:
    """The sandbox a record written by ``principal`` belongs to (``None``: live data)."""
    return principal.organisation_id if principal.role is Role.VENDOR_SANDBOX else None


# Whom each open connection's transaction names, so system_view can restore the caller
# without asking the database. A Connection object lives for one checkout from the pool and
# its entry goes with it; enter_wall clears it when a transaction starts.
_named: weakref.WeakKeyDictionary[Connection, dict[str, str]] = weakref.WeakKeyDictionary()


def _name(conn: Connection, values: dict[str, str]) -> None:
    _named[conn] = values
    conn.execute(
        text(
            "SELECT set_config('sdsx.role', :role, true), set_config('sdsx.code', :code, true),"
            " set_config('sdsx.org', :org, true), set_config('sdsx.sources', :sources, true)"
        ),
        values,
    )


def enter_wall(conn: Connection) -> None:
    """Drop this transaction to :data:`APP_ROLE`, naming nobody yet (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        _named.pop(conn, None)
        conn.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))


def apply_session(conn: Connection, principal: Principal | None) -> None:
    """Name the caller for the rest of this transaction (``None``: the gateway itself).

    A no-op on databases other than PostgreSQL, where the policy module is the only wall.
    """
    if conn.dialect.name != "postgresql":
        return
    _name(
        conn,
        {
            "role": SYSTEM if principal is None else principal.role.value,
            "code": "" if principal is None else principal.code,
            "org": "" if principal is None else principal.organisation_id,
            "sources": "" if principal is None else _sources(principal),
        },
    )


@contextmanager
def system_view(conn: Connection) -> Iterator[None]:
    """Within the block, see as the gateway; afterwards, as the caller named before.

    Only the policy module's own look-ups use it: they read facts a decision needs, and
    what they read never leaves the gateway except as the decision.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    before = _named.get(conn)
    if before is None:
        names = ", ".join(f"{_setting(name)} AS {name}" for name in _SETTINGS)
        before = dict(conn.execute(text(f"SELECT {names}")).mappings().one())
    if before["role"] == SYSTEM:
        yield
        return
    _name(conn, {"role": SYSTEM, "code": "", "org": "", "sources": ""})
    try:
        yield
    except BaseException:
        # Hand the caller back if the transaction can still run anything; where the look-up
        # broke it (a lost connection, an aborted statement) it can run nothing more as
        # anyone, and the look-up's own error is the one to report (a 503 for an outage).
        with suppress(SQLAlchemyError):
            _name(conn, before)
        raise
    _name(conn, before)
