"""``sdsx orgs``: manage the organisation registry in a data folder.

``add`` registers an organisation and generates its key pair, writing the private key to
``<data>/keys/`` (0600) and the public key into the registry; ``rotate-key`` adds a new key
while the old one stays valid (``--retire KID`` removes one); ``disable`` refuses the
organisation at once (SDS-SEC-001, SDS-SEC-006).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from gateway.security.access import Role
from gateway.security.datafolder import DataFolder
from gateway.security.keys import CLIENT_ALGORITHMS, generate_key_pair, write_private_pem
from gateway.security.organisations import Organisation, OrganisationError

__all__ = ["app"]

app = typer.Typer(help="Manage the organisations that may call the gateway.", no_args_is_help=True)

_DATA = typer.Option(Path(".sdsx"), "--data", help="The data folder holding the registry.")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _check_alg(alg: str) -> None:
    if alg not in CLIENT_ALGORITHMS:
        raise _fail(f"--alg must be one of {', '.join(CLIENT_ALGORITHMS)}")


def _load(folder: DataFolder, organisation_id: str) -> Organisation:
    org = folder.organisations().get(organisation_id)
    if org is None:
        raise _fail(f"no organisation {organisation_id!r} in {folder.organisations_file}")
    return org


@app.command("add")
def add(
    organisation_id: str = typer.Argument(..., help="Client id, e.g. glasgow-city."),
    name: str = typer.Option(..., "--name", help="The organisation's name."),
    role: Role = typer.Option(..., "--role", help="council, health-board, funder, ..."),
    code: str = typer.Option(..., "--code", help="Official code (GSS S12 / S08, funder code)."),
    funder_kind: str | None = typer.Option(None, "--funder-kind", help="ilf-scotland, dwp, saas."),
    alg: str = typer.Option("ES256", "--alg", help="Key algorithm: RS256, RS512, ES256, EdDSA."),
    data: Path = _DATA,
) -> None:
    """Register an organisation and generate its first key pair."""
    _check_alg(alg)
    folder = DataFolder(data)
    store = folder.organisations()
    if store.get(organisation_id) is not None:
        raise _fail(f"organisation {organisation_id!r} already exists")
    pair = generate_key_pair(alg)
    try:
        org = Organisation(organisation_id, name, role, code, funder_kind=funder_kind)
    except OrganisationError as exc:
        raise _fail(str(exc)) from None
    key_file = write_private_pem(
        folder.private_key_file(organisation_id, pair.kid), pair.private_pem
    )
    store.save(org.with_key(pair.public_jwk))
    typer.echo(f"added {organisation_id} ({role.value}, {code}); key {pair.kid}")
    typer.echo(f"private key: {key_file}")


@app.command("list")
def list_(
    data: Path = _DATA,
    as_json: bool = typer.Option(False, "--json", help="Print the registry as JSON."),
) -> None:
    """List registered organisations."""
    orgs = DataFolder(data).organisations().list()
    if as_json:
        typer.echo(json.dumps([o.as_dict() for o in orgs], indent=2))
        return
    for org in orgs:
        kids = ", ".join(str(k.get("kid", ""))[:12] for k in org.keys) or "no keys"
        demo = " demo" if org.demo else ""
        typer.echo(f"{org.id:<22} {org.role.value:<15} {org.code:<20} {org.status}{demo}  [{kids}]")


@app.command("rotate-key")
def rotate_key(
    organisation_id: str = typer.Argument(..., help="Client id."),
    alg: str = typer.Option("ES256", "--alg", help="Algorithm of the new key."),
    retire: str | None = typer.Option(None, "--retire", help="Retire this kid instead."),
    data: Path = _DATA,
) -> None:
    """Add a new key (old keys stay valid) or, with --retire, remove one."""
    folder = DataFolder(data)
    org = _load(folder, organisation_id)
    if retire:
        try:
            folder.organisations().save(org.without_key(retire))
        except OrganisationError as exc:
            raise _fail(str(exc)) from None
        typer.echo(f"retired key {retire} of {organisation_id}")
        return
    _check_alg(alg)
    pair = generate_key_pair(alg)
    key_file = write_private_pem(
        folder.private_key_file(organisation_id, pair.kid), pair.private_pem
    )
    folder.organisations().save(org.with_key(pair.public_jwk))
    typer.echo(f"added key {pair.kid} to {organisation_id}; earlier keys stay valid")
    typer.echo(f"private key: {key_file}")


@app.command("disable")
def disable(
    organisation_id: str = typer.Argument(..., help="Client id."), data: Path = _DATA
) -> None:
    """Disable an organisation: its assertions and tokens are refused from now on."""
    folder = DataFolder(data)
    folder.organisations().save(_load(folder, organisation_id).disabled())
    typer.echo(f"disabled {organisation_id}")
