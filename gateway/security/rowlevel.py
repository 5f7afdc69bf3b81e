"""Row-level security on PostgreSQL: a second wall under the policy module (SDS-SEC-028).

The policy module decides per record; if a code path ever forgets to ask it, PostgreSQL still
refuses rows outside the caller's reach. Each transaction names its caller in transaction-local
settings (:func:`apply_session`); a policy on the records table compares rows with them. The
wall is deny-by-default: a transaction that names no caller sees no rows, and the gateway's own
work (migrations, linking, checkpoints) names itself ``system``.

The wall is coarser than the policy, never finer, so it can never refuse what the policy
allows: a council is held to its council area (and unlinked council-funded lines), a funder to
its own sources (and budgets, which the policy gates on consent), while NHS boards and vendor
sandboxes, whose rules need joins, pass to the policy's per-row check. The table's owner is
subject to it too (``FORCE``); superusers are not, so the gateway must connect as an
ordinary role for the wall to stand.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

import spec
from gateway.security.access import Role, role_rules
from gateway.security.tokens import Principal

__all__ = ["SYSTEM", "apply_session", "enable_statements"]

SYSTEM = "system"
_POLICY = "sdsx_org_wall"


def _setting(name: str) -> str:
    return f"coalesce(current_setting('sdsx.{name}', true), '')"


def enable_statements(
    table: str,
    *,
    type_column: str = "type",
    council_column: str = "council_area",
    source_column: str = "source",
) -> list[str]:
    """SQL that turns the wall on for ``table`` (idempotent; run in a migration)."""
    role, code, sources = _setting("role"), _setting("code"), _setting("sources")
    rule = f"""(
        {role} = '{SYSTEM}'
        OR {role} IN ('{Role.HEALTH_BOARD.value}', '{Role.VENDOR_SANDBOX.value}')
        OR ({role} = '{Role.COUNCIL.value}' AND (
            {council_column} = {code}
            OR ({council_column} IS NULL AND {type_column} = 'funding-line')))
        OR ({role} = '{Role.FUNDER.value}' AND (
            {type_column} = 'individual-budget'
            OR {source_column} = ANY (string_to_array({sources}, ','))))
    )"""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {_POLICY} ON {table}",
        f"CREATE POLICY {_POLICY} ON {table} USING {rule} WITH CHECK {rule}",
    ]


def _sources(principal: Principal) -> str:
    kind = role_rules(principal.role).kinds.get(principal.funder_kind or "")
    if kind is None:
        return ""
    return ",".join(c for c in spec.valueset("funding-source").code_list if kind.owns(c))


def apply_session(conn: Connection, principal: Principal | None) -> None:
    """Name the caller for the rest of this transaction (``None``: the gateway itself).

    A no-op on databases other than PostgreSQL, where the policy module is the only wall.
    """
    if conn.dialect.name != "postgresql":
        return
    values = {
        "role": SYSTEM if principal is None else principal.role.value,
        "code": "" if principal is None else principal.code,
        "org": "" if principal is None else principal.organisation_id,
        "sources": "" if principal is None else _sources(principal),
    }
    conn.execute(
        text(
            "SELECT set_config('sdsx.role', :role, true), set_config('sdsx.code', :code, true),"
            " set_config('sdsx.org', :org, true), set_config('sdsx.sources', :sources, true)"
        ),
        values,
    )
