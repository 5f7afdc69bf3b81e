"""``sdsx audit verify``: check the audit chain in a database against its signed checkpoints.

Exit codes: 0 the log verifies, 1 tampering found (each finding names the entry), 2 input
unusable (SDS-AUD-005).
"""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from gateway.security.audit import load_public_key, read_checkpoints, read_entries, verify

__all__ = ["app"]

app = typer.Typer(help="Inspect the tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify_command(
    database: str = typer.Option(..., "--database", help="SQLAlchemy URL of the gateway DB."),
    checkpoints: Path = typer.Option(..., "--checkpoints", help="The checkpoint file (JSONL)."),
    public_key: Path = typer.Option(
        Path(".sdsx/audit-signing-key.pub.pem"), "--public-key", help="Checkpoint key (PEM)."
    ),
) -> None:
    """Detect edited, deleted, reordered or truncated audit entries."""
    try:
        key = load_public_key(public_key.read_bytes())
        signed = read_checkpoints(checkpoints) if checkpoints.exists() else []
        engine = create_engine(database)
        try:
            with engine.connect() as conn:
                entries = read_entries(conn)
        finally:
            engine.dispose()
    except (OSError, ValueError, SQLAlchemyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    report = verify(entries, signed, key)
    for finding in report.findings:
        typer.echo(str(finding))
    verdict = "verifies" if report.ok else f"has {len(report.findings)} problem(s)"
    typer.echo(
        f"audit log of {report.entries} entries, {report.checkpoints} checkpoints: {verdict}"
    )
    if not report.ok:
        raise typer.Exit(1)
