"""Every FHIR extension the mapping uses, and its StructureDefinition (SDS-FHR-003).

Most extensions carry one field of the standard that has no FHIR element of its own; their
definition (datatype, sub-extensions, cardinality, description) is generated from that
field's schema, so the StructureDefinitions in ``spec/fhir/extensions/`` cannot disagree
with the schemas. Four carry the record itself: ``standard``, ``supersedes``,
``local-field`` and ``empty-element``.

Canonical URLs: ``https://spec.sdsx.scot/v1/fhir/StructureDefinition/<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spec.fhir.schema import Shape, field_shape
from spec.fhir.schema import shape as resolve_shape
from spec.fhir.terminology import structure_definition_url as url_of
from spec.fhir.terminology import system_url

__all__ = [
    "EXTENSIONS",
    "RECORD_EXTENSIONS",
    "FieldExtension",
    "extension_url",
    "field_extensions",
    "structure_definition",
    "structure_definitions",
]

# The contexts the record-level extensions may appear on: every primary resource.
_PRIMARY = ("Patient", "QuestionnaireResponse", "CarePlan", "Coverage", "Account")


@dataclass(frozen=True, slots=True)
class FieldExtension:
    """An extension carrying field ``path`` of ``doc_type`` documents, placed on ``context``."""

    name: str
    doc_type: str
    path: str
    context: str

    @property
    def url(self) -> str:
        return url_of(self.name)

    @property
    def field(self) -> str:
        """The last member name of ``path``."""
        return self.path.rsplit("/", 1)[-1]

    def shape(self) -> Shape:
        """The shape of one value (a list field repeats the extension)."""
        found = field_shape(self.doc_type, self.path)
        return found.item_shape() if found.kind == "array" else found

    @property
    def parent(self) -> str:
        """The path of the object holding the field (``""`` for the document itself)."""
        return self.path.rsplit("/", 1)[0]

    @property
    def repeats(self) -> bool:
        return field_shape(self.doc_type, self.path).kind == "array"


EXTENSIONS: tuple[FieldExtension, ...] = (
    FieldExtension("health-board", "person", "/health_board", "Patient"),
    FieldExtension("communication-notes", "person", "/communication_needs/notes", "Patient"),
    FieldExtension(
        "representative-authority", "person", "/representatives/*/authority", "RelatedPerson"
    ),
    FieldExtension("contact", "person", "/representatives/*/contact", "RelatedPerson"),
    FieldExtension("consent-withdrawn-at", "person", "/consents/*/withdrawn_at", "Consent"),
    FieldExtension("plan-status", "support-plan", "/status", "CarePlan"),
    FieldExtension("sds-option", "support-plan", "/sds_option", "CarePlan"),
    FieldExtension("about-me", "support-plan", "/about_me", "CarePlan"),
    FieldExtension("contingency-plan", "support-plan", "/contingency_plans", "CarePlan"),
    FieldExtension("carer-contribution", "support-plan", "/carers", "CarePlan"),
    FieldExtension("risk-enablement", "support-plan", "/risk_enablement", "CarePlan"),
    FieldExtension("review", "support-plan", "/review", "CarePlan"),
    FieldExtension("agreed-by", "support-plan", "/agreed_by", "CarePlan"),
    FieldExtension(
        "support-item-option", "support-plan", "/support_items/*/sds_option", "CarePlan.activity"
    ),
    FieldExtension(
        "support-item-cost", "support-plan", "/support_items/*/cost", "CarePlan.activity"
    ),
    FieldExtension(
        "support-item-schedule", "support-plan", "/support_items/*/schedule", "CarePlan.activity"
    ),
    FieldExtension(
        "actual-cost", "support-plan", "/support_items/*/actual_cost", "CarePlan.activity"
    ),
    FieldExtension(
        "actual-period", "support-plan", "/support_items/*/actual_period", "CarePlan.activity"
    ),
    FieldExtension(
        "health-need", "support-plan", "/support_items/*/health_need", "CarePlan.activity"
    ),
    FieldExtension(
        "hour-split", "support-plan", "/support_items/*/hour_splits", "CarePlan.activity"
    ),
    FieldExtension("funding-status", "funding-line", "/status", "Coverage"),
    FieldExtension("award", "funding-line", "/award", "Coverage"),
    FieldExtension("hourly-award", "funding-line", "/hourly", "Coverage"),
    FieldExtension("hours-of-day", "funding-line", "/hours_of_day", "Coverage"),
    FieldExtension("cap", "funding-line", "/cap", "Coverage"),
    FieldExtension("payment", "funding-line", "/payment", "Coverage"),
    FieldExtension("review-date", "funding-line", "/review_date", "Coverage"),
    FieldExtension("purpose-restriction", "funding-line", "/purpose", "Coverage"),
    FieldExtension("holding-mode", "funding-line", "/holding_mode", "Coverage"),
    FieldExtension("funding-option", "funding-line", "/sds_option", "Coverage"),
    FieldExtension("contribution", "funding-line", "/contribution", "Coverage"),
    FieldExtension("funding-terms", "funding-line", "/terms", "Coverage"),
    FieldExtension("ledger-entry", "funding-line", "/ledger", "Coverage"),
    FieldExtension("spending", "funding-line", "/spending", "Coverage"),
    FieldExtension(
        "adapter-version", "funding-line", "/provenance/adapter_version", "Provenance.agent"
    ),
    FieldExtension(
        "record-locator", "funding-line", "/provenance/record_locator", "Provenance.entity"
    ),
    FieldExtension("budget-status", "individual-budget", "/status", "Account"),
    FieldExtension("budget-plan", "individual-budget", "/plan", "Account"),
    FieldExtension("budget-calculation", "individual-budget", "/calculation", "Account"),
    FieldExtension("budget-line", "individual-budget", "/lines", "Account"),
    FieldExtension("allocation", "individual-budget", "/allocations", "Account"),
    FieldExtension("budget-totals", "individual-budget", "/totals", "Account"),
    FieldExtension("shortfall", "individual-budget", "/shortfall", "Account"),
    FieldExtension("unallocated", "individual-budget", "/unallocated", "Account"),
    FieldExtension("budget-flag", "individual-budget", "/flags", "Account"),
    FieldExtension("issued-at", "individual-budget", "/issued_at", "Account"),
    FieldExtension("signature", "individual-budget", "/signature", "Account"),
)

# name -> (description, sub-extensions as (url, FHIR type, cardinality max), value type).
RECORD_EXTENSIONS: dict[str, tuple[str, tuple[tuple[str, str, str], ...], str]] = {
    "standard": (
        "The version of the SDS Exchange standard the record follows, e.g. sdsx/1.0 (SDS-DOC-001).",
        (),
        "string",
    ),
    "supersedes": (
        "The version of this record that this one replaces, as a versioned reference "
        "(SDS-DOC-005).",
        (),
        "Reference",
    ),
    "local-field": (
        "A local field a council profile added (SDS-DOC-006): its namespaced key and its "
        "value as JSON text.",
        (("key", "string", "1"), ("value", "string", "1")),
        "",
    ),
    "empty-element": (
        "An empty string, list or object the record holds at a JSON pointer; FHIR elements "
        "are never empty, so this keeps the round trip exact (SDS-FHR-007).",
        (("path", "string", "1"), ("kind", "code", "1")),
        "",
    ),
}


def extension_url(name: str) -> str:
    """The canonical URL of extension ``name`` (catalogued or record-level)."""
    if name not in RECORD_EXTENSIONS and all(e.name != name for e in EXTENSIONS):
        raise KeyError(f"no extension {name!r}")
    return url_of(name)


def field_extensions(doc_type: str, context: str, parent: str = "") -> list[FieldExtension]:
    """The extensions on FHIR element ``context`` for fields of ``doc_type`` under ``parent``."""
    return [
        e
        for e in EXTENSIONS
        if e.doc_type == doc_type and e.context == context and e.parent == parent
    ]


_FHIR_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "instant",
    "money": "Money",
    "period": "Period",
    "organisation": "Reference",
    "identifier": "Identifier",
    "json": "string",
}


def _value_type(shape: Shape) -> str:
    if shape.kind == "code":
        return "Coding" if shape.valueset else "code"
    if shape.kind == "object":
        return ""
    return _FHIR_TYPES[shape.kind]


def _description(shape: Shape, fallback: str) -> str:
    text = shape.node.get("description")
    return text if isinstance(text, str) else fallback


def _members(shape: Shape | None) -> list[tuple[str, Shape | None, str, str, str]]:
    """(name, shape, FHIR type, max, definition) of each sub-extension of an object shape."""
    members: list[tuple[str, Shape | None, str, str, str]] = []
    if shape is not None and shape.kind == "object":
        for name, node, file in shape.properties:
            member = resolve_shape(node, file)
            each = member.item_shape() if member.kind == "array" else member
            cardinality = "*" if member.kind == "array" else "1"
            members.append((name, each, _value_type(each), cardinality, _description(member, name)))
    return members


def _elements(
    url: str,
    shape: Shape | None,
    subs: tuple[tuple[str, str, str], ...],
    value_type: str,
    text: str,
) -> list[dict[str, Any]]:
    """The differential: one slice per sub-extension (nested objects nest the same way)."""
    elements: list[dict[str, Any]] = [
        {"id": "Extension", "path": "Extension", "short": text[:80], "definition": text}
    ]
    members = _members(shape) + [(n, None, t, c, n) for n, t, c in subs]
    for name, member_shape, fhir_type, cardinality, member_text in members:
        slice_id = f"Extension.extension:{name}"
        elements.append(
            {
                "id": slice_id,
                "path": "Extension.extension",
                "sliceName": name,
                "min": 0,
                "max": cardinality,
                "definition": member_text,
            }
        )
        elements.append(
            {"id": f"{slice_id}.url", "path": "Extension.extension.url", "fixedUri": name}
        )
        value_path = "Extension.extension.value[x]"
        if fhir_type:
            elements.append(
                _value_element(f"{slice_id}.value[x]", value_path, fhir_type, member_shape)
            )
        else:
            elements.append({"id": f"{slice_id}.value[x]", "path": value_path, "max": "0"})
    elements.append({"id": "Extension.url", "path": "Extension.url", "fixedUri": url})
    if value_type:
        elements.append(
            _value_element("Extension.value[x]", "Extension.value[x]", value_type, shape)
        )
    else:
        elements.append({"id": "Extension.value[x]", "path": "Extension.value[x]", "max": "0"})
    return elements


def _value_element(
    element_id: str, path: str, fhir_type: str, shape: Shape | None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "id": element_id,
        "path": path,
        "min": 1,
        "type": [{"code": fhir_type}],
    }
    if fhir_type == "Coding" and shape is not None and shape.valueset:
        element["patternCoding"] = {"system": system_url(shape.valueset)}
    return element


def structure_definition(name: str) -> dict[str, Any]:
    """The StructureDefinition of extension ``name``."""
    url = extension_url(name)
    field = next((e for e in EXTENSIONS if e.name == name), None)
    if field is not None:
        shape: Shape | None = field.shape()
        contexts = [field.context]
        text = _description(field_shape(field.doc_type, field.path), field.field)
        text = f"{text} Carries {field.doc_type}:{field.path}."
        subs: tuple[tuple[str, str, str], ...] = ()
        value_type = _value_type(field.shape())
    else:
        shape = None
        text, subs, value_type = RECORD_EXTENSIONS[name]
        contexts = list(_PRIMARY)
    return {
        "resourceType": "StructureDefinition",
        "id": name,
        "url": url,
        "name": "".join(p.capitalize() for p in name.split("-")),
        "title": name,
        "status": "active",
        "publisher": "SDS Exchange (sdsx)",
        "description": text,
        "fhirVersion": "4.0.1",
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": c} for c in contexts],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": _elements(url, shape, subs, value_type, text)},
    }


def structure_definitions() -> list[dict[str, Any]]:
    """Every extension's StructureDefinition, record-level ones first."""
    names = [*RECORD_EXTENSIONS, *(e.name for e in EXTENSIONS)]
    return [structure_definition(n) for n in names]
