"""The requirement catalogue loads, is sound, and covers every ID the repository cites."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from sdsx.cli import app
from spec._paths import SCHEMAS
from spec.requirements import (
    CATALOGUE,
    Catalogue,
    CatalogueError,
    Requirement,
    check_catalogue,
    cited_ids,
    load_catalogue,
)

REPO = Path(__file__).resolve().parents[3]
SPEC_AREAS = ("ASM", "COM", "CON", "DOC", "FND", "IDN", "PER", "PLN", "VS")

# Fixture IDs are assembled at run time so this file cites only IDs the catalogue defines.
FAKE_ID = "SDS-" + "QQ" + "-123"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _entry(requirement_id: str, level: str = "MUST", text: str | None = None) -> dict[str, Any]:
    return {
        "id": requirement_id,
        "level": level,
        "roles": ["producer"],
        "text": text if text is not None else f"A producer {level} do this thing.",
        "verified_by": "manual",
        "since": "1.0",
    }


def _write(folder: Path, area: str, entries: list[dict[str, Any]], retired: Any = ()) -> None:
    body = {
        "area": area,
        "title": f"Area {area}",
        "requirements": entries,
        "retired": list(retired),
    }
    (folder / f"{area}.yaml").write_text(yaml.safe_dump(body), encoding="utf-8")


def _messages(folder: Path) -> list[str]:
    return [str(p) for p in check_catalogue(folder)[1]]


def test_catalogue_loads_every_spec_area(catalogue: Catalogue) -> None:
    assert set(SPEC_AREAS) <= set(catalogue.areas)
    for area in SPEC_AREAS:
        assert catalogue.by_area(area), f"area {area} has no requirements"


def test_lookup_iteration_and_areas(catalogue: Catalogue) -> None:
    found = catalogue.get("SDS-DOC-007")
    assert isinstance(found, Requirement)
    assert found.area == "DOC"
    assert found.level == "MUST"
    assert "never" in found.text
    assert "SDS-IDN-005" in catalogue
    ids = [r.id for r in catalogue]
    assert ids == sorted(ids)
    assert len(ids) == len(catalogue) == len(set(ids))
    assert all(r.id.startswith("SDS-PLN-") for r in catalogue.by_area("PLN"))
    assert catalogue.by_area("NOPE") == ()
    with pytest.raises(KeyError, match="not in the requirement catalogue"):
        catalogue.get(FAKE_ID)


def test_texts_are_single_spaced_and_carry_their_level(catalogue: Catalogue) -> None:
    for requirement in catalogue:
        assert "  " not in requirement.text
        assert re.search(rf"\b{requirement.level}\b", requirement.text), requirement.id


def test_no_id_is_both_active_and_retired(catalogue: Catalogue) -> None:
    assert not catalogue.retired & {r.id for r in catalogue}


def test_a_duplicate_across_files_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "DOC", [_entry("SDS-DOC-001")])
    _write(tmp_path, "COM", [_entry("SDS-COM-001"), _entry("SDS-DOC-001")])
    messages = _messages(tmp_path)
    assert "DOC.yaml#/requirements/0/id: SDS-DOC-001 is already defined in COM.yaml" in messages
    assert any("SDS-DOC-001 belongs to area DOC, not COM" in m for m in messages)
    with pytest.raises(CatalogueError, match="already defined"):
        load_catalogue(tmp_path)


def test_a_retired_id_is_never_reused(tmp_path: Path) -> None:
    _write(tmp_path, "DOC", [_entry("SDS-DOC-002")], retired=["SDS-DOC-001"])
    _write(tmp_path, "COM", [_entry("SDS-COM-001")], retired=["SDS-DOC-002"])
    messages = _messages(tmp_path)
    assert messages == [
        "DOC.yaml#/requirements/0/id: SDS-DOC-002 is retired in COM.yaml and must never be reused"
    ]


def test_text_must_say_its_level(tmp_path: Path) -> None:
    _write(tmp_path, "DOC", [_entry("SDS-DOC-001", "SHOULD", "A producer must do it.")])
    assert _messages(tmp_path) == [
        "DOC.yaml#/requirements/0/text: SDS-DOC-001 is level SHOULD but its text does not say "
        "SHOULD"
    ]


def test_schema_errors_name_file_and_pointer(tmp_path: Path) -> None:
    bad = _entry("SDS-DOC-001")
    bad["roles"] = ["vendor"]
    del bad["since"]
    _write(tmp_path, "DOC", [bad])
    messages = _messages(tmp_path)
    assert any(m.startswith("DOC.yaml#/requirements/0/roles/0:") for m in messages)
    assert any(m.startswith("DOC.yaml#/requirements/0:") and "'since'" in m for m in messages)


def test_file_must_be_named_after_its_area(tmp_path: Path) -> None:
    _write(tmp_path, "DOC", [_entry("SDS-DOC-001")])
    (tmp_path / "DOC.yaml").rename(tmp_path / "COM.yaml")
    assert "COM.yaml#/area: area DOC must live in DOC.yaml" in _messages(tmp_path)


def test_unreadable_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "DOC.yaml").write_text("area: DOC\nrequirements: [\n", encoding="utf-8")
    (tmp_path / "COM.yaml").write_text("", encoding="utf-8")
    messages = _messages(tmp_path)
    assert "COM.yaml#/: the file is empty" in messages
    assert any(m.startswith("DOC.yaml#/: not YAML (line ") for m in messages)


def test_cited_ids_finds_real_ids_and_ignores_placeholders(tmp_path: Path) -> None:
    (tmp_path / "spec" / "requirements").mkdir(parents=True)
    (tmp_path / "adapters").mkdir()
    (tmp_path / "bench").mkdir()
    (tmp_path / "adapters" / "a.py").write_text(f"# {FAKE_ID} and SDS-XXX-NNN\n")
    (tmp_path / "spec" / "b.json").write_text(json.dumps({"x-requirement": FAKE_ID}))
    (tmp_path / "spec" / "c.txt").write_text(FAKE_ID)
    (tmp_path / "spec" / "requirements" / "QQ.yaml").write_text(FAKE_ID)
    (tmp_path / "bench" / "d.py").write_text(FAKE_ID)
    assert cited_ids(tmp_path) == {FAKE_ID: ["adapters/a.py", "spec/b.json"]}


def test_every_cited_id_is_in_the_catalogue() -> None:
    catalogue, problems = check_catalogue(CATALOGUE)
    assert not problems, "\n".join(map(str, problems))
    # The generated README lists retired IDs as retired; anywhere else, citing one reuses it.
    missing = {
        rid: files
        for rid, files in cited_ids(REPO).items()
        if rid not in catalogue and not (rid in catalogue.retired and files == ["spec/README.md"])
    }
    report = "\n".join(f"  {rid}: cited in {', '.join(files)}" for rid, files in missing.items())
    assert not missing, (
        f"{len(missing)} cited requirement ID(s) missing from the catalogue:\n{report}"
    )


def _x_requirements(node: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        own = [(str(node["x-requirement"]), where)] if "x-requirement" in node else []
        return own + [
            found
            for key, value in node.items()
            for found in _x_requirements(value, f"{where}/{key}")
        ]
    if isinstance(node, list):
        return [f for i, value in enumerate(node) for f in _x_requirements(value, f"{where}/{i}")]
    return []


def test_every_schema_x_requirement_exists(catalogue: Catalogue) -> None:
    missing = [
        f"{path.relative_to(SCHEMAS)}#{where}: {rid}"
        for path in sorted(SCHEMAS.rglob("*.json"))
        for rid, where in _x_requirements(json.loads(path.read_text(encoding="utf-8")), "")
        if rid not in catalogue
    ]
    assert not missing, "x-requirement IDs missing from the catalogue:\n" + "\n".join(missing)


def test_sdsx_spec_requirements_lists_an_area_as_json(catalogue: Catalogue) -> None:
    result = CliRunner().invoke(app, ["spec", "requirements", "--area", "idn", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [r["id"] for r in listed] == [r.id for r in catalogue.by_area("IDN")]
    assert set(listed[0]) == {"id", "area", "level", "roles", "text", "verified_by", "since"}


def test_sdsx_spec_requirements_refuses_an_unknown_area() -> None:
    result = CliRunner().invoke(app, ["spec", "requirements", "--area", "nope"])
    assert result.exit_code == 2
    assert "no area 'nope'" in result.output
