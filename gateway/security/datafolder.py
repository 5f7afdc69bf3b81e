"""The security data folder: where keys, the registry and audit checkpoints live on disk.

One folder (``.sdsx/`` by default, the same as the gateway's SQLite database) holds::

    organisations.json          the organisation registry (CLI and demo use)
    keys/<organisation>.pem     private keys generated for organisations (0600)
    gateway-keys/               the gateway's signing keys (current and previous)
    audit-signing-key.pem       the Ed25519 key that signs audit checkpoints (0600)
    audit-signing-key.pub.pem   its public half, for ``sdsx audit verify``
    audit-checkpoints.jsonl     signed checkpoints, outside the database
    field-keys.json             field encryption keys (0600)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gateway.security.audit import AuditSigner
from gateway.security.fieldcrypto import FieldCipher, generate_field_key
from gateway.security.keys import GatewayKeyring, write_private_pem
from gateway.security.organisations import JsonOrganisationStore

__all__ = ["DataFolder"]


@dataclass(frozen=True, slots=True)
class DataFolder:
    """Paths inside one security data folder, and loaders that create what is missing."""

    root: Path

    @property
    def organisations_file(self) -> Path:
        return self.root / "organisations.json"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def gateway_keys_dir(self) -> Path:
        return self.root / "gateway-keys"

    @property
    def audit_key_file(self) -> Path:
        return self.root / "audit-signing-key.pem"

    @property
    def audit_public_key_file(self) -> Path:
        return self.root / "audit-signing-key.pub.pem"

    @property
    def checkpoints_file(self) -> Path:
        return self.root / "audit-checkpoints.jsonl"

    @property
    def field_keys_file(self) -> Path:
        return self.root / "field-keys.json"

    def private_key_file(self, organisation_id: str, kid: str | None = None) -> Path:
        suffix = f".{kid[:12]}" if kid else ""
        return self.keys_dir / f"{organisation_id}{suffix}.pem"

    def organisations(self) -> JsonOrganisationStore:
        return JsonOrganisationStore(self.organisations_file)

    def gateway_keyring(self) -> GatewayKeyring:
        return GatewayKeyring.load_or_create(self.gateway_keys_dir)

    def audit_signer(self) -> AuditSigner:
        return AuditSigner.load_or_create(self.audit_key_file)

    def field_cipher(self) -> FieldCipher:
        """The field keys kept in the folder, generating a first key when there is none."""
        if not self.field_keys_file.exists():
            body = {"current": "k1", "keys": {"k1": generate_field_key()}}
            write_private_pem(self.field_keys_file, json.dumps(body, indent=2).encode())
        return FieldCipher.from_file(self.field_keys_file)
