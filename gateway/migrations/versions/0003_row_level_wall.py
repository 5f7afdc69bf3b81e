"""Sandbox ownership and the person's area on records; PostgreSQL's row-level wall switched on.

``sandbox_owner`` marks the records a vendor sandbox wrote (SDS-SEC-027); ``person_area`` keeps
the council area of each record's person, which is what the access policy judges a council by
(SDS-SEC-023). On PostgreSQL the migration then creates the ``sdsx_app`` role every gateway
transaction drops to, grants it what the gateway needs, and turns row-level security on for
the tables holding personal records (SDS-SEC-028; docs/adr/0007).

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.security.rowlevel import grant_statements, wall_statements

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WALLED = ("records", "record_versions", "idempotency_keys")


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("sandbox_owner", sa.String(64)))
        batch.add_column(sa.Column("person_area", sa.String(16)))
    # Records stored before this revision are live data; their person's area is the area of
    # the person record they name (a person is its own person).
    op.execute(
        "UPDATE records SET person_area = ("
        "SELECT p.council_area FROM records p WHERE p.type = 'person' AND p.id = records.person_id)"
    )
    # Row-level quals hide their selectivity from PostgreSQL's planner, which then sorts every
    # row of a council's (or a source's) list instead of walking an index in page order;
    # indexes in page order within the filter keep a page a page (SDS-API-010).
    for name, column in (
        ("ix_records_council_area", "council_area"),
        ("ix_records_source", "source"),
    ):
        op.drop_index(name, table_name="records")
        op.create_index(name, "records", ["type", column, "updated_at", "id"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for statement in (*grant_statements(str(schema)), *wall_statements()):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in _WALLED:
            op.execute(f"DROP POLICY IF EXISTS sdsx_org_wall ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for name, column in (
        ("ix_records_council_area", "council_area"),
        ("ix_records_source", "source"),
    ):
        op.drop_index(name, table_name="records")
        op.create_index(name, "records", ["type", column])
    with op.batch_alter_table("records") as batch:
        batch.drop_column("person_area")
        batch.drop_column("sandbox_owner")
