"""Reading one FHIR resource into one document of the standard: one reader per type.

The inverse of the builders in :mod:`spec.fhir.to_fhir`. Each reader takes what the
standard can hold through an :class:`~spec.fhir.warnings.ElementReader`; whatever it leaves
unread is reported by :mod:`spec.fhir.from_fhir` as a warning (SDS-FHR-004).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson
import pydantic
from fhir.resources.R4B import get_fhir_model_class

from spec._paths import STANDARD_VERSION
from spec.fhir.codec import (
    from_extension,
    from_items,
    identifier_from_fhir,
    organisation_from_fhir,
)
from spec.fhir.empties import restore_empty
from spec.fhir.extensions import extension_url, field_extensions
from spec.fhir.identifiers import parse_reference, record_id, standard_system
from spec.fhir.schema import document_shape
from spec.fhir.terminology import system_url
from spec.fhir.to_fhir import (
    CONSENT_GRANT_SYSTEM,
    INTERPRETER_REQUIRED,
    LOCAL_ID_SYSTEM,
    RESOURCE_TYPES,
    SOURCE_REFERENCE_SYSTEM,
)
from spec.fhir.warnings import ElementReader, FhirIssue, FhirMappingError
from spec.valuesets import valueset

__all__ = ["AUX_LINKS", "DOC_TYPES", "READERS", "check_model", "read_document"]

_RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
DOC_TYPES = {v: k for k, v in RESOURCE_TYPES.items()}
AUX_LINKS = {"RelatedPerson": "patient", "Consent": "patient", "Provenance": "target"}
# The standard's status for a FHIR status, when a foreign resource has no exact code.
_PLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "on-hold": "under-review",
    "completed": "ended",
    "revoked": "ended",
}
_FUNDING_STATUS = {"draft": "provisional", "active": "awarded", "cancelled": "ended"}


class _Context:
    """What reading one resource needs: its issues and the auxiliary resources of the bundle."""

    def __init__(self, issues: list[FhirIssue], aux: dict[str, list[ElementReader]]) -> None:
        self.issues = issues
        self.aux = aux

    def warn(self, where: str, message: str, requirement: str = "SDS-FHR-004") -> None:
        self.issues.append(FhirIssue(where, message, "warning", requirement))


def _loc(base: str, parts: tuple[int | str, ...]) -> str:
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
                    _loc(where, tuple(error["loc"])),
                    f"not valid FHIR R4: {error['msg']}",
                    "error",
                    "SDS-FHR-002",
                )
            )
        return False
    return True


def _id(reader: ElementReader, key: str, ctx: _Context) -> str | None:
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


def _ref_id(reader: ElementReader | None, ctx: _Context) -> tuple[str, int | None] | None:
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


def _timestamp(value: Any) -> Any:
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


def _code(concept: ElementReader | None, valueset_id: str) -> str | None:
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


def _extensions_into(
    reader: ElementReader,
    doc_type: str,
    context: str,
    parent: str,
    into: dict[str, Any],
    ctx: _Context,
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


def _header(
    r: ElementReader, doc_type: str, ctx: _Context
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    r.mark("resourceType")
    standard = r.extension(extension_url("standard"))
    doc: dict[str, Any] = {
        "standard": standard.take("valueString") if standard else STANDARD_VERSION,
        "type": doc_type,
        "id": _id(r, "id", ctx),
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
            doc["recorded_at"] = _timestamp(meta.take("lastUpdated"))
    old = r.extension(extension_url("supersedes"))
    target = _ref_id(old.child("valueReference"), ctx) if old else None
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


def _person(r: ElementReader, doc: dict[str, Any], ctx: _Context) -> None:
    known = valueset("identifier-system")
    identifiers = []
    for ident in r.children("identifier"):
        system = standard_system(str(ident.data.get("system")))
        if system in known:
            identifiers.append(identifier_from_fhir(ident))
            continue
        for key in ident.data:
            ident.mark(key)
        ctx.warn(
            ident.path,
            f"identifier system {system!r} is not one the standard knows; not read",
            "SDS-IDN-001",
        )
    doc["identifiers"] = identifiers
    names = r.children("name")
    official = next((n for n in names if n.data.get("use") in ("official", None)), None)
    if official is not None:
        official.mark("use")
        given = official.take("given") or []
        doc["name"] = {"given": " ".join(given), "family": official.take("family")}
        usual = next((n for n in names if n.data.get("use") == "usual"), None)
        if usual is not None and usual is not official and len(usual.data.get("given", [])) == 1:
            usual.mark("use")
            doc["name"]["preferred"] = usual.take("given")[0]
    birth = r.data.get("birthDate")
    if isinstance(birth, str) and len(birth) == 10:
        doc["birth_date"] = r.take("birthDate")
    council = r.child("managingOrganization")
    org = council.child("identifier") if council else None
    # A GSS council area code (S12...) is unambiguous whatever system another producer used.
    if council and org and org.data.get("value") in valueset("council-area"):
        doc["council_area"] = org.take("value")
        org.take("system")
        council.mark("reference")
        council.mark("display")
    _extensions_into(r, "person", "Patient", "", doc, ctx)
    needs: dict[str, Any] = {}
    languages = r.children("communication")
    if languages:
        code = languages[0].child("language")
        for entry in code.children("coding") if code else []:
            if entry.data.get("system") == "urn:ietf:bcp:47":
                needs["language"] = entry.take("code")
                entry.take("system")
                entry.mark("display")
                languages[0].mark("preferred")
                break
    interpreter = r.extension(INTERPRETER_REQUIRED)
    if interpreter is not None:
        needs["interpreter_needed"] = interpreter.take("valueBoolean")
    _extensions_into(r, "person", "Patient", "/communication_needs", needs, ctx)
    if needs:
        doc["communication_needs"] = needs
    for related in ctx.aux.get("RelatedPerson", []):
        doc.setdefault("representatives", []).append(_representative(related, ctx))
    for consent in ctx.aux.get("Consent", []):
        doc.setdefault("consents", []).append(_consent(consent, ctx))


def _aux_header(r: ElementReader) -> None:
    for key in ("resourceType", "id"):
        r.mark(key)
    meta = r.child("meta")
    if meta is not None:
        meta.mark("profile")


def _representative(r: ElementReader, ctx: _Context) -> dict[str, Any]:
    _aux_header(r)
    r.mark("patient")
    rep: dict[str, Any] = {}
    names = r.children("name")
    if names and names[0].has("text"):
        rep["name"] = names[0].take("text")
    elif names:
        rep["name"] = " ".join(
            [*(names[0].take("given") or []), names[0].take("family") or ""]
        ).strip()
    relations = r.children("relationship")
    code = _code(relations[0], "relationship-type") if relations else None
    if code is not None:
        rep["relationship"] = code
    if r.has("period"):
        rep["period"] = r.take("period")
    _extensions_into(r, "person", "RelatedPerson", "/representatives/*", rep, ctx)
    return rep


def _consent(r: ElementReader, ctx: _Context) -> dict[str, Any]:
    _aux_header(r)
    for key in ("patient", "status", "scope", "policy"):
        r.mark(key)
    grant: dict[str, Any] = {}
    for ident in r.children("identifier"):
        if ident.data.get("system") == CONSENT_GRANT_SYSTEM:
            ident.take("system")
            grant["id"] = ident.take("value")
    categories = r.children("category")
    code = _code(categories[0], "consent-purpose") if categories else None
    if code is not None:
        grant["purpose"] = code
    provision = r.child("provision")
    if provision is not None:
        provision.mark("type")
        actors = provision.children("actor")
        recipient = actors[0].child("reference") if actors else None
        if recipient is not None:
            actors[0].mark("role")
            _organisation(recipient, grant, "recipient", ctx)
        if provision.has("period"):
            grant["period"] = provision.take("period")
    if r.has("dateTime"):
        grant["granted_at"] = _timestamp(r.take("dateTime"))
    performers = r.children("performer")
    if performers and performers[0].has("display"):
        grant["granted_by"] = performers[0].take("display")
    _extensions_into(r, "person", "Consent", "/consents/*", grant, ctx)
    return grant


def _subject(r: ElementReader, key: str, doc: dict[str, Any], ctx: _Context) -> None:
    """``person`` from a Patient reference (``subject``, ``beneficiary``...)."""
    target = r.child(key)
    found = _ref_id(target, ctx)
    if found is not None:
        doc["person"] = {"id": found[0]}


def _organisation(r: ElementReader | None, into: dict[str, Any], name: str, ctx: _Context) -> None:
    if r is None:
        return
    try:
        into[name] = organisation_from_fhir(r)
    except FhirMappingError as exc:
        for key in r.data:
            r.mark(key)
        ctx.warn(exc.where, f"{exc.message}; not read", exc.requirement or "SDS-COM-008")


def _assessment(r: ElementReader, doc: dict[str, Any], ctx: _Context) -> None:
    for key in ("questionnaire", "status"):
        r.mark(key)
    _subject(r, "subject", doc, ctx)
    authored = r.data.get("authored")
    if isinstance(authored, str):
        r.take("authored")
        doc["date"] = authored[:10]
        if len(authored) > 10:
            ctx.warn(r.at("authored"), "the time of day is not held; the date is kept")
    _organisation(r.child("author"), doc, "council", ctx)
    doc.update(from_items(r.children("item"), document_shape("assessment")))


def _goal(r: ElementReader, index: int, ctx: _Context) -> dict[str, Any]:
    _aux_header(r)
    for key in ("lifecycleStatus", "subject"):
        r.mark(key)
    outcome: dict[str, Any] = {}
    for ident in r.children("identifier"):
        if ident.data.get("system") == LOCAL_ID_SYSTEM:
            ident.take("system")
            outcome["id"] = ident.take("value")
    if "id" not in outcome:
        outcome["id"] = f"outcome-{index}"
    description = r.child("description")
    if description is not None and description.has("text"):
        outcome["description"] = description.take("text")
    categories = r.children("category")
    national = _code(categories[0], "national-outcome") if categories else None
    if national is not None:
        outcome["national_outcome"] = national
    status = _code(r.child("achievementStatus"), "outcome-status")
    if status is not None:
        outcome["status"] = status
    targets = r.children("target")
    if targets and targets[0].has("detailString"):
        outcome["measure"] = targets[0].take("detailString")
    return outcome


def _support_plan(r: ElementReader, doc: dict[str, Any], ctx: _Context) -> None:
    r.mark("intent") if r.data.get("intent") == "plan" else None
    _subject(r, "subject", doc, ctx)
    _organisation(r.child("author"), doc, "council", ctx)
    for info in r.children("supportingInfo"):
        target = info.data.get("reference")
        parsed = parse_reference(target) if isinstance(target, str) else None
        if parsed and parsed[0] == "QuestionnaireResponse" and parsed[2] and parsed[2].isdigit():
            info.take("reference")
            doc["assessment"] = {"id": record_id(parsed[1])[0], "version": int(parsed[2])}
    if r.has("period"):
        doc["period"] = r.take("period")
    goals: dict[str, str] = {}
    outcomes = []
    for index, contained in enumerate(r.children("contained")):
        if contained.data.get("resourceType") == "Goal":
            outcome = _goal(contained, index, ctx)
            goals[f"#{contained.data.get('id')}"] = outcome["id"]
            outcomes.append(outcome)
    for link in r.children("goal"):
        if link.data.get("reference") in goals:
            link.take("reference")
    doc["personal_outcomes"] = outcomes
    doc["support_items"] = [
        _activity(a, i, goals, ctx) for i, a in enumerate(r.children("activity"))
    ]
    _extensions_into(r, "support-plan", "CarePlan", "", doc, ctx)
    status = r.take("status")
    if "status" not in doc and isinstance(status, str) and status in _PLAN_STATUS:
        doc["status"] = _PLAN_STATUS[status]
        ctx.warn(r.at("status"), f"no exact plan status; FHIR {status!r} read as {doc['status']!r}")


def _activity(r: ElementReader, index: int, goals: dict[str, str], ctx: _Context) -> dict[str, Any]:
    item: dict[str, Any] = {"id": r.take("id") if r.has("id") else f"item-{index}"}
    detail = r.child("detail")
    if detail is not None:
        detail.mark("status")
        category = _code(detail.child("code"), "support-category")
        if category is not None:
            item["category"] = category
        if detail.has("description"):
            item["description"] = detail.take("description")
        performers = detail.children("performer")
        if performers:
            _organisation(performers[0], item, "provider", ctx)
        if detail.has("scheduledPeriod"):
            item["period"] = detail.take("scheduledPeriod")
        links = [g for g in detail.children("goal") if g.data.get("reference") in goals]
        if links:
            item["outcomes"] = [goals[g.take("reference")] for g in links]
    _extensions_into(r, "support-plan", "CarePlan.activity", "/support_items/*", item, ctx)
    return item


def _funding_line(r: ElementReader, doc: dict[str, Any], ctx: _Context) -> None:
    beneficiary = r.child("beneficiary")
    if beneficiary is not None:
        _subject(r, "beneficiary", doc, ctx)
        ident = beneficiary.child("identifier")
        if ident is not None and standard_system(str(ident.data.get("system"))) in valueset(
            "identifier-system"
        ):
            doc["person_identifier"] = identifier_from_fhir(ident)
    source = _code(r.child("type"), "funding-source")
    if source is not None:
        doc["source"] = source
    payors = r.children("payor")
    if payors:
        _organisation(payors[0], doc, "payer", ctx)
    for ident in r.children("identifier"):
        if ident.data.get("system") == SOURCE_REFERENCE_SYSTEM:
            ident.take("system")
            doc["source_reference"] = ident.take("value")
    if r.has("period"):
        doc["period"] = r.take("period")
    _extensions_into(r, "funding-line", "Coverage", "", doc, ctx)
    status = r.take("status")
    if "status" not in doc and isinstance(status, str) and status in _FUNDING_STATUS:
        doc["status"] = _FUNDING_STATUS[status]
        ctx.warn(
            r.at("status"), f"no exact funding status; FHIR {status!r} read as {doc['status']!r}"
        )
    for provenance in ctx.aux.get("Provenance", []):
        doc["provenance"] = _provenance(provenance, ctx)


def _provenance(r: ElementReader, ctx: _Context) -> dict[str, Any]:
    _aux_header(r)
    r.mark("target")
    found: dict[str, Any] = {}
    agents = r.children("agent")
    if agents:
        agents[0].mark("type")
        who = agents[0].child("who")
        ident = who.child("identifier") if who else None
        if ident is not None:
            ident.mark("system")
            found["adapter"] = ident.take("value")
        _extensions_into(agents[0], "funding-line", "Provenance.agent", "/provenance", found, ctx)
    entities = r.children("entity")
    if entities:
        entities[0].mark("role")
        what = entities[0].child("what")
        ident = what.child("identifier") if what else None
        if ident is not None:
            ident.mark("system")
            found["source_sha256"] = ident.take("value")
        _extensions_into(
            entities[0], "funding-line", "Provenance.entity", "/provenance", found, ctx
        )
    if r.has("recorded"):
        found["received_at"] = _timestamp(r.take("recorded"))
    return found


def _budget(r: ElementReader, doc: dict[str, Any], ctx: _Context) -> None:
    r.mark("status")
    r.mark("coverage")
    subjects = r.children("subject")
    found = _ref_id(subjects[0], ctx) if subjects else None
    if found is not None:
        doc["person"] = {"id": found[0]}
    if r.has("servicePeriod"):
        doc["period"] = r.take("servicePeriod")
    _organisation(r.child("owner"), doc, "issued_by", ctx)
    _extensions_into(r, "individual-budget", "Account", "", doc, ctx)
    for required in ("lines", "allocations"):
        doc.setdefault(required, [])


READERS = {
    "person": _person,
    "assessment": _assessment,
    "support-plan": _support_plan,
    "funding-line": _funding_line,
    "individual-budget": _budget,
}


def read_document(
    r: ElementReader, doc_type: str, aux: dict[str, list[ElementReader]], issues: list[FhirIssue]
) -> dict[str, Any] | None:
    """The document ``r`` (a primary resource) carries, or ``None`` when it cannot be read."""
    ctx = _Context(issues, aux)
    try:
        doc, empties = _header(r, doc_type, ctx)
        READERS[doc_type](r, doc, ctx)
    except FhirMappingError as exc:
        issues.append(
            FhirIssue(exc.where or r.path, exc.message, "error", exc.requirement or "SDS-FHR-004")
        )
        return None
    for where in restore_empty(doc, empties):
        ctx.warn(r.path, f"empty-element {where} does not fit the document; ignored", "SDS-FHR-007")
    return doc
