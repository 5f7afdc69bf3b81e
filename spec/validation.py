"""Validate documents of the standard: schema first, then the semantic rules.

The fast path asks ``jsonschema-rs`` for a verdict; only a document that fails is run through
the pure-Python ``jsonschema`` for the full, friendly list of problems, each with its JSON
pointer and requirement ID (SDS-DOC-009). Both use the same offline registry (SDS-DOC-010).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema
import jsonschema_rs

from spec.problems import Problem, SpecError, pointer
from spec.registry import DOCUMENT_TYPES, load_schema, registry, schema_id, schemas
from spec.rules import check_rules

__all__ = ["Validator", "document_type", "validate", "validator"]

_GENERIC = "SDS-VS-001"


def document_type(document: Any) -> str:
    """The document's ``type``, or a :class:`SpecError` saying why there is none."""
    if not isinstance(document, dict):
        raise SpecError("a document must be a JSON object", where="/", requirement="SDS-DOC-002")
    kind = document.get("type")
    if kind not in DOCUMENT_TYPES:
        raise SpecError(
            f"unknown document type {kind!r}; expected one of {', '.join(DOCUMENT_TYPES)}",
            where="/type",
            requirement="SDS-DOC-002",
        )
    return str(kind)


def _resolve(base: str, ref: str) -> tuple[str, Any]:
    uri, fragment = urldefrag(urljoin(base, ref))
    node: Any = schemas()[uri]
    for part in fragment.split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return uri, node


def _trace(root_uri: str, schema_path: Any) -> tuple[list[str], str | None]:
    """Requirement IDs met along an error's schema path, and the value set it ended in.

    ``jsonschema`` leaves ``$ref`` out of the path, so a step the current node lacks is taken
    after following that node's ``$ref``.
    """
    base, node = root_uri, schemas()[root_uri]
    found: list[str] = []
    valueset: str | None = None

    def note(candidate: Any) -> None:
        if isinstance(candidate, dict) and "x-requirement" in candidate:
            found.append(candidate["x-requirement"])

    for step in schema_path:
        note(node)
        while isinstance(node, dict) and step not in node and "$ref" in node:
            ref = node["$ref"]
            base, node = _resolve(base, ref)
            if base == schema_id("valuesets"):
                valueset = ref.rsplit("/", 1)[-1]
            note(node)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    note(node)
    return found, valueset


def _requirement(found: list[str], fallback: str) -> str:
    """The most specific requirement: the deepest, preferring any over the generic one."""
    specific = [r for r in found if r != _GENERIC]
    return (specific or found or [fallback])[-1]


def _message(error: jsonschema.ValidationError, valueset: str | None) -> str:
    if error.validator == "enum" and valueset:
        return f"{error.instance!r} is not a code of value set {valueset!r}"
    return str(error.message)


class Validator:
    """Validates documents of one type. Build it once; it is safe to share across threads."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._uri = schema_id(kind)
        schema = load_schema(kind)
        rs_registry = jsonschema_rs.Registry(list(schemas().items()))
        self._fast = jsonschema_rs.validator_for(
            schema, registry=rs_registry, validate_formats=True
        )
        full = jsonschema.Draft202012Validator
        self._full = full(schema, registry=registry(), format_checker=full.FORMAT_CHECKER)
        self._fallback = str(schema.get("x-requirement", "SDS-DOC-009"))

    def schema_valid(self, document: Any) -> bool:
        """The fast verdict from ``jsonschema-rs`` alone."""
        return bool(self._fast.is_valid(document))

    def _schema_problems(self, document: Any) -> Iterator[Problem]:
        for error in self._full.iter_errors(document):
            for leaf in _leaves(error):
                found, valueset = _trace(self._uri, leaf.absolute_schema_path)
                requirement = _requirement(found, self._fallback)
                where = list(leaf.absolute_path)
                if leaf.validator == "required" and isinstance(leaf.instance, dict):
                    # Point at the missing member itself, so the location is exact.
                    for name in leaf.validator_value:
                        if name not in leaf.instance:
                            yield Problem(
                                pointer([*where, name]),
                                f"{name!r} is required",
                                requirement,
                                "required",
                            )
                    continue
                yield Problem(
                    pointer(where), _message(leaf, valueset), requirement, str(leaf.validator)
                )

    def problems(self, document: Any) -> list[Problem]:
        """Every problem in ``document``: schema problems, else semantic ones."""
        if not self.schema_valid(document):
            return sorted(set(self._schema_problems(document)))
        return check_rules(document)


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    # "allOf"/"not" wrappers carry the real reason in their context; report the leaves so a
    # reader sees "option-4 is not allowed here", not "failed allOf".
    if error.validator in ("allOf", "anyOf", "oneOf") and error.context:
        return [leaf for sub in error.context for leaf in _leaves(sub)]
    return [error]


@functools.cache
def validator(kind: str) -> Validator:
    """The shared :class:`Validator` for document type ``kind``."""
    return Validator(kind)


def validate(document: Any) -> list[Problem]:
    """Every problem in a document of any type; an empty list means valid."""
    try:
        kind = document_type(document)
    except SpecError as exc:
        return [Problem(exc.where, exc.message, exc.requirement, "type")]
    return validator(kind).problems(document)
