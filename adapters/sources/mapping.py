"""Mapping profiles: a council's case-system export mapped to funding lines without code.

A profile (JSON or YAML, schema ``spec/schemas/meta/mapping-profile.schema.json``) names the
council, says how to find records (CSV rows, or a JSON path with ``*`` wildcards) and lists
rules, each filling one field of the line from a column or JSON field through a transform
(date form, pounds or pence, code map, number, text tidying) or with a constant
(SDS-MAP-001..007). Loading checks the profile against its schema and its code maps against
the value sets, and refuses a bad profile with the JSON pointer of every fault before any
record is read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import jsonschema
import yaml

from adapters.sources.errors import MappingProfileError
from spec import valueset

__all__ = [
    "FieldRule",
    "MappingProfile",
    "json_number",
    "load_profile",
    "profile_schema",
    "shipped_profile",
    "shipped_profiles",
]

_RESERVED = ("standard", "type", "id", "version", "source", "payer", "provenance")
_PROFILES = "sources/council/profiles"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One rule of a profile, as written (see the schema for each key)."""

    target: str
    source: str | None
    const: Any
    has_const: bool
    date: str | None
    money: str | None
    number: str | None
    text: dict[str, bool]
    codes: dict[str, str] | None
    default: Any
    optional: bool
    when: str | None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FieldRule:
        return cls(
            target=raw["target"],
            source=raw.get("from"),
            const=raw.get("const"),
            has_const="const" in raw,
            date=raw.get("date"),
            money=raw.get("money"),
            number=raw.get("number"),
            text=dict(raw.get("text", {})),
            codes=dict(raw["map"]) if "map" in raw else None,
            default=raw.get("default"),
            optional=bool(raw.get("optional", False)),
            when=raw.get("when"),
        )


@dataclass(frozen=True, slots=True)
class MappingProfile:
    """A loaded, checked mapping profile."""

    name: str
    title: str
    version: str
    council: str
    kind: str
    records: str | None
    rules: tuple[FieldRule, ...]

    @property
    def required_columns(self) -> list[str]:
        """CSV columns that must exist: those of rules with neither a default nor optional."""
        return [
            r.source
            for r in self.rules
            if r.source is not None and not r.optional and r.default is None and r.when is None
        ]


@functools.cache
def profile_schema() -> dict[str, Any]:
    """The mapping-profile JSON Schema shipped in ``spec``."""
    path = resources.files("spec") / "schemas" / "meta" / "mapping-profile.schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _pointer(path: Iterator[Any] | Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _schema_errors(raw: Any) -> list[tuple[str, str]]:
    validator = jsonschema.Draft202012Validator(profile_schema())
    found = []
    for error in validator.iter_errors(raw):
        # oneOf failures are reported by their clearest branch.
        best = jsonschema.exceptions.best_match([error]) if error.context else error
        found.append((_pointer(best.absolute_path), best.message))
    return sorted(set(found))


def _semantic_errors(raw: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if raw["council"] not in valueset("council-area"):
        found.append(("/council", "not a council area GSS code in the council-area value set"))
    for index, rule in enumerate(raw["fields"]):
        where = f"/fields/{index}"
        top = rule["target"].split("/")[1]
        if top in _RESERVED:
            found.append((f"{where}/target", f"/{top} is set by the adapter, not the profile"))
        name = rule.get("valueset")
        if name is None:
            continue
        try:
            codes = valueset(name)
        except KeyError:
            found.append((f"{where}/valueset", f"no value set {name!r}"))
            continue
        for key, code in rule.get("map", {}).items():
            if code not in codes:
                found.append(
                    (
                        _pointer(["fields", index, "map", key]),
                        f"{code!r} is not a code of value set {name!r}",
                    )
                )
        for key in ("const", "default"):
            if key in rule and rule[key] not in codes:
                found.append(
                    (f"{where}/{key}", f"{rule[key]!r} is not a code of value set {name!r}")
                )
    return found


def _not_json(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, str]]:
    """Values YAML reads that JSON has no type for (an unquoted date becomes a date)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _not_json(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _not_json(value, (*path, index))
    elif not isinstance(node, str | int | float | bool) and node is not None:
        yield (_pointer(path), f"a YAML {type(node).__name__} is not a JSON value; quote it")


def load_profile(data: bytes | str, where: str = "profile") -> MappingProfile:
    """Read, validate and check a profile (JSON or YAML text).

    :class:`MappingProfileError` lists every fault with its JSON pointer (SDS-MAP-001/002).
    """
    try:
        raw = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise MappingProfileError(
            f"not JSON or YAML: {exc}", where=where, requirement="SDS-MAP-001"
        ) from None
    errors = list(_not_json(raw, ())) or _schema_errors(raw)
    requirement = "SDS-MAP-001"
    if not errors:
        errors = _semantic_errors(raw)
        requirement = "SDS-MAP-002"
    if errors:
        detail = "; ".join(f"{pointer or '/'}: {message}" for pointer, message in errors)
        raise MappingProfileError(
            f"invalid mapping profile: {detail}",
            where=f"{where}#{errors[0][0]}",
            requirement=requirement,
        )
    rules = [FieldRule.from_dict(r) for r in raw["fields"]]
    # Rules with 'when' depend on others, so they run last (schema: 'fields').
    ordered = [r for r in rules if r.when is None] + [r for r in rules if r.when is not None]
    return MappingProfile(
        name=raw["profile"],
        title=raw["title"],
        version=raw["version"],
        council=raw["council"],
        kind=raw["format"]["kind"],
        records=raw["format"].get("records"),
        rules=tuple(ordered),
    )


def shipped_profiles() -> list[str]:
    """Names of the mapping profiles shipped with the standard."""
    folder = resources.files("spec").joinpath(_PROFILES)
    return sorted(
        entry.name.rsplit(".", 1)[0]
        for entry in folder.iterdir()
        if entry.name.endswith((".json", ".yaml", ".yml"))
    )


@functools.cache
def shipped_profile(name: str) -> MappingProfile:
    """The shipped profile called ``name``; an unknown name lists the known ones."""
    folder = resources.files("spec").joinpath(_PROFILES)
    for suffix in (".yaml", ".yml", ".json"):
        candidate = folder / (name + suffix)
        if candidate.is_file():
            profile = load_profile(candidate.read_bytes(), where=f"{_PROFILES}/{name}{suffix}")
            if profile.name != name:
                raise MappingProfileError(
                    f"file is named {name} but the profile calls itself {profile.name}",
                    where=f"{_PROFILES}/{name}{suffix}#/profile",
                    requirement="SDS-MAP-001",
                )
            return profile
    raise MappingProfileError(
        f"no mapping profile {name!r}; shipped: {', '.join(shipped_profiles())}",
        where="profile",
        requirement="SDS-MAP-001",
    )


def json_number(value: Decimal) -> int | float:
    """A JSON number for a quantity (never money): whole numbers stay integers."""
    return int(value) if value == value.to_integral_value() else float(value)
