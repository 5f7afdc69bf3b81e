"""``sdsx demo``: the README's main command runs end to end against a real gateway."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sdsx.cli import app
from sdsx.commands import demo as demo_module


def test_demo_runs_the_whole_path_and_exits_0() -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo complete." in result.output
    for step in ("Source files imported", "budget computed and fetched", "FHIR R4 form", "Totals"):
        assert step in result.output


def test_demo_names_a_missing_sample_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ilf-scotland").mkdir()
    monkeypatch.setattr(demo_module, "SOURCES", tmp_path)
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 1
    assert f"no sample file in {tmp_path / 'ilf-scotland'}" in result.output


def test_demo_refuses_an_unknown_persona() -> None:
    result = CliRunner().invoke(app, ["demo", "--persona", "nobody"])
    assert result.exit_code == 1
    assert "no persona 'nobody'" in result.output
