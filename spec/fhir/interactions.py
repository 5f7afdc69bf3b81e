"""What a FHIR R4 server for the standard answers, as plain functions (no HTTP here).

The gateway mounts these (see ``spec/fhir/MAPPING.md``, "Serving FHIR"):

* ``GET /fhir/r4/metadata`` -> :func:`capability_statement`;
* ``GET /fhir/r4/{type}/{id}`` -> :func:`read_resource` of the stored document whose type
  :func:`document_type_for` gives;
* ``GET /fhir/r4/CarePlan/{id}/$document`` -> :func:`document_bundle` of the person, the
  plan, its budget and the funding lines;
* ``POST /fhir/r4`` (a transaction Bundle) -> :func:`from_transaction_bundle`, then store
  each document as a normal write;
* every error -> :func:`operation_outcome`, served as ``application/fhir+json``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from spec.fhir.bundles import to_bundle
from spec.fhir.from_fhir import ImportResult, from_bundle
from spec.fhir.identifiers import organisation_reference, reference
from spec.fhir.terminology import FHIR_BASE, profile_url
from spec.fhir.to_fhir import RESOURCE_TYPES, to_resources, validate_resource
from spec.fhir.warnings import FhirIssue, FhirMappingError
from spec.problems import Problem

__all__ = [
    "FHIR_JSON",
    "TransactionResult",
    "capability_statement",
    "document_bundle",
    "document_operation",
    "document_type_for",
    "from_transaction_bundle",
    "operation_outcome",
    "read_resource",
]

FHIR_JSON = "application/fhir+json"
_DOCUMENT_TYPE = {v: k for k, v in RESOURCE_TYPES.items()}
_NAMESPACE = uuid.UUID("0b6f3d52-7c1e-4f0a-9d55-3a8e2c41f7b9")
COMPOSITION_TYPE = f"{FHIR_BASE}/CodeSystem/document-kind"
DOCUMENT_OPERATION = f"{FHIR_BASE}/OperationDefinition/careplan-document"


def document_type_for(resource_type: str) -> str | None:
    """The document type a FHIR resource type serves, or ``None`` when it serves none."""
    return _DOCUMENT_TYPE.get(resource_type)


def read_resource(document: dict[str, Any]) -> dict[str, Any]:
    """The resource ``GET /fhir/r4/{type}/{id}`` answers with for a stored document."""
    resource = to_resources(document)[0]
    validate_resource(resource)
    return resource


def document_operation() -> dict[str, Any]:
    """The OperationDefinition of ``GET /fhir/r4/CarePlan/{id}/$document``."""
    definition = {
        "resourceType": "OperationDefinition",
        "id": "careplan-document",
        "url": DOCUMENT_OPERATION,
        "name": "CarePlanDocument",
        "status": "active",
        "kind": "operation",
        "publisher": "SDS Exchange (sdsx)",
        "description": "A document Bundle holding the support plan, its person, its individual "
        "budget and the funding lines the budget uses, led by a Composition.",
        "code": "document",
        "resource": ["CarePlan"],
        "system": False,
        "type": False,
        "instance": True,
        "parameter": [
            {
                "name": "return",
                "use": "out",
                "min": 1,
                "max": "1",
                "documentation": "The document Bundle.",
                "type": "Bundle",
            }
        ],
    }
    validate_resource(definition)
    return definition


def capability_statement(*, software_version: str = "", date: str = "") -> dict[str, Any]:
    """The CapabilityStatement ``GET /fhir/r4/metadata`` answers with."""
    resources = [
        {
            "type": resource_type,
            "profile": profile_url(doc_type),
            "interaction": [{"code": "read"}],
            "versioning": "versioned",
            "readHistory": False,
        }
        for doc_type, resource_type in RESOURCE_TYPES.items()
    ]
    resources[2]["operation"] = [
        {
            "name": "document",
            "definition": "http://hl7.org/fhir/OperationDefinition/CarePlan-document",
        }
    ]
    statement: dict[str, Any] = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date or datetime.now(UTC).strftime("%Y-%m-%d"),
        "publisher": "SDS Exchange (sdsx)",
        "kind": "instance",
        "software": {"name": "sdsx gateway"},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "implementation": {"description": "SDS Exchange gateway, FHIR R4 interface"},
        "rest": [
            {
                "mode": "server",
                "documentation": "Documents of the SDS Exchange standard as FHIR R4; see "
                "https://spec.sdsx.scot/v1/fhir/MAPPING.md",
                "resource": resources,
                "interaction": [{"code": "transaction"}],
            }
        ],
    }
    if software_version:
        statement["software"]["version"] = software_version
    validate_resource(statement)
    return statement


def _issue(severity: str, code: str, message: str, where: str, requirement: str) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message}
    if where:
        issue["expression" if not where.startswith("/") else "location"] = [where]
    if requirement:
        issue["details"] = {
            "coding": [{"system": "https://spec.sdsx.scot/v1/requirements", "code": requirement}],
            "text": requirement,
        }
    return issue


def operation_outcome(problems: Iterable[Problem | FhirIssue | str]) -> dict[str, Any]:
    """An OperationOutcome for problems (JSON pointers), FHIR issues (FHIRPath) or messages."""
    issues = []
    for problem in problems:
        if isinstance(problem, Problem):
            issues.append(
                _issue("error", "invalid", problem.message, problem.pointer, problem.requirement)
            )
        elif isinstance(problem, FhirIssue):
            code = "invalid" if problem.severity == "error" else "informational"
            issues.append(
                _issue(
                    problem.severity, code, problem.message, problem.location, problem.requirement
                )
            )
        else:
            issues.append(_issue("error", "processing", problem, "", ""))
    if not issues:
        issues.append(_issue("information", "informational", "all OK", "", ""))
    outcome = {"resourceType": "OperationOutcome", "issue": issues}
    validate_resource(outcome)
    return outcome


def document_bundle(
    person: dict[str, Any],
    plan: dict[str, Any],
    budget: dict[str, Any] | None,
    lines: Iterable[dict[str, Any]],
    *,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A FHIR document Bundle: a Composition, then the person, plan, budget and lines."""
    line_list = list(lines)
    documents = [person, plan, *([budget] if budget else []), *line_list]
    collected = to_bundle(documents, timestamp=timestamp)
    stamp = collected["timestamp"]
    key = f"{plan['id']}/{plan['version']}/{budget['id'] if budget else ''}/{stamp}"
    composition_id = str(uuid.uuid5(_NAMESPACE, key))

    def section(title: str, refs: list[str]) -> dict[str, Any]:
        return {"title": title, "entry": [{"reference": r} for r in refs]}

    sections = [
        section("Person", [reference("Patient", person["id"], person["version"])]),
        section("Support plan", [reference("CarePlan", plan["id"], plan["version"])]),
    ]
    if budget:
        sections.append(
            section("Individual budget", [reference("Account", budget["id"], budget["version"])])
        )
    if line_list:
        sections.append(
            section(
                "Funding lines",
                [reference("Coverage", ln["id"], ln["version"]) for ln in line_list],
            )
        )
    author = plan.get("council") or {"kind": "council-area", "code": person["council_area"]}
    composition = {
        "resourceType": "Composition",
        "id": composition_id,
        "meta": {"profile": [profile_url("document")]},
        "status": "final",
        "type": {"coding": [{"system": COMPOSITION_TYPE, "code": "support-plan-and-budget"}]},
        "subject": {"reference": reference("Patient", person["id"])},
        "date": stamp,
        "author": [organisation_reference(author)],
        "title": "Self-directed support plan and individual budget",
        "section": sections,
    }
    validate_resource(composition)
    entries = [{"fullUrl": f"urn:uuid:{composition_id}", "resource": composition}]
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{composition_id}"},
        "type": "document",
        "timestamp": stamp,
        "entry": entries + collected["entry"],
    }
    return bundle


@dataclass
class TransactionResult:
    """What a transaction Bundle asked to store, or why none of it may be stored."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    issues: list[FhirIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """A transaction is all or nothing: any error refuses the whole Bundle."""
        return not any(i.severity == "error" for i in self.issues)


def from_transaction_bundle(bundle: Any) -> TransactionResult:
    """The documents of a ``POST /fhir/r4`` transaction Bundle, with every issue met."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        issue = FhirIssue("Bundle", "expected a Bundle resource", "error", "SDS-FHR-002")
        return TransactionResult([], [issue])
    issues: list[FhirIssue] = []
    if bundle.get("type") != "transaction":
        issues.append(
            FhirIssue("Bundle.type", "expected a transaction Bundle", "error", "SDS-FHR-002")
        )
    for index, entry in enumerate(bundle.get("entry") or []):
        method = entry.get("request", {}).get("method") if isinstance(entry, dict) else None
        if method not in ("PUT", "POST"):
            issues.append(
                FhirIssue(
                    f"Bundle.entry[{index}].request.method",
                    "only PUT and POST of whole resources are accepted",
                    "error",
                    "SDS-FHR-002",
                )
            )
    try:
        result: ImportResult = from_bundle(bundle)
    except FhirMappingError as exc:
        return TransactionResult(
            [], [*issues, FhirIssue(exc.where or "Bundle", exc.message, "error")]
        )
    return TransactionResult(result.documents, issues + result.issues)
