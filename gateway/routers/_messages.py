"""Reading requests and writing responses the same way in every router.

Bodies are read as bytes and parsed here, so malformed JSON, a wrong Content-Type or a
missing ``If-Match`` become problems with the right status, never a framework default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from gateway.auth import Principal
from gateway.idempotency import StoredResponse
from gateway.policy import present
from gateway.problems import ProblemError
from gateway.storage import Database
from gateway.storage.records import StoredRecord

__all__ = [
    "IF_MATCH_PATTERN",
    "JSON",
    "RECORD_HEADERS",
    "check_media_type",
    "database",
    "document_response",
    "etag",
    "expected_version",
    "page_body",
    "parse_json",
    "to_response",
]

JSON = "application/json"
# One version ETag as a read returns it (SDS-API-006); the contract publishes the pattern.
# It admits no surrounding whitespace, which no HTTP client sends (a field value's optional
# whitespace is not part of it), so generators of conforming requests never produce it.
IF_MATCH_PATTERN = r'^(?:W/)?"([1-9][0-9]{0,9})"$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)
# Response headers as the contract publishes them: the ETag is what If-Match takes back.
RECORD_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The version answered, to send back as If-Match.",
        "required": True,
        "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
    },
    "Location": {
        "description": "The path of the record.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/v1/"},
    },
}


def database(request: Request, principal: Principal | None = None) -> Database:
    """The gateway's database, its transactions acting for ``principal`` (``None``: itself).

    On PostgreSQL each transaction then stands behind the row-level wall named for that
    caller (SDS-SEC-028).
    """
    db: Database = request.app.state.database
    return db.for_caller(None if principal is None else principal.security)


def check_media_type(request: Request, *accepted: str) -> None:
    """Refuse a body whose Content-Type is not one of ``accepted`` (415)."""
    given = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given not in accepted:
        raise ProblemError(
            415,
            "unsupported-media-type",
            f"send the body as {' or '.join(accepted)} (got {given or 'no Content-Type'})",
            requirement="SDS-API-011",
        )


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(
            400, "bad-request", f"the body is not JSON: {exc}", requirement="SDS-DOC-012"
        ) from None


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request) -> int:
    """The version named by ``If-Match``: 428 when absent, 400 when not a version ETag."""
    raw = request.headers.get("if-match")
    if raw is None:
        raise ProblemError(
            428,
            "precondition-required",
            "send If-Match with the ETag of the version you read",
            requirement="SDS-API-006",
        )
    match = _IF_MATCH.match(raw.strip(" \t"))
    if match is None:
        raise ProblemError(
            400,
            "bad-request",
            'If-Match must be one ETag such as "3", as returned by a read',
            requirement="SDS-API-006",
        )
    return int(match.group(1))


def document_response(
    stored: StoredRecord,
    principal: Principal,
    status: int = 200,
    location: str | None = None,
) -> StoredResponse:
    """The stored document as ``principal`` may receive it (minimised per role, SDS-SEC-022)."""
    headers = {"content-type": JSON, "etag": etag(stored.version)}
    if location:
        headers["location"] = location
    return StoredResponse(status, present(principal, stored.text).encode(), headers)


def page_body(items: Iterable[str], next_cursor: str | None, next_url: str | None) -> bytes:
    """A page: the stored JSON texts spliced in as they are, plus the next cursor."""
    tail: dict[str, Any] = {"next_cursor": next_cursor, "next": next_url}
    return b'{"items":[' + ",".join(items).encode() + b"]," + orjson.dumps(tail)[1:]


def to_response(stored: StoredResponse) -> Response:
    headers = dict(stored.headers)
    media_type = headers.pop("content-type", JSON)
    if stored.replayed:
        headers["idempotent-replayed"] = "true"
    return Response(stored.body, stored.status, headers=headers, media_type=media_type)
