"""``sdsx serve``: run the gateway under uvicorn (SQLite file by default).

The database is migrated once, here, before the workers start; each worker then opens its
own pool. The security layer is prepared here too: on a first local start with no
configuration it creates demo organisations and their keys in the data folder
(``SDSX_DATA_DIR``, default ``./.sdsx``) and prints where they are and how to get a token;
with ``SDSX_PRODUCTION=1`` it refuses to start while demo organisations are active
(SDS-SEC-070). The same first start generates the field key that seals CHI and NI numbers
(``field-keys.json``) and says so; production needs ``SDSX_FIELD_KEYS_FILE`` or
``SDSX_FIELD_KEYS`` instead (SDS-SEC-040). ``--print-openapi`` prints the OpenAPI 3.1
description and exits.
"""

from __future__ import annotations

import os

import typer

from gateway.config import Settings
from gateway.logs import configure_logging
from gateway.migrations import upgrade
from gateway.openapi import openapi_document, render_yaml
from gateway.security.endpoints import TOKEN_PATH, build_security
from gateway.security.errors import ConfigurationError
from gateway.security.fieldkeys import load_field_keys
from gateway.storage import open_database

__all__ = ["serve"]


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (one database, shared)."),
    database: str | None = typer.Option(
        None,
        "--database",
        help="SQLAlchemy URL (default $SDSX_DATABASE_URL, else SQLite ./.sdsx/sdsx.db), e.g. "
        "postgresql+psycopg://user@host/db.",
    ),
    data_dir: str | None = typer.Option(
        None,
        "--data-dir",
        help="Organisations, keys and audit checkpoints (default $SDSX_DATA_DIR, else ./.sdsx).",
    ),
    log_level: str = typer.Option("info", help="debug, info, warning or error."),
    print_openapi: bool = typer.Option(
        False, "--print-openapi", help="Print the OpenAPI description (YAML) and exit."
    ),
) -> None:
    """Run the SDS Exchange gateway."""
    if print_openapi:
        typer.echo(render_yaml(openapi_document()), nl=False)
        return
    import uvicorn

    if database:
        os.environ["SDSX_DATABASE_URL"] = database
    if data_dir:
        os.environ["SDSX_DATA_DIR"] = data_dir
    # Tokens name the gateway's public URL; locally that is the address served here.
    os.environ.setdefault("SDSX_PUBLIC_URL", f"http://{host}:{port}")
    os.environ["SDSX_LOG_LEVEL"] = log_level.upper()
    configure_logging(log_level.upper())
    settings = Settings.from_env()
    try:
        field_keys = load_field_keys(settings)
        storage = open_database(settings, field_keys.cipher)
        try:
            upgrade(storage.writer)
            security = build_security(
                engine=storage.writer,
                data_dir=settings.data_dir,
                base_url=settings.public_url,
                production=settings.production,
            )
        finally:
            storage.dispose()
    except ConfigurationError as error:
        typer.echo(f"sdsx serve: refusing to start: {error.detail}", err=True)
        raise typer.Exit(2) from None
    if field_keys.created:
        typer.echo(
            f"Created the field key that seals CHI and NI numbers at rest: {field_keys.file}. "
            "Back it up apart from the database; without it they cannot be read "
            "(production takes SDSX_FIELD_KEYS_FILE).",
            err=True,
        )
    if security.demo is not None and security.demo.created:
        typer.echo(security.demo.instructions(settings.public_url + TOKEN_PATH), err=True)
    else:
        typer.echo(f"Organisations and keys: {settings.data_dir.resolve()}", err=True)
    # The workers find the database already migrated.
    os.environ["SDSX_MIGRATE_ON_STARTUP"] = "0"
    uvicorn.run(
        "gateway.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
