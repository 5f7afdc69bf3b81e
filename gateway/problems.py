"""RFC 9457 problem details: the one shape of every error the gateway returns.

Each problem has a stable ``type`` URI under ``https://spec.sdsx.scot/v1/problems/``, the
HTTP ``status``, a ``title`` per type, a ``detail`` for this occurrence, ``instance`` (the
request id as a URN, so a caller can quote it) and, for document errors, ``errors``: every
problem found, each with its JSON pointer and requirement ID (SDS-API-003).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response

from spec import Problem

__all__ = [
    "PROBLEM_HEADERS",
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPE_BASE",
    "ProblemDetails",
    "ProblemError",
    "ProblemItem",
    "header_refs",
    "problem_response",
    "problem_responses",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://spec.sdsx.scot/v1/problems/"

_TITLES: dict[str, str] = {
    "bad-request": "The request is malformed",
    "invalid-cursor": "The cursor does not belong to this query",
    "unauthenticated": "The caller is not identified",
    "forbidden": "The caller may not do this",
    "not-found": "No such resource",
    "method-not-allowed": "Method not allowed on this resource",
    "conflict": "The request conflicts with the current state",
    "identifier-conflict": "A record with this identifier already exists",
    "idempotency-in-flight": "A request with this Idempotency-Key is still being processed",
    "idempotency-key-reused": "The Idempotency-Key was used with a different request",
    "precondition-failed": "The record has changed since it was read",
    "precondition-required": "If-Match is required to update a record",
    "payload-too-large": "The request body is too large",
    "unsupported-media-type": "Unsupported Content-Type",
    "invalid-document": "The document is not valid against the standard",
    "invalid-request": "The request parameters are not valid",
    "unavailable": "The service is temporarily unavailable",
    "internal": "Internal error",
}


class ProblemItem(BaseModel):
    """One problem inside a request: where (JSON pointer), what, and which requirement."""

    pointer: str = Field(description="RFC 6901 JSON pointer into the request.")
    message: str
    requirement: str = Field(description="The requirement ID broken, e.g. SDS-PER-001.")
    rule: str = Field(description="The schema keyword or named rule that failed.")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem details object (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    requirement: str | None = None
    errors: list[ProblemItem] = Field(default_factory=list)
    existing: str | None = Field(
        default=None, description="For identifier conflicts the caller may see: the record."
    )


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem; never escapes as a 500."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        requirement: str | None = None,
        errors: Iterable[Problem] = (),
        headers: Mapping[str, str] | None = None,
        existing: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.requirement = requirement
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.existing = existing

    def body(self, request_id: str | None) -> dict[str, Any]:
        """The problem as a JSON object."""
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.kind,
            "title": _TITLES.get(self.kind, self.kind),
            "status": self.status,
            "detail": self.detail,
        }
        if request_id:
            body["instance"] = f"urn:sdsx:request:{request_id}"
        if self.requirement:
            body["requirement"] = self.requirement
        if self.errors:
            body["errors"] = [p.as_dict() for p in self.errors]
        if self.existing:
            body["existing"] = self.existing
        return body


def problem_response(error: ProblemError, request_id: str | None) -> Response:
    """The HTTP response for ``error``."""
    return Response(
        content=orjson.dumps(error.body(request_id)),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request, unknown query parameter or foreign cursor.",
    401: "The caller is not authenticated.",
    403: "The caller may not perform this action.",
    404: "No such record (or not visible to the caller).",
    409: "Identifier conflict, or an Idempotency-Key still in flight.",
    412: "If-Match names a version that is no longer current.",
    413: "Request body larger than the configured limit.",
    415: "Content-Type not accepted by this operation.",
    422: "Invalid document or parameters: every error with JSON pointer and requirement ID.",
    428: "If-Match header missing on an update.",
    429: "The calling organisation's rate limit is spent; retry after the Retry-After delay.",
    503: "Database unavailable; retry after the Retry-After delay.",
}


# The headers that always come with a problem of these statuses, published so clients (and
# the contract fuzzer) can rely on them: the bearer challenge (RFC 6750, SDS-SEC-010) and
# the retry delay (SDS-SEC-060, SDS-API-015). The OpenAPI components hold them once.
PROBLEM_HEADERS: dict[str, dict[str, Any]] = {
    "WWW-Authenticate": {
        "description": "The bearer challenge, naming why the token was refused.",
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer "},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
}
_HEADERS: dict[int, tuple[str, ...]] = {
    401: ("WWW-Authenticate",),
    429: ("Retry-After",),
    503: ("Retry-After",),
}


def header_refs(*names: str) -> dict[str, dict[str, str]]:
    """``headers`` of an OpenAPI response naming published header components."""
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries documenting an operation's problem answers in OpenAPI."""
    # Every authenticated operation is also rate-limited per organisation (SDS-SEC-060).
    throttled = {429} if 401 in statuses else set()
    wanted = sorted({*statuses, *throttled, 400, 413, 422, 503})
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            **({"headers": header_refs(*_HEADERS[status])} if status in _HEADERS else {}),
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
            },
        }
        for status in wanted
    }
