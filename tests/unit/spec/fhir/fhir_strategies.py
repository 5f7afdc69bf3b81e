"""Hypothesis strategies for documents of the standard, built from the schemas' structure.

The documents are shaped like the schemas say (types, value-set codes, required members,
patterns that matter to FHIR); they are not all semantically valid (check digits, option
derivation), which the round trip does not need.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from hypothesis import strategies as st

from spec.fhir.schema import Shape, document_shape, shape
from spec.valuesets import valueset

__all__ = ["documents"]

_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,'-£éàŵ\n", max_size=12)
_LOCAL_ID = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True)
_UUID = st.uuids(version=4).map(str)
_DATE = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
_FRACTION = st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,9}", fullmatch=True))
_TIMESTAMP = st.builds(
    lambda moment, fraction: moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z",
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)),
    _FRACTION,
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | _TEXT
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_CURRENCY = st.sampled_from(["GBP", "GBP", "EUR", "JPY", "KWD"])


def _money(signed: bool) -> st.SearchStrategy[dict[str, Any]]:
    low = -(10**15) + 1 if signed else 0
    return st.fixed_dictionaries(
        {"amount_minor": st.integers(low, 10**15 - 1), "currency": _CURRENCY}
    )


def _string(node: Any) -> st.SearchStrategy[Any]:
    pattern = node.get("pattern", "")
    if pattern.startswith("^[0-9a-f]{8}"):
        return _UUID
    if pattern.startswith("^[A-Za-z0-9][A-Za-z0-9._-]"):
        return _LOCAL_ID
    if pattern.startswith("^sdsx/1"):
        return st.sampled_from(["sdsx/1.0", "sdsx/1.3"])
    if pattern.startswith("^SDS-"):
        return st.from_regex(r"SDS-[A-Z]{3}-[0-9]{3}", fullmatch=True)
    if pattern:
        return st.from_regex(pattern, fullmatch=True).filter(lambda s: s.strip() != "")
    low = node.get("minLength", 0)
    return _TEXT.filter(lambda s: len(s) >= low)


def _strategy(found: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    kind, node = found.kind, found.node
    if kind == "code":
        if found.valueset:
            codes = valueset(found.valueset).code_list
            if found.valueset == "sds-option" and "not" in str(node):
                codes = [c for c in codes if c != "option-4"]
            return st.sampled_from(codes)
        return st.just(node["const"]) if "const" in node else st.sampled_from(node["enum"])
    if kind == "money":
        return _money("minimum" not in str(node.get("properties", {}).get("amount_minor", {})))
    if kind == "date":
        return _DATE
    if kind == "timestamp":
        return _TIMESTAMP
    if kind == "integer":
        return st.integers(node.get("minimum", -(2**53)), node.get("maximum", 2**53))
    if kind == "number":
        return st.one_of(st.integers(1, 10**6), st.floats(1e-3, 1e6, allow_nan=False))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _string(node)
    if kind == "json":
        keys = st.from_regex(r"[a-z0-9-]{1,6}\.[a-z_]{1,6}", fullmatch=True)
        return st.dictionaries(keys, _JSON, max_size=2)
    if kind == "array":
        item = found.item_shape()
        low = node.get("minItems", 0)
        return st.lists(_strategy(item, depth + 1), min_size=low, max_size=max(low, 2))
    if kind in ("period", "organisation", "identifier", "object"):
        return _object(found if kind == "object" else shape(node, "common"), depth)
    raise AssertionError(kind)


def _object(found: Shape, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    while found.kind != "object":
        found = shape({k: v for k, v in found.node.items() if k != "description"}, "common")
    required = {}
    optional = {}
    for name, node, file in found.properties:
        member = _strategy(shape(node, file), depth + 1)
        (required if name in found.required else optional)[name] = member
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def _linked(draw: st.DrawFn, doc_type: str) -> dict[str, Any]:
    doc: dict[str, Any] = draw(_strategy(document_shape(doc_type)))
    doc["type"] = doc_type
    if doc_type == "support-plan":
        ids = sorted({o["id"] for o in doc["personal_outcomes"]})
        for item in doc["support_items"]:
            if "outcomes" in item:
                item["outcomes"] = draw(st.lists(st.sampled_from(ids), unique=True, max_size=3))
    if doc_type == "funding-line" and not ({"person", "person_identifier"} & doc.keys()):
        # SDS-FND-012: a line names its person one way or the other.
        doc["person"] = {"id": draw(_UUID)}
    return doc


def documents(doc_type: str) -> st.SearchStrategy[dict[str, Any]]:
    """Documents of ``doc_type`` shaped as its schema says."""
    return _linked(doc_type)
