"""Alembic migrations of the gateway's database, run programmatically (``upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

__all__ = ["downgrade", "upgrade"]

_HERE = Path(__file__).resolve().parent


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to the newest schema; safe to call from several processes at once.

    ``engine`` should come from :func:`gateway.storage.open_database`: revision 0002 seals the
    CHI and NI numbers already stored with the field cipher it carries.
    """
    with engine.connect() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (tests and emergencies; data is kept)."""
    with engine.connect() as connection:
        command.downgrade(_config(connection), revision)
