"""Protection at rest: CHI and National Insurance numbers encrypted, with a keyed hash to find them.

Values are sealed with AES-256-GCM (``cryptography``), the identifier system bound in as
associated data so a CHI ciphertext cannot be passed off as a NINO (SDS-SEC-040). Exact-match
lookup uses HMAC-SHA256 of the normalised value under a separate lookup key, so the database
never holds the clear value nor an unkeyed hash a dictionary attack could reverse (SDS-SEC-041).

Keys are named (``kid``) 32-byte secrets. Each key derives its encryption and lookup subkeys
with HKDF, so one secret per key id is all an operator manages. A ciphertext names its key, so
after a rotation old values still decrypt; :meth:`FieldCipher.reencrypt` moves a value to the
current key, and :meth:`FieldCipher.lookup_tokens` gives the tokens under every known key so a
lookup works while a re-encryption is under way (SDS-SEC-042).

A value is sealed exactly as given, so a stored document opens to the very bytes that were
written; only lookup tokens normalise (spaces and case), so "AB 12 34 56 C" finds "AB123456C".
``bound_to`` adds a context (the record id) to the associated data, so a ciphertext copied
into another record does not open there. Whole blobs (stored response bodies that may quote
an identifier) are sealed with :meth:`FieldCipher.seal_bytes` under the same keys.

Key material comes from a JSON file (``{"current": "k2", "keys": {"k1": "<base64>", ...}}``)
or from the environment (``SDSX_FIELD_KEYS="k1:<base64>,k2:<base64>"`` and
``SDSX_FIELD_KEY_CURRENT=k2``; or ``SDSX_FIELD_KEYS_FILE`` naming the JSON file);
:mod:`gateway.security.fieldkeys` decides which, through the gateway's settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.security.errors import ConfigurationError

__all__ = ["FieldCipher", "FieldCryptoError", "generate_field_key"]

_PREFIX = "sdsx1"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class FieldCryptoError(ValueError):
    """A value that cannot be decrypted: unknown key, damaged or moved ciphertext."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def _normalise(value: str) -> str:
    """Identifiers compare without spaces and case: 'ab 12 34 56 c' is 'AB123456C'."""
    return "".join(value.split()).upper()


def _context(system: str, bound_to: str) -> bytes:
    """Associated data: the identifier system, and the record it belongs to when given."""
    return system.encode() if not bound_to else f"{system}\x00{bound_to}".encode()


def generate_field_key() -> str:
    """A new random key, base64url-encoded, for a key file or ``SDSX_FIELD_KEYS``."""
    return _b64(os.urandom(32))


@dataclass(frozen=True, slots=True)
class _Key:
    kid: str
    seal: AESGCM
    lookup: bytes


class FieldCipher:
    """Encrypts, decrypts and indexes identifier values with a rotating set of keys."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ConfigurationError("field-keys", f"the current field key {current!r} is unknown")
        self._keys: dict[str, _Key] = {}
        for kid, secret in keys.items():
            if not _KID.match(kid):
                raise ConfigurationError("field-keys", f"field key id {kid!r} is not valid")
            if len(secret) != 32:
                raise ConfigurationError("field-keys", f"field key {kid!r} must be 32 bytes")
            self._keys[kid] = _Key(
                kid,
                AESGCM(_derive(secret, b"sdsx field encryption")),
                _derive(secret, b"sdsx field lookup"),
            )
        self.current = current

    @classmethod
    def from_file(cls, path: Path) -> FieldCipher:
        raw = json.loads(path.read_text(encoding="utf-8"))
        try:
            keys = {kid: _unb64(secret) for kid, secret in raw["keys"].items()}
            return cls(keys, raw["current"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError("field-keys", f"{path}: not a field key file") from exc

    @classmethod
    def from_listing(cls, listed: str, current: str = "") -> FieldCipher:
        """Keys written ``kid:base64,kid:base64``; the last is current unless ``current``."""
        keys: dict[str, bytes] = {}
        for item in listed.split(","):
            kid, sep, secret = item.strip().partition(":")
            if not sep:
                raise ConfigurationError("field-keys", "SDSX_FIELD_KEYS items are kid:base64")
            try:
                keys[kid] = _unb64(secret)
            except ValueError as exc:
                raise ConfigurationError("field-keys", f"field key {kid!r} is not base64") from exc
        return cls(keys, current or list(keys)[-1])

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FieldCipher | None:
        """The cipher configured in ``env``; ``None`` when no field keys are configured."""
        if env.get("SDSX_FIELD_KEYS_FILE"):
            return cls.from_file(Path(env["SDSX_FIELD_KEYS_FILE"]))
        listed = env.get("SDSX_FIELD_KEYS", "")
        if not listed:
            return None
        return cls.from_listing(listed, env.get("SDSX_FIELD_KEY_CURRENT", ""))

    @property
    def kids(self) -> tuple[str, ...]:
        """Every known key id, the current one first."""
        return (self.current, *(k for k in self._keys if k != self.current))

    @staticmethod
    def is_sealed(value: str) -> bool:
        """Whether ``value`` has the form of a sealed field value (not whether it opens)."""
        return value.startswith(_PREFIX + ".")

    @staticmethod
    def kid_of(token: str) -> str:
        """The key id a sealed value names (empty when ``token`` is not sealed)."""
        prefix, _, rest = token.partition(".")
        return rest.partition(".")[0] if prefix == _PREFIX else ""

    def _key(self, kid: str) -> _Key:
        key = self._keys.get(kid)
        if key is None:
            raise FieldCryptoError(f"field value sealed with unknown key {kid!r}")
        return key

    def encrypt(self, system: str, value: str, *, bound_to: str = "") -> str:
        """``value`` sealed under the current key, bound to its ``system`` (and ``bound_to``)."""
        key = self._keys[self.current]
        nonce = os.urandom(12)
        sealed = key.seal.encrypt(nonce, value.encode(), _context(system, bound_to))
        return f"{_PREFIX}.{key.kid}.{_b64(nonce + sealed)}"

    def decrypt(self, system: str, token: str, *, bound_to: str = "") -> str:
        """The clear value of ``token``; :class:`FieldCryptoError` when it cannot be opened."""
        prefix, _, rest = token.partition(".")
        kid, _, body = rest.partition(".")
        if prefix != _PREFIX or not body:
            raise FieldCryptoError("not an encrypted field value")
        key = self._key(kid)
        try:
            raw = _unb64(body)
            return key.seal.decrypt(raw[:12], raw[12:], _context(system, bound_to)).decode()
        except (InvalidTag, ValueError) as exc:
            raise FieldCryptoError(f"field value under key {kid!r} does not open") from exc

    def seal_bytes(self, context: str, data: bytes) -> bytes:
        """``data`` sealed under the current key, bound to ``context``."""
        key = self._keys[self.current]
        nonce = os.urandom(12)
        sealed = key.seal.encrypt(nonce, data, b"blob\x00" + context.encode())
        return f"{_PREFIX}.{key.kid}.".encode() + nonce + sealed

    def open_bytes(self, context: str, blob: bytes) -> bytes:
        """The clear bytes of a :meth:`seal_bytes` blob; :class:`FieldCryptoError` if it fails."""
        prefix, _, rest = blob.partition(b".")
        kid, _, raw = rest.partition(b".")
        if prefix != _PREFIX.encode() or len(raw) < 28:
            raise FieldCryptoError("not a sealed blob")
        key = self._key(kid.decode(errors="replace"))
        try:
            return key.seal.decrypt(raw[:12], raw[12:], b"blob\x00" + context.encode())
        except InvalidTag as exc:
            raise FieldCryptoError(f"blob under key {key.kid!r} does not open") from exc

    def blob_needs_reencryption(self, blob: bytes) -> bool:
        return not blob.startswith(f"{_PREFIX}.{self.current}.".encode())

    def lookup_token(self, system: str, value: str, *, kid: str | None = None) -> str:
        """The keyed hash to store beside the ciphertext and to search by."""
        key = self._keys[kid or self.current]
        message = f"{system}\x00{_normalise(value)}".encode()
        return f"{key.kid}.{hmac.new(key.lookup, message, hashlib.sha256).hexdigest()}"

    def lookup_tokens(self, system: str, value: str) -> list[str]:
        """The lookup token under every known key (current first), for ``WHERE ... IN``."""
        return [self.lookup_token(system, value, kid=kid) for kid in self.kids]

    def needs_reencryption(self, token: str) -> bool:
        return not token.startswith(f"{_PREFIX}.{self.current}.")

    def reencrypt(self, system: str, token: str, *, bound_to: str = "") -> tuple[str, str]:
        """``token`` moved to the current key: the new ciphertext and its new lookup token."""
        value = self.decrypt(system, token, bound_to=bound_to)
        return self.encrypt(system, value, bound_to=bound_to), self.lookup_token(system, value)
