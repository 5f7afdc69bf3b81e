"""``sdsx spec``: keep the standard's generated files in step with its data.

``docs`` regenerates the requirements section of ``spec/README.md`` from the catalogue,
``build`` regenerates ``spec/schemas/valuesets.schema.json`` from the value sets, and
``requirements`` lists the catalogue. Exit code 2 means the catalogue itself is unsound.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import spec
from spec.models import generate as generate_models
from spec.problems import SpecError
from spec.registry import schema_id
from spec.requirements import (
    README,
    Catalogue,
    CatalogueError,
    load_catalogue,
    with_requirements_section,
)
from spec.valuesets import render_schema

__all__ = ["app"]

app = typer.Typer(
    name="spec",
    help="Work on the standard itself: requirement catalogue, generated docs and schemas.",
    no_args_is_help=True,
)

VALUESETS_SCHEMA = Path(spec.__file__).resolve().parent / "schemas" / "valuesets.schema.json"


class OutputFormat(StrEnum):
    human = "human"
    json = "json"


def _catalogue() -> Catalogue:
    try:
        return load_catalogue()
    except CatalogueError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None


def _write_if_changed(path: Path, text: str) -> bool:
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if old == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


@app.command("docs")
def docs(
    readme: Annotated[
        Path, typer.Option(help="The README whose requirements section to write.")
    ] = README,
) -> None:
    """Regenerate the requirements section of spec/README.md from spec/requirements/*.yaml."""
    catalogue = _catalogue()
    try:
        text = with_requirements_section(readme.read_text(encoding="utf-8"), catalogue)
    except (OSError, SpecError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    changed = _write_if_changed(readme, text)
    typer.echo(f"{'wrote' if changed else 'unchanged'} {readme} ({len(catalogue)} requirements)")


@app.command("build")
def build(
    output: Annotated[
        Path, typer.Option(help="Where to write the value-set schema.")
    ] = VALUESETS_SCHEMA,
) -> None:
    """Regenerate the value-set schema from spec/valuesets/*.json, then the typed models."""
    schema = render_schema()
    if schema["$id"] != schema_id("valuesets"):
        typer.echo(f"error: generated $id {schema['$id']} is not canonical", err=True)
        raise typer.Exit(2)
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    changed = _write_if_changed(output, text)
    typer.echo(
        f"{'wrote' if changed else 'unchanged'} {output} ({len(schema['$defs'])} value sets)"
    )
    # The typed models are generated from the schemas, value sets included, so a schema
    # change and its models land together (SDS-DOC-009 drift test).
    status = generate_models.main([])
    if status:
        raise typer.Exit(status)


@app.command("requirements")
def requirements(
    area: Annotated[str | None, typer.Option(help="Only this area, e.g. DOC.")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="human or json.")
    ] = OutputFormat.human,
) -> None:
    """List the requirement catalogue, or one area of it."""
    catalogue = _catalogue()
    if area is not None and area.upper() not in catalogue.areas:
        typer.echo(f"error: no area {area!r}; known: {', '.join(catalogue.areas)}", err=True)
        raise typer.Exit(2)
    chosen = catalogue.by_area(area.upper()) if area else tuple(catalogue)
    if output is OutputFormat.json:
        typer.echo(json.dumps([r.as_dict() for r in chosen], indent=2, ensure_ascii=False))
        return
    table = Table("ID", "Level", "Applies to", "Requirement", "Verified by", show_lines=False)
    for req in chosen:
        table.add_row(req.id, req.level, ", ".join(req.roles), req.text, req.verified_by)
    console = Console(highlight=False)
    console.print(table)
    console.print(f"{len(chosen)} requirement(s)")
