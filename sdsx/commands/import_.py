"""``sdsx import``: read a funding stream's source file into funding lines.

Lines go to stdout (or ``--output``) as NDJSON; the problems report goes to stderr.
Exit codes: 0 every record read, 1 some records rejected, 2 the input is unusable (missing
file, unknown source or profile, or a file from which nothing could be read).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from adapters.sources import AdapterResult, SourceError, available, parse
from adapters.sources.council import parse_with_profile
from adapters.sources.mapping import load_profile

__all__ = ["import_source"]


def _received_at(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter("must be an ISO 8601 time, e.g. 2026-04-02T09:30:00Z") from None
    if moment.tzinfo is None:
        raise typer.BadParameter("must say its time zone, e.g. 2026-04-02T09:30:00Z")
    return moment


def _read(source: str, file: Path, profile: str | None, received_at: dt.datetime) -> AdapterResult:
    data = file.read_bytes()
    if source == "council" and profile and Path(profile).is_file():
        # A council's own profile file: no code, no packaging needed (SDS-MAP-001).
        loaded = load_profile(Path(profile).read_bytes(), where=profile)
        return parse_with_profile(data, loaded, file_name=file.name, received_at=received_at)
    return parse(source, data, file_name=file.name, received_at=received_at, profile=profile)


def _report(result: AdapterResult, err: Console) -> None:
    for problem in result.problems:
        colour = "yellow" if problem.severity == "warning" else "red"
        where = problem.locator + (f" {problem.field}" if problem.field else "")
        err.print(
            f"[{colour}]{problem.severity}[/{colour}] {escape(problem.file)}: "
            f"{escape(where)}: {escape(problem.reason)} "
            f"[dim]\\[{problem.requirement}][/dim]"
        )
    rejected = len(result.rejected)
    err.print(f"{len(result.records)} record(s): {len(result.lines)} line(s), {rejected} rejected")


def import_source(
    source: str = typer.Argument(
        ...,
        help="Source adapter: ilf-scotland, dwp-access-to-work, saas-dsa, nhs-board, council, "
        "or one a council installed.",
    ),
    file: Path = typer.Argument(..., help="The source file."),
    profile: str | None = typer.Option(
        None, "--profile", help="Mapping profile for 'council': a shipped name or a file."
    ),
    received_at: str | None = typer.Option(
        None, "--received-at", help="When the file was received (ISO 8601); default now."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the NDJSON lines here instead of stdout."
    ),
) -> None:
    """Read a source file into funding lines (NDJSON) with a problems report on stderr."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    moment = _received_at(received_at)
    if not file.is_file():
        err.print(f"[red]error[/red]: {escape(str(file))}: no such file")
        raise typer.Exit(2)
    try:
        result = _read(source, file, profile, moment)
    except SourceError as exc:
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        if source not in available():
            err.print("known sources: " + ", ".join(available()))
        raise typer.Exit(2) from None
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in result.lines)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    _report(result, err)
    if result.unusable:
        raise typer.Exit(2)
    raise typer.Exit(1 if result.rejected else 0)
