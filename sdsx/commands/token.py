"""``sdsx token``: obtain a gateway access token with a signed client assertion (RFC 7523).

Prints the token response as JSON; ``--raw`` prints only the access token, for
``Authorization: Bearer $(sdsx token ... --raw)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import typer

from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion

__all__ = ["token"]


def token(
    client_id: str = typer.Option(..., "--client-id", help="Your organisation's client id."),
    key: Path = typer.Option(..., "--key", help="Your private key (PEM)."),
    token_url: str = typer.Option(..., "--token-url", help="The gateway's /oauth2/token URL."),
    alg: str = typer.Option("ES256", "--alg", help="RS256, RS512, ES256 or EdDSA."),
    scope: str | None = typer.Option(None, "--scope", help="Ask for fewer scopes."),
    raw: bool = typer.Option(False, "--raw", help="Print only the access token."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds to wait for the gateway."),
) -> None:
    """Get an access token from the gateway."""
    try:
        assertion = make_client_assertion(
            client_id=client_id, token_url=token_url, private_pem=key.read_bytes(), alg=alg
        )
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {key}: {exc}", err=True)
        raise typer.Exit(2) from None
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
    }
    if scope:
        form["scope"] = scope
    try:
        response = httpx.post(token_url, data=form, timeout=timeout)
    except httpx.HTTPError as exc:
        typer.echo(f"error: {token_url}: {exc}", err=True)
        raise typer.Exit(2) from None
    if response.status_code != 200:
        typer.echo(f"error: {response.status_code} {response.text}", err=True)
        raise typer.Exit(1)
    body = response.json()
    typer.echo(body["access_token"] if raw else json.dumps(body, indent=2))
