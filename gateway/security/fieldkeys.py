"""Where the field keys come from: the settings, the data folder, a first local start, rotation.

CHI and National Insurance numbers are sealed at rest (SDS-SEC-040), so the gateway cannot
open its database without its field keys. They come, in this order, from:

1. ``SDSX_FIELD_KEYS_FILE``: a key file (``{"current": "k2", "keys": {"k1": ..., "k2": ...}}``);
2. ``SDSX_FIELD_KEYS`` (``kid:base64,...``) with ``SDSX_FIELD_KEY_CURRENT``;
3. on a local gateway only, ``field-keys.json`` in the data folder, generated on the first
   start beside the demo organisations' keys.

A production gateway (``SDSX_PRODUCTION=1``) refuses to start without 1 or 2: a key generated
next to the database it protects protects nothing (SDS-SEC-070). Rotation adds a key to a key
file and makes it current; older keys stay until nothing stored uses them (SDS-SEC-042).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.config import Settings
from gateway.security.datafolder import DataFolder
from gateway.security.errors import ConfigurationError
from gateway.security.fieldcrypto import FieldCipher, generate_field_key

__all__ = [
    "FieldKeys",
    "add_field_key",
    "load_field_keys",
    "next_kid",
    "remove_field_key",
    "use_field_key",
]

_NUMBERED = re.compile(r"^k([0-9]+)$")


@dataclass(frozen=True, slots=True)
class FieldKeys:
    """The gateway's field cipher and where its keys came from.

    ``file`` is the key file when the keys live in one (rotation rewrites it); ``created`` is
    true when this call generated the data folder's first key.
    """

    cipher: FieldCipher
    source: str
    file: Path | None = None
    created: bool = False


def load_field_keys(settings: Settings) -> FieldKeys:
    """The field keys ``settings`` name; :class:`ConfigurationError` when there are none."""
    if settings.field_keys_file is not None:
        path = settings.field_keys_file
        if not path.is_file():
            raise ConfigurationError(
                "field-keys",
                f"SDSX_FIELD_KEYS_FILE names {path}, which is not a file "
                "(`sdsx keys rotate-field --file PATH` writes a new one)",
            )
        return FieldKeys(FieldCipher.from_file(path), f"SDSX_FIELD_KEYS_FILE={path}", path)
    if settings.field_keys:
        cipher = FieldCipher.from_listing(settings.field_keys, settings.field_key_current)
        return FieldKeys(cipher, "SDSX_FIELD_KEYS")
    if settings.production:
        raise ConfigurationError(
            "no-field-keys",
            "Production mode needs field encryption keys for CHI and NI numbers: set "
            "SDSX_FIELD_KEYS_FILE to a key file kept apart from the database "
            "(`sdsx keys rotate-field --file PATH` writes one), or SDSX_FIELD_KEYS.",
        )
    folder = DataFolder(settings.data_dir)
    created = not folder.field_keys_file.exists()
    path = folder.field_keys_file
    return FieldKeys(folder.field_cipher(), str(path), path, created)


def _read(path: Path) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    FieldCipher.from_file(path)  # Refuse to rewrite a file that is not a valid key file.
    return body


def _write(path: Path, body: dict[str, Any]) -> None:
    """Replace ``path`` atomically, readable by its owner only, so a crash never halves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(body, indent=2).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


def next_kid(kids: Iterable[str]) -> str:
    """Keys are named ``k1``, ``k2``, ...: one past the highest number in use."""
    numbers = [int(m.group(1)) for kid in kids if (m := _NUMBERED.match(kid))]
    return f"k{max(numbers, default=0) + 1}"


def add_field_key(path: Path, *, current: bool = True) -> str:
    """Add a new random key to the key file at ``path`` (created if absent).

    The new key becomes current unless ``current`` is false: with several gateway processes,
    add it on standby first, restart them all so each can open values sealed with it, and
    only then make it current (:func:`use_field_key`), so no process meets a key it lacks.
    """
    empty: dict[str, Any] = {"current": "", "keys": {}}
    body = _read(path) if path.exists() else empty
    kid = next_kid(body["keys"])
    body["keys"][kid] = generate_field_key()
    if current or not body["current"]:
        body["current"] = kid
    _write(path, body)
    return kid


def remove_field_key(path: Path, kid: str) -> None:
    """Drop key ``kid`` from the key file; the current key cannot be removed."""
    body = _read(path)
    if kid not in body["keys"]:
        raise ConfigurationError("field-keys", f"{path} holds no field key {kid!r}")
    if kid == body["current"]:
        raise ConfigurationError("field-keys", f"{kid!r} is the current field key; rotate first")
    del body["keys"][kid]
    _write(path, body)


def use_field_key(path: Path, kid: str) -> None:
    """Make key ``kid`` of the key file current."""
    body = _read(path)
    if kid not in body["keys"]:
        raise ConfigurationError("field-keys", f"{path} holds no field key {kid!r}")
    body["current"] = kid
    _write(path, body)
