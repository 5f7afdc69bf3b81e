"""The coverage gate: every MUST of the catalogue is verified by a check or excused in writing.

A requirement counts as verified when a check of the suite cites it, when a schema or budget
vector cites it, or when the reference validator reports it (the documents group runs that
validator over every exported document). Every other MUST needs an entry in
``conformance/not-automated.json`` saying why the suite cannot check it automatically.
:func:`coverage_gaps` lists what breaks the rule, including excuses that have gone stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.documents import READABLE, validator_requirements
from conformance.session import all_target_checks
from conformance.vectorsets import BUDGET_VECTORS, SCHEMA_VECTORS, load_vectors
from spec.requirements import Catalogue

__all__ = ["NOT_AUTOMATED", "coverage_gaps", "not_automated", "verified_requirements"]

NOT_AUTOMATED = Path(__file__).with_name("not-automated.json")


def verified_requirements() -> dict[str, list[str]]:
    """Requirement ID -> what in the suite verifies it (check IDs, vector IDs, validator)."""
    found: dict[str, set[str]] = {}
    for check in all_target_checks():
        for rid in check.requirements:
            found.setdefault(rid, set()).add(check.id)
    for folder in (SCHEMA_VECTORS, BUDGET_VECTORS):
        for vector in load_vectors(folder):
            for rid in vector.requirements:
                found.setdefault(rid, set()).add(vector.id)
    for rid in (*validator_requirements(), *READABLE):
        found.setdefault(rid, set()).add("documents.*")
    return {rid: sorted(ids) for rid, ids in sorted(found.items())}


def not_automated(path: Path = NOT_AUTOMATED) -> dict[str, str]:
    """Requirement ID -> the recorded reason it cannot be checked automatically."""
    entries = json.loads(path.read_text(encoding="utf-8"))["requirements"]
    return {str(e["requirement"]): str(e["reason"]) for e in entries}


def coverage_gaps(catalogue: Catalogue, path: Path = NOT_AUTOMATED) -> list[str]:
    """Everything that breaks the coverage rule, one message per requirement."""
    verified = verified_requirements()
    excused = not_automated(path)
    gaps: list[str] = []
    for requirement in catalogue:
        if requirement.level != "MUST":
            continue
        if requirement.id not in verified and requirement.id not in excused:
            gaps.append(
                f"{requirement.id} ({requirement.verified_by}) is a MUST no check or vector "
                f"verifies; add one, or a reason to {path.name}"
            )
    for rid, reason in excused.items():
        if rid not in catalogue:
            gaps.append(f"{path.name}: {rid} is not in the catalogue")
        elif rid in verified:
            gaps.append(f"{path.name}: {rid} is excused but verified by {verified[rid][0]}")
        elif len(reason.strip()) < 20:
            gaps.append(f"{path.name}: {rid} needs a real reason, not {reason!r}")
    return gaps
