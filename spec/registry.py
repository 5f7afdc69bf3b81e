"""The schema registry: every published schema, resolvable offline by its ``$id``.

Validation never touches the network (SDS-DOC-010): ``$ref`` resolves through this registry.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from referencing import Registry
from referencing.jsonschema import DRAFT202012

from spec._paths import SCHEMA_BASE, SCHEMAS

__all__ = ["DOCUMENT_TYPES", "load_schema", "registry", "schema_id", "schemas"]

DOCUMENT_TYPES: tuple[str, ...] = (
    "person",
    "assessment",
    "support-plan",
    "funding-line",
    "individual-budget",
)


def schema_id(name: str) -> str:
    """The canonical ``$id`` of the schema file ``name`` (e.g. ``person`` or ``common``)."""
    return f"{SCHEMA_BASE}{name}.schema.json"


@functools.cache
def schemas() -> dict[str, dict[str, Any]]:
    """Every schema shipped with the standard, keyed by ``$id``."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        contents: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        found[contents["$id"]] = contents
    return found


def load_schema(name: str) -> dict[str, Any]:
    """The schema for document type or shared file ``name``."""
    return schemas()[schema_id(name)]


@functools.cache
def registry() -> Registry[Any]:
    """A ``referencing`` registry holding every schema; unknown URIs fail instead of fetching."""
    resources = [(uri, DRAFT202012.create_resource(body)) for uri, body in schemas().items()]
    return Registry().with_resources(resources)
