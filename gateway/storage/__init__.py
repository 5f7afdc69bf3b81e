"""Storage: tables, engines and the record repository (SQLite or PostgreSQL)."""

from __future__ import annotations

from gateway.storage.database import Database, open_database

__all__ = ["Database", "open_database"]
