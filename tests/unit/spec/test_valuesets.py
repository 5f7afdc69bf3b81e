"""The value sets: well-formed data, the generated schema in step, and no copies in Python."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import spec
from spec._paths import CANONICAL_BASE, ROOT, SCHEMAS, VALUESETS
from spec.valuesets import render_schema

REPO = ROOT.parent
META_SCHEMA = SCHEMAS / "meta" / "valueset.schema.json"
VALUESET_FILES = sorted(VALUESETS.glob("*.json"))
# Python that must take codes from the value-set files, never spell a set out (SDS-VS-001).
PACKAGES = ("spec", "adapters", "gateway", "conformance")
# Written by `python -m spec.models.generate` from the schemas, which take their codes from
# the value sets; tests/unit/spec/test_models.py fails if it drifts from them.
GENERATED = {ROOT / "models" / "_generated.py"}
VALUESET_REF = re.compile(r"^valuesets\.schema\.json#/\$defs/(?P<name>.+)$")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def meta() -> jsonschema.Draft202012Validator:
    schema = _load(META_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_there_are_value_sets() -> None:
    assert len(VALUESET_FILES) >= 10


@pytest.mark.parametrize("path", VALUESET_FILES, ids=[p.stem for p in VALUESET_FILES])
def test_value_set_file_matches_the_meta_schema(
    path: Path, meta: jsonschema.Draft202012Validator
) -> None:
    errors = [
        f"{path.name}{''.join(f'/{p}' for p in e.absolute_path)}: {e.message}"
        for e in meta.iter_errors(_load(path))
    ]
    assert errors == []


@pytest.mark.parametrize("path", VALUESET_FILES, ids=[p.stem for p in VALUESET_FILES])
def test_value_set_is_named_by_its_file_and_url(path: Path) -> None:
    data = _load(path)
    assert data["id"] == path.stem, f"{path.name}: id must be the file name"
    assert data["url"] == f"{CANONICAL_BASE}valuesets/{data['id']}", f"{path.name}: url"


@pytest.mark.parametrize("path", VALUESET_FILES, ids=[p.stem for p in VALUESET_FILES])
def test_codes_are_unique_within_a_set(path: Path) -> None:
    codes = [c["code"] for c in _load(path)["codes"]]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    assert repeated == [], f"{path.name}: codes used more than once"


@pytest.mark.parametrize("path", VALUESET_FILES, ids=[p.stem for p in VALUESET_FILES])
def test_sub_codes_name_a_parent_code_of_the_same_set(path: Path) -> None:
    # SDS-VS-005: 'saas-dsa.equipment' belongs to the stream 'saas-dsa', which must exist.
    codes = {c["code"] for c in _load(path)["codes"]}
    orphans = sorted(
        c for c in codes if "." in c and "/" not in c and c.split(".", 1)[0] not in codes
    )
    assert orphans == [], f"{path.name}: sub-codes without their parent code"


def test_meta_schema_rejects_a_malformed_value_set(meta: jsonschema.Draft202012Validator) -> None:
    bad = {
        "id": "Bad Id",
        "url": "https://example.org/valuesets/bad",
        "title": "Bad",
        "description": "A set with every mistake.",
        "status": "active",
        "codes": [{"code": "Has Spaces", "display": "", "definition": "x", "since": "one"}],
    }
    where = {"/".join(map(str, e.absolute_path)) for e in meta.iter_errors(bad)}
    assert where == {"id", "url", "codes/0/code", "codes/0/display", "codes/0/since"}


def test_committed_valuesets_schema_is_generated_from_the_files() -> None:
    committed = (SCHEMAS / "valuesets.schema.json").read_text(encoding="utf-8")
    fresh = json.dumps(render_schema(), indent=2, ensure_ascii=False) + "\n"
    assert committed == fresh, (
        "spec/schemas/valuesets.schema.json has drifted from spec/valuesets/*.json: "
        "run `sdsx spec build`"
    )


def test_there_are_32_council_areas_with_s12_codes() -> None:
    codes = spec.valueset("council-area").code_list
    assert len(codes) == 32
    assert len(set(codes)) == 32
    assert all(re.fullmatch(r"S12[0-9]{6}", c) for c in codes), codes


def test_there_are_14_health_boards_with_s08_codes() -> None:
    codes = spec.valueset("health-board").code_list
    assert len(codes) == 14
    assert len(set(codes)) == 14
    assert all(re.fullmatch(r"S08[0-9]{6}", c) for c in codes), codes


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _valueset_refs() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SCHEMAS.rglob("*.schema.json")):
        for ref in _refs(_load(path)):
            match = VALUESET_REF.match(ref.removeprefix(f"{CANONICAL_BASE}schemas/"))
            if match:
                found.append((path.name, match["name"]))
    return found


def test_schemas_reference_value_sets() -> None:
    assert len(_valueset_refs()) >= 10


def test_every_value_set_reference_names_an_existing_set() -> None:
    known = set(spec.all_valuesets())
    dangling = sorted({f"{file}: {name}" for file, name in _valueset_refs() if name not in known})
    assert dangling == []


def _string_collections(tree: ast.AST) -> Iterator[tuple[int, set[str]]]:
    """Every list, tuple or set literal (``Literal[...]`` included) and its string members."""
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            strings = {
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
            if strings:
                yield node.lineno, strings


def _repeats(source: str, file_name: str) -> list[str]:
    """Literals that copy a value set: three or more of its codes, and over half of them.

    A few codes picked out for a rule (the ledger kinds that set a rate, say) are not a copy
    of the set; a literal holding most of a set is, and goes stale when a code is added.
    """
    sets = spec.all_valuesets()
    found = []
    for line, strings in _string_collections(ast.parse(source, filename=file_name)):
        for vs in sets.values():
            shared = strings & set(vs.code_list)
            if len(shared) >= 3 and 2 * len(shared) > len(vs.codes):
                found.append(
                    f"{file_name}:{line}: {len(shared)} of the {len(vs.codes)} codes "
                    f"of value set {vs.id!r}"
                )
    return found


def test_the_repeat_scan_finds_a_spelled_out_value_set() -> None:
    options = ", ".join(repr(c) for c in spec.valueset("sds-option").code_list)
    frequencies = spec.valueset("frequency").code_list
    source = "\n".join(
        [
            f"OPTIONS = ({options})",
            f"SOME = {set(frequencies[:3])!r}",
            f"MOST = {frequencies[: len(frequencies) // 2 + 1]!r}",
            'OK = ["option-1", "x"]',
        ]
    )
    n_options, n_frequencies = len(spec.valueset("sds-option").codes), len(frequencies)
    assert _repeats(source, "example.py") == [
        f"example.py:1: {n_options} of the {n_options} codes of value set 'sds-option'",
        f"example.py:3: {n_frequencies // 2 + 1} of the {n_frequencies} codes "
        "of value set 'frequency'",
    ]


def test_no_python_module_spells_out_a_value_set() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path not in GENERATED:
                source = path.read_text(encoding="utf-8")
                found.extend(_repeats(source, str(path.relative_to(REPO))))
    assert found == [], "load codes with spec.valueset(...) instead of repeating them"
