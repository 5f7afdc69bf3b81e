"""Typed models of the standard's documents, generated from the schemas (the one source of truth).

The classes in ``_generated.py`` are written by ``python -m spec.models.generate`` from
``spec/schemas/``; a test fails when they drift. The models give typed access to a document;
they check its shape, not every rule: :func:`spec.validate` remains the judge of validity
(conditional schema rules, identifier check digits and the semantic rules live there).

Missing optional values are absent, never zero or null, so write a model back with
``model.model_dump(mode="json", exclude_none=True)``; :func:`dump_document` does exactly that::

    plan = parse_document(document)          # a SupportPlan, chosen by document["type"]
    assert dump_document(plan) == document   # absent stays absent
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from spec.models._generated import (
    Assessment,
    ClosedPeriod,
    ConsentGrant,
    Contact,
    Document,
    FundingLine,
    Identifier,
    IndividualBudget,
    LedgerItem,
    Money,
    OrganisationReference,
    Period,
    Person,
    Provenance,
    Rate,
    RecordReference,
    Schedule,
    SignedMoney,
    SupportItem,
    SupportPlan,
    VersionReference,
)

__all__ = [
    "MODELS",
    "Assessment",
    "ClosedPeriod",
    "ConsentGrant",
    "Contact",
    "Document",
    "DocumentModel",
    "FundingLine",
    "Identifier",
    "IndividualBudget",
    "LedgerItem",
    "Money",
    "OrganisationReference",
    "Period",
    "Person",
    "Provenance",
    "Rate",
    "RecordReference",
    "Schedule",
    "SignedMoney",
    "SupportItem",
    "SupportPlan",
    "VersionReference",
    "dump_document",
    "parse_document",
]

DocumentModel = Person | Assessment | SupportPlan | FundingLine | IndividualBudget

# The model class for each document ``type``, in the order of ``spec.DOCUMENT_TYPES``.
MODELS: dict[str, type[DocumentModel]] = {
    "person": Person,
    "assessment": Assessment,
    "support-plan": SupportPlan,
    "funding-line": FundingLine,
    "individual-budget": IndividualBudget,
}

_DOCUMENT: TypeAdapter[DocumentModel] = TypeAdapter(Document)


def parse_document(data: Any) -> DocumentModel:
    """The typed model of a document (a parsed JSON object), chosen by its ``type``.

    Raises ``pydantic.ValidationError`` when the document does not have the shape of its type.
    """
    return _DOCUMENT.validate_python(data)


def dump_document(model: DocumentModel) -> dict[str, Any]:
    """The document as JSON-ready data, with absent optional values left absent."""
    return model.model_dump(mode="json", exclude_none=True)
