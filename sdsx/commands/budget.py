"""``sdsx budget``: one support plan and its funding lines in, one individual budget out.

The budget document (JSON) goes to ``--output`` or to standard output; a readable table of
lines, allocations and flags goes to standard error when the JSON goes to standard output, so
the two never mix. Reading and checking many lines shows a progress bar.

Exit codes: 0 the budget was computed and has no error-severity flag; 1 the budget was
computed but carries at least one error-severity flag (overlapping awards, a cap or ILF
threshold breached, ILF backfilling a council cut), so it needs attention before anyone
agrees it; 2 the input is unusable (unreadable, invalid against the standard, or rejected by
the engine), and no budget is written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from adapters.budget import BudgetInputError, compute_budget
from spec import UnreadableInput, iter_documents
from spec import validate as validate_document

__all__ = ["budget"]

_PROGRESS_FROM = 200


class _Unusable(Exception):
    """Input that cannot be budgeted; the message says what and where."""


def _one(path: Path, kind: str) -> dict[str, Any]:
    documents = [located for located in iter_documents([path])]
    if len(documents) != 1 or not isinstance(documents[0].document, dict):
        raise _Unusable(f"{path}: expected one {kind} document")
    document: dict[str, Any] = documents[0].document
    problems = validate_document(document)
    if problems:
        raise _Unusable(f"{documents[0].location}: invalid {kind}: {problems[0]}")
    if document.get("type") != kind:
        raise _Unusable(f"{path}: expected a {kind}, found {document.get('type')!r}")
    return document


def _lines(path: Path, err: Console) -> list[dict[str, Any]]:
    located = []
    for item in iter_documents([path]):
        if isinstance(item.document, list):
            located += [(f"{item.location}/{i}", doc) for i, doc in enumerate(item.document)]
        else:
            located.append((item.location, item.document))
    found: list[dict[str, Any]] = []
    with Progress(
        TextColumn("checking funding lines"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=len(located) < _PROGRESS_FROM,
    ) as progress:
        task = progress.add_task("lines", total=len(located))
        for location, document in located:
            problems = validate_document(document)
            if problems:
                raise _Unusable(f"{location}: invalid funding line: {problems[0]}")
            if document.get("type") != "funding-line":
                raise _Unusable(f"{location}: expected a funding-line")
            found.append(document)
            progress.advance(task)
    return found


def _pounds(money: dict[str, Any] | None) -> str:
    pence = 0 if money is None else int(money["amount_minor"])
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def _report(result: dict[str, Any], console: Console) -> None:
    lines = Table(title=f"Budget {result['period']['start']} to {result['period']['end']}")
    for column in ("line", "source", "purpose", "gross", "contribution", "net", "adjustments"):
        lines.add_column(
            column,
            justify="right"
            if column in ("gross", "contribution", "net", "adjustments")
            else "left",
        )
    for line in result["lines"]:
        lines.add_row(
            line["line"]["id"][:8],
            line["source"],
            line["purpose"],
            _pounds(line["gross"]),
            _pounds(line["contribution"]),
            _pounds(line["net"]),
            _pounds(line.get("adjustments")),
        )
    totals = result["totals"]
    lines.add_row(
        "total",
        "",
        "",
        _pounds(totals["gross"]),
        _pounds(totals["contribution"]),
        _pounds(totals["net"]),
        _pounds(totals.get("adjustments")),
        style="bold",
    )
    console.print(lines)
    allocations = Table(title="Allocations")
    for column in ("line", "item", "amount", "rule"):
        allocations.add_column(column)
    for allocation in result["allocations"]:
        allocations.add_row(
            allocation["line"][:8],
            allocation["item"],
            _pounds(allocation["amount"]),
            allocation["rule"],
        )
    console.print(allocations)
    console.print(
        f"planned cost {_pounds(totals['planned_cost'])}, allocated "
        f"{_pounds(totals.get('allocated'))}, shortfall "
        f"{_pounds(result.get('shortfall'))}"
    )
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for flag in result.get("flags", []):
        colour = colours[flag["severity"]]
        console.print(
            f"[{colour}]{flag['severity']}[/{colour}] {flag['code']}: "
            f"{flag['message']} [dim]\\[{flag['rule']}][/dim]"
        )


def budget(
    plan: Path = typer.Option(..., "--plan", help="The support plan (JSON)."),
    lines: Path = typer.Option(
        ..., "--lines", help="Funding lines: NDJSON, a JSON array, or a folder."
    ),
    assessment: Path | None = typer.Option(
        None, "--assessment", help="The assessment with the assessed charge."
    ),
    output: Path | None = typer.Option(
        None, "--output", help="Write the budget JSON here instead of stdout."
    ),
) -> None:
    """Compute the individual budget for a plan from its funding lines."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        plan_doc = _one(plan, "support-plan")
        assessment_doc = _one(assessment, "assessment") if assessment else None
        line_docs = _lines(lines, err)
        result = compute_budget(
            plan_doc, line_docs, issued_at=datetime.now(UTC), assessment=assessment_doc
        )
    except (UnreadableInput, _Unusable, BudgetInputError) as exc:
        err.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
        _report(result, err)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        _report(result, Console(highlight=False, soft_wrap=True))
    errors = [f for f in result.get("flags", []) if f["severity"] == "error"]
    raise typer.Exit(1 if errors else 0)
