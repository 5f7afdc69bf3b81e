"""``sdsx validate``: exit 0 all valid, 1 some invalid, 2 unusable input (SDS-DOC-012)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sdsx.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "spec" / "examples"
CASES: list[dict[str, Any]] = json.loads((EXAMPLES / "invalid" / "cases.json").read_text("utf-8"))
VALID_LINE = (
    (EXAMPLES / "valid" / "rory-combined" / "funding-lines.ndjson").read_text().splitlines()
)

runner = CliRunner()


def sdsx(*args: str | Path) -> Any:
    return runner.invoke(app, ["validate", *map(str, args)])


def assert_unusable(result: Any, *fragments: str) -> None:
    """Exit 2 with one line on stderr naming what is wrong, and no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_valid_examples_exit_zero() -> None:
    result = sdsx(EXAMPLES / "valid")
    assert result.exit_code == 0, result.output
    assert "0 invalid" in result.stdout
    assert "rory-combined/funding-lines.ndjson:6" in result.stdout


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["file"])
def test_each_invalid_example_exits_one_naming_pointer_and_requirement(
    case: dict[str, Any],
) -> None:
    result = sdsx(EXAMPLES / "invalid" / case["file"])
    assert result.exit_code == 1, result.output
    for expected in case["expect"]:
        pointer = expected["pointer"] or "/"
        assert any(
            line.strip().startswith(f"{pointer}:") and f"[{expected['requirement']}]" in line
            for line in result.stdout.splitlines()
        ), result.stdout


def test_json_output_carries_every_problem() -> None:
    files = [EXAMPLES / "invalid" / case["file"] for case in CASES]
    result = sdsx("--format", "json", *files)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["documents"] == report["invalid"] == len(CASES)
    by_file = {Path(r["location"]).name: r for r in report["results"]}
    for case in CASES:
        reported = by_file[case["file"]]
        assert reported["valid"] is False
        found = {(p["pointer"], p["requirement"]) for p in reported["problems"]}
        assert found == {(e["pointer"], e["requirement"]) for e in case["expect"]}
        assert all(
            set(p) == {"pointer", "message", "requirement", "rule"} for p in reported["problems"]
        )


def test_json_output_for_valid_documents() -> None:
    result = sdsx("--format", "json", EXAMPLES / "valid" / "budget-minimal.json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["invalid"] == 0
    assert report["results"][0]["problems"] == []


def test_one_invalid_document_among_valid_ones_exits_one() -> None:
    invalid = EXAMPLES / "invalid" / "nino-prefix-tn.json"
    result = sdsx(EXAMPLES / "valid" / "rory-combined", invalid)
    assert result.exit_code == 1
    assert "10 document(s), 1 invalid" in result.stdout


def test_ndjson_problems_are_located_by_line(tmp_path: Path) -> None:
    broken = json.loads(VALID_LINE[1])
    broken["sds_option"] = "option-4"
    stream = tmp_path / "lines.ndjson"
    stream.write_text(f"{VALID_LINE[0]}\n\n{json.dumps(broken)}\n", encoding="utf-8")
    result = sdsx("--format", "json", stream)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [r["location"] for r in report["results"]] == [f"{stream}:1", f"{stream}:3"]
    assert report["results"][1]["problems"][0]["requirement"] == "SDS-FND-007"


def test_garbage_exits_two(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"this is { not json")
    assert_unusable(sdsx(garbage), "garbage.json", "not JSON", "SDS-DOC-012")


def test_garbage_on_an_ndjson_line_names_the_line(tmp_path: Path) -> None:
    stream = tmp_path / "lines.ndjson"
    stream.write_text(f"{VALID_LINE[0]}\n{VALID_LINE[1]}\n{{oops\n", encoding="utf-8")
    assert_unusable(sdsx(stream), "lines.ndjson:3", "not JSON")


def test_windows_1252_file_exits_two(tmp_path: Path) -> None:
    person = json.loads((EXAMPLES / "valid" / "ailsa-option-1" / "person.json").read_text("utf-8"))
    person["name"]["given"] = "Ren\u00e9e \u2013 \u00a3"
    legacy = tmp_path / "person-cp1252.json"
    legacy.write_bytes(json.dumps(person, ensure_ascii=False).encode("cp1252"))
    assert_unusable(sdsx(legacy), "person-cp1252.json", "not UTF-8")


def test_missing_path_exits_two(tmp_path: Path) -> None:
    assert_unusable(sdsx(tmp_path / "nowhere.json"), "nowhere.json", "no such file")


def test_empty_folder_exits_two(tmp_path: Path) -> None:
    result = sdsx(tmp_path)
    assert_unusable(result, "no JSON or NDJSON documents")


def test_json_format_unusable_input_is_still_json(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\x01")
    result = sdsx("--format", "json", garbage)
    assert result.exit_code == 2
    assert "garbage.json" in json.loads(result.stdout)["error"]


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    source = EXAMPLES / "valid" / "budget-minimal.json"
    with_bom = tmp_path / "budget.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert sdsx(with_bom).exit_code == 0


def test_the_installed_command_exits_as_documented(tmp_path: Path) -> None:
    # One real process, so the console script, exit codes and streams are checked end to end.
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"not json")
    command = [sys.executable, "-c", "from sdsx.cli import main; main()", "validate"]
    ok = subprocess.run([*command, str(EXAMPLES / "valid")], capture_output=True, check=False)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([*command, str(garbage)], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
