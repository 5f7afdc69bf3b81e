"""The Questionnaire that assessment QuestionnaireResponses answer, generated from the schema.

Published as ``spec/fhir/questionnaire/Questionnaire-sdsx-assessment.json`` by
``python -m spec.fhir.build``. Each item's ``linkId`` is the dotted field path the
responses use (:func:`spec.fhir.codec.to_items`); its type, cardinality and answer value set
come from the field's schema (SDS-FHR-001).
"""

from __future__ import annotations

from typing import Any

from spec.fhir.schema import Shape, document_shape, shape, structure
from spec.fhir.terminology import FHIR_BASE
from spec.valuesets import valueset

__all__ = ["QUESTIONNAIRE_URL", "assessment_questionnaire"]

QUESTIONNAIRE_URL = f"{FHIR_BASE}/Questionnaire/sdsx-assessment"

# Fields the response carries outside its items.
_NOT_ITEMS = frozenset(
    {
        "standard",
        "type",
        "id",
        "version",
        "supersedes",
        "recorded_at",
        "extensions",
        "person",
        "council",
        "date",
    }
)
_ITEM_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "dateTime",
    "money": "quantity",
    "organisation": "reference",
    "code": "choice",
}


def _items(found: Shape, prefix: str, skip: frozenset[str]) -> list[dict[str, Any]]:
    items = []
    for name, node, file in found.properties:
        if name in skip:
            continue
        member = shape(node, file)
        each = member.item_shape() if member.kind == "array" else member
        text = member.node.get("description", name)
        item: dict[str, Any] = {"linkId": f"{prefix}{name}", "text": text}
        if each.kind in ("object", "period", "identifier"):
            item["type"] = "group"
            item["item"] = _items(structure(each), f"{prefix}{name}.", frozenset())
        else:
            item["type"] = (
                _ITEM_TYPES[each.kind] if each.valueset or each.kind != "code" else "string"
            )
            if each.valueset:
                item["answerValueSet"] = valueset(each.valueset).url
        item["required"] = name in found.required
        item["repeats"] = member.kind == "array"
        items.append(item)
    return items


def assessment_questionnaire() -> dict[str, Any]:
    """The Questionnaire resource for the assessment document type."""
    return {
        "resourceType": "Questionnaire",
        "id": "sdsx-assessment",
        "url": QUESTIONNAIRE_URL,
        "name": "SdsxAssessment",
        "title": "SDS Exchange assessment",
        "status": "active",
        "publisher": "SDS Exchange (sdsx)",
        "description": "The questions an SDS Exchange assessment answers; generated from "
        "assessment.schema.json.",
        "subjectType": ["Patient"],
        "item": _items(document_shape("assessment"), "", _NOT_ITEMS),
    }
