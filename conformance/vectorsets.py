"""Loading and checking the suite's language-neutral vectors.

Schema vectors live in ``conformance/vectors/schema/*.json`` (schema
``vectors/schema.schema.json``); budget vectors in ``conformance/vectors/budget/*.json``
(schema ``vectors/budget.schema.json``). :func:`vector_problems` is the sanity check the
JSON-Schema-Test-Suite runs on itself: every file valid against its schema, IDs unique
across files, every cited requirement in the catalogue. :func:`derive_schema_vectors` builds
the schema vectors from the standard's own examples so the two never disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from spec._paths import EXAMPLES
from spec.requirements import Catalogue

__all__ = [
    "BUDGET_SCHEMA",
    "BUDGET_VECTORS",
    "SCHEMA_SCHEMA",
    "SCHEMA_VECTORS",
    "VALID_REQUIREMENTS",
    "Vector",
    "derive_schema_vectors",
    "load_vectors",
    "vector_problems",
    "write_schema_vectors",
]

VECTORS = Path(__file__).with_name("vectors")
SCHEMA_VECTORS = VECTORS / "schema"
SCHEMA_SCHEMA = VECTORS / "schema.schema.json"
BUDGET_VECTORS = VECTORS / "budget"
BUDGET_SCHEMA = VECTORS / "budget.schema.json"

# A valid document shows that a conforming receiver accepts it: it is stamped with the
# standard (SDS-DOC-001), typed (SDS-DOC-002) and holds nothing its schema does not define
# (SDS-DOC-013).
VALID_REQUIREMENTS: tuple[str, ...] = ("SDS-DOC-001", "SDS-DOC-002", "SDS-DOC-013")
_ID = re.compile(r"SDS-[A-Z]{2,3}-[0-9]{3}")


@dataclass(frozen=True, slots=True)
class Vector:
    """One vector as read from disk: its ID, file, and the raw entry."""

    id: str
    file: str
    entry: dict[str, Any]

    @property
    def requirements(self) -> tuple[str, ...]:
        cited = self.entry.get("requirements") or self.entry.get("requirement_ids") or []
        if isinstance(cited, str):
            cited = [cited]
        found = list(dict.fromkeys(str(c) for c in cited))
        if not found:
            found = sorted(set(_ID.findall(json.dumps(self.entry.get("expect", {})))))
        return tuple(found)


def _entries(raw: Any) -> list[Any]:
    if isinstance(raw, dict) and isinstance(raw.get("vectors"), list):
        return list(raw["vectors"])
    return [raw]


def load_vectors(folder: Path) -> list[Vector]:
    """Every vector in ``folder``'s ``*.json`` files, in file then listed order."""
    found: list[Vector] = []
    for path in sorted(folder.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for entry in _entries(raw):
            if isinstance(entry, dict):
                found.append(Vector(str(entry.get("id", "")), path.name, entry))
    return found


def vector_problems(folder: Path, schema_path: Path, catalogue: Catalogue) -> list[str]:
    """Everything wrong with the vectors in ``folder``: each message names file and vector."""
    problems: list[str] = []
    if not schema_path.is_file():
        return [f"{schema_path.name}: the vectors' schema is missing"]
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    check = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: unreadable: {exc}")
            continue
        for error in check.iter_errors(raw):
            problems.append(f"{path.name}{error.json_path[1:]}: {error.message}")
    seen: dict[str, str] = {}
    for vector in load_vectors(folder):
        where = f"{vector.file}#{vector.id or '?'}"
        if not vector.id:
            problems.append(f"{vector.file}: a vector has no id")
        elif vector.id in seen:
            problems.append(f"{where}: id already used in {seen[vector.id]}")
        else:
            seen[vector.id] = vector.file
        if not vector.requirements:
            problems.append(f"{where}: cites no requirement")
        for rid in vector.requirements:
            if rid not in catalogue:
                problems.append(f"{where}: cites {rid}, which is not in the catalogue")
    return problems


def _read_examples(folder: Path) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).with_suffix("").as_posix()
        if path.suffix == ".json":
            found.append((relative, json.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix == ".ndjson":
            lines = path.read_text(encoding="utf-8").splitlines()
            found += [
                (f"{relative}-{n}", json.loads(line))
                for n, line in enumerate(lines, start=1)
                if line.strip()
            ]
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def derive_schema_vectors(examples: Path = EXAMPLES) -> dict[str, dict[str, Any]]:
    """The schema vector files, built from the standard's valid and invalid examples.

    Returns file name -> file content: ``valid.json`` (every valid example) and
    ``invalid.json`` (every case of ``invalid/cases.json`` with its exact expectations).
    """
    valid = [
        {
            "id": f"sv-valid-{_slug(name)}",
            "description": f"The standard's valid example {name}.",
            "requirements": list(VALID_REQUIREMENTS),
            "document": document,
            "valid": True,
            "expect": [],
        }
        for name, document in _read_examples(examples / "valid")
    ]
    cases = json.loads((examples / "invalid" / "cases.json").read_text(encoding="utf-8"))
    invalid = []
    for case in cases:
        document = json.loads((examples / "invalid" / case["file"]).read_text(encoding="utf-8"))
        expect = [
            {"pointer": e["pointer"], "requirement": e["requirement"]} for e in case["expect"]
        ]
        invalid.append(
            {
                "id": f"sv-{_slug(Path(case['file']).stem)}",
                "description": case["description"],
                "requirements": sorted({e["requirement"] for e in expect}),
                "layer": case["layer"],
                "document": document,
                "valid": False,
                "expect": expect,
            }
        )
    return {
        "valid.json": {
            "description": "Documents every conforming receiver accepts.",
            "vectors": valid,
        },
        "invalid.json": {
            "description": "Documents a conforming validator refuses, each with one thing broken, "
            "and the exact pointer and requirement it must report.",
            "vectors": invalid,
        },
    }


def write_schema_vectors(folder: Path = SCHEMA_VECTORS) -> list[Path]:
    """Regenerate the schema vector files from the standard's examples; returns the files."""
    written = []
    for name, content in derive_schema_vectors().items():
        path = folder / name
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schema_vectors():
        print(written_path)
