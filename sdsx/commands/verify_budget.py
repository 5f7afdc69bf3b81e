"""``sdsx verify-budget``: check a budget's signature offline against the gateway's JWKS.

Exit codes: 0 valid, 1 invalid signature, 2 input unusable (SDS-SEC-050).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import typer

from gateway.security.budget_signing import verify_budget as check_budget

__all__ = ["verify_budget"]


def _jwks(source: str) -> Any:
    if source.startswith(("https://", "http://")):
        response = httpx.get(source, timeout=10.0)
        response.raise_for_status()
        return response.json()
    return json.loads(Path(source).read_text(encoding="utf-8"))


def verify_budget(
    budget_file: Path = typer.Argument(..., help="The signed individual-budget JSON."),
    jwks: str = typer.Option(..., "--jwks", help="JWKS file or URL (/.well-known/jwks.json)."),
) -> None:
    """Verify the detached JWS signature of an individual budget."""
    try:
        budget = json.loads(budget_file.read_text(encoding="utf-8"))
        keys = _jwks(jwks)
    except (OSError, ValueError, httpx.HTTPError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(budget, dict) or not isinstance(keys, dict):
        typer.echo("error: the budget and the JWKS must be JSON objects", err=True)
        raise typer.Exit(2)
    result = check_budget(budget, keys)
    typer.echo(f"{budget_file}: {result}")
    if not result.ok:
        raise typer.Exit(1)
