"""Sealing stored documents: CHI and NI numbers leave for the database encrypted, and return.

A document is stored as the JSON text the gateway returns; before it is written, the value of
every CHI or National Insurance identifier in it (``{"system": ..., "value": ...}`` anywhere in
the tree: a person's identifiers, a funding line's ``person_identifier``) is replaced by its
AES-GCM ciphertext, bound to its identifier system and to the record id (SDS-SEC-040). Reading
opens those values again and writes the text back with the same serialiser, so the client gets
the very bytes that were written. The identifiers table holds keyed lookup tokens instead of
values (SDS-SEC-041), and stored response bodies are sealed whole.

The cipher travels with the database's engines as the execution option
:data:`CIPHER_OPTION` (set by :func:`gateway.storage.open_database`), so every connection the
gateway opens can seal and open without each caller passing keys around; a connection without
it refuses to store or read a protected value rather than fall back to clear text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from gateway.problems import ProblemError
from gateway.security.fieldcrypto import FieldCipher, FieldCryptoError
from spec.identifiers import CHI_SYSTEM, NINO_SYSTEM
from spec.problems import pointer

__all__ = [
    "CIPHER_OPTION",
    "PROTECTED_SYSTEMS",
    "SealingError",
    "cipher_of",
    "open_blob",
    "open_text",
    "reseal_text",
    "seal_blob",
    "seal_text",
    "stored_values",
    "unreadable",
]

CIPHER_OPTION = "sdsx_field_cipher"
PROTECTED_SYSTEMS = frozenset({CHI_SYSTEM, NINO_SYSTEM})
# Every sealed value starts with this inside the JSON text: a document without it holds
# nothing to open, so reading it costs no parse.
_MARKER = '"sdsx1.'


class SealingError(FieldCryptoError):
    """A stored protected value that does not open: where it is and why, never the value."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where}: {why}")
        self.where = where


def unreadable(error: SealingError) -> ProblemError:
    """The answer when a stored protected value does not open.

    Damaged ciphertext or a missing key is the server's fault, not the caller's: a 500 that
    says where (record, JSON pointer, key id) and never what (SDS-SEC-040).
    """
    return ProblemError(
        500,
        "internal",
        f"{error}; the stored value was altered, or its field key is not configured",
        requirement="SDS-SEC-040",
    )


def cipher_of(conn: Connection) -> FieldCipher:
    """The field cipher of ``conn``'s engine; refuse to go on without one."""
    cipher = conn.get_execution_options().get(CIPHER_OPTION)
    if not isinstance(cipher, FieldCipher):
        raise SealingError(
            "database connection",
            "no field cipher: open the database with gateway.storage.open_database (SDS-SEC-040)",
        )
    return cipher


def _protected(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[dict[str, Any], str]]:
    """Every identifier object of a protected system in ``node``, with its JSON pointer."""
    if isinstance(node, dict):
        if node.get("system") in PROTECTED_SYSTEMS and isinstance(node.get("value"), str):
            yield node, pointer((*path, "value"))
        for key, value in node.items():
            if isinstance(value, dict | list):
                yield from _protected(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, dict | list):
                yield from _protected(value, (*path, index))


def _rewrite(document: Any, change: Callable[[str, str, str], str | None]) -> bool:
    """Apply ``change(system, value, pointer)`` to each protected value in place."""
    changed = False
    for identifier, where in _protected(document):
        new = change(identifier["system"], identifier["value"], where)
        if new is not None:
            identifier["value"] = new
            changed = True
    return changed


def _sealer(cipher: FieldCipher, record_id: str) -> Callable[[str, str, str], str | None]:
    def seal(system: str, value: str, _where: str) -> str | None:
        if FieldCipher.is_sealed(value):
            return None
        return cipher.encrypt(system, value, bound_to=record_id)

    return seal


def seal_text(cipher: FieldCipher, text: str, record_id: str) -> str | None:
    """Document ``text`` with every clear protected value sealed; ``None`` when none is clear."""
    if not any(system in text for system in PROTECTED_SYSTEMS):
        return None
    document = orjson.loads(text)
    changed = _rewrite(document, _sealer(cipher, record_id))
    return orjson.dumps(document).decode() if changed else None


def open_text(cipher: FieldCipher, text: str, record_id: str) -> str:
    """The clear JSON text of a stored document (the bytes that were written)."""
    if _MARKER not in text:
        return text
    document = orjson.loads(text)

    def unseal(system: str, value: str, where: str) -> str | None:
        if not FieldCipher.is_sealed(value):
            return None
        try:
            return cipher.decrypt(system, value, bound_to=record_id)
        except FieldCryptoError as exc:
            raise SealingError(f"record {record_id} at {where}", str(exc)) from None

    _rewrite(document, unseal)
    return orjson.dumps(document).decode()


def reseal_text(cipher: FieldCipher, text: str, record_id: str) -> str | None:
    """Stored ``text`` with every value under an older key moved to the current key.

    ``None`` when nothing needed moving (SDS-SEC-042).
    """
    document = orjson.loads(text)
    seal = _sealer(cipher, record_id)

    def move(system: str, value: str, where: str) -> str | None:
        if not FieldCipher.is_sealed(value):
            return seal(system, value, where)
        if not cipher.needs_reencryption(value):
            return None
        try:
            return cipher.reencrypt(system, value, bound_to=record_id)[0]
        except FieldCryptoError as exc:
            raise SealingError(f"record {record_id} at {where}", str(exc)) from None

    return orjson.dumps(document).decode() if _rewrite(document, move) else None


def stored_values(cipher: FieldCipher, system: str, value: str) -> list[str]:
    """What the identifiers table holds for an identifier, under every key (current first).

    A protected identifier is stored as its keyed lookup token (SDS-SEC-041); during a key
    rotation a row may still hold the token of an older key, so lookups try them all.
    Other identifiers (council person ids, references) are stored as they are.
    """
    if system in PROTECTED_SYSTEMS:
        return cipher.lookup_tokens(system, value)
    return [value]


def _blob_context(client_id: str, key: str) -> str:
    return f"idempotency\x00{client_id}\x00{key}"


def seal_blob(cipher: FieldCipher, client_id: str, key: str, body: bytes) -> bytes:
    """A stored response body, sealed whole: it may quote any identifier of the request."""
    return cipher.seal_bytes(_blob_context(client_id, key), body)


def open_blob(cipher: FieldCipher, client_id: str, key: str, blob: bytes) -> bytes:
    try:
        return cipher.open_bytes(_blob_context(client_id, key), blob)
    except FieldCryptoError as exc:
        raise SealingError("a stored Idempotency-Key response", str(exc)) from None
