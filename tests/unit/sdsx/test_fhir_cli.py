"""``sdsx fhir export`` and ``sdsx fhir import``: output, issues and exit codes."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from sdsx.cli import app
from spec import iter_documents
from spec._paths import EXAMPLES

RUNNER = CliRunner()
FOREIGN = Path(__file__).parents[1] / "spec" / "fhir" / "foreign"
EXAMPLE = EXAMPLES / "valid" / "rory-combined"


def test_export_then_import_gives_back_the_documents(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    exported = RUNNER.invoke(app, ["fhir", "export", str(EXAMPLE), "--output", str(bundle)])
    assert exported.exit_code == 0, exported.output
    assert orjson.loads(bundle.read_bytes())["resourceType"] == "Bundle"
    imported = RUNNER.invoke(app, ["fhir", "import", str(bundle)])
    assert imported.exit_code == 0
    lines = [orjson.loads(line) for line in imported.stdout.splitlines()]
    assert lines == [d.document for d in iter_documents([EXAMPLE])]
    assert "0 warning(s), 0 error(s)" in imported.stderr


def test_export_writes_a_transaction_bundle_to_stdout() -> None:
    result = RUNNER.invoke(app, ["fhir", "export", str(EXAMPLE), "--type", "transaction"])
    assert result.exit_code == 0
    bundle = orjson.loads(result.stdout)
    assert bundle["type"] == "transaction"
    assert all(e["request"]["method"] == "PUT" for e in bundle["entry"])


def test_export_refuses_invalid_documents_with_exit_1() -> None:
    invalid = EXAMPLES / "invalid" / "person-no-identifiers.json"
    result = RUNNER.invoke(app, ["fhir", "export", str(invalid)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "/identifiers" in result.stderr
    assert "SDS-PER-001" in result.stderr


def test_export_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["fhir", "export", str(tmp_path / "nothing.json")])
    assert result.exit_code == 2


def test_import_reports_foreign_elements_and_exits_1_when_a_resource_is_refused() -> None:
    result = RUNNER.invoke(app, ["fhir", "import", str(FOREIGN / "patient-example.json")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "warning: Patient.telecom: has no place in the standard" in result.stderr
    assert "Patient.managingOrganization" in result.stderr


def test_import_of_foreign_fhir_that_fits_exits_0_with_warnings() -> None:
    result = RUNNER.invoke(app, ["fhir", "import", str(FOREIGN / "patient-scottish-system.json")])
    assert result.exit_code == 0
    [person] = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert person["council_area"] == "S12000036"
    assert "warning: Patient.gender" in result.stderr


def test_import_of_something_not_fhir_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2, 3]")
    assert RUNNER.invoke(app, ["fhir", "import", str(junk)]).exit_code == 2
    junk.write_text("not json")
    assert RUNNER.invoke(app, ["fhir", "import", str(junk)]).exit_code == 2
    assert RUNNER.invoke(app, ["fhir", "import", str(tmp_path / "absent.json")]).exit_code == 2
