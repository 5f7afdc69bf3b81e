"""``sdsx import``: NDJSON lines on stdout, problems on stderr, exit 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

import spec
from sdsx.cli import app

SOURCES = Path(spec.__file__).parent / "sources"
ILF = SOURCES / "ilf-scotland" / "sample.csv"
WHEN = "2026-04-02T09:30:00Z"

runner = CliRunner()


def sdsx(*args: str | Path) -> Any:
    return runner.invoke(app, ["import", *map(str, args)])


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_good_file_prints_valid_lines_and_exits_0() -> None:
    result = sdsx("ilf-scotland", ILF, "--received-at", WHEN)
    assert result.exit_code == 0, result.stderr
    lines = _lines(result.stdout)
    assert len(lines) == 5
    assert all(spec.validate(line) == [] for line in lines)
    assert {line["provenance"]["received_at"] for line in lines} == {WHEN}
    assert "5 record(s): 5 line(s), 0 rejected" in result.stderr


def test_same_file_gives_the_same_output() -> None:
    first = sdsx("ilf-scotland", ILF, "--received-at", WHEN).stdout
    assert sdsx("ilf-scotland", ILF, "--received-at", WHEN).stdout == first


def test_some_rejected_records_exit_1_with_a_report(tmp_path: Path) -> None:
    broken = tmp_path / "awards.csv"
    broken.write_bytes(ILF.read_bytes().replace(b"17/06/2026", b"31/06/2026"))
    result = sdsx("ilf-scotland", broken, "--received-at", WHEN)
    assert result.exit_code == 1
    assert len(_lines(result.stdout)) == 4
    assert "awards.csv: line 3 Award Start: not a real calendar date" in result.stderr
    assert "[SDS-SRC-006]" in result.stderr


def test_unusable_file_exits_2(tmp_path: Path) -> None:
    cut = tmp_path / "atw.json"
    cut.write_bytes(b'{"grants": [{"urn": ')
    result = sdsx("dwp-access-to-work", cut, "--received-at", WHEN)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "SDS-SRC-007" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_source_missing_file_and_bad_profile_exit_2(tmp_path: Path) -> None:
    unknown = sdsx("lottery", ILF)
    assert unknown.exit_code == 2
    assert "known sources: council, dwp-access-to-work" in unknown.stderr
    assert sdsx("ilf-scotland", tmp_path / "missing.csv").exit_code == 2
    profile = tmp_path / "bad.yaml"
    profile.write_text("profile: bad\n", encoding="utf-8")
    bad = sdsx("council", ILF, "--profile", profile)
    assert bad.exit_code == 2
    assert "SDS-MAP-001" in bad.stderr


def test_council_with_a_shipped_profile_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "lines.ndjson"
    result = sdsx(
        "council",
        SOURCES / "council" / "carefirst-like-export.csv",
        "--profile",
        "carefirst-like-csv",
        "--received-at",
        WHEN,
        "--output",
        out,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = _lines(out.read_text(encoding="utf-8"))
    assert {line["sds_option"] for line in lines} == {"option-1", "option-2", "option-3"}


def test_council_with_its_own_profile_file() -> None:
    profile = SOURCES / "council" / "profiles" / "mosaic-like-json.json"
    result = sdsx(
        "council",
        SOURCES / "council" / "mosaic-like-export.json",
        "--profile",
        profile,
        "--received-at",
        WHEN,
    )
    assert result.exit_code == 0, result.stderr
    assert len(_lines(result.stdout)) == 5


def test_received_at_must_be_a_zoned_iso_time() -> None:
    assert sdsx("ilf-scotland", ILF, "--received-at", "yesterday").exit_code == 2
    assert sdsx("ilf-scotland", ILF, "--received-at", "2026-04-02T09:30:00").exit_code == 2


def test_default_received_at_is_now_in_utc() -> None:
    result = sdsx("ilf-scotland", ILF)
    assert result.exit_code == 0
    assert _lines(result.stdout)[0]["provenance"]["received_at"].endswith("Z")
