"""Reading one FHIR resource into one document of the standard: one reader per type.

The inverse of the builders in :mod:`spec.fhir.to_fhir`. Each reader takes what the
standard can hold through an :class:`~spec.fhir.warnings.ElementReader`; whatever it leaves
unread is reported by :mod:`spec.fhir.from_fhir` as a warning (SDS-FHR-004).
"""

from __future__ import annotations

from typing import Any

from spec.fhir.codec import from_items, identifier_from_fhir
from spec.fhir.empties import restore_empty
from spec.fhir.identifiers import parse_reference, record_id, standard_system
from spec.fhir.reading import (
    ReadContext,
    read_code,
    read_extensions,
    read_header,
    read_organisation,
    read_part_header,
    read_reference,
    read_subject,
    utc_timestamp,
)
from spec.fhir.schema import document_shape
from spec.fhir.to_fhir import (
    CONSENT_GRANT_SYSTEM,
    INTERPRETER_REQUIRED,
    LOCAL_ID_SYSTEM,
    RESOURCE_TYPES,
    SOURCE_REFERENCE_SYSTEM,
)
from spec.fhir.warnings import ElementReader, FhirIssue, FhirMappingError
from spec.valuesets import valueset

__all__ = ["AUX_LINKS", "DOC_TYPES", "READERS", "read_document"]

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


def _person(r: ElementReader, doc: dict[str, Any], ctx: ReadContext) -> None:
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
    read_extensions(r, "person", "Patient", "", doc, ctx)
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
    read_extensions(r, "person", "Patient", "/communication_needs", needs, ctx)
    if needs:
        doc["communication_needs"] = needs
    for related in ctx.aux.get("RelatedPerson", []):
        doc.setdefault("representatives", []).append(_representative(related, ctx))
    for consent in ctx.aux.get("Consent", []):
        doc.setdefault("consents", []).append(_consent(consent, ctx))


def _representative(r: ElementReader, ctx: ReadContext) -> dict[str, Any]:
    read_part_header(r)
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
    code = read_code(relations[0], "relationship-type") if relations else None
    if code is not None:
        rep["relationship"] = code
    if r.has("period"):
        rep["period"] = r.take("period")
    read_extensions(r, "person", "RelatedPerson", "/representatives/*", rep, ctx)
    return rep


def _consent(r: ElementReader, ctx: ReadContext) -> dict[str, Any]:
    read_part_header(r)
    for key in ("patient", "status", "scope", "policy"):
        r.mark(key)
    grant: dict[str, Any] = {}
    for ident in r.children("identifier"):
        if ident.data.get("system") == CONSENT_GRANT_SYSTEM:
            ident.take("system")
            grant["id"] = ident.take("value")
    categories = r.children("category")
    code = read_code(categories[0], "consent-purpose") if categories else None
    if code is not None:
        grant["purpose"] = code
    provision = r.child("provision")
    if provision is not None:
        provision.mark("type")
        actors = provision.children("actor")
        recipient = actors[0].child("reference") if actors else None
        if recipient is not None:
            actors[0].mark("role")
            read_organisation(recipient, grant, "recipient", ctx)
        if provision.has("period"):
            grant["period"] = provision.take("period")
    if r.has("dateTime"):
        grant["granted_at"] = utc_timestamp(r.take("dateTime"))
    performers = r.children("performer")
    if performers and performers[0].has("display"):
        grant["granted_by"] = performers[0].take("display")
    read_extensions(r, "person", "Consent", "/consents/*", grant, ctx)
    return grant


def _assessment(r: ElementReader, doc: dict[str, Any], ctx: ReadContext) -> None:
    for key in ("questionnaire", "status"):
        r.mark(key)
    read_subject(r, "subject", doc, ctx)
    authored = r.data.get("authored")
    if isinstance(authored, str):
        r.take("authored")
        doc["date"] = authored[:10]
        if len(authored) > 10:
            ctx.warn(r.at("authored"), "the time of day is not held; the date is kept")
    read_organisation(r.child("author"), doc, "council", ctx)
    doc.update(from_items(r.children("item"), document_shape("assessment")))


def _goal(r: ElementReader, index: int, ctx: ReadContext) -> dict[str, Any]:
    read_part_header(r)
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
    national = read_code(categories[0], "national-outcome") if categories else None
    if national is not None:
        outcome["national_outcome"] = national
    status = read_code(r.child("achievementStatus"), "outcome-status")
    if status is not None:
        outcome["status"] = status
    targets = r.children("target")
    if targets and targets[0].has("detailString"):
        outcome["measure"] = targets[0].take("detailString")
    return outcome


def _support_plan(r: ElementReader, doc: dict[str, Any], ctx: ReadContext) -> None:
    r.mark("intent") if r.data.get("intent") == "plan" else None
    read_subject(r, "subject", doc, ctx)
    read_organisation(r.child("author"), doc, "council", ctx)
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
    read_extensions(r, "support-plan", "CarePlan", "", doc, ctx)
    status = r.take("status")
    if "status" not in doc and isinstance(status, str) and status in _PLAN_STATUS:
        doc["status"] = _PLAN_STATUS[status]
        ctx.warn(r.at("status"), f"no exact plan status; FHIR {status!r} read as {doc['status']!r}")


def _activity(
    r: ElementReader, index: int, goals: dict[str, str], ctx: ReadContext
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": r.take("id") if r.has("id") else f"item-{index}"}
    detail = r.child("detail")
    if detail is not None:
        detail.mark("status")
        category = read_code(detail.child("code"), "support-category")
        if category is not None:
            item["category"] = category
        if detail.has("description"):
            item["description"] = detail.take("description")
        performers = detail.children("performer")
        if performers:
            read_organisation(performers[0], item, "provider", ctx)
        if detail.has("scheduledPeriod"):
            item["period"] = detail.take("scheduledPeriod")
        links = [g for g in detail.children("goal") if g.data.get("reference") in goals]
        if links:
            item["outcomes"] = [goals[g.take("reference")] for g in links]
    read_extensions(r, "support-plan", "CarePlan.activity", "/support_items/*", item, ctx)
    return item


def _funding_line(r: ElementReader, doc: dict[str, Any], ctx: ReadContext) -> None:
    beneficiary = r.child("beneficiary")
    if beneficiary is not None:
        read_subject(r, "beneficiary", doc, ctx)
        ident = beneficiary.child("identifier")
        if ident is not None and standard_system(str(ident.data.get("system"))) in valueset(
            "identifier-system"
        ):
            doc["person_identifier"] = identifier_from_fhir(ident)
    source = read_code(r.child("type"), "funding-source")
    if source is not None:
        doc["source"] = source
    payors = r.children("payor")
    if payors:
        read_organisation(payors[0], doc, "payer", ctx)
    for ident in r.children("identifier"):
        if ident.data.get("system") == SOURCE_REFERENCE_SYSTEM:
            ident.take("system")
            doc["source_reference"] = ident.take("value")
    if r.has("period"):
        doc["period"] = r.take("period")
    read_extensions(r, "funding-line", "Coverage", "", doc, ctx)
    status = r.take("status")
    if "status" not in doc and isinstance(status, str) and status in _FUNDING_STATUS:
        doc["status"] = _FUNDING_STATUS[status]
        ctx.warn(
            r.at("status"), f"no exact funding status; FHIR {status!r} read as {doc['status']!r}"
        )
    for provenance in ctx.aux.get("Provenance", []):
        doc["provenance"] = _provenance(provenance, ctx)


def _provenance(r: ElementReader, ctx: ReadContext) -> dict[str, Any]:
    read_part_header(r)
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
        read_extensions(agents[0], "funding-line", "Provenance.agent", "/provenance", found, ctx)
    entities = r.children("entity")
    if entities:
        entities[0].mark("role")
        what = entities[0].child("what")
        ident = what.child("identifier") if what else None
        if ident is not None:
            ident.mark("system")
            found["source_sha256"] = ident.take("value")
        read_extensions(entities[0], "funding-line", "Provenance.entity", "/provenance", found, ctx)
    if r.has("recorded"):
        found["received_at"] = utc_timestamp(r.take("recorded"))
    return found


def _budget(r: ElementReader, doc: dict[str, Any], ctx: ReadContext) -> None:
    r.mark("status")
    r.mark("coverage")
    subjects = r.children("subject")
    found = read_reference(subjects[0], ctx) if subjects else None
    if found is not None:
        doc["person"] = {"id": found[0]}
    if r.has("servicePeriod"):
        doc["period"] = r.take("servicePeriod")
    read_organisation(r.child("owner"), doc, "issued_by", ctx)
    read_extensions(r, "individual-budget", "Account", "", doc, ctx)
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
    ctx = ReadContext(issues, aux)
    try:
        doc, empties = read_header(r, doc_type, ctx)
        READERS[doc_type](r, doc, ctx)
    except FhirMappingError as exc:
        issues.append(
            FhirIssue(exc.where or r.path, exc.message, "error", exc.requirement or "SDS-FHR-004")
        )
        return None
    for where in restore_empty(doc, empties):
        ctx.warn(r.path, f"empty-element {where} does not fit the document; ignored", "SDS-FHR-007")
    return doc
