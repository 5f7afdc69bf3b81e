"""``sdsx keys``: rotate the field keys that seal CHI and NI numbers at rest (SDS-SEC-042).

A rotation has three steps, each safe to stop and repeat:

1. ``sdsx keys rotate-field`` adds a new key to the key file and makes it current (older keys
   stay, so everything stored still opens); restart every gateway process so each seals new
   values with it. With several processes, ``--standby`` adds it without making it current;
   once every process has restarted and can open it, ``sdsx keys use-field KID`` makes it
   current and a second restart puts it to use;
2. ``sdsx keys reencrypt`` moves every stored value to the current key in batches, each batch
   in its own transaction; lookups and uniqueness keep working throughout, and a stopped run
   carries on where it stopped when started again;
3. ``sdsx keys retire-field KID`` removes an old key once nothing stored uses it.

The keys are found as the gateway finds them: ``SDSX_FIELD_KEYS_FILE``, ``SDSX_FIELD_KEYS``, or
the data folder's ``field-keys.json``. Exit codes: 0 done, 1 work left, 2 unusable input.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer
from sqlalchemy import inspect, make_url
from sqlalchemy.exc import SQLAlchemyError

from gateway.config import Settings
from gateway.security.datafolder import DataFolder
from gateway.security.errors import ConfigurationError
from gateway.security.fieldcrypto import generate_field_key
from gateway.security.fieldkeys import (
    FieldKeys,
    add_field_key,
    load_field_keys,
    next_kid,
    remove_field_key,
    use_field_key,
)
from gateway.storage import Database, open_database
from gateway.storage.resealing import reencrypt, stored_under

__all__ = ["app"]

app = typer.Typer(help="Rotate the keys that seal CHI and NI numbers.", no_args_is_help=True)

_DATABASE = typer.Option(
    None, "--database", help="SQLAlchemy URL (default $SDSX_DATABASE_URL, else ./.sdsx/sdsx.db)."
)
_DATA = typer.Option(None, "--data-dir", help="The data folder (default $SDSX_DATA_DIR).")
_FILE = typer.Option(None, "--file", help="The key file (default $SDSX_FIELD_KEYS_FILE).")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _settings(database: str | None, data_dir: Path | None, file: Path | None) -> Settings:
    settings = Settings.from_env()
    if database:
        settings = settings.with_database(database)
    if data_dir is not None:
        settings = dataclasses.replace(settings, data_dir=data_dir)
    if file is not None:
        settings = dataclasses.replace(settings, field_keys_file=file)
    return settings


def _open(settings: Settings, keys: FieldKeys) -> Database:
    """The gateway's database, refused unless the gateway has created its tables there."""
    storage = open_database(settings, keys.cipher)
    with storage.engine.connect() as conn:
        missing = not inspect(conn).has_table("records")
    if missing:
        storage.dispose()
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        raise _fail(f"no gateway tables in {where}: check --database")
    return storage


def _keys(settings: Settings) -> FieldKeys:
    try:
        return load_field_keys(settings)
    except ConfigurationError as exc:
        raise _fail(exc.detail) from None


@app.command("rotate-field")
def rotate_field(
    file: Path | None = _FILE,
    data_dir: Path | None = _DATA,
    standby: bool = typer.Option(
        False, "--standby", help="Add the key without making it current (rolling restarts)."
    ),
) -> None:
    """Add a new field key and make it current (a missing key file is created)."""
    settings = _settings(None, data_dir, file)
    if settings.field_keys_file is None and settings.field_keys:
        kid = next_kid(item.partition(":")[0].strip() for item in settings.field_keys.split(","))
        typer.echo(
            "The field keys come from SDSX_FIELD_KEYS, which this command cannot change: append "
            f"{kid}:{generate_field_key()} to it, set SDSX_FIELD_KEY_CURRENT={kid}, restart "
            "every gateway process, then run `sdsx keys reencrypt`."
        )
        return
    path = settings.field_keys_file or DataFolder(settings.data_dir).field_keys_file
    try:
        kid = add_field_key(path, current=not standby)
    except (ConfigurationError, OSError, ValueError) as exc:
        raise _fail(f"{path}: {exc}") from None
    if standby:
        typer.echo(
            f"Field key {kid} added to {path} on standby. Restart every gateway process, then "
            f"run `sdsx keys use-field {kid}`."
        )
        return
    typer.echo(
        f"Field key {kid} is now current in {path}. Restart every gateway process, then run "
        "`sdsx keys reencrypt` to move stored values to it."
    )


@app.command("use-field")
def use_field(
    kid: str = typer.Argument(..., help="The key id to make current, e.g. k2."),
    file: Path | None = _FILE,
    data_dir: Path | None = _DATA,
) -> None:
    """Make a key already in the key file current (after a standby rotation)."""
    keys = _keys(_settings(None, data_dir, file))
    if keys.file is None:
        raise _fail("the field keys come from SDSX_FIELD_KEYS: set SDSX_FIELD_KEY_CURRENT")
    try:
        use_field_key(keys.file, kid)
    except ConfigurationError as exc:
        raise _fail(exc.detail) from None
    typer.echo(
        f"Field key {kid} is now current in {keys.file}. Restart every gateway process, then "
        "run `sdsx keys reencrypt`."
    )


@app.command("reencrypt")
def reencrypt_command(
    database: str | None = _DATABASE,
    data_dir: Path | None = _DATA,
    file: Path | None = _FILE,
    batch_size: int = typer.Option(200, "--batch-size", min=1, help="Rows per transaction."),
    max_batches: int | None = typer.Option(
        None, "--max-batches", min=1, help="Stop after this many transactions (run again later)."
    ),
) -> None:
    """Move every stored CHI and NI number to the current field key, batch by batch."""
    settings = _settings(database, data_dir, file)
    keys = _keys(settings)
    try:
        storage = _open(settings, keys)
        try:
            progress = reencrypt(
                storage, keys.cipher, batch_size=batch_size, max_batches=max_batches
            )
        finally:
            storage.dispose()
    except (SQLAlchemyError, ValueError) as exc:
        raise _fail(str(exc)) from None
    moved = ", ".join(f"{name} {count}" for name, count in progress.rewritten.items())
    state = "done" if progress.finished else "stopped early; run it again to go on"
    typer.echo(
        f"re-encrypted to {keys.cipher.current} in {progress.batches} batches ({moved}): {state}"
    )
    if not progress.finished:
        raise typer.Exit(1)


@app.command("retire-field")
def retire_field(
    kid: str = typer.Argument(..., help="The old key id, e.g. k1."),
    database: str | None = _DATABASE,
    data_dir: Path | None = _DATA,
    file: Path | None = _FILE,
) -> None:
    """Remove an old field key from the key file, once nothing stored uses it."""
    settings = _settings(database, data_dir, file)
    keys = _keys(settings)
    if keys.file is None:
        raise _fail("the field keys come from SDSX_FIELD_KEYS: remove the key there")
    if kid == keys.cipher.current:
        raise _fail(f"{kid} is the current field key; `sdsx keys rotate-field` first")
    try:
        storage = _open(settings, keys)
        try:
            with storage.maintain() as conn:
                left = {name: n for name, n in stored_under(conn, kid).items() if n}
        finally:
            storage.dispose()
        if left:
            rows = ", ".join(f"{name} {count}" for name, count in left.items())
            typer.echo(f"{kid} still seals stored values ({rows}); run `sdsx keys reencrypt`")
            raise typer.Exit(1)
        remove_field_key(keys.file, kid)
    except (ConfigurationError, SQLAlchemyError, OSError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Field key {kid} removed from {keys.file}.")
