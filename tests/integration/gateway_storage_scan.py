"""Scanning a gateway database for identifiers stored in clear (SDS-SEC-040)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import create_engine, inspect, text

__all__ = ["clear_values_in"]


def _spellings(values: list[str]) -> set[str]:
    """Each value as sent, without spaces, and in lower case: any of them is a leak."""
    found = set()
    for value in values:
        bare = value.replace(" ", "")
        found |= {value, bare, bare.lower()}
    return found


def _cells(database_url: str) -> Iterator[tuple[str, str, bytes]]:
    """Every non-null cell of every table, as bytes (text as UTF-8)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                    for column, value in row.items():
                        if value is None:
                            continue
                        raw = bytes(value) if isinstance(value, bytes | memoryview) else None
                        yield table, column, raw if raw is not None else str(value).encode()
    finally:
        engine.dispose()


def clear_values_in(database_url: str, values: list[str]) -> list[str]:
    """Where (table.column) any spelling of ``values`` is stored in clear."""
    needles = [s.encode() for s in _spellings(values)]
    return sorted(
        {
            f"{table}.{column}"
            for table, column, cell in _cells(database_url)
            for n in needles
            if n in cell
        }
    )
