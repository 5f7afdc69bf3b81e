"""Declared capabilities: what the system under test says it implements.

A vendor writes a small JSON file (schema: ``conformance/capabilities.schema.json``) naming
its role, the level it claims and its optional features. The runner turns checks that need
something undeclared into ``not-applicable`` results rather than dropping them, so a report
always shows the whole suite (the FCS discovery file, OIDF variants).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema

__all__ = [
    "CAPABILITIES_SCHEMA",
    "FEATURES",
    "LEVELS",
    "ROLES",
    "Capabilities",
    "CapabilitiesError",
    "Client",
    "load_capabilities",
    "parse_capabilities",
]

CAPABILITIES_SCHEMA = Path(__file__).with_name("capabilities.schema.json")


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CAPABILITIES_SCHEMA.read_text(encoding="utf-8"))
    return loaded


ROLES: tuple[str, ...] = tuple(_schema()["properties"]["role"]["enum"])
LEVELS: tuple[str, ...] = tuple(_schema()["properties"]["level"]["enum"])
FEATURES: tuple[str, ...] = tuple(_schema()["properties"]["features"]["items"]["enum"])


class CapabilitiesError(ValueError):
    """The capabilities file is unusable; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Client:
    """One client the suite acts as: its id and, for private_key_jwt, its private key."""

    client_id: str
    key_pem: bytes | None = None
    kid: str | None = None
    organisation: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """The declarations that select which checks apply."""

    role: str
    level: str
    features: frozenset[str]
    product: str = ""
    authentication: str = "private-key-jwt"
    token_endpoint: str = "/oauth2/token"
    budget_compute_path: str = "/v1/budgets/compute"
    clients: tuple[Client, ...] = field(default=())
    token_audience: str = ""
    # Records stored beforehand that the role cannot create itself (``records`` in the file).
    person_id: str = ""
    person_council_area: str = ""

    def with_main_client(self, client: Client) -> Capabilities:
        """A copy whose first client is ``client`` (the command line's --client-id/--key)."""
        return replace(self, clients=(client, *self.clients[1:]))

    def client_of_role(self, role: str) -> int | None:
        """The index of the first helper client (never the main one) declared with ``role``."""
        return next((i for i, c in enumerate(self.clients) if i and c.role == role), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "role": self.role,
            "level": self.level,
            "features": sorted(self.features),
            "authentication": self.authentication,
            "clients": [c.client_id for c in self.clients],
            **({"records": {"person": self.person_id}} if self.person_id else {}),
        }


def parse_capabilities(raw: Any, *, base: Path | None = None, where: str = "") -> Capabilities:
    """Capabilities from already-parsed JSON; key files are read relative to ``base``."""
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(raw), key=lambda e: e.json_path
    )
    if errors:
        lines = "; ".join(f"{e.json_path}: {e.message}" for e in errors)
        raise CapabilitiesError(f"{where or 'capabilities'}: {lines}")
    clients = []
    for index, entry in enumerate(raw.get("clients", [])):
        key_pem = None
        if "key_file" in entry:
            path = Path(entry["key_file"])
            if not path.is_absolute() and base is not None:
                path = base / path
            try:
                key_pem = path.read_bytes()
            except OSError as exc:
                raise CapabilitiesError(
                    f"{where or 'capabilities'}: $.clients[{index}].key_file: cannot read "
                    f"{path}: {exc.strerror}"
                ) from None
        clients.append(
            Client(
                client_id=entry["client_id"],
                key_pem=key_pem,
                kid=entry.get("kid"),
                organisation=entry.get("organisation", ""),
                role=entry.get("role", raw["role"] if index == 0 else ""),
            )
        )
    return Capabilities(
        role=raw["role"],
        level=raw["level"],
        features=frozenset(raw["features"]),
        product=raw.get("product", ""),
        authentication=raw.get("authentication", "private-key-jwt"),
        token_endpoint=raw.get("token_endpoint", "/oauth2/token"),
        budget_compute_path=raw.get("budget_compute_path", "/v1/budgets/compute"),
        clients=tuple(clients),
        token_audience=raw.get("token_audience", ""),
        person_id=raw.get("records", {}).get("person", ""),
        person_council_area=raw.get("records", {}).get("council_area", ""),
    )


def load_capabilities(path: Path) -> Capabilities:
    """Read and check a capabilities file; :class:`CapabilitiesError` says what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CapabilitiesError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CapabilitiesError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from None
    return parse_capabilities(raw, base=path.parent, where=str(path))
