"""The toolkit every FHIR reader uses: model checks, ids, references, codes, the header.

A reader takes what the standard can hold through an :class:`~spec.fhir.warnings.
ElementReader`; whatever it leaves unread is reported as a warning (SDS-FHR-004). The
per-type readers are in :mod:`spec.fhir.readers`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson
import pydantic
from fhir.resources.R4B import get_fhir_model_class

from spec._paths import STANDARD_VERSION
from spec.fhir.codec import from_extension, organisation_from_fhir
from spec.fhir.extensions import extension_url, field_extensions
from spec.fhir.identifiers import parse_reference, record_id
from spec.fhir.terminology import system_url
from spec.fhir.warnings import ElementReader, FhirIssue, FhirMappingError

__all__ = [
    "ReadContext",
    "check_model",
    "element_location",
    "read_code",
    "read_extensions",
    "read_header",
    "read_id",
    "read_organisation",
    "read_part_header",
    "read_reference",
    "read_subject",
    "utc_timestamp",
]

_RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")


class ReadContext:
    """What reading one resource needs: its issues and the auxiliary resources of the bundle."""

    def __init__(self, issues: list[FhirIssue], aux: dict[str, list[ElementReader]]) -> None:
        self.issues = issues
        self.aux = aux

    def warn(self, where: str, message: str, requirement: str = "SDS-FHR-004") -> None:
        self.issues.append(FhirIssue(where, message, "warning", requirement))


def element_location(base: str, parts: tuple[int | str, ...]) -> str:
    text = base
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def check_model(resource: Any, where: str, issues: list[FhirIssue]) -> bool:
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    model: Any = None
    if isinstance(kind, str) and _RESOURCE_TYPE.match(kind):
        try:
            model = get_fhir_model_class(kind)
        except (KeyError, ValueError, ImportError, AttributeError):
            model = None
    if model is None:
        issues.append(FhirIssue(where, f"{kind!r} is not an R4 resource type", "error"))
        return False
    try:
        model.model_validate(resource)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        if not isinstance(exc, pydantic.ValidationError):
            # fhir.resources raises plain errors for some malformed input; name the resource.
            issues.append(
                FhirIssue(where, f"not valid FHIR R4: {type(exc).__name__}", "error", "SDS-FHR-002")
            )
            return False

        for error in exc.errors():
            issues.append(
                FhirIssue(
                    element_location(where, tuple(error["loc"])),
                    f"not valid FHIR R4: {error['msg']}",
                    "error",
                    "SDS-FHR-002",
                )
            )
        return False
    return True


def read_id(reader: ElementReader, key: str, ctx: ReadContext) -> str | None:
    value = reader.take(key)
    if not isinstance(value, str):
        return None
    found, derived = record_id(value)
    if derived:
        ctx.warn(
            reader.at(key),
            "not a lower-case UUID v4; the record id was derived from it",
            "SDS-DOC-003",
        )
    return found


def read_reference(reader: ElementReader | None, ctx: ReadContext) -> tuple[str, int | None] | None:
    if reader is None or not isinstance(reader.data.get("reference"), str):
        return None
    parsed = parse_reference(reader.data["reference"])
    if parsed is None:
        return None
    reader.take("reference")
    reader.mark("display")
    record, derived = record_id(parsed[1])
    if derived:
        ctx.warn(reader.at("reference"), "reference to a non-UUID id; the record id was derived")
    version = int(parsed[2]) if parsed[2] and parsed[2].isdigit() else None
    return record, version


def utc_timestamp(value: Any) -> Any:
    if not isinstance(value, str) or value.endswith("Z"):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    text = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return text


def read_code(concept: ElementReader | None, valueset_id: str) -> str | None:
    """The code of ``valueset_id`` in a CodeableConcept, or ``None`` (the rest stays unread)."""
    if concept is None:
        return None
    for entry in concept.children("coding"):
        if entry.data.get("system") == system_url(valueset_id):
            entry.take("system")
            entry.mark("display")
            code = entry.take("code")
            return code if isinstance(code, str) else None
    return None


def read_extensions(
    reader: ElementReader,
    doc_type: str,
    context: str,
    parent: str,
    into: dict[str, Any],
    ctx: ReadContext,
) -> None:
    for ext in field_extensions(doc_type, context, parent):
        for found in reader.extensions(ext.url):
            try:
                value = from_extension(found, ext.shape())
            except FhirMappingError as exc:
                ctx.issues.append(
                    FhirIssue(exc.where, exc.message, "error", exc.requirement or "SDS-FHR-004")
                )
                continue
            if ext.repeats:
                into.setdefault(ext.field, []).append(value)
            elif ext.field not in into:
                into[ext.field] = value


def read_header(
    r: ElementReader, doc_type: str, ctx: ReadContext
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    r.mark("resourceType")
    standard = r.extension(extension_url("standard"))
    doc: dict[str, Any] = {
        "standard": standard.take("valueString") if standard else STANDARD_VERSION,
        "type": doc_type,
        "id": read_id(r, "id", ctx),
    }
    meta = r.child("meta")
    version: Any = meta.take("versionId") if meta else None
    ours = standard is not None
    if ours and isinstance(version, str) and version.isdigit() and int(version) >= 1:
        doc["version"] = int(version)
    else:
        # Another system's version history is not the standard's chain of supersedes.
        doc["version"] = 1
        if version is not None:
            ctx.warn(
                meta.at("versionId") if meta else r.path,
                "another system's version id; read as version 1 of a new record",
                "SDS-DOC-004",
            )
    if meta is not None:
        meta.mark("profile")
        if meta.has("lastUpdated"):
            doc["recorded_at"] = utc_timestamp(meta.take("lastUpdated"))
    old = r.extension(extension_url("supersedes"))
    target = read_reference(old.child("valueReference"), ctx) if old else None
    if target is not None and target[1] is not None:
        doc["supersedes"] = {"id": target[0], "version": target[1]}
    local = {}
    for ext in r.extensions(extension_url("local-field")):
        key, value = ext.extension("key"), ext.extension("value")
        name = key.data.get("valueString") if key else None
        text = value.data.get("valueString") if value else None
        if key is None or value is None or not isinstance(name, str) or not isinstance(text, str):
            continue
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            ctx.warn(ext.path, "local-field value is not JSON text; not read", "SDS-DOC-006")
            continue
        key.take("valueString")
        value.take("valueString")
        local[name] = parsed
    if local:
        doc["extensions"] = local
    empties = []
    for ext in r.extensions(extension_url("empty-element")):
        where, kind = ext.extension("path"), ext.extension("kind")
        if where and kind:
            empties.append((str(where.take("valueString")), str(kind.take("valueCode"))))
    return doc, empties


def read_part_header(r: ElementReader) -> None:
    for key in ("resourceType", "id"):
        r.mark(key)
    meta = r.child("meta")
    if meta is not None:
        meta.mark("profile")


def read_subject(r: ElementReader, key: str, doc: dict[str, Any], ctx: ReadContext) -> None:
    """``person`` from a Patient reference (``subject``, ``beneficiary``...)."""
    target = r.child(key)
    found = read_reference(target, ctx)
    if found is not None:
        doc["person"] = {"id": found[0]}


def read_organisation(
    r: ElementReader | None, into: dict[str, Any], name: str, ctx: ReadContext
) -> None:
    if r is None:
        return
    try:
        into[name] = organisation_from_fhir(r)
    except FhirMappingError as exc:
        for key in r.data:
            r.mark(key)
        ctx.warn(exc.where, f"{exc.message}; not read", exc.requirement or "SDS-COM-008")
