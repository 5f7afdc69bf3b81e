"""Read documents from files: JSON, NDJSON and folders of them, with exact locations.

Input that cannot be read as JSON at all raises :class:`UnreadableInput` naming the file and
line; a readable document is yielded with its location (``file`` or ``file:line``) whatever
its contents, so validation can report on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from spec.problems import SpecError

__all__ = ["LocatedDocument", "UnreadableInput", "iter_documents", "parse_ndjson"]

_SUFFIXES = (".json", ".ndjson", ".jsonl")


class UnreadableInput(SpecError):
    """A file that is missing, unreadable, not UTF-8 or not JSON (SDS-DOC-012)."""


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """A parsed document and where it came from."""

    location: str
    document: Any


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(
            f"not UTF-8 (byte {exc.start}): re-save the file as UTF-8",
            where=where,
            requirement="SDS-DOC-012",
        ) from None


def _loads(text: str, where: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise UnreadableInput(f"not JSON: {exc}", where=where, requirement="SDS-DOC-012") from None


def parse_ndjson(raw: bytes, where: str) -> Iterator[LocatedDocument]:
    """Documents of an NDJSON byte string, one per non-blank line, located ``where:line``."""
    text = _decode(raw, where)
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield LocatedDocument(f"{where}:{number}", _loads(line, f"{where}:{number}"))


def _files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)
    else:
        yield path


def iter_documents(paths: Iterable[str | Path]) -> Iterator[LocatedDocument]:
    """Every document in ``paths`` (files or folders), in a stable order."""
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UnreadableInput("no such file or folder", where=str(path))
        for file in _files(path):
            try:
                raw = file.read_bytes()
            except OSError as exc:
                raise UnreadableInput(f"cannot read: {exc.strerror}", where=str(file)) from None
            if file.suffix in (".ndjson", ".jsonl"):
                yield from parse_ndjson(raw, str(file))
            else:
                yield LocatedDocument(str(file), _loads(_decode(raw, str(file)), str(file)))
