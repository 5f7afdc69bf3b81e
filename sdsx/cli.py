"""The ``sdsx`` command: one entry point tying the standard, adapters, gateway and suite together.

Each sub-command lives in its own module under ``sdsx.commands`` and is registered here.
"""

from __future__ import annotations

import typer

from sdsx import __version__
from sdsx.commands import audit as audit_cmd
from sdsx.commands import budget as budget_cmd
from sdsx.commands import conformance as conformance_cmd
from sdsx.commands import demo as demo_cmd
from sdsx.commands import fhir as fhir_cmd
from sdsx.commands import import_ as import_cmd
from sdsx.commands import keys as keys_cmd
from sdsx.commands import orgs as orgs_cmd
from sdsx.commands import serve as serve_cmd
from sdsx.commands import spec as spec_cmd
from sdsx.commands import token as token_cmd
from sdsx.commands import validate as validate_cmd
from sdsx.commands import verify_budget as verify_budget_cmd

app = typer.Typer(
    name="sdsx",
    help="SDS Exchange: the open data standard and gateway for Scotland's Self-directed Support.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sdsx {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """SDS Exchange command line."""


app.command("validate")(validate_cmd.validate)
app.command("budget")(budget_cmd.budget)
app.command("serve")(serve_cmd.serve)
app.command("demo")(demo_cmd.demo)
app.command("import")(import_cmd.import_source)
app.add_typer(spec_cmd.app, name="spec")
app.add_typer(orgs_cmd.app, name="orgs")
app.add_typer(keys_cmd.app, name="keys")
app.command("token")(token_cmd.token)
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(conformance_cmd.app, name="conformance")
app.add_typer(fhir_cmd.app, name="fhir")
app.command("verify-budget")(verify_budget_cmd.verify_budget)


def main() -> None:
    """Console-script entry point."""
    app()
