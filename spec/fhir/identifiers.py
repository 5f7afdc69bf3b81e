"""Identifiers and references in FHIR: naming systems, organisations, record links.

Naming systems (SDS-FHR-005). The standard names identifier schemes by URIs under
``https://spec.sdsx.scot/id/``. In FHIR the CHI number is written with the system other
Scottish and UK FHIR services already use for it, the HL7 OID registered for CHI,
``urn:oid:2.16.840.1.113883.2.1.3.2.4.16.53``: NHS Scotland has published no URL-style
naming system for CHI (England's ``https://fhir.nhs.uk/Id/nhs-number`` is a different
number). Import accepts both that OID and the standard's own URI. Every other scheme keeps
the standard's URI, which is already a valid FHIR identifier system.

Organisations are referenced by their official code: ``Reference.identifier`` carries the
code in a system per organisation kind, ``Reference.display`` the name, and
``Reference.reference`` points at an ``Organization`` entry with a name-based UUID.

Records of the standard are referenced as ``<ResourceType>/<id>`` or, for a version,
``<ResourceType>/<id>/_history/<version>``; reading also accepts absolute URLs and
``urn:uuid:`` references.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from spec.identifiers import CHI_SYSTEM

__all__ = [
    "CHI_FHIR_SYSTEM",
    "ORGANISATION_SYSTEMS",
    "aux_id",
    "fhir_system",
    "organisation_from_reference",
    "organisation_id",
    "organisation_reference",
    "organisation_resource",
    "parse_reference",
    "record_id",
    "reference",
    "standard_system",
]

CHI_FHIR_SYSTEM = "urn:oid:2.16.840.1.113883.2.1.3.2.4.16.53"

ORGANISATION_SYSTEMS = {
    kind: f"https://spec.sdsx.scot/id/organisation/{kind}"
    for kind in ("council-area", "health-board", "funder", "provider", "other")
}

_NAMESPACE = uuid.UUID("5d1b7f0e-4c1a-4a8e-9a59-8f3c2f6f0b1d")
_RECORD_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_REFERENCE = re.compile(
    r"^(?:.*/)?(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})"
    r"(?:/_history/(?P<version>[A-Za-z0-9\-.]{1,64}))?$"
)


def fhir_system(system: str) -> str:
    """The FHIR ``Identifier.system`` for the standard's identifier system ``system``."""
    return CHI_FHIR_SYSTEM if system == CHI_SYSTEM else system


def standard_system(system: str) -> str:
    """The standard's identifier system for FHIR ``system`` (the inverse of :func:`fhir_system`)."""
    return CHI_SYSTEM if system == CHI_FHIR_SYSTEM else system


def aux_id(record: str, role: str) -> str:
    """A stable id for a resource that carries part of record ``record`` (a representative...)."""
    return str(uuid.uuid5(uuid.UUID(record), role))


def organisation_id(kind: str, code: str) -> str:
    """The id of the ``Organization`` entry for the organisation ``kind``/``code``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{code}"))


def organisation_reference(org: dict[str, Any]) -> dict[str, Any]:
    """A FHIR Reference for an organisation-reference of the standard."""
    ref: dict[str, Any] = {
        "reference": f"Organization/{organisation_id(org['kind'], org['code'])}",
        "identifier": {"system": ORGANISATION_SYSTEMS[org["kind"]], "value": org["code"]},
    }
    if "name" in org:
        ref["display"] = org["name"]
    return ref


def organisation_from_reference(identifier: dict[str, Any]) -> dict[str, str] | None:
    """``{kind, code}`` for a Reference's identifier, or ``None`` when its system is not ours."""
    for kind, system in ORGANISATION_SYSTEMS.items():
        if identifier.get("system") == system and isinstance(identifier.get("value"), str):
            return {"kind": kind, "code": identifier["value"]}
    return None


def organisation_resource(org: dict[str, Any]) -> dict[str, Any]:
    """The ``Organization`` resource for an organisation-reference."""
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": organisation_id(org["kind"], org["code"]),
        "identifier": [{"system": ORGANISATION_SYSTEMS[org["kind"]], "value": org["code"]}],
        "active": True,
    }
    if "name" in org:
        resource["name"] = org["name"]
    return resource


def reference(resource_type: str, record: str, version: int | None = None) -> str:
    """A relative reference to a record, or to one version of it."""
    if version is None:
        return f"{resource_type}/{record}"
    return f"{resource_type}/{record}/_history/{version}"


def parse_reference(text: str) -> tuple[str, str, str | None] | None:
    """``(type, id, version)`` of a literal reference, or ``None`` when it names no resource."""
    if text.startswith("urn:uuid:"):
        return ("", text[len("urn:uuid:") :], None)
    match = _REFERENCE.match(text)
    if match is None:
        return None
    return (match["type"], match["id"], match["version"])


def record_id(fhir_id: str) -> tuple[str, bool]:
    """The standard's record id for FHIR id ``fhir_id`` and whether it had to be derived.

    A lower-case UUID v4 is kept. Anything else (``example``, an upper-case or version 1
    UUID) becomes a UUID-v4-shaped value derived from SHA-256 of the id, so every reference
    to the same FHIR id lands on the same record (SDS-DOC-003).
    """
    if _RECORD_ID.match(fhir_id):
        return fhir_id, False
    digest = bytearray(hashlib.sha256(f"fhir-id:{fhir_id}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest))), True
