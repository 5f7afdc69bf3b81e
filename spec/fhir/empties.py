"""Empty values across FHIR, which has none (SDS-FHR-007).

FHIR elements are never empty: no empty string, list or object. :func:`strip_empty` takes
them out of a document before mapping and lists each one's JSON pointer and kind, which
travel in the ``empty-element`` extension; :func:`restore_empty` puts them back after
reading, parents before children and list members in index order.
"""

from __future__ import annotations

from typing import Any

from spec.problems import pointer

__all__ = ["restore_empty", "strip_empty"]

_EMPTY: dict[str, Any] = {"string": "", "array": [], "object": {}}


def _empty_kind(value: Any) -> str | None:
    if value == "" and isinstance(value, str):
        return "string"
    if isinstance(value, list) and not value:
        return "array"
    if isinstance(value, dict) and not value:
        return "object"
    return None


def _strip(value: Any, path: list[str | int], found: list[tuple[str, str]]) -> Any:
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, member in value.items():
            inner = (
                member
                if (not path and key == "extensions")
                else _strip(member, [*path, key], found)
            )
            kind = _empty_kind(inner)
            if kind is None:
                kept[key] = inner
            else:
                found.append((pointer([*path, key]), kind))
        return kept
    if isinstance(value, list):
        kept_items: list[Any] = []
        for index, member in enumerate(value):
            inner = _strip(member, [*path, index], found)
            kind = _empty_kind(inner)
            if kind is None:
                kept_items.append(inner)
            else:
                found.append((pointer([*path, index]), kind))
        return kept_items
    return value


def strip_empty(document: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """``document`` without empty strings, lists and objects, and where each one was.

    The free-form ``extensions`` member is kept whole: it travels as JSON text.
    """
    found: list[tuple[str, str]] = []
    stripped: dict[str, Any] = _strip(document, [], found)
    return stripped, found


def _parts(text: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in text.split("/")[1:]]


def restore_empty(document: dict[str, Any], empties: list[tuple[str, str]]) -> list[str]:
    """Put back the empty values :func:`strip_empty` took out; returns pointers it could not."""
    failed: list[str] = []
    ordered = sorted(empties, key=lambda e: (e[0].count("/"), [_sort_key(p) for p in _parts(e[0])]))
    for where, kind in ordered:
        parts = _parts(where)
        target: Any = document
        try:
            for part in parts[:-1]:
                target = target[int(part)] if isinstance(target, list) else target[part]
            last = parts[-1]
            empty = _EMPTY[kind].copy() if kind != "string" else ""
            if isinstance(target, list):
                target.insert(int(last), empty)
            elif isinstance(target, dict) and (last not in target or target[last] == empty):
                target[last] = empty
            else:
                failed.append(where)
        except (KeyError, IndexError, ValueError, TypeError):
            failed.append(where)
    return failed


def _sort_key(part: str) -> tuple[int, int, str]:
    return (0, int(part), "") if part.isdigit() else (1, 0, part)
