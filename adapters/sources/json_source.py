"""JSON source files read exactly, and salvaged record by record when cut short (SDS-SRC-007).

Numbers are read as :class:`decimal.Decimal`, never floats, so money stays exact
(SDS-SRC-005). When a file does not parse (typically a transfer cut short), the records of
its main array that are complete before the break are still recovered: each is decoded in
turn until the first one that is not whole. The caller gets those records plus a file-level
problem saying where the file broke; where nothing can be read it gets only the problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from adapters.sources.encoding import decode_text
from adapters.sources.result import FILE_LOCATOR, SourceProblem

__all__ = ["JsonSource", "read_json"]

_DECODER = json.JSONDecoder(parse_float=Decimal)
_BETWEEN_ITEMS = " \t\n\r,"


@dataclass(slots=True)
class JsonSource:
    """The parsed document (``None`` when it did not parse) and the main array's records.

    ``records`` pairs each record's index in the array with the record; when the document
    parsed, it is the whole array.
    """

    document: Any
    records: list[tuple[int, Any]]
    problems: list[SourceProblem] = field(default_factory=list)
    complete: bool = True


def _salvage(text: str, key: str) -> list[tuple[int, Any]]:
    match = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
    if not match:
        return []
    position = match.end()
    found: list[tuple[int, Any]] = []
    while True:
        while position < len(text) and text[position] in _BETWEEN_ITEMS:
            position += 1
        if position >= len(text) or text[position] == "]":
            return found
        try:
            item, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError:
            return found
        found.append((len(found), item))


def read_json(data: bytes, file_name: str, *, array_key: str) -> JsonSource:
    """Read ``data`` as JSON whose records sit in the array under ``array_key``.

    A top level that is not an object with that array is a file-level problem.
    """
    decoded = decode_text(data, file_name)
    problems = list(decoded.problems)
    try:
        document = _DECODER.decode(decoded.text)
    except json.JSONDecodeError as exc:
        salvaged = _salvage(decoded.text, array_key)
        reason = (
            f"not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); the file "
            "may be cut short"
        )
        if salvaged:
            reason += f": kept the {len(salvaged)} complete record(s) before the break"
        problems.append(SourceProblem(file_name, FILE_LOCATOR, "", reason, "SDS-SRC-007"))
        return JsonSource(None, salvaged, problems, complete=False)
    records = document.get(array_key) if isinstance(document, dict) else None
    if not isinstance(records, list):
        problems.append(
            SourceProblem(
                file_name,
                FILE_LOCATOR,
                f"/{array_key}",
                f"expected a JSON object with an array {array_key!r}",
                "SDS-SRC-007",
            )
        )
        return JsonSource(document, [], problems)
    return JsonSource(document, list(enumerate(records)), problems)
