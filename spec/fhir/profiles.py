"""The profiles resources claim in ``meta.profile``, as StructureDefinitions (SDS-FHR-003).

Each constrains a base R4 resource by naming the extensions it carries (sliced on ``url``),
so a FHIR validator given these and the extension definitions knows every element we write.
Generated into ``spec/fhir/profiles/`` by ``python -m spec.fhir.build``.
"""

from __future__ import annotations

from typing import Any

from spec.fhir.extensions import EXTENSIONS, RECORD_EXTENSIONS, extension_url
from spec.fhir.terminology import profile_url, structure_definition_url
from spec.fhir.to_fhir import RESOURCE_TYPES

__all__ = ["PROFILES", "profile_definitions"]

# Profile name -> (base resource, document type, description).
PROFILES: dict[str, tuple[str, str, str]] = {
    **{
        f"sdsx-{doc_type}": (
            resource,
            doc_type,
            f"A {doc_type} document of the SDS Exchange standard.",
        )
        for doc_type, resource in RESOURCE_TYPES.items()
    },
    "sdsx-representative": ("RelatedPerson", "person", "A representative of a person document."),
    "sdsx-consent": ("Consent", "person", "A consent grant of a person document."),
    "sdsx-line-provenance": ("Provenance", "funding-line", "Where a funding line came from."),
    "sdsx-document": ("Composition", "", "A support plan and budget as a FHIR document."),
}


def _slice(path: str, name: str, url: str, minimum: int, maximum: str) -> dict[str, Any]:
    return {
        "id": f"{path}.extension:{name}",
        "path": f"{path}.extension",
        "sliceName": name,
        "min": minimum,
        "max": maximum,
        "type": [{"code": "Extension", "profile": [url]}],
    }


def _definition(name: str) -> dict[str, Any]:
    resource, doc_type, text = PROFILES[name]
    elements: list[dict[str, Any]] = [
        {"id": resource, "path": resource, "short": text, "definition": text}
    ]
    slices: dict[str, list[dict[str, Any]]] = {}
    if name == f"sdsx-{doc_type}":
        for record in RECORD_EXTENSIONS:
            required = 1 if record == "standard" else 0
            maximum = "*" if record in ("local-field", "empty-element") else "1"
            slices.setdefault(resource, []).append(
                _slice(resource, record, extension_url(record), required, maximum)
            )
    for ext in EXTENSIONS:
        if ext.doc_type != doc_type or not ext.context.startswith(resource):
            continue
        if resource == "Patient" and ext.context != "Patient":
            continue
        path = ext.context
        slices.setdefault(path, []).append(
            _slice(path, ext.name, ext.url, 0, "*" if ext.repeats else "1")
        )
    for path, found in slices.items():
        elements.append(
            {
                "id": f"{path}.extension",
                "path": f"{path}.extension",
                "slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"},
            }
        )
        elements.extend(found)
    return {
        "resourceType": "StructureDefinition",
        "id": name,
        "url": profile_url(doc_type)
        if name == f"sdsx-{doc_type}"
        else structure_definition_url(name),
        "name": "".join(part.capitalize() for part in name.split("-")),
        "status": "active",
        "publisher": "SDS Exchange (sdsx)",
        "description": text,
        "fhirVersion": "4.0.1",
        "kind": "resource",
        "abstract": False,
        "type": resource,
        "baseDefinition": f"http://hl7.org/fhir/StructureDefinition/{resource}",
        "derivation": "constraint",
        "differential": {"element": elements},
    }


def profile_definitions() -> list[dict[str, Any]]:
    """Every profile's StructureDefinition."""
    return [_definition(name) for name in PROFILES]
