"""Bulk verdicts: bytes in, valid or not out, as fast as the libraries allow.

A gateway taking a large NDJSON upload, or a benchmark, wants one answer per document and
the reasons only for the few that fail. These functions parse with ``orjson`` and ask the
compiled ``jsonschema-rs`` validator of :class:`spec.Validator` for the verdict, so the
schema is the same one :func:`spec.validate` uses (SDS-DOC-009). ``False`` means "not valid
as given": bytes that are not a JSON document count as not valid too; run
:func:`spec.validate` (or ``spec.iter_documents``) on those for the problems, with their
JSON pointers and requirement IDs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson

from spec.rules import check_rules
from spec.validation import validator

__all__ = ["schema_valid_bytes", "schema_verdicts", "valid_bytes", "verdicts"]


def schema_verdicts(kind: str, blobs: Iterable[bytes]) -> Iterator[bool]:
    """For each JSON document in ``blobs``, whether it passes the schema of type ``kind``."""
    schema_valid = validator(kind).schema_valid
    loads = orjson.loads
    for blob in blobs:
        try:
            document = loads(blob)
        except orjson.JSONDecodeError:
            yield False
            continue
        yield schema_valid(document)


def verdicts(kind: str, blobs: Iterable[bytes]) -> Iterator[bool]:
    """For each JSON document in ``blobs``, whether ``spec.validate`` would find no problem.

    Only documents that pass the schema reach the semantic rules, as in ``spec.validate``.
    """
    schema_valid = validator(kind).schema_valid
    loads = orjson.loads
    for blob in blobs:
        try:
            document = loads(blob)
        except orjson.JSONDecodeError:
            yield False
            continue
        yield schema_valid(document) and not check_rules(document)


def schema_valid_bytes(kind: str, data: bytes) -> bool:
    """Whether ``data`` is one JSON document that passes the schema of type ``kind``."""
    return next(schema_verdicts(kind, (data,)))


def valid_bytes(kind: str, data: bytes) -> bool:
    """Whether ``data`` is one JSON document of type ``kind`` with no problem at all."""
    return next(verdicts(kind, (data,)))
