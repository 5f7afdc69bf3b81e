"""The schemas seen as shapes: what kind of value each field holds, with ``$ref`` resolved.

The generic FHIR codecs (sub-extensions and questionnaire items) and the mapping-coverage
check both need to walk a document type's fields without caring which file a ``$ref`` points
into. :func:`shape` answers "what is at this field" as a :class:`Shape`; :func:`field_paths`
lists every field of a document type in the notation ``spec/fhir/mapping.yaml`` uses
(``support-plan:/support_items/*/cost/amount/amount_minor``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from spec.registry import load_schema

__all__ = ["Shape", "document_shape", "field_paths", "field_shape", "shape", "structure"]

_COMMON_KINDS = {
    "money": "money",
    "signed-money": "money",
    "period": "period",
    "closed-period": "period",
    "date": "date",
    "timestamp": "timestamp",
    "organisation-reference": "organisation",
    "identifier": "identifier",
}


@dataclass(frozen=True, slots=True)
class Shape:
    """What a field holds.

    ``kind`` is one of ``object``, ``array``, ``string``, ``code``, ``integer``, ``number``,
    ``boolean``, ``date``, ``timestamp``, ``money``, ``period``, ``organisation``,
    ``identifier`` or ``json`` (free-form, the ``extensions`` member). ``valueset`` names
    the value set of a ``code``; ``properties`` and ``required`` describe an ``object``;
    ``items`` describes the members of an ``array``.
    """

    kind: str
    node: Mapping[str, Any]
    valueset: str = ""
    properties: tuple[tuple[str, Mapping[str, Any], str], ...] = ()
    required: frozenset[str] = frozenset()
    items: tuple[Mapping[str, Any], str] | None = None

    def property(self, name: str) -> Shape | None:
        """The shape of member ``name`` of an object, or ``None`` when it has none."""
        for key, node, file in self.properties:
            if key == name:
                return shape(node, file)
        return None

    def item_shape(self) -> Shape:
        """The shape of an array's members."""
        if self.items is None:
            raise TypeError(f"a {self.kind} has no items")
        return shape(*self.items)


def _file_of(ref: str, current: str) -> tuple[str, str]:
    target, _, fragment = ref.partition("#")
    file = target.removesuffix(".schema.json") if target else current
    return file, fragment


@functools.cache
def _load(file: str) -> Mapping[str, Any]:
    return load_schema(file)


def _follow(file: str, fragment: str) -> Mapping[str, Any]:
    node: Any = _load(file)
    for part in [p for p in fragment.split("/") if p]:
        node = node[part]
    result: Mapping[str, Any] = node
    return result


# Shapes by (id of schema node, file). The entry keeps its node alive, so an id is never
# reused while cached; nodes come from the loaded schemas, so the cache stays small.
_SHAPES: dict[tuple[int, str], tuple[Mapping[str, Any], Shape]] = {}


def shape(node: Mapping[str, Any], file: str) -> Shape:
    """The :class:`Shape` of schema ``node`` found in schema file ``file`` (e.g. ``common``)."""
    cached = _SHAPES.get((id(node), file))
    if cached is not None and cached[0] is node:
        return cached[1]
    found = _shape(node, file)
    _SHAPES[(id(node), file)] = (node, found)
    return found


def _shape(node: Mapping[str, Any], file: str) -> Shape:
    if "$ref" in node:
        target_file, fragment = _file_of(node["$ref"], file)
        name = fragment.rsplit("/", 1)[-1]
        if target_file == "valuesets":
            return Shape("code", node, valueset=name)
        # The referring node's own words (its description) win over the target's.
        merged = {
            **_follow(target_file, fragment),
            **{k: v for k, v in node.items() if k != "$ref"},
        }
        if target_file == "common" and name in _COMMON_KINDS:
            return Shape(_COMMON_KINDS[name], merged)
        return shape(merged, target_file)
    if "allOf" in node and "type" not in node and "properties" not in node:
        # An allOf narrows its first member (a closed period, an option that is not 4).
        return shape(node["allOf"][0], file)
    if node.get("propertyNames") is not None:
        return Shape("json", node)
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = tuple((k, v, file) for k, v in node.get("properties", {}).items())
        return Shape("object", node, properties=props, required=frozenset(node.get("required", ())))
    if kind == "array":
        return Shape("array", node, items=(node["items"], file))
    if "enum" in node or "const" in node:
        return Shape("code", node)
    if kind in ("integer", "number", "boolean"):
        return Shape(str(kind), node)
    return Shape("string", node)


def structure(found: Shape) -> Shape:
    """The object shape behind a money, period, organisation or identifier shape."""
    while found.kind in ("money", "period", "organisation", "identifier"):
        found = shape({k: v for k, v in found.node.items() if k != "description"}, "common")
    return found


@functools.cache
def document_shape(doc_type: str) -> Shape:
    """The shape of a whole document of type ``doc_type``."""
    return shape(_load(doc_type), doc_type)


def _walk(current: Shape, path: str) -> Iterator[str]:
    if current.kind == "object":
        for name, node, file in current.properties:
            child = f"{path}/{name}"
            yield child
            yield from _walk(shape(node, file), child)
    elif current.kind == "array":
        yield from _walk(current.item_shape(), f"{path}/*")
    elif current.kind in ("money", "period", "organisation", "identifier"):
        yield from _walk(structure(current), path)


def field_paths(doc_type: str) -> list[str]:
    """Every field of ``doc_type``, ``doc-type:/a/*/b`` style, parents before children."""
    return [f"{doc_type}:{p}" for p in _walk(document_shape(doc_type), "")]


@functools.cache
def field_shape(doc_type: str, path: str) -> Shape:
    """The shape at ``path`` (``/support_items/*/cost``) of document type ``doc_type``."""
    current = document_shape(doc_type)
    for part in [p for p in path.split("/") if p]:
        if part == "*":
            current = current.item_shape()
            continue
        current = structure(current)
        found = current.property(part)
        if found is None:
            raise KeyError(f"{doc_type} has no field {path}")
        current = found
    return current
