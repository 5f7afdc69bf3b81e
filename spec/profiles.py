"""Council profiles: a council's narrowing of the base schemas, as JSON Merge Patches.

A profile is a JSON file in ``spec/profiles/``::

    {"profile": "example-council", "council": "S12000049",
     "patches": {"support-plan": <RFC 7396 merge patch over the base schema>}}

:func:`apply_profile` patches each named base schema and gives the result its own ``$id``
under ``https://spec.sdsx.scot/v1/profiles/<name>/``. A profile may only narrow the base
(SDS-DOC-017): every document valid under the profile must be valid under the base standard.
:func:`narrowing_problems` proves that keyword by keyword and refuses what it cannot prove.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from spec._paths import CANONICAL_BASE, ROOT
from spec.problems import Problem, SpecError, pointer
from spec.registry import DOCUMENT_TYPES, load_schema, registry, schema_id
from spec.validation import validate
from spec.valuesets import valueset

__all__ = [
    "PROFILES",
    "Profile",
    "ProfileError",
    "apply_profile",
    "available_profiles",
    "load_profile",
    "merge_patch",
    "narrowing_problems",
    "profile_schema_id",
    "validate_with_profile",
]

PROFILES = ROOT / "profiles"
_NARROW = "SDS-DOC-017"
_CONFORM = "SDS-DOC-020"

# Keywords that only describe; a profile may change or drop them freely.
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "x-requirement",
    }
)
_LOWER_BOUNDS = frozenset(
    {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"}
)
_UPPER_BOUNDS = frozenset(
    {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"}
)
# Sub-schemas that narrow the whole when they narrow.
_SCHEMA_VALUED = frozenset(
    {
        "items",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "contains",
        "then",
        "else",
    }
)
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs"})

_PROFILE_FILE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["profile", "council", "patches"],
    "properties": {
        "profile": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        "council": {"type": "string", "pattern": "^S12[0-9]{6}$"},
        "description": {"type": "string"},
        "patches": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"enum": list(DOCUMENT_TYPES)},
            "additionalProperties": {"type": "object"},
        },
    },
}


class ProfileError(SpecError):
    """A profile that cannot be read, or that would widen the base standard."""

    def __init__(self, message: str, *, where: str, problems: tuple[str, ...] = ()) -> None:
        detail = "".join(f"\n  {p}" for p in problems)
        super().__init__(message + detail, where=where, requirement=_NARROW)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Profile:
    """A council's profile: its name, the council's GSS code and one patch per document type."""

    name: str
    council: str
    patches: dict[str, dict[str, Any]]
    source: str = "<memory>"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: ``target`` with ``patch`` applied; neither is modified."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _as_set(value: Any) -> set[str]:
    values = [value] if not isinstance(value, list) else value
    return {json.dumps(v, sort_keys=True) for v in values}


def _keyword(key: str, base: Any, patched: Any, where: str) -> Iterator[str]:
    """Why changing keyword ``key`` from ``base`` to ``patched`` may widen the schema."""
    if key in _ANNOTATIONS or key.startswith("x-") or base == patched:
        return
    here = f"{where}/{key}"
    if key == "required":
        if lost := sorted(set(base) - set(patched)):
            yield f"{here}: no longer requires {', '.join(lost)}"
    elif key in ("enum", "type"):
        if extra := sorted(_as_set(patched) - _as_set(base)):
            yield f"{here}: admits {', '.join(extra)}, which the base does not"
    elif key in _LOWER_BOUNDS:
        if not (isinstance(patched, int | float) and patched >= base):
            yield f"{here}: lowers the bound from {base} to {patched}"
    elif key in _UPPER_BOUNDS:
        if not (isinstance(patched, int | float) and patched <= base):
            yield f"{here}: raises the bound from {base} to {patched}"
    elif key == "dependentRequired":
        for name, needed in base.items():
            if lost := sorted(set(needed) - set(patched.get(name, []))):
                yield f"{here}/{name}: no longer requires {', '.join(lost)}"
    elif key in _SCHEMA_VALUED:
        yield from _narrowing(base, patched, here)
    elif key in _SCHEMA_MAPS:
        if not isinstance(patched, dict):
            yield f"{here}: replaces a map of sub-schemas with something else"
            return
        for name, sub in base.items():
            if name not in patched:
                yield f"{here}/{pointer([name])[1:]}: removes a constraint"
            else:
                yield from _narrowing(sub, patched[name], f"{here}/{pointer([name])[1:]}")
    elif key in ("allOf", "anyOf", "prefixItems") and isinstance(patched, list):
        if len(patched) < len(base) or (key == "anyOf" and len(patched) != len(base)):
            yield f"{here}: changes the number of sub-schemas ({len(base)} to {len(patched)})"
        for index, sub in enumerate(base[: len(patched)]):
            yield from _narrowing(sub, patched[index], f"{here}/{index}")
    else:
        yield f"{here}: changing '{key}' cannot be proved to narrow; add a constraint instead"


def _narrowing(base: Any, patched: Any, where: str) -> Iterator[str]:
    if patched is False or base == patched:
        return
    if base is False:
        yield f"{where or '/'}: admits what the base refuses outright"
        return
    if base is True or base == {}:
        return  # Anything the profile says narrows an empty schema.
    if patched is True or not isinstance(patched, dict) or not isinstance(base, dict):
        yield f"{where or '/'}: replaces a constraint with one that admits anything"
        return
    for key in base:
        if key not in patched and key not in _ANNOTATIONS and not key.startswith("x-"):
            yield f"{where}/{key}: removes a constraint"
    for key, value in patched.items():
        if key in base:
            yield from _keyword(key, base[key], value, where)
    if base.get("additionalProperties") is False or base.get("unevaluatedProperties") is False:
        # A closed object admits a member only when it is named; naming a new one widens it.
        for key in ("properties", "patternProperties"):
            added = sorted(set(patched.get(key) or {}) - set(base.get(key) or {}))
            if added:
                yield f"{where}/{key}: admits new members {', '.join(added)}"


def narrowing_problems(base: dict[str, Any], patched: dict[str, Any]) -> list[str]:
    """Every way ``patched`` may admit a document ``base`` refuses, as ``pointer: reason``.

    Adding an assertion keyword narrows; so does tightening a bound, requiring more members,
    restricting an enum or narrowing a sub-schema. A change this check cannot prove narrowing
    (a new pattern, format or ``$ref``) is refused: put the extra constraint beside the old
    one, e.g. in a new ``allOf`` entry.
    """
    return sorted(set(_narrowing(base, patched, "")))


def profile_schema_id(name: str, kind: str) -> str:
    """The ``$id`` of profile ``name``'s schema for document type ``kind``."""
    return f"{CANONICAL_BASE}profiles/{name}/{kind}.schema.json"


def _absolute_refs(node: Any, base_uri: str) -> Any:
    """Make every non-local ``$ref`` absolute, so the schema still resolves under a new $id."""
    if isinstance(node, dict):
        out = {k: _absolute_refs(v, base_uri) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            out["$ref"] = urljoin(base_uri, ref)
        return out
    if isinstance(node, list):
        return [_absolute_refs(v, base_uri) for v in node]
    return node


def _extension_keys(patch: dict[str, Any]) -> list[str]:
    extensions = patch.get("properties", {}).get("extensions") or {}
    return sorted((extensions.get("properties") or {}).keys())


def apply_profile(profile: Profile) -> dict[str, dict[str, Any]]:
    """The profile's schemas by document type; :class:`ProfileError` if one would widen."""
    schemas: dict[str, dict[str, Any]] = {}
    for kind, patch in sorted(profile.patches.items()):
        where = f"{profile.source}#{pointer(['patches', kind])}"
        base = load_schema(kind)
        patched = merge_patch(base, patch)
        problems = narrowing_problems(base, patched)
        prefix = profile.council.lower() + "."
        problems += [
            f"/properties/extensions/properties/{key}: extension keys of this profile must "
            f"start with '{prefix}'"
            for key in _extension_keys(patch)
            if not key.lower().startswith(prefix)
        ]
        if problems:
            raise ProfileError(
                f"profile {profile.name!r} would widen the base {kind} schema; a profile may "
                "only narrow it",
                where=where,
                problems=tuple(problems),
            )
        try:
            jsonschema.Draft202012Validator.check_schema(patched)
        except jsonschema.SchemaError as exc:
            raise ProfileError(
                f"profile {profile.name!r} makes the {kind} schema invalid JSON Schema: "
                f"{exc.message}",
                where=f"{where}{pointer(exc.absolute_path)}",
            ) from None
        patched = _absolute_refs(patched, schema_id(kind))
        patched["$id"] = profile_schema_id(profile.name, kind)
        patched["title"] = f"{base.get('title', kind)} (profile {profile.name})"
        schemas[kind] = patched
    return schemas


def load_profile(path: Path) -> Profile:
    """Read and check a profile file; :class:`ProfileError` says what is wrong and where."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"cannot read profile: {exc}", where=path.name) from None
    errors = sorted(
        jsonschema.Draft202012Validator(_PROFILE_FILE).iter_errors(raw),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        raise ProfileError(
            "not a profile",
            where=path.name,
            problems=tuple(f"{pointer(e.absolute_path) or '/'}: {e.message}" for e in errors),
        )
    if raw["council"] not in valueset("council-area"):
        raise ProfileError(
            f"council {raw['council']} is not a council-area code", where=f"{path.name}#/council"
        )
    return Profile(raw["profile"], raw["council"], raw["patches"], path.name)


def available_profiles() -> list[str]:
    """The names of the profiles shipped in ``spec/profiles/``."""
    return sorted(path.stem for path in PROFILES.glob("*.json"))


def _key(profile: Profile) -> str:
    fields = [profile.name, profile.council, profile.patches, profile.source]
    return json.dumps(fields, sort_keys=True)


@functools.cache
def _validators(key: str) -> dict[str, jsonschema.Draft202012Validator]:
    name, council, patches, source = json.loads(key)
    schemas = apply_profile(Profile(name, council, patches, source))
    resources = [(s["$id"], DRAFT202012.create_resource(s)) for s in schemas.values()]
    combined: Registry[Any] = registry().with_resources(resources)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return {
        kind: jsonschema.Draft202012Validator(schema, registry=combined, format_checker=checker)
        for kind, schema in schemas.items()
    }


def validate_with_profile(document: Any, profile: Profile) -> list[Problem]:
    """The base standard's problems; when there are none, every problem the profile adds.

    A document the base refuses is reported against the base alone, so each problem carries
    the requirement it really breaks; profile problems cite SDS-DOC-020.
    """
    problems = validate(document)
    kind = document.get("type") if isinstance(document, dict) else None
    checker = _validators(_key(profile)).get(kind) if isinstance(kind, str) else None
    if problems or checker is None:
        return problems
    extra: set[Problem] = set()
    for error in checker.iter_errors(document):
        where = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    message = f"{name!r} is required by profile {profile.name!r}"
                    extra.add(Problem(pointer([*where, name]), message, _CONFORM, "required"))
            continue
        message = f"{error.message} (profile {profile.name!r})"
        extra.add(Problem(pointer(where), message, _CONFORM, str(error.validator)))
    return sorted(extra)
