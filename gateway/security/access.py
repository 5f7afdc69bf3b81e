"""Access data: roles, scopes, funder kinds and field allow-lists, read from ``spec/access/``.

The rules of who receives which fields are data (``spec/access/policy.json``, shape in
``spec/schemas/meta/access-policy.schema.json``) so that reviewers read them without reading
Python, and a change to them is a change to the standard (SDS-SEC-020, SDS-SEC-022).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema

import spec

__all__ = [
    "ACCESS_POLICY_PATH",
    "FunderKind",
    "Role",
    "RoleRules",
    "access_policy",
    "header_fields",
    "role_rules",
]

_SPEC_ROOT = Path(spec.__file__).resolve().parent
ACCESS_POLICY_PATH = _SPEC_ROOT / "access" / "policy.json"
_META_SCHEMA = _SPEC_ROOT / "schemas" / "meta" / "access-policy.schema.json"


class Role(StrEnum):
    """What kind of organisation a client is; fixes its scopes and what the policy lets it do."""

    COUNCIL = "council"
    HEALTH_BOARD = "health-board"
    FUNDER = "funder"
    AUDITOR = "auditor"
    VENDOR_SANDBOX = "vendor-sandbox"


@dataclass(frozen=True, slots=True)
class FunderKind:
    """A national funder: its official code and the funding sources it owns."""

    name: str
    code: str
    funding_sources: tuple[str, ...]

    def owns(self, source: str | None) -> bool:
        """Whether ``source`` (a funding-source code, sub-codes included) belongs to this funder."""
        if not source:
            return False
        return any(source == s or source.startswith(s + ".") for s in self.funding_sources)


@dataclass(frozen=True, slots=True)
class RoleRules:
    """One role's rules from the access data."""

    role: Role
    scopes: frozenset[str]
    code_valueset: str | None
    kinds: dict[str, FunderKind]
    fields: dict[str, tuple[str, ...]]


@functools.cache
def access_policy() -> dict[str, Any]:
    """The access data, validated against its meta-schema once per process."""
    data: dict[str, Any] = json.loads(ACCESS_POLICY_PATH.read_text(encoding="utf-8"))
    schema = json.loads(_META_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: e.json_path
    )
    if errors:
        first = errors[0]
        raise ValueError(f"{ACCESS_POLICY_PATH}: {first.json_path}: {first.message}")
    return data


def header_fields() -> tuple[str, ...]:
    """Fields every role receives on any record it may read."""
    return tuple(access_policy()["header_fields"])


@functools.cache
def role_rules(role: Role | str) -> RoleRules:
    """The rules for ``role``."""
    role = Role(role)
    raw = access_policy()["roles"][role.value]
    kinds = {
        name: FunderKind(name, k["code"], tuple(k["funding_sources"]))
        for name, k in raw.get("kinds", {}).items()
    }
    return RoleRules(
        role=role,
        scopes=frozenset(raw["scopes"]),
        code_valueset=raw.get("code_valueset"),
        kinds=kinds,
        fields={t: tuple(f) for t, f in raw["fields"].items()},
    )
