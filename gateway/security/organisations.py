"""Organisations: the registry of clients that may call the gateway, with their roles and keys.

An organisation is a client: its id is the OAuth ``client_id`` (and the ``iss``/``sub`` of its
assertions). Its role fixes what it may do; its official code says which council area, NHS
board or funding stream it is (SDS-SEC-001). It publishes public keys as a JWKS; rotation adds a
new key while the old ones stay valid until retired, so a client can switch without downtime
(SDS-SEC-006). A disabled organisation is refused at once, even with an unexpired token.

Two stores share one protocol: :class:`JsonOrganisationStore` (a file in the CLI's data folder)
and :class:`SqlOrganisationStore` (the gateway database, tables in ``security.tables``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, delete, insert, select, update

import spec
from gateway.security.access import Role, role_rules
from gateway.security.tables import create_tables, organisation_keys, organisations

__all__ = [
    "JsonOrganisationStore",
    "Organisation",
    "OrganisationError",
    "OrganisationStore",
    "SqlOrganisationStore",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


class OrganisationError(ValueError):
    """An organisation record that breaks the registry's rules; names the field."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Organisation:
    """One registered organisation."""

    id: str
    name: str
    role: Role
    code: str
    funder_kind: str | None = None
    status: str = "active"
    keys: tuple[dict[str, Any], ...] = ()
    demo: bool = False
    created_at: str = field(default_factory=_now)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        self.validate()

    @property
    def active(self) -> bool:
        return self.status == "active"

    def validate(self) -> None:
        """Raise :class:`OrganisationError` naming the first field that breaks a rule."""
        if not _ID.match(self.id):
            raise OrganisationError(
                f"id {self.id!r}: use 3-64 lower-case letters, digits and hyphens"
            )
        if not self.name.strip():
            raise OrganisationError(f"{self.id}: name must not be empty")
        if self.status not in ("active", "disabled"):
            raise OrganisationError(f"{self.id}: status must be 'active' or 'disabled'")
        rules = role_rules(self.role)
        if rules.code_valueset is not None and self.code not in spec.valueset(rules.code_valueset):
            raise OrganisationError(
                f"{self.id}: code {self.code!r} is not in value set {rules.code_valueset!r}"
            )
        if rules.kinds:
            kind = rules.kinds.get(self.funder_kind or "")
            if kind is None:
                raise OrganisationError(
                    f"{self.id}: a {self.role} needs funder_kind, one of {sorted(rules.kinds)}"
                )
            if self.code != kind.code:
                raise OrganisationError(
                    f"{self.id}: a {self.funder_kind} funder's code is {kind.code!r}"
                )
        elif self.funder_kind is not None:
            raise OrganisationError(f"{self.id}: only funders have a funder_kind")
        if not self.code.strip():
            raise OrganisationError(f"{self.id}: code must not be empty")
        kids = [k.get("kid") for k in self.keys]
        if any(not kid for kid in kids) or len(set(kids)) != len(kids):
            raise OrganisationError(f"{self.id}: every key needs a kid, unique in the JWKS")
        if any(k.get("d") or k.get("p") or k.get("k") for k in self.keys):
            raise OrganisationError(f"{self.id}: the registry holds public keys only")

    def jwks(self) -> dict[str, Any]:
        """The organisation's public keys as a JWKS."""
        return {"keys": [dict(k) for k in self.keys]}

    def key(self, kid: str) -> dict[str, Any] | None:
        return next((dict(k) for k in self.keys if k.get("kid") == kid), None)

    def with_key(self, public_jwk: dict[str, Any]) -> Organisation:
        """This organisation with one more public key; earlier keys stay valid (rotation)."""
        return replace(self, keys=(*self.keys, dict(public_jwk)))

    def without_key(self, kid: str) -> Organisation:
        """This organisation with key ``kid`` retired."""
        if self.key(kid) is None:
            raise OrganisationError(f"{self.id}: no key with kid {kid!r}")
        return replace(self, keys=tuple(k for k in self.keys if k.get("kid") != kid))

    def disabled(self) -> Organisation:
        return replace(self, status="disabled")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "code": self.code,
            "funder_kind": self.funder_kind,
            "status": self.status,
            "demo": self.demo,
            "created_at": self.created_at,
            "jwks": self.jwks(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Organisation:
        return cls(
            id=raw["id"],
            name=raw["name"],
            role=Role(raw["role"]),
            code=raw["code"],
            funder_kind=raw.get("funder_kind"),
            status=raw.get("status", "active"),
            keys=tuple(raw.get("jwks", {}).get("keys", [])),
            demo=bool(raw.get("demo", False)),
            created_at=raw.get("created_at") or _now(),
        )


class OrganisationStore(Protocol):
    """Where organisations are kept."""

    def get(self, organisation_id: str) -> Organisation | None: ...

    def list(self) -> list[Organisation]: ...

    def save(self, organisation: Organisation) -> None: ...


class JsonOrganisationStore:
    """Organisations in one JSON file (the CLI's data folder), written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[int, int, int], dict[str, Organisation]] | None = None

    def _read(self) -> dict[str, Organisation]:
        """The registry, re-read only when the file changed (bearer checks run per request)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._cache is not None and self._cache[0] == stamp:
            return dict(self._cache[1])
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        found = {o.id: o for o in map(Organisation.from_dict, raw.get("organisations", []))}
        self._cache = (stamp, found)
        return dict(found)

    def get(self, organisation_id: str) -> Organisation | None:
        return self._read().get(organisation_id)

    def list(self) -> list[Organisation]:
        return sorted(self._read().values(), key=lambda o: o.id)

    def save(self, organisation: Organisation) -> None:
        found = self._read()
        found[organisation.id] = organisation
        self._write(found.values())

    def _write(self, items: Iterable[Organisation]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"organisations": [o.as_dict() for o in sorted(items, key=lambda o: o.id)]}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".organisations-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=2, sort_keys=True)
            out.write("\n")
        Path(tmp).replace(self.path)


class SqlOrganisationStore:
    """Organisations in the gateway database (``security_organisations`` and keys)."""

    def __init__(self, engine: Engine, *, create: bool = True) -> None:
        self.engine = engine
        if create:
            create_tables(engine)

    def get(self, organisation_id: str) -> Organisation | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(organisations).where(organisations.c.id == organisation_id)
            ).one_or_none()
            if row is None:
                return None
            keys = conn.execute(
                select(organisation_keys.c.jwk)
                .where(organisation_keys.c.organisation_id == organisation_id)
                .where(organisation_keys.c.retired_at.is_(None))
                .order_by(organisation_keys.c.added_at, organisation_keys.c.kid)
            ).scalars()
            return Organisation(
                id=row.id,
                name=row.name,
                role=Role(row.role),
                code=row.code,
                funder_kind=row.funder_kind,
                status=row.status,
                keys=tuple(json.loads(k) for k in keys),
                demo=bool(row.demo),
                created_at=row.created_at,
            )

    def list(self) -> list[Organisation]:
        with self.engine.connect() as conn:
            ids = conn.execute(select(organisations.c.id).order_by(organisations.c.id)).scalars()
            id_list = list(ids)
        return [o for o in (self.get(i) for i in id_list) if o is not None]

    def save(self, organisation: Organisation) -> None:
        values = {
            "name": organisation.name,
            "role": organisation.role.value,
            "code": organisation.code,
            "funder_kind": organisation.funder_kind,
            "status": organisation.status,
            "demo": int(organisation.demo),
        }
        now = _now()
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(organisations.c.id).where(organisations.c.id == organisation.id)
            ).one_or_none()
            if exists is None:
                conn.execute(
                    insert(organisations).values(
                        id=organisation.id, created_at=organisation.created_at, **values
                    )
                )
            else:
                conn.execute(
                    update(organisations)
                    .where(organisations.c.id == organisation.id)
                    .values(**values)
                )
            stored = {
                row.kid: row.retired_at
                for row in conn.execute(
                    select(organisation_keys.c.kid, organisation_keys.c.retired_at).where(
                        organisation_keys.c.organisation_id == organisation.id
                    )
                )
            }
            wanted = {k["kid"]: k for k in organisation.keys}
            for kid, retired_at in stored.items():
                if kid not in wanted and retired_at is None:
                    conn.execute(
                        update(organisation_keys)
                        .where(organisation_keys.c.organisation_id == organisation.id)
                        .where(organisation_keys.c.kid == kid)
                        .values(retired_at=now)
                    )
            for kid, jwk in wanted.items():
                if kid in stored:
                    # A key id is a thumbprint: re-adding a retired key reactivates it.
                    conn.execute(
                        update(organisation_keys)
                        .where(organisation_keys.c.organisation_id == organisation.id)
                        .where(organisation_keys.c.kid == kid)
                        .values(retired_at=None, jwk=json.dumps(jwk, sort_keys=True))
                    )
                else:
                    conn.execute(
                        insert(organisation_keys).values(
                            organisation_id=organisation.id,
                            kid=kid,
                            jwk=json.dumps(jwk, sort_keys=True),
                            added_at=now,
                        )
                    )

    def delete(self, organisation_id: str) -> None:
        """Remove an organisation and its keys (tests and demo resets only)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(organisation_keys).where(
                    organisation_keys.c.organisation_id == organisation_id
                )
            )
            conn.execute(delete(organisations).where(organisations.c.id == organisation_id))
