"""spec/README.md: its requirements section is what the catalogue generates, and the tools
that regenerate it (``sdsx spec docs``, ``sdsx spec build``) write exactly that."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sdsx.cli import app
from spec.problems import SpecError
from spec.registry import DOCUMENT_TYPES
from spec.requirements import (
    BEGIN_MARKER,
    END_MARKER,
    README,
    load_catalogue,
    render_markdown,
    with_requirements_section,
)
from spec.valuesets import render_schema

runner = CliRunner()


def test_committed_readme_matches_the_catalogue() -> None:
    committed = README.read_text(encoding="utf-8")
    expected = with_requirements_section(committed, load_catalogue())
    assert committed == expected, (
        "spec/README.md's requirements section is out of date with spec/requirements/*.yaml; "
        "run `sdsx spec docs` and commit the result"
    )


def test_every_catalogued_requirement_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(BEGIN_MARKER) : text.index(END_MARKER)]
    for requirement in load_catalogue():
        assert f"| {requirement.id} | {requirement.level} |" in section


def test_the_prose_covers_each_document_and_the_policies() -> None:
    prose = README.read_text(encoding="utf-8").split(BEGIN_MARKER)[0]
    for kind in DOCUMENT_TYPES:
        assert f"### {kind}" in prose
    for topic in (
        "## Versioning and compatibility",
        "## Extending the standard",
        "## Value sets",
        "## Identifiers",
        "## Common shapes",
        "CHANGES.md",
        "JSON Merge Patch",
        "https://spec.sdsx.scot/v2/",
    ):
        assert topic in prose


def test_rendered_section_escapes_table_cells() -> None:
    rendered = render_markdown(load_catalogue())
    assert rendered.startswith(BEGIN_MARKER)
    assert rendered.endswith(END_MARKER)
    for line in rendered.splitlines():
        if line.startswith("| SDS-"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 7, line


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(SpecError, match=re.escape(BEGIN_MARKER)):
        with_requirements_section("# no markers here\n", load_catalogue())


def test_spec_docs_regenerates_only_the_marked_section(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nprose\n\n{BEGIN_MARKER}\nstale\n{END_MARKER}\n\ntail\n")
    result = runner.invoke(app, ["spec", "docs", "--readme", str(readme)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nprose\n\n")
    assert text.endswith("\n\ntail\n")
    assert "stale" not in text
    assert "| SDS-DOC-001 | MUST |" in text
    again = runner.invoke(app, ["spec", "docs", "--readme", str(readme)])
    assert "unchanged" in again.output


def test_spec_docs_exits_2_without_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# nothing to fill\n")
    result = runner.invoke(app, ["spec", "docs", "--readme", str(readme)])
    assert result.exit_code == 2
    assert "requirements:begin" in result.output


def test_spec_build_writes_the_generated_value_set_schema(tmp_path: Path) -> None:
    output = tmp_path / "valuesets.schema.json"
    result = runner.invoke(app, ["spec", "build", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text(encoding="utf-8")) == render_schema()
    assert output.read_text(encoding="utf-8").endswith("}\n")
