"""The security commands: ``sdsx orgs``, ``sdsx audit verify`` and ``sdsx verify-budget``."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, delete
from typer.testing import CliRunner

from gateway.security.audit import AuditEvent, AuditLog
from gateway.security.budget_signing import sign_budget
from gateway.security.datafolder import DataFolder
from gateway.security.tables import audit_entries, create_tables
from sdsx.cli import app

runner = CliRunner()


def test_orgs_add_list_rotate_disable(tmp_path: Path) -> None:
    data = str(tmp_path)
    added = runner.invoke(
        app,
        [
            "orgs",
            "add",
            "glasgow-city",
            "--name",
            "Glasgow City Council",
            "--role",
            "council",
            "--code",
            "S12000049",
            "--data",
            data,
        ],
    )
    assert added.exit_code == 0, added.output
    key_files = list((tmp_path / "keys").glob("glasgow-city.*.pem"))
    assert len(key_files) == 1
    assert key_files[0].stat().st_mode & 0o777 == 0o600
    assert "PRIVATE" not in (tmp_path / "organisations.json").read_text()

    rotated = runner.invoke(
        app, ["orgs", "rotate-key", "glasgow-city", "--alg", "EdDSA", "--data", data]
    )
    assert rotated.exit_code == 0, rotated.output
    org = DataFolder(tmp_path).organisations().get("glasgow-city")
    assert org is not None
    assert [k["alg"] for k in org.keys] == ["ES256", "EdDSA"]

    old_kid = org.keys[0]["kid"]
    retired = runner.invoke(
        app, ["orgs", "rotate-key", "glasgow-city", "--retire", old_kid, "--data", data]
    )
    assert retired.exit_code == 0, retired.output
    assert runner.invoke(app, ["orgs", "disable", "glasgow-city", "--data", data]).exit_code == 0
    listed = runner.invoke(app, ["orgs", "list", "--data", data, "--json"])
    [entry] = json.loads(listed.output)
    assert entry["status"] == "disabled"
    assert len(entry["jwks"]["keys"]) == 1


def test_orgs_add_refuses_bad_codes_and_duplicates(tmp_path: Path) -> None:
    args = [
        "orgs",
        "add",
        "nhs-ggc",
        "--name",
        "NHS GGC",
        "--role",
        "health-board",
        "--data",
        str(tmp_path),
    ]
    bad = runner.invoke(app, [*args, "--code", "S12000049"])
    assert bad.exit_code == 2
    assert "health-board" in bad.output
    assert runner.invoke(app, [*args, "--code", "S08000031"]).exit_code == 0
    assert runner.invoke(app, [*args, "--code", "S08000031"]).exit_code == 2
    missing = runner.invoke(app, ["orgs", "disable", "nobody", "--data", str(tmp_path)])
    assert missing.exit_code == 2


def test_audit_verify_reports_where_the_log_was_cut(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    url = f"sqlite+pysqlite:///{tmp_path / 'gateway.db'}"
    engine = create_engine(url)
    create_tables(engine)
    log = AuditLog(
        folder.audit_signer(), checkpoint_every=5, checkpoint_file=folder.checkpoints_file
    )
    for n in range(12):
        with engine.begin() as conn:
            log.append(
                conn,
                AuditEvent(
                    actor="glasgow-city", action="read", outcome="allowed", record_id=f"r{n}"
                ),
            )
        log.checkpoint(engine)
    args = [
        "audit",
        "verify",
        "--database",
        url,
        "--checkpoints",
        str(folder.checkpoints_file),
        "--public-key",
        str(folder.audit_public_key_file),
    ]
    ok = runner.invoke(app, args)
    assert ok.exit_code == 0, ok.output
    assert "verifies" in ok.output
    with engine.begin() as conn:
        conn.execute(delete(audit_entries).where(audit_entries.c.seq > 8))
    engine.dispose()
    cut = runner.invoke(app, args)
    assert cut.exit_code == 1
    assert "entry 9: truncated" in cut.output
    unusable = runner.invoke(app, [*args[:-1], str(tmp_path / "missing.pem")])
    assert unusable.exit_code == 2


def test_verify_budget_offline(tmp_path: Path) -> None:
    keyring = DataFolder(tmp_path).gateway_keyring()
    budget = {"type": "individual-budget", "id": "b", "version": 1, "totals": {"net": 1}}
    signed = tmp_path / "budget.json"
    signed.write_text(json.dumps(sign_budget(budget, keyring.current)))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keyring.jwks()))
    good = runner.invoke(app, ["verify-budget", str(signed), "--jwks", str(jwks)])
    assert good.exit_code == 0, good.output
    assert "valid" in good.output
    changed = json.loads(signed.read_text())
    changed["totals"]["net"] = 2
    signed.write_text(json.dumps(changed))
    bad = runner.invoke(app, ["verify-budget", str(signed), "--jwks", str(jwks)])
    assert bad.exit_code == 1
    assert "bad-signature" in bad.output
    gone = runner.invoke(app, ["verify-budget", str(tmp_path / "nope.json"), "--jwks", str(jwks)])
    assert gone.exit_code == 2
