"""The standard's value sets as FHIR terminology: a CodeSystem and a ValueSet for each.

``spec/valuesets/*.json`` stays the only place a code is written down (SDS-VS-001); the FHIR
resources in ``spec/fhir/terminology/`` are generated from it by :func:`code_system` and
:func:`value_set` (``python -m spec.fhir.build``), and a test fails when they drift.

A coding of code ``c`` from value set ``v`` is ``{"system": system_url(v), "code": c}``.
"""

from __future__ import annotations

from typing import Any

from spec._paths import CANONICAL_BASE
from spec.valuesets import ValueSet, all_valuesets, valueset

__all__ = [
    "FHIR_BASE",
    "code_system",
    "coding",
    "profile_url",
    "structure_definition_url",
    "system_url",
    "value_set",
    "valueset_for_system",
]

FHIR_BASE = CANONICAL_BASE + "fhir"


def system_url(valueset_id: str) -> str:
    """The CodeSystem canonical URL of value set ``valueset_id``."""
    return f"{FHIR_BASE}/CodeSystem/{valueset_id}"


def structure_definition_url(name: str) -> str:
    """The canonical URL of the StructureDefinition (extension or profile) called ``name``."""
    return f"{FHIR_BASE}/StructureDefinition/{name}"


def profile_url(doc_type: str) -> str:
    """The profile a resource carrying a ``doc_type`` document claims in ``meta.profile``."""
    return structure_definition_url(f"sdsx-{doc_type}")


def valueset_for_system(system: str) -> str | None:
    """The value set whose CodeSystem is ``system``, or ``None`` when it is not ours."""
    prefix = f"{FHIR_BASE}/CodeSystem/"
    if system.startswith(prefix) and system[len(prefix) :] in all_valuesets():
        return system[len(prefix) :]
    return None


def coding(valueset_id: str, code: str) -> dict[str, Any]:
    """A FHIR Coding for ``code`` of ``valueset_id``, with the value set's display text."""
    entry = valueset(valueset_id).get(code)
    result: dict[str, Any] = {"system": system_url(valueset_id), "code": code}
    if entry is not None:
        result["display"] = entry.display
    return result


def _name(valueset_id: str) -> str:
    return "".join(part.capitalize() for part in valueset_id.split("-"))


def code_system(vs: ValueSet) -> dict[str, Any]:
    """The FHIR R4 CodeSystem resource for value set ``vs`` (complete content)."""
    return {
        "resourceType": "CodeSystem",
        "id": vs.id,
        "url": system_url(vs.id),
        "name": _name(vs.id),
        "title": vs.title,
        "status": "active",
        "experimental": False,
        "publisher": "SDS Exchange (sdsx)",
        "description": vs.description,
        "caseSensitive": True,
        "valueSet": vs.url,
        "content": "complete",
        "count": len(vs.codes),
        "property": [
            {
                "code": "since",
                "description": "The version of the standard that added the code.",
                "type": "string",
            }
        ],
        "concept": [
            {
                "code": c.code,
                "display": c.display,
                "definition": c.definition,
                "property": [{"code": "since", "valueString": c.since}],
            }
            for c in vs.codes
        ],
    }


def value_set(vs: ValueSet) -> dict[str, Any]:
    """The FHIR R4 ValueSet resource including every code of ``vs``'s CodeSystem."""
    return {
        "resourceType": "ValueSet",
        "id": vs.id,
        "url": vs.url,
        "name": _name(vs.id),
        "title": vs.title,
        "status": "active",
        "experimental": False,
        "publisher": "SDS Exchange (sdsx)",
        "description": vs.description,
        "compose": {"include": [{"system": system_url(vs.id)}]},
    }
