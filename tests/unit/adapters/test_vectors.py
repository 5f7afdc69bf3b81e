"""The budget vectors: every file is a sound vector, and the engine gives what it expects.

Vectors live in ``conformance/vectors/budget/`` as language-neutral JSON (their schema is
``conformance/vectors/budget.schema.json``); any implementation can run them. Each expected
figure was worked out by hand (the ``working`` field), not by running this engine.
"""

from __future__ import annotations

import functools
import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import spec
from adapters.budget import BudgetInputError, compute_budget
from spec.requirements import check_catalogue

ROOT = Path(__file__).resolve().parents[3]
FOLDER = ROOT / "conformance" / "vectors" / "budget"
SCHEMA = json.loads((ROOT / "conformance" / "vectors" / "budget.schema.json").read_text())
FILES = sorted(FOLDER.glob("*.json"))


@functools.cache
def _catalogued() -> frozenset[str]:
    return frozenset(r.id for r in check_catalogue()[0])


def _load(path: Path) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return vector


def _issued(vector: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(vector.get("issued_at", "2026-01-15T12:00:00Z"))


def _run(vector: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return compute_budget(
        vector["plan"],
        vector["lines"] if lines is None else lines,
        issued_at=_issued(vector),
        assessment=vector.get("assessment"),
    )


def _pence(money: dict[str, Any] | None) -> int:
    return 0 if money is None else int(money["amount_minor"])


def _check_line(line_id: str, got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    wrong = []
    for key, value in want.items():
        if key == "version":
            actual: Any = got["line"]["version"]
        elif key == "overlap":
            actual = got.get("overlap")
        elif key == "one_off":
            actual = got["one_off"]
        elif key == "ledger":
            actual = [
                {k: (_pence(e.get(k)) if k in ("effect", "arrears") else e.get(k)) for k in w}
                for e, w in zip(got.get("ledger", []), value, strict=False)
            ]
            if len(got.get("ledger", [])) != len(value):
                actual = got.get("ledger", [])
        else:
            actual = _pence(got.get(key))
        if actual != value:
            wrong.append(f"line {line_id} {key}: expected {value!r}, got {actual!r}")
    return wrong


def _check_totals(totals: dict[str, Any], want: dict[str, Any]) -> list[str]:
    wrong = []
    for key, value in want.items():
        if key == "by_source":
            actual: Any = {e["source"]: _pence(e["amount"]) for e in totals["by_source"]}
        elif key == "by_source_adjustments":
            actual = {e["source"]: _pence(e.get("adjustments")) for e in totals["by_source"]}
        elif key == "by_option":
            actual = {e["sds_option"]: _pence(e["amount"]) for e in totals["by_option"]}
        else:
            actual = _pence(totals.get(key))
        if actual != value:
            wrong.append(f"totals {key}: expected {value!r}, got {actual!r}")
    return wrong


def _flag_matches(flag: dict[str, Any], want: dict[str, Any]) -> bool:
    return all(flag.get(key) == value for key, value in want.items())


def check(budget: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every way ``budget`` differs from the partial ``expected`` of a vector."""
    wrong: list[str] = []
    by_line = {line["line"]["id"]: line for line in budget["lines"]}
    for line_id, want in expected.get("lines", {}).items():
        if line_id not in by_line:
            wrong.append(f"line {line_id} missing from the budget")
            continue
        wrong += _check_line(line_id, by_line[line_id], want)
    if "line_count" in expected and len(budget["lines"]) != expected["line_count"]:
        wrong.append(f"line count: expected {expected['line_count']}, got {len(budget['lines'])}")
    wrong += _check_totals(budget["totals"], expected.get("totals", {}))
    if "shortfall" in expected and _pence(budget.get("shortfall")) != expected["shortfall"]:
        wrong.append(f"shortfall: expected {expected['shortfall']}, got {budget.get('shortfall')}")
    if "allocations" in expected:
        got = sorted((a["line"], a["item"], _pence(a["amount"])) for a in budget["allocations"])
        want = sorted((a["line"], a["item"], a["amount"]) for a in expected["allocations"])
        if got != want:
            wrong.append(f"allocations: expected {want}, got {got}")
    if "unallocated" in expected:
        got_left = {u["line"]: _pence(u["amount"]) for u in budget["unallocated"]}
        if got_left != expected["unallocated"]:
            wrong.append(f"unallocated: expected {expected['unallocated']}, got {got_left}")
    codes = sorted(flag["code"] for flag in budget["flags"])
    if "flag_codes" in expected and codes != sorted(expected["flag_codes"]):
        wrong.append(f"flag codes: expected {sorted(expected['flag_codes'])}, got {codes}")
    for want_flag in expected.get("flags", []):
        if not any(_flag_matches(flag, want_flag) for flag in budget["flags"]):
            wrong.append(f"no flag matches {want_flag}; flags: {budget['flags']}")
    for code in expected.get("absent_flags", []):
        if code in codes:
            wrong.append(f"flag {code} must not be raised")
    return wrong


def _stable(budget: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in budget.items() if k not in ("id", "issued_at", "recorded_at")}


def test_there_are_at_least_forty_vectors() -> None:
    assert len(FILES) >= 40


def test_vector_ids_are_unique_and_match_file_names() -> None:
    ids = [_load(path)["id"] for path in FILES]
    assert len(ids) == len(set(ids))
    for path, vector_id in zip(FILES, ids, strict=True):
        assert path.name.startswith(vector_id.lower() + "-")


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:9] for p in FILES])
def test_vector_is_sound(path: Path) -> None:
    vector = _load(path)
    jsonschema.Draft202012Validator(SCHEMA).validate(vector)
    assert set(vector["requirements"]) <= _catalogued()
    inputs = [vector["plan"], *vector["lines"]]
    if "assessment" in vector:
        inputs.append(vector["assessment"])
    for document in inputs:
        assert spec.validate(document) == [], document["id"]


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:9] for p in FILES])
def test_engine_meets_vector(path: Path) -> None:
    vector = _load(path)
    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(BudgetInputError) as caught:
            _run(vector)
        assert caught.value.requirement == expected["error"]["requirement"]
        return
    budget = _run(vector)
    assert spec.validate(budget) == []
    assert check(budget, expected) == []
    shuffled = list(vector["lines"])
    random.Random(path.name).shuffle(shuffled)
    shuffled.reverse()
    assert _stable(_run(vector, shuffled)) == _stable(budget)


def test_check_reports_a_wrong_figure() -> None:
    vector = _load(FILES[0])
    budget = _run(vector)
    line_id = budget["lines"][0]["line"]["id"]
    wrong = check(
        budget,
        {
            "lines": {line_id: {"gross": -1}},
            "shortfall": 7,
            "flag_codes": ["shortfall"],
            "absent_flags": [],
        },
    )
    assert len(wrong) == 3
