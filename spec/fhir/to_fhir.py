"""The standard's documents as FHIR R4 resources and Bundles (SDS-FHR-001, SDS-FHR-002).

Each document becomes one primary resource (person: Patient, assessment:
QuestionnaireResponse, support-plan: CarePlan, funding-line: Coverage, individual-budget:
Account) plus the resources that carry its parts (RelatedPerson, Consent, Provenance, and
the Organization of every organisation referenced). ``spec/fhir/MAPPING.md`` explains each
choice. Every resource is validated with the ``fhir.resources`` R4B models before it is
returned; the JSON written is our own, so strings such as timestamps stay byte for byte.
"""

from __future__ import annotations

from typing import Any

import orjson
from fhir.resources.R4B import get_fhir_model_class

from spec._paths import CANONICAL_BASE
from spec.fhir.codec import identifier_to_fhir, to_extension, to_items
from spec.fhir.empties import strip_empty
from spec.fhir.extensions import extension_url, field_extensions
from spec.fhir.identifiers import (
    aux_id,
    organisation_reference,
    reference,
)
from spec.fhir.questionnaire import QUESTIONNAIRE_URL
from spec.fhir.schema import document_shape
from spec.fhir.terminology import coding, profile_url, structure_definition_url
from spec.fhir.warnings import FhirMappingError
from spec.valuesets import valueset

__all__ = [
    "ASSESSMENT_QUESTIONNAIRE",
    "CONSENT_GRANT_SYSTEM",
    "INTERPRETER_REQUIRED",
    "LOCAL_ID_SYSTEM",
    "RESOURCE_TYPES",
    "SOURCE_REFERENCE_SYSTEM",
    "to_resources",
    "validate_resource",
]

RESOURCE_TYPES = {
    "person": "Patient",
    "assessment": "QuestionnaireResponse",
    "support-plan": "CarePlan",
    "funding-line": "Coverage",
    "individual-budget": "Account",
}
ASSESSMENT_QUESTIONNAIRE = QUESTIONNAIRE_URL
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
LOCAL_ID_SYSTEM = "https://spec.sdsx.scot/id/local"
CONSENT_GRANT_SYSTEM = "https://spec.sdsx.scot/id/consent-grant"
SOURCE_REFERENCE_SYSTEM = "https://spec.sdsx.scot/id/source-reference"
SOURCE_FILE_SYSTEM = "https://spec.sdsx.scot/id/source-file-sha256"
ADAPTER_SYSTEM = "https://spec.sdsx.scot/id/adapter"

# Fields every document has, mapped to Resource.id, meta and the record-level extensions.
HEADER = frozenset({"standard", "type", "id", "version", "supersedes", "recorded_at", "extensions"})

# The nearest FHIR status for each of the standard's statuses; the exact code travels in an
# extension, so these only help FHIR-only readers.
CAREPLAN_STATUS = {
    "draft": "draft",
    "agreed": "active",
    "active": "active",
    "under-review": "on-hold",
    "ended": "completed",
}
ACTIVITY_STATUS = {
    "draft": "not-started",
    "agreed": "scheduled",
    "active": "in-progress",
    "under-review": "on-hold",
    "ended": "completed",
}
GOAL_LIFECYCLE = {"fully-met": "completed", "no-longer-relevant": "cancelled"}
COVERAGE_STATUS = {
    "provisional": "draft",
    "awarded": "active",
    "suspended": "active",
    "ended": "cancelled",
}


def validate_resource(resource: dict[str, Any]) -> None:
    """Check ``resource`` with its ``fhir.resources`` R4B model; raise on the first failure."""
    model: Any = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": extension_url(name), **value}


def _header(doc: dict[str, Any], empties: list[tuple[str, str]]) -> dict[str, Any]:
    resource_type = RESOURCE_TYPES[doc["type"]]
    meta: dict[str, Any] = {"versionId": str(doc["version"]), "profile": [profile_url(doc["type"])]}
    if "recorded_at" in doc:
        meta["lastUpdated"] = doc["recorded_at"]
    extensions = [_ext("standard", valueString=doc["standard"])]
    if "supersedes" in doc:
        old = doc["supersedes"]
        ref = reference(resource_type, old["id"], old["version"])
        extensions.append(_ext("supersedes", valueReference={"reference": ref}))
    for key, value in doc.get("extensions", {}).items():
        text = orjson.dumps(value).decode()
        extensions.append(
            _ext(
                "local-field",
                extension=[
                    {"url": "key", "valueString": key},
                    {"url": "value", "valueString": text},
                ],
            )
        )
    for where, kind in empties:
        extensions.append(
            _ext(
                "empty-element",
                extension=[
                    {"url": "path", "valueString": where},
                    {"url": "kind", "valueCode": kind},
                ],
            )
        )
    return {"resourceType": resource_type, "id": doc["id"], "meta": meta, "extension": extensions}


def _field_extensions(
    doc: dict[str, Any], value: dict[str, Any], context: str, where: str, parent: str = ""
) -> list[Any]:
    found = []
    for ext in field_extensions(doc["type"], context, parent or where):
        if ext.field not in value:
            continue
        members = value[ext.field] if ext.repeats else [value[ext.field]]
        for index, member in enumerate(members):
            at = f"{where}/{ext.field}" + (f"/{index}" if ext.repeats else "")
            found.append(to_extension(ext.url, member, ext.shape(), at))
    return found


def _patient_ref(doc: dict[str, Any]) -> dict[str, Any]:
    return {"reference": reference("Patient", doc["person"]["id"])}


def _person(doc: dict[str, Any], out: dict[str, Any]) -> list[dict[str, Any]]:
    out["identifier"] = [identifier_to_fhir(i) for i in doc["identifiers"]]
    name = doc["name"]
    out["name"] = [{"use": "official", "family": name["family"], "given": [name["given"]]}]
    if "preferred" in name:
        out["name"].append({"use": "usual", "given": [name["preferred"]]})
    out["birthDate"] = doc["birth_date"]
    council = {"kind": "council-area", "code": doc["council_area"]}
    entry = valueset("council-area").get(doc["council_area"])
    if entry is not None:
        council["name"] = entry.display
    out["managingOrganization"] = organisation_reference(council)
    needs = doc.get("communication_needs", {})
    if "language" in needs:
        language = {"coding": [{"system": "urn:ietf:bcp:47", "code": needs["language"]}]}
        out["communication"] = [{"language": language, "preferred": True}]
    if "interpreter_needed" in needs:
        out["extension"].append(
            {"url": INTERPRETER_REQUIRED, "valueBoolean": needs["interpreter_needed"]}
        )
    out["extension"].extend(_field_extensions(doc, doc, "Patient", ""))
    out["extension"].extend(_field_extensions(doc, needs, "Patient", "/communication_needs"))
    patient = {"reference": reference("Patient", doc["id"], doc["version"])}
    parts: list[dict[str, Any]] = []
    for index, rep in enumerate(doc.get("representatives", [])):
        related: dict[str, Any] = {
            "resourceType": "RelatedPerson",
            "id": aux_id(doc["id"], f"{doc['version']}/representative/{index}"),
            "meta": {"profile": [structure_definition_url("sdsx-representative")]},
            "patient": patient,
            "name": [{"text": rep["name"]}],
            "relationship": [{"coding": [coding("relationship-type", rep["relationship"])]}],
        }
        if "period" in rep:
            related["period"] = rep["period"]
        where = f"/representatives/{index}"
        extensions = _field_extensions(doc, rep, "RelatedPerson", where, "/representatives/*")
        if extensions:
            related["extension"] = extensions
        parts.append(related)
    for index, grant in enumerate(doc.get("consents", [])):
        parts.append(_consent(doc, grant, index, patient))
    return parts


def _consent(
    doc: dict[str, Any], grant: dict[str, Any], index: int, patient: Any
) -> dict[str, Any]:
    consent: dict[str, Any] = {
        "resourceType": "Consent",
        "id": aux_id(doc["id"], f"{doc['version']}/consent/{index}"),
        "meta": {"profile": [structure_definition_url("sdsx-consent")]},
        "identifier": [{"system": CONSENT_GRANT_SYSTEM, "value": grant["id"]}],
        "status": "inactive" if "withdrawn_at" in grant else "active",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "patient-privacy",
                }
            ]
        },
        "category": [{"coding": [coding("consent-purpose", grant["purpose"])]}],
        "patient": patient,
        "dateTime": grant["granted_at"],
        "policy": [{"uri": f"{CANONICAL_BASE}requirements/CON#SDS-CON-001"}],
        "provision": {
            "type": "permit",
            "period": grant["period"],
            "actor": [
                {
                    "role": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP",
                            }
                        ]
                    },
                    "reference": organisation_reference(grant["recipient"]),
                }
            ],
        },
    }
    if "granted_by" in grant:
        consent["performer"] = [{"display": grant["granted_by"]}]
    extensions = _field_extensions(doc, grant, "Consent", f"/consents/{index}", "/consents/*")
    if extensions:
        consent["extension"] = extensions
    return consent


def _assessment(doc: dict[str, Any], out: dict[str, Any]) -> list[dict[str, Any]]:
    out["questionnaire"] = ASSESSMENT_QUESTIONNAIRE
    out["status"] = "completed"
    out["subject"] = _patient_ref(doc)
    out["authored"] = doc["date"]
    out["author"] = organisation_reference(doc["council"])
    native = HEADER | {"person", "date", "council"}
    rest = {k: v for k, v in doc.items() if k not in native}
    out["item"] = to_items(rest, document_shape("assessment"))
    return []


def _support_plan(doc: dict[str, Any], out: dict[str, Any]) -> list[dict[str, Any]]:
    out["status"] = CAREPLAN_STATUS[doc["status"]]
    out["intent"] = "plan"
    out["subject"] = _patient_ref(doc)
    out["period"] = doc["period"]
    if "council" in doc:
        out["author"] = organisation_reference(doc["council"])
    if "assessment" in doc:
        ref = reference(
            "QuestionnaireResponse", doc["assessment"]["id"], doc["assessment"]["version"]
        )
        out["supportingInfo"] = [{"reference": ref}]
    goals: dict[str, str] = {}
    contained = []
    for index, outcome in enumerate(doc["personal_outcomes"]):
        goal_id = f"outcome-{index}"
        goals[outcome["id"]] = goal_id
        goal: dict[str, Any] = {
            "resourceType": "Goal",
            "id": goal_id,
            "identifier": [{"system": LOCAL_ID_SYSTEM, "value": outcome["id"]}],
            "lifecycleStatus": GOAL_LIFECYCLE.get(outcome["status"], "active"),
            "achievementStatus": {"coding": [coding("outcome-status", outcome["status"])]},
            "category": [{"coding": [coding("national-outcome", outcome["national_outcome"])]}],
            "description": {"text": outcome["description"]},
            "subject": out["subject"],
        }
        if "measure" in outcome:
            goal["target"] = [{"detailString": outcome["measure"]}]
        contained.append(goal)
    out["contained"] = contained
    out["goal"] = [{"reference": f"#{g['id']}"} for g in contained]
    out["activity"] = [
        _activity(doc, item, i, goals) for i, item in enumerate(doc["support_items"])
    ]
    out["extension"].extend(_field_extensions(doc, doc, "CarePlan", ""))
    return []


def _activity(doc: dict[str, Any], item: dict[str, Any], index: int, goals: dict[str, str]) -> Any:
    detail: dict[str, Any] = {
        "code": {"coding": [coding("support-category", item["category"])]},
        "status": ACTIVITY_STATUS[doc["status"]],
        "description": item["description"],
    }
    if "provider" in item:
        detail["performer"] = [organisation_reference(item["provider"])]
    if "period" in item:
        detail["scheduledPeriod"] = item["period"]
    links = []
    for outcome in item.get("outcomes", []):
        if outcome not in goals:
            raise FhirMappingError(
                f"support item names outcome {outcome!r}, which the plan does not have",
                where=f"/support_items/{index}/outcomes",
                requirement="SDS-PLN-006",
            )
        links.append({"reference": f"#{goals[outcome]}"})
    if links:
        detail["goal"] = links
    activity: dict[str, Any] = {"id": item["id"], "detail": detail}
    extensions = _field_extensions(
        doc, item, "CarePlan.activity", f"/support_items/{index}", "/support_items/*"
    )
    if extensions:
        activity["extension"] = extensions
    return activity


def _funding_line(doc: dict[str, Any], out: dict[str, Any]) -> list[dict[str, Any]]:
    out["status"] = COVERAGE_STATUS[doc["status"]]
    out["type"] = {"coding": [coding("funding-source", doc["source"])]}
    beneficiary: dict[str, Any] = {}
    if "person" in doc:
        beneficiary["reference"] = reference("Patient", doc["person"]["id"])
    if "person_identifier" in doc:
        beneficiary["identifier"] = identifier_to_fhir(doc["person_identifier"])
    out["beneficiary"] = beneficiary
    out["payor"] = [organisation_reference(doc["payer"])]
    if "source_reference" in doc:
        out["identifier"] = [{"system": SOURCE_REFERENCE_SYSTEM, "value": doc["source_reference"]}]
    out["period"] = doc["period"]
    out["extension"].extend(_field_extensions(doc, doc, "Coverage", ""))
    if "provenance" not in doc:
        return []
    source = doc["provenance"]
    provenance = {
        "resourceType": "Provenance",
        "id": aux_id(doc["id"], f"{doc['version']}/provenance"),
        "meta": {"profile": [structure_definition_url("sdsx-line-provenance")]},
        "target": [{"reference": reference("Coverage", doc["id"], doc["version"])}],
        "recorded": source["received_at"],
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "assembler",
                        }
                    ]
                },
                "who": {"identifier": {"system": ADAPTER_SYSTEM, "value": source["adapter"]}},
                "extension": _field_extensions(doc, source, "Provenance.agent", "/provenance"),
            }
        ],
        "entity": [
            {
                "role": "source",
                "what": {
                    "identifier": {"system": SOURCE_FILE_SYSTEM, "value": source["source_sha256"]}
                },
                "extension": _field_extensions(doc, source, "Provenance.entity", "/provenance"),
            }
        ],
    }
    return [provenance]


def _budget(doc: dict[str, Any], out: dict[str, Any]) -> list[dict[str, Any]]:
    out["status"] = "active"
    out["subject"] = [_patient_ref(doc)]
    out["servicePeriod"] = doc["period"]
    if "issued_by" in doc:
        out["owner"] = organisation_reference(doc["issued_by"])
    coverage = [
        {
            "coverage": {
                "reference": reference("Coverage", line["line"]["id"], line["line"]["version"])
            },
            "priority": index + 1,
        }
        for index, line in enumerate(doc.get("lines", []))
    ]
    if coverage:
        out["coverage"] = coverage
    out["extension"].extend(_field_extensions(doc, doc, "Account", ""))
    return []


_BUILDERS = {
    "person": _person,
    "assessment": _assessment,
    "support-plan": _support_plan,
    "funding-line": _funding_line,
    "individual-budget": _budget,
}


def to_resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The FHIR resources for one valid document: the primary resource first.

    Raises :class:`FhirMappingError` for a document the mapping cannot carry (an unknown
    type, an amount too large, a support item linked to a missing outcome).
    """
    doc_type = document.get("type")
    if doc_type not in _BUILDERS:
        raise FhirMappingError(f"no FHIR mapping for document type {doc_type!r}", where="/type")
    doc, empties = strip_empty(document)
    primary = _header(doc, empties)
    parts = _BUILDERS[doc_type](doc, primary)
    return [primary, *parts]
