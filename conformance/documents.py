"""The documents group: a vendor's exported files checked against the standard, offline.

Each file (JSON, or NDJSON one document per line) gets three checks per document, so a
report says *what kind* of thing is wrong: ``documents.schema`` (structure, required members,
semantic rules), ``documents.valuesets`` (codes from the standard's value sets) and
``documents.identifiers`` (CHI and NINO formats and check digits). All three use the
reference validator, ``spec.validate``; a failure is narrowed to the requirement IDs the
validator reported, with their JSON pointers. A file that is not UTF-8 JSON fails
SDS-DOC-012 on its own.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path

from conformance.runner import Check, Context, Failure
from spec import Problem, UnreadableInput, iter_documents, validate
from spec._paths import SCHEMAS

__all__ = [
    "DOCUMENT_SUFFIXES",
    "GROUP",
    "READABLE",
    "document_checks",
    "validator_requirements",
]

GROUP = "documents"
DOCUMENT_SUFFIXES = frozenset({".json", ".ndjson"})
_ID = re.compile(r"SDS-[A-Z]{2,3}-[0-9]{3}")
READABLE = ("SDS-DOC-012",)


@functools.cache
def validator_requirements() -> frozenset[str]:
    """Every requirement the reference validator can report: schema citations and rules."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SCHEMAS.glob("*.schema.json"))]
    texts.append((SCHEMAS.parent / "rules.py").read_text(encoding="utf-8"))
    return frozenset(i for text in texts for i in _ID.findall(text))


def _kind(problem: Problem) -> str:
    if problem.requirement.startswith("SDS-IDN-"):
        return "identifiers"
    if problem.rule == "enum" or "value set" in problem.message:
        return "valuesets"
    return "schema"


def _requirements(kind: str) -> tuple[str, ...]:
    known = validator_requirements()
    if kind == "identifiers":
        return tuple(sorted(i for i in known if i.startswith("SDS-IDN-")))
    if kind == "valuesets":
        return tuple(sorted(i for i in known if i.startswith("SDS-VS-")))
    return tuple(sorted(i for i in known if not i.startswith(("SDS-IDN-", "SDS-VS-"))))


_TITLES = {
    "schema": "Document follows its schema and the standard's semantic rules",
    "valuesets": "Coded values come from the standard's value sets",
    "identifiers": "CHI and NI numbers are well formed with valid check digits",
}


def _document_check(kind: str, location: str, problems: list[Problem]) -> Check:
    mine = [p for p in problems if _kind(p) == kind]

    def run(_: Context) -> str:
        if mine:
            listed = "; ".join(f"{p.pointer or '/'}: {p.message} ({p.requirement})" for p in mine)
            raise Failure(
                f"{location}: {listed}",
                requirements=tuple(sorted({p.requirement for p in mine})),
            )
        return f"{location}: no {kind} problem"

    return Check(
        id=f"documents.{kind}",
        title=_TITLES[kind],
        group=GROUP,
        requirements=_requirements(kind),
        run=run,
        features=frozenset({"documents"}),
        subject=location,
    )


def _unreadable(location: str, reason: str) -> Check:
    def run(_: Context) -> str:
        raise Failure(f"{location}: {reason}")

    return Check(
        id="documents.readable",
        title="Documents are UTF-8 JSON, one per file or one per line",
        group=GROUP,
        requirements=READABLE,
        run=run,
        features=frozenset({"documents"}),
        subject=location,
    )


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in DOCUMENT_SUFFIXES]


def document_checks(
    folder: Path, *, check: Callable[[object], list[Problem]] = validate
) -> list[Check]:
    """The documents group for every document under ``folder`` (empty when none)."""
    checks: list[Check] = []
    for path in _files(folder):
        shown = path.relative_to(folder).as_posix() if path != folder else path.name
        try:
            located = list(iter_documents([path]))
        except UnreadableInput as exc:
            checks.append(_unreadable(shown, str(exc).replace(str(path), shown)))
            continue
        except (OSError, json.JSONDecodeError) as exc:
            checks.append(_unreadable(shown, str(exc)))
            continue
        for item in located:
            location = item.location.replace(str(path), shown)
            problems = check(item.document)
            checks += [_document_check(k, location, problems) for k in _TITLES]
    return checks
