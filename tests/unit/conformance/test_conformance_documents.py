"""check-docs: the documents group over exported files, its reports and exit codes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from conformance.capabilities import parse_capabilities
from conformance.results import Outcome
from conformance.session import NothingToCheck, check_documents
from sdsx.cli import app
from spec._paths import EXAMPLES

CAPS = parse_capabilities({"role": "council", "level": "core", "features": []})
REPORT_SCHEMA = Path(__file__).parents[3] / "conformance" / "report.schema.json"


def _export(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in names:
        shutil.copy(EXAMPLES / name, folder / Path(name).name)
    return folder


def test_valid_exports_pass_with_three_checks_per_document(tmp_path: Path) -> None:
    folder = _export(
        tmp_path, "valid/rory-combined/person.json", "valid/rory-combined/funding-lines.ndjson"
    )
    record = check_documents(folder, CAPS, out=tmp_path / "out", seed=1)
    assert record.exit_code == 0
    assert {r.check_id for r in record.results} == {
        "documents.schema",
        "documents.valuesets",
        "documents.identifiers",
    }
    assert all(r.outcome is Outcome.PASS for r in record.results)
    assert any(r.subject.startswith("funding-lines.ndjson") for r in record.results)


def test_a_bad_check_digit_fails_the_identifier_check_citing_its_requirement(
    tmp_path: Path,
) -> None:
    folder = _export(tmp_path, "invalid/chi-bad-check-digit.json")
    record = check_documents(folder, CAPS, out=tmp_path / "out", seed=1)
    failed = [r for r in record.results if r.outcome is Outcome.FAIL]
    assert [r.check_id for r in failed] == ["documents.identifiers"]
    assert failed[0].requirements == ("SDS-IDN-002",)
    assert "0101" not in failed[0].message  # the identifier itself is never echoed
    assert record.exit_code == 1


def test_unreadable_input_fails_doc_012_and_an_empty_folder_cannot_run(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    with pytest.raises(NothingToCheck, match=r"no \.json"):
        check_documents(folder, CAPS, out=tmp_path / "out")
    (folder / "broken.json").write_bytes(b"\xff\xfe not json")
    record = check_documents(folder, CAPS, out=tmp_path / "out")
    (result,) = record.results
    assert result.check_id == "documents.readable"
    assert result.requirements == ("SDS-DOC-012",)
    assert result.outcome is Outcome.FAIL


def test_the_reports_are_valid_json_junit_and_html_failures_first(tmp_path: Path) -> None:
    folder = _export(
        tmp_path, "valid/rory-combined/person.json", "invalid/person-missing-name.json"
    )
    out = tmp_path / "out"
    check_documents(folder, CAPS, out=out, seed=1)
    report = json.loads((out / "report.json").read_text())
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(report)
    assert report["summary"]["fail"] == 1
    assert any(
        c["requirement"] == "SDS-PER-001" and c["verdict"] == "fail" for c in report["coverage"]
    )
    suites = ET.fromstring((out / "junit.xml").read_bytes())
    assert sum(int(s.get("failures", "0")) for s in suites) == 1
    page = (out / "report.html").read_text()
    assert page.index("<b>FAIL</b>") < page.index("<td>pass</td>")
    assert "MUST" in page
    assert "<script" not in page
    assert (out / "certificate.json").is_file()


def test_the_command_exits_0_1_and_2(tmp_path: Path) -> None:
    runner = CliRunner()
    good = _export(tmp_path, "valid/rory-combined/person.json")
    ok = runner.invoke(app, ["conformance", "check-docs", str(good), "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(EXAMPLES / "invalid" / "person-missing-name.json", bad)
    failed = runner.invoke(
        app, ["conformance", "check-docs", str(bad), "--out", str(tmp_path / "b")]
    )
    assert failed.exit_code == 1
    missing = runner.invoke(app, ["conformance", "check-docs", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
