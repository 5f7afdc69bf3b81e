"""Validate documents of the standard: schema first, then the semantic rules.

The fast path asks ``jsonschema-rs`` for a verdict; only a document that fails is run through
the pure-Python ``jsonschema`` for the full, friendly list of problems, each with its JSON
pointer and requirement ID (SDS-DOC-009). Both use the same offline registry (SDS-DOC-010).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema
import jsonschema.validators
import jsonschema_rs

from spec.problems import Problem, SpecError, pointer
from spec.registry import DOCUMENT_TYPES, load_schema, registry, schema_id, schemas
from spec.rules import check_rules

__all__ = ["Validator", "document_type", "validate", "validator"]

_GENERIC = "SDS-VS-001"


def document_type(document: Any) -> str:
    """The document's ``type``, or a :class:`SpecError` saying why there is none."""
    if not isinstance(document, dict):
        raise SpecError("a document must be a JSON object", where="", requirement="SDS-DOC-002")
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


def _trace(root_uri: str, schema_path: Any) -> tuple[list[tuple[int, str]], str | None]:
    """Requirement IDs met along an error's schema path (with the step each was met at),
    and the value set the path ended in.

    ``jsonschema`` leaves ``$ref`` out of the path, so a step the current node lacks is taken
    after following that node's ``$ref``; a property and the definition it refers to are
    therefore met at the same step.
    """
    base, node = root_uri, schemas()[root_uri]
    found: list[tuple[int, str]] = []
    valueset: str | None = None

    def follow(at: dict[str, Any]) -> Any:
        nonlocal base, valueset
        ref = at["$ref"]
        base, target = _resolve(base, ref)
        if base == schema_id("valuesets"):
            valueset = ref.rsplit("/", 1)[-1]
        return target

    def note(candidate: Any, depth: int) -> None:
        if isinstance(candidate, dict) and "x-requirement" in candidate:
            found.append((depth, candidate["x-requirement"]))

    depth = 0
    for depth, step in enumerate(schema_path):
        note(node, depth)
        while isinstance(node, dict) and step not in node and "$ref" in node:
            node = follow(node)
            note(node, depth)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    # The keyword's own schema may itself be a $ref (a property naming a shared definition).
    while isinstance(node, dict) and "$ref" in node and "x-requirement" not in node:
        node = follow(node)
    note(node, depth + 1)
    return found, valueset


def _requirement(found: list[tuple[int, str]], fallback: str) -> str:
    """The most specific requirement: the one met deepest along the schema path.

    Where a property and its shared definition meet at the same depth, the property's own
    requirement wins over the generic value-set one (SDS-VS-001).
    """
    if not found:
        return fallback
    deepest = max(depth for depth, _ in found)
    here = [req for depth, req in found if depth == deepest]
    specific = [req for req in here if req != _GENERIC]
    return (specific or here)[-1]


def _message(error: jsonschema.ValidationError, valueset: str | None) -> str:
    """Say which rule failed without repeating the value: it may be a CHI, a NINO or a
    birth date, and messages end up in logs and reports (SDS-IDN-006)."""
    keyword, expected = error.validator, error.validator_value
    if keyword == "enum":
        if valueset:
            return f"is not a code of value set {valueset!r}"
        return f"must be one of {', '.join(map(repr, expected))}"
    if keyword == "pattern":
        return f"does not match the pattern {expected}"
    if keyword == "format":
        return f"is not a valid {expected}"
    if keyword == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return f"must be of type {' or '.join(kinds)}"
    if keyword == "const":
        return f"must be {expected!r}"
    if keyword == "not":
        return "is a value not allowed here"
    if keyword in _BOUNDS:
        return f"must have {_BOUNDS[keyword]} {expected}"
    if keyword == "uniqueItems":
        return "must not repeat an item"
    return f"fails the {keyword} rule"


_BOUNDS = {
    "minimum": "a value of at least",
    "maximum": "a value of at most",
    "exclusiveMinimum": "a value greater than",
    "exclusiveMaximum": "a value less than",
    "minLength": "a length of at least",
    "maxLength": "a length of at most",
    "minItems": "at least this many items:",
    "maxItems": "at most this many items:",
    "minProperties": "at least this many members:",
    "maxProperties": "at most this many members:",
}


def _ecma_pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    """``pattern`` with ECMA-262 semantics, as JSON Schema requires.

    Python's ``$`` also matches before a final newline, so ``"0101011237\\n"`` would pass
    ``^[0-9]{10}$`` in ``jsonschema`` while ``jsonschema-rs`` refuses it (SDS-DOC-010).
    """
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


_FullValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)


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
        self._full = _FullValidator(
            schema,
            registry=registry(),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
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
                if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                    # Point at each member the schema does not define (SDS-DOC-013).
                    known = leaf.schema.get("properties", {})
                    for name in sorted(set(leaf.instance) - set(known)):
                        yield Problem(
                            pointer([*where, name]),
                            f"{name!r} is not a member of this object; local fields go "
                            "under 'extensions'",
                            "SDS-DOC-013",
                            "additionalProperties",
                        )
                    continue
                yield Problem(
                    pointer(where), _message(leaf, valueset), requirement, str(leaf.validator)
                )

    def problems(self, document: Any) -> list[Problem]:
        """Every problem in ``document``: schema problems, else semantic ones."""
        if not self.schema_valid(document):
            found = sorted(set(self._schema_problems(document)))
            # The two implementations are checked to agree on every example; should they ever
            # differ, the refusal stands rather than a silent pass.
            return found or [Problem("", "refused by the schema", self._fallback, "schema")]
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
