"""``sdsx validate``: check documents against the standard.

Exit codes: 0 every document valid, 1 some document invalid, 2 input unusable (SDS-DOC-012).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from spec import UnreadableInput, iter_documents
from spec import validate as validate_document

__all__ = ["validate"]


class OutputFormat(StrEnum):
    human = "human"
    json = "json"


def validate(
    paths: list[Path] = typer.Argument(..., help="JSON or NDJSON files, or folders of them."),
    output: OutputFormat = typer.Option(OutputFormat.human, "--format", help="human or json."),
) -> None:
    """Validate documents; report every problem with its JSON pointer and requirement ID."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    results: list[dict[str, Any]] = []
    try:
        for located in iter_documents(paths):
            problems = validate_document(located.document)
            results.append(
                {
                    "location": located.location,
                    "valid": not problems,
                    "problems": [p.as_dict() for p in problems],
                }
            )
    except UnreadableInput as exc:
        if output is OutputFormat.json:
            typer.echo(json.dumps({"error": str(exc)}))
        else:
            err.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    invalid = [r for r in results if not r["valid"]]
    if output is OutputFormat.json:
        typer.echo(
            json.dumps(
                {"documents": len(results), "invalid": len(invalid), "results": results}, indent=2
            )
        )
    else:
        for result in results:
            if result["valid"]:
                out.print(f"[green]ok[/green]      {result['location']}")
                continue
            out.print(f"[red]invalid[/red] {result['location']}")
            for problem in result["problems"]:
                out.print(
                    f"  {problem['pointer'] or '/'}: {problem['message']} "
                    f"[dim]\\[{problem['requirement']}][/dim]"
                )
        out.print(f"{len(results)} document(s), {len(invalid)} invalid")
    if not results:
        err.print("error: no JSON or NDJSON documents found")
        raise typer.Exit(2)
    raise typer.Exit(1 if invalid else 0)
