"""Dated rate tables: the cash figures and conventions the engine reads, never Python literals.

Every cap, threshold, minimum rate, cost-share band and year convention lives in
``spec/rates/<table>.json`` with an ``effective_from`` date and its source (SDS-BUD-036). A
date selects the entry with the latest ``effective_from`` on or before it. The tables are
checked against ``spec/schemas/meta/rate-table.schema.json`` when first loaded.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import jsonschema

from adapters.budget.periods import Span

__all__ = ["RateTable", "RateTableError", "rate_tables", "rates_release", "table"]


class RateTableError(ValueError):
    """A rate table is missing, malformed or has no entry for a date (SDS-BUD-036)."""


@dataclass(frozen=True, slots=True)
class RateTable:
    """One table: entries sorted by the day (as an ordinal) they take effect."""

    id: str
    starts: tuple[int, ...]
    values: tuple[dict[str, Any], ...]

    def at(self, day: int, name: str) -> Any:
        """The figure ``name`` in force on ``day`` (a date ordinal)."""
        index = bisect_right(self.starts, day) - 1
        if index < 0:
            when = date.fromordinal(day).isoformat()
            raise RateTableError(f"rate table {self.id!r} has no entry in force on {when}")
        try:
            return self.values[index][name]
        except KeyError:
            raise RateTableError(f"rate table {self.id!r} has no figure {name!r}") from None

    def pieces(self, span: Span, name: str) -> Iterator[tuple[Span, Any]]:
        """``span`` cut where the figure may change, with the figure in force on each piece."""
        cuts = [s for s in self.starts if span.start < s < span.stop]
        edges = [span.start, *cuts, span.stop]
        for start, stop in itertools.pairwise(edges):
            yield Span(start, stop), self.at(start, name)


def _folder() -> Any:
    return resources.files("spec") / "rates"


@functools.cache
def _meta_validator() -> jsonschema.Draft202012Validator:
    path = resources.files("spec") / "schemas" / "meta" / "rate-table.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@functools.cache
def _raw_tables() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(_folder().iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        raw = json.loads(entry.read_text(encoding="utf-8"))
        errors = sorted(_meta_validator().iter_errors(raw), key=lambda e: list(e.path))
        if errors:
            where = "/" + "/".join(str(p) for p in errors[0].path)
            raise RateTableError(f"spec/rates/{entry.name}{where}: {errors[0].message}")
        if raw["id"] + ".json" != entry.name:
            raise RateTableError(f"spec/rates/{entry.name}: id {raw['id']!r} differs from name")
        found[raw["id"]] = raw
    return found


@functools.cache
def rate_tables() -> dict[str, RateTable]:
    """Every rate table, keyed by id."""
    tables = {}
    for table_id, raw in _raw_tables().items():
        entries = sorted(raw["entries"], key=lambda e: e["effective_from"])
        starts = tuple(date.fromisoformat(e["effective_from"]).toordinal() for e in entries)
        tables[table_id] = RateTable(table_id, starts, tuple(e["values"] for e in entries))
    return tables


def table(table_id: str) -> RateTable:
    """The table ``table_id``; :class:`RateTableError` names the known tables when missing."""
    tables = rate_tables()
    try:
        return tables[table_id]
    except KeyError:
        known = ", ".join(sorted(tables))
        raise RateTableError(f"no rate table {table_id!r}; known: {known}") from None


@functools.cache
def rates_release() -> str:
    """A short digest naming the exact rate tables used, for ``calculation.rate_tables``."""
    canonical = json.dumps(_raw_tables(), sort_keys=True, separators=(",", ":"))
    return "rates-" + hashlib.sha256(canonical.encode()).hexdigest()[:12]
