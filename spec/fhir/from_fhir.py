"""FHIR R4 Bundles (ours or another system's) back into the standard's documents.

The inverse of :mod:`spec.fhir.to_fhir`: for our own output it returns exactly the
documents that went in (SDS-FHR-003). For FHIR from elsewhere it reads what the standard
can hold and names every other element in a warning (SDS-FHR-004). A resource that fails
the R4B models, or that lacks what a document needs, is an error naming the element.
Only input that is not FHIR at all raises (:class:`~spec.fhir.warnings.FhirMappingError`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from spec.fhir.identifiers import parse_reference, record_id
from spec.fhir.mapping import fhir_path_for
from spec.fhir.readers import AUX_LINKS, DOC_TYPES, read_document
from spec.fhir.reading import check_model
from spec.fhir.terminology import FHIR_BASE, profile_url
from spec.fhir.warnings import ElementReader, FhirIssue, FhirMappingError
from spec.validation import validate

__all__ = ["ImportResult", "from_bundle", "from_json"]

# Our document Bundles open with a Composition that only lists the entries that follow.
_SCAFFOLDING = profile_url("document")
_ORGANIZATION_READ = ("resourceType", "id", "meta", "identifier", "name", "active")


@dataclass
class ImportResult:
    """Documents read from FHIR, the resource each came from, and every issue met."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    issues: list[FhirIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[FhirIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[FhirIssue]:
        return [i for i in self.issues if i.severity == "warning"]


def _leftover_message(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        if value["url"].startswith(FHIR_BASE):
            return f"extension {value['url']} does not fit here; not read"
        return f"extension {value['url']} has no place in the standard; not read"
    return "has no place in the standard; not read"


def _report_leftovers(reader: ElementReader, issues: list[FhirIssue]) -> None:
    for where, value in reader.leftovers():
        issues.append(FhirIssue(where, _leftover_message(value)))


def _without_nulls(value: Any) -> Any:
    """``value`` without JSON nulls: FHIR JSON never has them, and they carry no data."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _link(reader: ElementReader) -> tuple[str, int | None] | None:
    """The (record id, version) an auxiliary resource belongs to."""
    value = reader.data.get(AUX_LINKS[str(reader.data["resourceType"])])
    if isinstance(value, list):
        value = value[0] if value else None
    target = value.get("reference") if isinstance(value, dict) else None
    parsed = parse_reference(target) if isinstance(target, str) else None
    if parsed is None:
        return None
    version = int(parsed[2]) if parsed[2] and parsed[2].isdigit() else None
    return record_id(parsed[1])[0], version


def _entries(data: Any, where: str) -> tuple[list[Any], str]:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise FhirMappingError("not a FHIR resource: no resourceType", where=where or "/")
    if data["resourceType"] != "Bundle":
        return [{"resource": data}], data["resourceType"]
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise FhirMappingError("Bundle.entry is not a list", where=where or "Bundle.entry")
    return entries, "Bundle.entry[{}].resource"


_REQUIRED = re.compile(r"^'([A-Za-z_]+)' is required")


def _expected_at(doc_type: str, where: str, message: str) -> str:
    """Where in FHIR the field a problem is about comes from, as a hint for the sender."""
    missing = _REQUIRED.match(message)
    field_pointer = (
        where if missing is None or where.endswith(f"/{missing[1]}") else f"{where}/{missing[1]}"
    )
    home = fhir_path_for(doc_type, field_pointer)
    return f" (read from {home})" if home else ""


def from_bundle(data: Any, where: str = "", *, check: bool = True) -> ImportResult:
    """The documents a FHIR Bundle (or a single resource) carries, with every issue met.

    With ``check`` (the default) each document is validated against the standard and an
    invalid one is reported as errors instead of returned.
    """
    entries, base = _entries(data, where)
    result = ImportResult()
    readers: list[ElementReader] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        location = base.format(index)
        if isinstance(resource, dict) and check_model(resource, location, result.issues):
            readers.append(ElementReader(_without_nulls(resource), location))
        elif not isinstance(resource, dict):
            result.issues.append(FhirIssue(location, "the entry has no resource", "error"))
    aux: dict[tuple[str, int | None], dict[str, list[ElementReader]]] = defaultdict(
        lambda: defaultdict(list)
    )
    primaries: list[tuple[ElementReader, str]] = []
    attached: set[int] = set()
    for reader in readers:
        kind = str(reader.data["resourceType"])
        link = _link(reader) if kind in AUX_LINKS else None
        if kind in DOC_TYPES:
            primaries.append((reader, DOC_TYPES[kind]))
        elif link is not None:
            aux[link][kind].append(reader)
        elif kind == "Organization":
            for key in _ORGANIZATION_READ:
                reader.mark(key)
            _report_leftovers(reader, result.issues)
        elif kind == "Composition" and _SCAFFOLDING in reader.data.get("meta", {}).get(
            "profile", []
        ):
            for key in reader.data:
                reader.mark(key)
        else:
            result.issues.append(FhirIssue(reader.path, f"a {kind} has no place in the standard"))
    for reader, doc_type in primaries:
        record, _ = record_id(str(reader.data.get("id", "")))
        version = str(reader.data.get("meta", {}).get("versionId", ""))
        own: dict[str, list[ElementReader]] = defaultdict(list)
        keys: list[tuple[str, int | None]] = [(record, None)]
        if version.isdigit():
            keys.insert(0, (record, int(version)))
        for link in keys:
            for kind, found in aux.get(link, {}).items():
                own[kind].extend(found)
                attached.update(id(r) for r in found)
        document = read_document(reader, doc_type, own, result.issues)
        _report_leftovers(reader, result.issues)
        for found in own.values():
            for part in found:
                _report_leftovers(part, result.issues)
        if document is None:
            continue
        problems = validate(document) if check else []
        for problem in problems:
            home = _expected_at(doc_type, problem.pointer, problem.message)
            result.issues.append(
                FhirIssue(
                    reader.path,
                    f"the {doc_type} read from it is not valid at {problem.pointer or '/'}: "
                    f"{problem.message}{home}",
                    "error",
                    problem.requirement,
                )
            )
        if not problems:
            result.documents.append(document)
            result.locations.append(reader.path)
    for kinds in aux.values():
        for found in kinds.values():
            for part in found:
                if id(part) not in attached:
                    result.issues.append(
                        FhirIssue(part.path, "refers to no resource in the bundle; not read")
                    )
    return result


def from_json(raw: bytes, where: str = "", *, check: bool = True) -> ImportResult:
    """:func:`from_bundle` for JSON bytes; raises :class:`FhirMappingError` for non-JSON."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise FhirMappingError(f"not JSON: {exc}", where=where) from None
    return from_bundle(data, where, check=check)
