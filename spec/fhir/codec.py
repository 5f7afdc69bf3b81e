"""Values of the standard as FHIR datatypes, and whole structures as extensions or items.

Fields with a natural FHIR element are mapped by hand in :mod:`spec.fhir.to_fhir`. The rest
(a funding line's terms, a plan's contingency plans, a budget's totals...) go through the
generic, schema-driven codecs here, so their mapping is mechanical and lossless:

* :func:`to_extension` / :func:`from_extension`: an object becomes a complex extension whose
  sub-extensions are named after its members (a list repeats the sub-extension in order);
  a leaf becomes ``value[x]`` of the FHIR type its shape calls for.
* :func:`to_items` / :func:`from_items`: the same for QuestionnaireResponse items, whose
  ``linkId`` is the dotted field path (``financial_assessment.income.kind``).

Money is in :mod:`spec.fhir.money`, empty values in :mod:`spec.fhir.empties`.
"""

from __future__ import annotations

from typing import Any

import orjson

from spec.fhir.identifiers import (
    fhir_system,
    organisation_from_reference,
    organisation_reference,
    standard_system,
)
from spec.fhir.money import money_from_fhir, money_to_fhir
from spec.fhir.schema import Shape, structure
from spec.fhir.terminology import coding, system_url
from spec.fhir.warnings import ElementReader, FhirMappingError

__all__ = [
    "from_extension",
    "from_items",
    "identifier_from_fhir",
    "identifier_to_fhir",
    "organisation_from_fhir",
    "to_extension",
    "to_items",
]

_INT32 = 2**31 - 1
_ISO4217 = "urn:iso:std:iso:4217"


def identifier_to_fhir(identifier: dict[str, Any]) -> dict[str, Any]:
    """A FHIR Identifier for the standard's identifier (SDS-FHR-005)."""
    result: dict[str, Any] = {
        "system": fhir_system(identifier["system"]),
        "value": identifier["value"],
    }
    if "assigner" in identifier:
        result["assigner"] = organisation_reference(identifier["assigner"])
    return result


def identifier_from_fhir(reader: ElementReader) -> dict[str, Any]:
    """The standard's identifier for a FHIR Identifier."""
    system, value = reader.take("system"), reader.take("value")
    if not isinstance(system, str) or not isinstance(value, str):
        raise FhirMappingError("identifier without system and value", where=reader.path)
    result: dict[str, Any] = {"system": standard_system(system), "value": value}
    assigner = reader.child("assigner")
    if assigner is not None:
        result["assigner"] = organisation_from_fhir(assigner)
    return result


def organisation_from_fhir(reader: ElementReader) -> dict[str, Any]:
    """The standard's organisation-reference for a FHIR Reference to an Organization."""
    identifier = reader.child("identifier")
    org = organisation_from_reference(dict(identifier.data)) if identifier else None
    if identifier is None or org is None:
        raise FhirMappingError(
            "an organisation is referenced without an identifier the standard knows "
            "(council area or NHS board GSS code, or a funder/provider code)",
            where=reader.path,
            requirement="SDS-COM-008",
        )
    identifier.take("system")
    identifier.take("value")
    reader.mark("reference")
    result: dict[str, Any] = dict(org)
    if reader.has("display"):
        result["name"] = reader.take("display")
    return result


def _leaf_to_fhir(value: Any, shape: Shape, where: str) -> tuple[str, Any]:
    kind = shape.kind
    if kind == "code":
        return (
            ("valueCoding", coding(shape.valueset, value))
            if shape.valueset
            else ("valueCode", value)
        )
    if kind == "integer":
        return ("valueInteger", value) if abs(value) <= _INT32 else ("valueDecimal", value)
    simple = {
        "string": "valueString",
        "number": "valueDecimal",
        "boolean": "valueBoolean",
        "date": "valueDate",
        "timestamp": "valueInstant",
        "period": "valuePeriod",
    }
    if kind in simple:
        return simple[kind], value
    if kind == "money":
        return "valueMoney", money_to_fhir(value, where)
    if kind == "organisation":
        return "valueReference", organisation_reference(value)
    if kind == "identifier":
        return "valueIdentifier", identifier_to_fhir(value)
    if kind == "json":
        return "valueString", orjson.dumps(value).decode()
    raise FhirMappingError(f"no FHIR datatype for a {kind}", where=where)


def to_extension(url: str, value: Any, shape: Shape, where: str = "") -> dict[str, Any]:
    """An extension with ``url`` holding ``value`` of ``shape`` (objects become complex)."""
    if shape.kind != "object":
        key, fhir_value = _leaf_to_fhir(value, shape, where)
        return {"url": url, key: fhir_value}
    members: list[dict[str, Any]] = []
    for name, member in value.items():
        member_shape = shape.property(name)
        if member_shape is None:
            raise FhirMappingError(f"unknown member {name!r}", where=f"{where}/{name}")
        if member_shape.kind == "array":
            item_shape = member_shape.item_shape()
            members.extend(
                to_extension(name, item, item_shape, f"{where}/{name}/{i}")
                for i, item in enumerate(member)
            )
        else:
            members.append(to_extension(name, member, member_shape, f"{where}/{name}"))
    return {"url": url, "extension": members}


def _number(value: Any, where: str, integer: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FhirMappingError("expected a number", where=where)
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise FhirMappingError("expected a whole number", where=where)
        return int(value)
    return value


def _leaf_from_fhir(reader: ElementReader, shape: Shape, key: str) -> Any:
    where = reader.at(key)
    kind = shape.kind
    if kind == "code" and shape.valueset:
        found, code = reader.child(key), None
        if found is not None and found.data.get("system") == system_url(shape.valueset):
            found.take("system")
            code = found.take("code")
            found.mark("display")
        if not isinstance(code, str):
            raise FhirMappingError(
                f"expected a code from {system_url(shape.valueset)}", where=where
            )
        return code
    if kind == "money":
        money = reader.child(key)
        if money is None:
            raise FhirMappingError("expected a Money", where=where)
        return money_from_fhir(money.take("value"), money.take("currency"), where)
    if kind == "organisation":
        ref = reader.child(key)
        if ref is None:
            raise FhirMappingError("expected a Reference", where=where)
        return organisation_from_fhir(ref)
    if kind == "identifier":
        ident = reader.child(key)
        if ident is None:
            raise FhirMappingError("expected an Identifier", where=where)
        return identifier_from_fhir(ident)
    value = reader.take(key)
    if kind in ("integer", "number"):
        return _number(value, where, kind == "integer")
    if kind == "json":
        try:
            return orjson.loads(value)
        except (orjson.JSONDecodeError, TypeError):
            raise FhirMappingError("expected JSON text", where=where) from None
    return value


_VALUE_KEYS = {
    "code": ("valueCoding", "valueCode"),
    "integer": ("valueInteger", "valueDecimal"),
    "number": ("valueDecimal", "valueInteger"),
    "string": ("valueString",),
    "boolean": ("valueBoolean",),
    "date": ("valueDate",),
    "timestamp": ("valueInstant", "valueDateTime"),
    "period": ("valuePeriod",),
    "money": ("valueMoney",),
    "organisation": ("valueReference",),
    "identifier": ("valueIdentifier",),
    "json": ("valueString",),
}


def from_extension(reader: ElementReader, shape: Shape) -> Any:
    """The value an extension made by :func:`to_extension` holds; unknown parts stay unread."""
    if shape.kind != "object":
        for key in _VALUE_KEYS[shape.kind]:
            if reader.has(key):
                if key == "valueCode" and shape.valueset:
                    continue
                return _leaf_from_fhir(reader, shape, key)
        raise FhirMappingError(
            f"expected {' or '.join(_VALUE_KEYS[shape.kind])}", where=reader.path
        )
    result: dict[str, Any] = {}
    for sub in reader.children("extension"):
        name = sub.data.get("url")
        if not isinstance(name, str):
            continue
        member_shape = shape.property(name)
        if member_shape is None:
            continue
        sub.mark("url")
        if member_shape.kind == "array":
            result.setdefault(name, []).append(from_extension(sub, member_shape.item_shape()))
        else:
            result[name] = from_extension(sub, member_shape)
    return result


def _answer(value: Any, shape: Shape, where: str) -> dict[str, Any]:
    if shape.kind == "money":
        money = money_to_fhir(value, where)
        return {
            "valueQuantity": {
                "value": money["value"],
                "unit": money["currency"],
                "system": _ISO4217,
                "code": money["currency"],
            }
        }
    if shape.kind == "code" and not shape.valueset:
        return {"valueString": value}
    if shape.kind == "timestamp":
        return {"valueDateTime": value}
    key, fhir_value = _leaf_to_fhir(value, shape, where)
    return {key: fhir_value}


def _as_object(shape: Shape) -> Shape | None:
    """Periods and identifiers have no answer type; as items they are groups."""
    if shape.kind == "object":
        return shape
    if shape.kind in ("period", "identifier"):
        return structure(shape)
    return None


def to_items(value: dict[str, Any], shape: Shape, prefix: str = "", where: str = "") -> list[Any]:
    """QuestionnaireResponse items for the members of object ``value``."""
    items: list[dict[str, Any]] = []
    for name, member in value.items():
        member_shape = shape.property(name)
        if member_shape is None:
            raise FhirMappingError(f"unknown member {name!r}", where=f"{where}/{name}")
        link = f"{prefix}{name}"
        values = member if member_shape.kind == "array" else [member]
        each = member_shape.item_shape() if member_shape.kind == "array" else member_shape
        group = _as_object(each)
        if group is not None:
            items.extend(
                {"linkId": link, "item": to_items(v, group, f"{link}.", f"{where}/{name}")}
                for v in values
            )
        else:
            answers = [_answer(v, each, f"{where}/{name}") for v in values]
            items.append({"linkId": link, "answer": answers})
    return items


def _from_answer(reader: ElementReader, shape: Shape) -> Any:
    if shape.kind == "money":
        quantity = reader.child("valueQuantity")
        if quantity is None:
            raise FhirMappingError("expected valueQuantity", where=reader.path)
        quantity.mark("unit")
        quantity.mark("system")
        quantity.take("code")
        return money_from_fhir(quantity.take("value"), quantity.data.get("code"), quantity.path)
    if shape.kind == "code" and not shape.valueset:
        return reader.take("valueString")
    if shape.kind == "timestamp":
        return reader.take("valueDateTime")
    return from_extension(reader, shape)


def from_items(readers: list[ElementReader], shape: Shape, prefix: str = "") -> dict[str, Any]:
    """The object whose members :func:`to_items` wrote as ``readers``."""
    result: dict[str, Any] = {}
    for item in readers:
        link = item.data.get("linkId")
        name = link[len(prefix) :] if isinstance(link, str) and link.startswith(prefix) else ""
        member_shape = shape.property(name) if name else None
        if member_shape is None:
            continue
        item.mark("linkId")
        item.mark("text")
        each = member_shape.item_shape() if member_shape.kind == "array" else member_shape
        group = _as_object(each)
        if group is not None:
            values = [from_items(item.children("item"), group, f"{link}.")]
        else:
            values = [_from_answer(answer, each) for answer in item.children("answer")]
        if member_shape.kind == "array":
            result.setdefault(name, []).extend(values)
        elif values:
            result[name] = values[0]
    return result
