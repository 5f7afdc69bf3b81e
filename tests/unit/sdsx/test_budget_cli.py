"""``sdsx budget``: the budget JSON on stdout or in a file, a table on stderr, honest exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import spec
from sdsx.cli import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "spec" / "examples" / "valid"
PERSONAS = sorted(p for p in EXAMPLES.iterdir() if (p / "support-plan.json").exists())
VECTORS = ROOT / "conformance" / "vectors" / "budget"

runner = CliRunner()


def _args(folder: Path) -> list[str]:
    return [
        "budget",
        "--plan",
        str(folder / "support-plan.json"),
        "--lines",
        str(folder / "funding-lines.ndjson"),
        "--assessment",
        str(folder / "assessment.json"),
    ]


def _write_vector(tmp_path: Path, vector_id: str) -> tuple[Path, Path]:
    path = next(VECTORS.glob(vector_id.lower() + "-*.json"))
    vector = json.loads(path.read_text(encoding="utf-8"))
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(vector["plan"]), encoding="utf-8")
    lines = tmp_path / "lines.ndjson"
    lines.write_text("\n".join(json.dumps(line) for line in vector["lines"]), encoding="utf-8")
    return plan, lines


def test_personas_are_bundled() -> None:
    assert len(PERSONAS) >= 5


@pytest.mark.parametrize("folder", PERSONAS, ids=[p.name for p in PERSONAS])
def test_budget_of_each_persona_is_valid(folder: Path) -> None:
    result = runner.invoke(app, _args(folder))
    assert result.exit_code in (0, 1), result.stderr
    budget = json.loads(result.stdout)
    assert spec.validate(budget) == []
    assert "Allocations" in result.stderr
    has_error = any(f["severity"] == "error" for f in budget["flags"])
    assert result.exit_code == (1 if has_error else 0)


def test_output_file_gets_the_json_and_stdout_the_table(tmp_path: Path) -> None:
    target = tmp_path / "budget.json"
    result = runner.invoke(app, [*_args(PERSONAS[0]), "--output", str(target)])
    assert result.exit_code in (0, 1)
    assert spec.validate(json.loads(target.read_text(encoding="utf-8"))) == []
    assert "planned cost" in result.stdout


def test_clean_budget_exits_zero(tmp_path: Path) -> None:
    plan, lines = _write_vector(tmp_path, "BUD-V-001")
    result = runner.invoke(app, ["budget", "--plan", str(plan), "--lines", str(lines)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["net"]["amount_minor"] == 2607143


def test_error_flag_exits_one(tmp_path: Path) -> None:
    plan, lines = _write_vector(tmp_path, "BUD-V-024")
    result = runner.invoke(app, ["budget", "--plan", str(plan), "--lines", str(lines)])
    assert result.exit_code == 1
    assert "overlapping-award" in result.stderr


def test_invalid_line_is_unusable_input(tmp_path: Path) -> None:
    plan, lines = _write_vector(tmp_path, "BUD-V-001")
    docs = [json.loads(text) for text in lines.read_text().splitlines()]
    docs[0]["award"]["amount"]["amount_minor"] = 1.5
    lines.write_text(json.dumps(docs[0]), encoding="utf-8")
    result = runner.invoke(app, ["budget", "--plan", str(plan), "--lines", str(lines)])
    assert result.exit_code == 2
    assert "invalid funding line" in result.stderr
    assert result.stdout == ""


def test_engine_rejection_is_unusable_input(tmp_path: Path) -> None:
    plan, lines = _write_vector(tmp_path, "BUD-V-018")
    result = runner.invoke(app, ["budget", "--plan", str(plan), "--lines", str(lines)])
    assert result.exit_code == 2
    assert "SDS-BUD-034" in result.stderr


def test_unreadable_plan_is_unusable_input(tmp_path: Path) -> None:
    plan, lines = _write_vector(tmp_path, "BUD-V-001")
    plan.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["budget", "--plan", str(plan), "--lines", str(lines)])
    assert result.exit_code == 2


def test_many_lines_as_a_json_array(tmp_path: Path) -> None:
    plan, lines = _write_vector(tmp_path, "BUD-V-001")
    base: dict[str, Any] = json.loads(lines.read_text().splitlines()[0])
    many = []
    for n in range(250):
        doc = copy.deepcopy(base)
        doc["id"] = f"00000000-0000-4000-8000-{n:012d}"
        doc["award"]["amount"]["amount_minor"] = 100
        many.append(doc)
    array = tmp_path / "lines.json"
    array.write_text(json.dumps(many), encoding="utf-8")
    result = runner.invoke(app, ["budget", "--plan", str(plan), "--lines", str(array)])
    budget = json.loads(result.stdout)
    assert len(budget["lines"]) == 250
    assert result.exit_code == 1  # 250 overlapping council awards are errors.
