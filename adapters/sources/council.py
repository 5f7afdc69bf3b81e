"""Council allocations: a case-system export read through a mapping profile.

The council's resource allocation result (the agreed package after the RAS) leaves its case
system as a CSV or JSON export; a mapping profile (:mod:`adapters.sources.mapping`) says how
each record becomes a funding line. Every line is a council-social-care line paid by the
profile's council (SDS-MAP-006) and must name its SDS option (SDS-SRC-015, SDS-FND-007).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from adapters.sources.amounts import AmountError, pence_from_pence_text
from adapters.sources.encoding import decode_text
from adapters.sources.errors import MappingProfileError
from adapters.sources.fields import FieldReader
from adapters.sources.json_source import read_json
from adapters.sources.mapping import FieldRule, MappingProfile, json_number, shipped_profile
from adapters.sources.provenance import SourceFile
from adapters.sources.registry import Adapter
from adapters.sources.result import AdapterResult
from adapters.sources.tabular import read_csv
from adapters.sources.uk_dates import DateError, parse_date
from spec import valueset

__all__ = ["adapter", "parse_with_profile", "read", "read_with_profile"]

_MISSING = object()
# A tuple, not ``dict | list | bool``: isinstance with a tuple is about twice as fast, and
# this runs for every field of every record.
_NOT_SINGLE = (dict, list, bool)


@functools.cache
def _parts(pointer: str) -> tuple[str, ...]:
    """A JSON pointer's unescaped parts; a profile's few pointers are split once, not per row."""
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])


@functools.cache
def _column(name: str) -> str:
    """A column name as the CSV reader keys its cells: lower case, spaces collapsed."""
    return " ".join(name.lower().split())


@dataclass(frozen=True, slots=True)
class _Step:
    """One profile rule made ready for rows: its target and ``when`` pointers already split.

    A profile is compiled once per file (SDS-MAP-003), so each of a file's rows only walks
    tuples; the rule itself still decides every transform, exactly as written.
    """

    rule: FieldRule
    parents: tuple[str, ...]
    last: str
    when: tuple[str, ...] | None


def _compile(profile: MappingProfile) -> tuple[_Step, ...]:
    steps = []
    for rule in profile.rules:
        *parents, last = _parts(rule.target)
        # ``when`` pointers are matched part for part as written, without unescaping.
        when = None if rule.when is None else tuple(rule.when.split("/")[1:])
        steps.append(_Step(rule, tuple(parents), last, when))
    return tuple(steps)


def _set(line: dict[str, Any], step: _Step, value: Any) -> None:
    node = line
    for part in step.parents:
        node = node.setdefault(part, {})
    node[step.last] = value


def _has(line: dict[str, Any], parts: tuple[str, ...]) -> bool:
    node: Any = line
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _relative(ancestors: list[Any], pointer: str) -> Any:
    """Resolve a relative JSON pointer ("2/chi") against the record's ancestors."""
    up, _, rest = pointer.partition("/")
    levels = int(up)
    if levels >= len(ancestors):
        return _MISSING
    node = ancestors[-1 - levels]
    for part in rest.split("/") if rest else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _transform(rule: FieldRule, raw: Any, reader: FieldReader) -> Any:
    field = rule.source or rule.target
    if isinstance(raw, _NOT_SINGLE):
        reader.fail(
            field, f"expected a single value, found a JSON {type(raw).__name__}", "SDS-SRC-009"
        )
        return None
    if rule.money == "pounds":
        return reader.pence(raw, field)
    if rule.money == "pence":
        try:
            if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
                return raw
            return pence_from_pence_text(str(raw))
        except AmountError as exc:
            reader.fail(field, str(exc), "SDS-SRC-005")
            return None
    if rule.date is not None:
        try:
            return parse_date(str(raw), rule.date).isoformat()
        except DateError as exc:
            reader.fail(field, str(exc), "SDS-SRC-006")
            return None
    if rule.number is not None:
        number = reader.decimal(raw, field)
        if number is not None and rule.number == "integer" and number != int(number):
            reader.fail(field, "expected a whole number", "SDS-SRC-009")
            return None
        return None if number is None else json_number(number)
    text = str(raw).strip() if not isinstance(raw, Decimal) else str(raw)
    if rule.text.get("strip_spaces"):
        text = text.replace(" ", "")
    if rule.text.get("upper"):
        text = text.upper()
    if rule.codes is not None:
        found = rule.codes.get(text)
        if found is None:
            lowered = {k.lower(): v for k, v in rule.codes.items()}
            found = lowered.get(text.lower())
        if found is None:
            reader.fail(
                field,
                "unknown code; expected one of " + ", ".join(sorted(rule.codes)),
                "SDS-SRC-010",
            )
        return found
    return text


def _build(
    profile: MappingProfile, steps: tuple[_Step, ...], lookup: Any, reader: FieldReader
) -> dict[str, Any]:
    line: dict[str, Any] = {}
    for step in steps:
        rule = step.rule
        if step.when is not None and not _has(line, step.when):
            continue
        if rule.has_const:
            _set(line, step, rule.const)
            continue
        assert rule.source is not None
        raw = lookup(rule.source)
        if raw is _MISSING or raw is None or (isinstance(raw, str) and not raw.strip()):
            if rule.default is not None:
                _set(line, step, rule.default)
            elif not rule.optional:
                # Empty is not zero: a missing required value rejects the record (SDS-MAP-004).
                reader.fail(rule.source, "required value is missing or empty", "SDS-SRC-009")
            continue
        value = _transform(rule, raw, reader)
        if value is not None:
            _set(line, step, value)
    line["source"] = "council-social-care"
    line["payer"] = {"kind": "council-area", "code": profile.council}
    name = _area_name(profile.council)
    if name is not None:
        line["payer"]["name"] = name
    return line


@functools.cache
def _area_name(code: str) -> str | None:
    """The council area's display name, looked up once per council rather than per row."""
    area = valueset("council-area").get(code)
    return None if area is None else area.display


def _csv_records(
    data: bytes, profile: MappingProfile, source: SourceFile
) -> Iterator[tuple[str, Any]]:
    decoded = decode_text(data, source.file_name)
    for problem in decoded.problems:
        source.note(problem)
    table = read_csv(decoded, source.file_name, required=profile.required_columns)
    for problem in table.problems:
        source.note(problem)
    for row in table.rows:
        if row.cells is None:
            source.reject(row.locator, [])
            continue
        cells = row.cells
        yield row.locator, lambda column, c=cells: c.get(_column(column), _MISSING)


def _walk(
    node: Any, segments: list[str], pointer: str, ancestors: list[Any]
) -> Iterator[tuple[str, list[Any]]]:
    if not segments:
        yield pointer, ancestors
        return
    head, rest = segments[0], segments[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _walk(item, rest, f"{pointer}/{index}", [*ancestors, item])
    elif isinstance(node, dict) and head in node:
        child = node[head]
        yield from _walk(child, rest, f"{pointer}/{head}", [*ancestors, child])


def _json_records(
    data: bytes, profile: MappingProfile, source: SourceFile
) -> Iterator[tuple[str, Any]]:
    assert profile.records is not None
    segments = profile.records.split("/")[1:]
    parsed = read_json(data, source.file_name, array_key=segments[0])
    for problem in parsed.problems:
        source.note(problem)
    top = [item for _, item in parsed.records]
    for index, item in parsed.records:
        for pointer, ancestors in _walk(item, segments[2:], f"/{segments[0]}/{index}", [top, item]):
            yield pointer, lambda ref, a=ancestors: _relative(a, ref)


def read_with_profile(data: bytes, source: SourceFile, profile: MappingProfile) -> None:
    """Read a case-system export into ``source`` through ``profile``."""
    source.adapter = f"council/{profile.name}"
    source.adapter_version = f"{source.adapter_version}+profile.{profile.version}"
    records = (_csv_records if profile.kind == "csv" else _json_records)(data, profile, source)
    steps = _compile(profile)
    for locator, lookup in records:
        reader = FieldReader(source, locator)
        line = _build(profile, steps, lookup, reader)
        if reader.ok:
            source.accept(locator, line)
        else:
            source.reject(locator, reader.problems)


def read(data: bytes, source: SourceFile, profile: str | None) -> None:
    """Read a case-system export with the shipped mapping profile named ``profile``."""
    if not profile:
        raise MappingProfileError(
            "the council source needs a mapping profile (profile=NAME)",
            where="profile",
            requirement="SDS-MAP-001",
        )
    read_with_profile(data, source, shipped_profile(profile))


adapter = Adapter(
    name="council",
    version="1.0.0",
    title="Council case-system export through a mapping profile (CSV or JSON)",
    read=read,
    needs_profile=True,
)


def parse_with_profile(
    data: bytes, profile: MappingProfile, *, file_name: str, received_at: dt.datetime
) -> AdapterResult:
    """Like :func:`adapters.sources.parse` for a council's own, already loaded profile."""
    file = SourceFile.open(
        data,
        file_name=file_name,
        adapter=adapter.name,
        version=adapter.version,
        received_at=received_at,
    )
    read_with_profile(data, file, profile)
    return file.result
