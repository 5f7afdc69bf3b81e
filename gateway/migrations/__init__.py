"""Alembic migrations of the gateway's database, run programmatically (``upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

__all__ = ["upgrade"]

_HERE = Path(__file__).resolve().parent


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; safe to call from several processes at once."""
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
