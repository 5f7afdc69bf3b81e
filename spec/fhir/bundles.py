"""Bundles of the standard's documents: collection or transaction (SDS-FHR-002).

Each document's resources come from :func:`spec.fhir.to_fhir.to_resources`; the Organization
of every organisation referenced follows, once each. Entries have ``fullUrl``
``urn:uuid:<id>``; a transaction entry is a ``PUT <type>/<id>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from spec.fhir.identifiers import ORGANISATION_SYSTEMS, organisation_resource
from spec.fhir.to_fhir import to_resources, validate_resource
from spec.fhir.warnings import FhirMappingError

__all__ = ["to_bundle"]


def _organisations(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        target = value.get("reference")
        if isinstance(target, str) and target.startswith("Organization/") and "identifier" in value:
            yield value
        for member in value.values():
            yield from _organisations(member)
    elif isinstance(value, list):
        for member in value:
            yield from _organisations(member)


def _entry(resource: dict[str, Any], bundle_type: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
    if bundle_type == "transaction":
        entry["request"] = {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
    return entry


def to_bundle(
    documents: Iterable[dict[str, Any]],
    *,
    bundle_type: str = "collection",
    timestamp: datetime | None = None,
    check: bool = True,
) -> dict[str, Any]:
    """A Bundle (``collection`` or ``transaction``) holding the FHIR form of ``documents``.

    Organizations referenced come last, once each. With ``check`` every resource is
    validated with the R4B models (SDS-FHR-002).
    """
    if bundle_type not in ("collection", "transaction"):
        raise FhirMappingError(f"bundle type {bundle_type!r} is not collection or transaction")
    resources: list[dict[str, Any]] = []
    for index, document in enumerate(documents):
        try:
            resources.extend(to_resources(document))
        except FhirMappingError as exc:
            exc.where = f"document {index + 1}: {exc.where or '/'}"
            raise
    organisations: dict[str, dict[str, Any]] = {}
    for ref in _organisations(resources):
        org_id = ref["reference"].split("/", 1)[1]
        kind = next(k for k, s in ORGANISATION_SYSTEMS.items() if s == ref["identifier"]["system"])
        org = {"kind": kind, "code": ref["identifier"]["value"]}
        if "display" in ref:
            org["name"] = ref["display"]
        if org_id not in organisations or "name" not in organisations[org_id]:
            organisations[org_id] = organisation_resource(org)
    resources.extend(organisations.values())
    if check:
        for resource in resources:
            validate_resource(resource)
    stamp = (timestamp or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "timestamp": stamp,
        "entry": [_entry(r, bundle_type) for r in resources],
    }
