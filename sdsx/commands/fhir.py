"""``sdsx fhir``: the standard's documents as FHIR R4 Bundles, and back.

``sdsx fhir export FILE...`` writes one Bundle for every document in the files (JSON or
NDJSON, or folders of them); ``sdsx fhir import BUNDLE`` writes the documents a Bundle (or a
single resource) carries as NDJSON, with every element it could not carry on stderr.

Exit codes, as ``sdsx validate``: 0 done, 1 some document or resource was refused,
2 input unusable (missing, not JSON, not FHIR).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import orjson
import typer
from rich.console import Console

from spec import UnreadableInput, iter_documents, validate
from spec.fhir import FhirMappingError, from_json, to_bundle

__all__ = ["app"]

app = typer.Typer(help="Convert documents to FHIR R4 Bundles and back.", no_args_is_help=True)


class BundleType(StrEnum):
    collection = "collection"
    transaction = "transaction"


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)


@app.command("export")
def export(
    paths: list[Path] = typer.Argument(..., help="JSON or NDJSON files, or folders of them."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    bundle_type: BundleType = typer.Option(
        BundleType.collection, "--type", help="collection or transaction."
    ),
) -> None:
    """Write the documents as one FHIR R4 Bundle; refuse if any document is invalid."""
    err = _err()
    documents = []
    invalid = 0
    try:
        for located in iter_documents(paths):
            problems = validate(located.document)
            if problems:
                invalid += 1
                for problem in problems:
                    err.print(f"invalid {located.location}: {problem}", markup=False)
            documents.append(located.document)
    except UnreadableInput as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if not documents:
        err.print("error: no JSON or NDJSON documents found")
        raise typer.Exit(2)
    if invalid:
        err.print(f"{invalid} invalid document(s); nothing written", markup=False)
        raise typer.Exit(1)
    try:
        bundle = to_bundle(documents, bundle_type=bundle_type.value)
    except FhirMappingError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    _write(orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n", output)
    err.print(f"{len(documents)} document(s) as {len(bundle['entry'])} resource(s)", markup=False)


@app.command("import")
def import_(
    bundle: Path = typer.Argument(..., help="A FHIR R4 Bundle or resource, JSON; '-' for stdin."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Read a FHIR Bundle into documents (NDJSON); report every element not carried."""
    err = _err()
    try:
        raw = sys.stdin.buffer.read() if str(bundle) == "-" else bundle.read_bytes()
    except OSError as exc:
        err.print(f"error: {bundle}: cannot read: {exc.strerror}", markup=False)
        raise typer.Exit(2) from None
    try:
        result = from_json(raw, str(bundle))
    except FhirMappingError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    lines = b"".join(orjson.dumps(d) + b"\n" for d in result.documents)
    _write(lines, output)
    for issue in result.issues:
        err.print(str(issue), markup=False)
    err.print(
        f"{len(result.documents)} document(s), {len(result.warnings)} warning(s), "
        f"{len(result.errors)} error(s)",
        markup=False,
    )
    raise typer.Exit(1 if result.errors else 0)
