"""The bulk fast path gives the same verdict as ``spec.validate``, from bytes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_models import EXAMPLE_DOCUMENTS, FUNDING_LINE, SUPPORT_PLAN

import spec
from spec._paths import EXAMPLES
from spec.fast import schema_valid_bytes, schema_verdicts, valid_bytes, verdicts


def _broken() -> list[tuple[str, dict[str, Any]]]:
    """Documents that fail the schema, the semantic rules, or both."""
    bad_option = copy.deepcopy(SUPPORT_PLAN)
    bad_option["sds_option"] = "option-1"  # the items give option-4 (SDS-PLN-010)
    bad_period = copy.deepcopy(FUNDING_LINE)
    bad_period["period"]["end"] = "2024-01-01"  # before the start (SDS-COM-005)
    bad_nino = copy.deepcopy(FUNDING_LINE)
    bad_nino["person_identifier"]["value"] = "QQ123456C"  # prefix never issued (SDS-IDN-003)
    bad_money = copy.deepcopy(FUNDING_LINE)
    bad_money["award"]["amount"]["amount_minor"] = 450.5
    missing = {k: v for k, v in SUPPORT_PLAN.items() if k != "review"}
    return [
        ("option", bad_option),
        ("period", bad_period),
        ("nino", bad_nino),
        ("money", bad_money),
        ("missing", missing),
    ]


def _invalid_examples() -> list[tuple[str, dict[str, Any]]]:
    folder = EXAMPLES / "invalid"
    if not folder.is_dir():
        return []
    return [
        (Path(located.location).name, located.document)
        for located in spec.iter_documents([folder])
        if isinstance(located.document, dict)
        and located.document.get("type") in spec.DOCUMENT_TYPES
    ]


CASES = [*EXAMPLE_DOCUMENTS, *_broken(), *_invalid_examples()]


@pytest.mark.parametrize(("name", "document"), CASES, ids=[n for n, _ in CASES])
def test_verdicts_agree_with_validate(name: str, document: dict[str, Any]) -> None:
    data = orjson.dumps(document)
    kind = document["type"]
    expected = not spec.validate(document)
    assert valid_bytes(kind, data) is expected
    assert list(verdicts(kind, [data, data])) == [expected, expected]
    assert schema_valid_bytes(kind, data) is spec.validator(kind).schema_valid(document)


def test_semantic_failures_pass_the_schema_but_not_the_whole_check() -> None:
    broken = dict(_broken())
    for name in ("option", "period", "nino"):
        data = orjson.dumps(broken[name])
        kind = broken[name]["type"]
        assert schema_valid_bytes(kind, data), name
        assert not valid_bytes(kind, data), name


@pytest.mark.parametrize(
    "data",
    [b"", b"{", b"not json", b"\xef\xbb\xbf{}", b"\xff\xfe", b"[]", b"null", b"42"],
)
def test_bytes_that_are_not_a_document_are_not_valid(data: bytes) -> None:
    assert not schema_valid_bytes("funding-line", data)
    assert not valid_bytes("funding-line", data)


def test_a_document_checked_against_another_type_is_not_valid() -> None:
    data = orjson.dumps(FUNDING_LINE)
    assert valid_bytes("funding-line", data)
    assert not valid_bytes("support-plan", data)


def test_verdicts_stream_in_order() -> None:
    good, bad = orjson.dumps(FUNDING_LINE), orjson.dumps({**FUNDING_LINE, "version": 0})
    assert list(schema_verdicts("funding-line", iter([good, bad, b"{", good]))) == [
        True,
        False,
        False,
        True,
    ]


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(KeyError):
        valid_bytes("care-package", orjson.dumps(FUNDING_LINE))
