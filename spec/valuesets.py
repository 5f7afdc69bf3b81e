"""Value sets: the standard's code lists, loaded from ``spec/valuesets/*.json``.

The JSON files are the only place a code is written down. The schemas reach them through
``valuesets.schema.json``, which :func:`render_schema` generates from the files; a test fails
when the committed copy drifts (SDS-VS-001).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from spec._paths import SCHEMA_BASE, VALUESETS

__all__ = ["Code", "ValueSet", "all_valuesets", "render_schema", "valueset"]


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a value set, with its display text, definition and mappings."""

    code: str
    display: str
    definition: str
    since: str
    mappings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ValueSet:
    """A named list of codes with a canonical URL."""

    id: str
    url: str
    title: str
    description: str
    codes: tuple[Code, ...]

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    def get(self, code: str) -> Code | None:
        """Return the entry for ``code``, or ``None`` when the set has no such code."""
        return next((c for c in self.codes if c.code == code), None)

    @property
    def code_list(self) -> list[str]:
        return [c.code for c in self.codes]


def _parse(raw: dict[str, Any]) -> ValueSet:
    codes = tuple(
        Code(
            code=c["code"],
            display=c["display"],
            definition=c["definition"],
            since=c["since"],
            mappings=dict(c.get("mappings", {})),
        )
        for c in raw["codes"]
    )
    return ValueSet(raw["id"], raw["url"], raw["title"], raw["description"], codes)


@functools.cache
def all_valuesets() -> dict[str, ValueSet]:
    """Every value set shipped with the standard, keyed by id."""
    found = {}
    for path in sorted(VALUESETS.glob("*.json")):
        vs = _parse(json.loads(path.read_text(encoding="utf-8")))
        found[vs.id] = vs
    return found


def valueset(name: str) -> ValueSet:
    """The value set called ``name``; ``KeyError`` names the known sets when it is missing."""
    sets = all_valuesets()
    try:
        return sets[name]
    except KeyError:
        raise KeyError(f"no value set {name!r}; known: {', '.join(sorted(sets))}") from None


def render_schema() -> dict[str, Any]:
    """The JSON Schema that turns each value set into an ``enum`` under ``$defs``."""
    defs = {
        vs.id: {
            "description": f"{vs.title}: {vs.description} See {vs.url}.",
            "enum": vs.code_list,
            "x-requirement": "SDS-VS-001",
        }
        for vs in all_valuesets().values()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE + "valuesets.schema.json",
        "title": "Value sets",
        "description": "Generated from spec/valuesets/*.json by `sdsx spec build`; do not edit.",
        "$defs": defs,
    }
