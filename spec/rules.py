"""Semantic rules JSON Schema cannot express, checked after the schema passes.

These are the documented exceptions to "the schema is the whole contract" (SDS-DOC-011):
identifier check digits, money written as a decimal number with a zero fraction (which JSON
Schema counts as an integer), periods whose start is after their end, option 4 derived from the
support items, references to outcomes that exist, ids unique within a document, and the
version/supersedes pairing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from spec.identifiers import check_identifier
from spec.problems import Problem, pointer

__all__ = ["check_rules", "derive_sds_option"]

Rule = Callable[[dict[str, Any]], Iterator[Problem]]


def _member_problems(node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[Problem]:
    system, value = node.get("system"), node.get("value")
    if isinstance(system, str) and isinstance(value, str):
        failed = check_identifier(system, value)
        if failed:
            requirement, reason = failed
            yield Problem(pointer((*path, "value")), reason, requirement, "identifier")
    if isinstance(node.get("amount_minor"), float):
        # JSON Schema counts 12345.0 as an integer, so the schema lets a float with a zero
        # fraction through; money is integer minor units, never a float (SDS-COM-001).
        yield Problem(
            pointer((*path, "amount_minor")),
            "money must be an integer number of minor units, not a decimal number",
            "SDS-COM-001",
            "integer-money",
        )
    start, end = node.get("start"), node.get("end")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        yield Problem(
            pointer((*path, "end")), "period ends before it starts", "SDS-COM-005", "period-order"
        )


def _members(doc: dict[str, Any]) -> Iterator[Problem]:
    """Identifier check digits, integer money and period order, in one walk of the document.

    Validation runs on every stored and imported record, so the walk is the hot path of bulk
    imports (bench/validate.py, bench/combine.py). It is a loop over an explicit stack of
    (member, path) rather than recursion; a member is looked at only when it has the keys a
    rule reads, and only containers are descended into. Order does not matter: check_rules
    sorts what is found.
    """
    found: list[Problem] = []
    containers = (dict, list)
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(doc, ())]
    push, pop = stack.append, stack.pop
    while stack:
        node, path = pop()
        if isinstance(node, dict):
            if (
                ("system" in node and "value" in node)
                or "amount_minor" in node
                or ("start" in node and "end" in node)
            ):
                found.extend(_member_problems(node, path))
            children: Any = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        for key, child in children:
            if isinstance(child, containers):
                push((child, (*path, key)))
    return iter(found)


def derive_sds_option(items: list[dict[str, Any]]) -> str | None:
    """The plan's option: the single option its items share, or option-4 for a mix."""
    options = {item.get("sds_option") for item in items if item.get("sds_option")}
    if not options:
        return None
    return options.pop() if len(options) == 1 else "option-4"


def _plan_option(doc: dict[str, Any]) -> Iterator[Problem]:
    if doc.get("type") != "support-plan" or "sds_option" not in doc:
        return
    derived = derive_sds_option(doc.get("support_items", []))
    if doc["sds_option"] != derived:
        yield Problem(
            "/sds_option",
            f"plan claims {doc['sds_option']} but its support items give {derived}",
            "SDS-PLN-010",
            "derived-option",
        )


def _duplicates(doc: dict[str, Any], key: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, entry in enumerate(doc.get(key, [])):
        local_id = entry.get("id") if isinstance(entry, dict) else None
        if local_id in seen:
            yield Problem(
                pointer((key, index, "id")),
                f"id {local_id!r} is used twice in {key}",
                "SDS-DOC-008",
                "unique-id",
            )
        if isinstance(local_id, str):
            seen.add(local_id)


def _local_ids(doc: dict[str, Any]) -> Iterator[Problem]:
    for key in ("support_items", "personal_outcomes", "assessed_needs", "consents", "ledger"):
        yield from _duplicates(doc, key)


def _outcome_links(doc: dict[str, Any]) -> Iterator[Problem]:
    if doc.get("type") != "support-plan":
        return
    known = {o.get("id") for o in doc.get("personal_outcomes", []) if isinstance(o, dict)}
    for i, item in enumerate(doc.get("support_items", [])):
        for j, outcome in enumerate(item.get("outcomes", []) if isinstance(item, dict) else []):
            if outcome not in known:
                yield Problem(
                    pointer(("support_items", i, "outcomes", j)),
                    f"support item serves outcome {outcome!r}, which the plan does not have",
                    "SDS-PLN-006",
                    "outcome-link",
                )


def _versioning(doc: dict[str, Any]) -> Iterator[Problem]:
    version = doc.get("version")
    supersedes = doc.get("supersedes")
    if version == 1 and supersedes is not None:
        yield Problem("/supersedes", "version 1 supersedes nothing", "SDS-DOC-005", "versioning")
    elif isinstance(version, int) and version > 1:
        if supersedes is None:
            yield Problem(
                "/supersedes",
                f"version {version} must name the version it supersedes",
                "SDS-DOC-005",
                "versioning",
            )
        elif supersedes.get("id") != doc.get("id") or supersedes.get("version") != version - 1:
            yield Problem(
                "/supersedes",
                "supersedes must be this record's previous version",
                "SDS-DOC-005",
                "versioning",
            )


RULES: tuple[Rule, ...] = (
    _members,
    _plan_option,
    _local_ids,
    _outcome_links,
    _versioning,
)


def check_rules(doc: dict[str, Any]) -> list[Problem]:
    """Every semantic problem in a document that already passed its schema."""
    return sorted(p for rule in RULES for p in rule(doc))
