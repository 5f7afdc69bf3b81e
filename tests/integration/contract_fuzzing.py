"""Schemathesis, set up to judge the gateway against the published contract.

The contract is ``spec/openapi.yaml`` as published (SDS-API-018). ``CONFORMS`` is the list of
checks every answer must pass: schemathesis' own (no 5xx, a documented status, content type,
headers and body schema, negative data rejected) plus problem+json on every error
(SDS-API-001). ``for_each_case`` runs a test on a bounded, derandomised draw of cases, so a
failure names a request that fails again on the next run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.asgi import ASGI_TRANSPORT
from schemathesis.transport.requests import REQUESTS_TRANSPORT
from schemathesis.transport.wsgi import WSGI_TRANSPORT

from gateway.openapi import OPENAPI_PATH
from gateway.problems import PROBLEM_MEDIA_TYPE

__all__ = [
    "CONFORMS",
    "FHIR_JSON",
    "OPERATIONS",
    "SCHEMA",
    "for_each_case",
    "label",
    "media_type_of",
    "ndjson_bodies",
    "negatable",
    "secured",
]

SCHEMA = schemathesis.openapi.from_path(str(OPENAPI_PATH))
OPERATIONS = tuple(found.ok() for found in SCHEMA.get_all_operations())
FHIR_JSON = "application/fhir+json"
NDJSON = "application/x-ndjson"
_WHERE_NOT_BODY = (ParameterLocation.PATH, ParameterLocation.QUERY, ParameterLocation.HEADER)


def label(operation: Any) -> str:
    """``METHOD /path``, as schemathesis and the contract name an operation."""
    return str(operation.label)


def secured(operation: Any) -> bool:
    """Whether the contract says the operation needs a bearer token."""
    return bool(operation.definition.raw.get("security"))


def negatable(operation: Any, fixed: tuple[str, ...] = ()) -> bool:
    """Whether negative data exists: an operation with no free input has none to break."""
    raw = operation.definition.raw
    named = [p for p in raw.get("parameters", []) if p["name"] not in fixed]
    return bool(named or raw.get("requestBody"))


def media_type_of(response: Any) -> str:
    """The media type of a schemathesis response (its headers are lists of values)."""
    values = response.headers.get("content-type") or [""]
    return str(values[0]).split(";")[0].strip().lower()


def problem_json(ctx: Any, response: Any, case: Any) -> bool:
    """Every error is RFC 9457 problem+json whose status is the HTTP status (SDS-API-001).

    FHIR routes may answer with an OperationOutcome instead, as FHIR R4 requires.
    """
    if response.status_code < 400:
        return True
    media = media_type_of(response)
    body = json.loads(response.content)
    if media == FHIR_JSON and case.path.startswith("/fhir"):
        assert body.get("resourceType") == "OperationOutcome", body
        return True
    assert media == PROBLEM_MEDIA_TYPE, f"a {response.status_code} answered as {media!r}"
    assert body["status"] == response.status_code, body
    assert {"type", "title", "detail"} <= set(body), body
    return True


def rejects_negative_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' negative-data check, knowing NDJSON is text on the wire.

    Whatever value negative generation makes for an NDJSON body, it is sent as text, which
    the contract's ``type: string`` admits; schemathesis reasons so for text/plain itself.
    """
    meta = case.meta
    only_the_body = (
        meta is not None
        and meta.is_negative_at(ParameterLocation.BODY)
        and not any(meta.is_negative_at(where) for where in _WHERE_NOT_BODY)
    )
    if case.media_type == NDJSON and only_the_body:
        return None
    return negative_data_rejection(ctx, response, case)


CONFORMS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    rejects_negative_data,
    problem_json,
]


def _ndjson(ctx: Any, value: Any) -> bytes:
    """NDJSON bodies (POST /v1/bulk): text as it is, a list one JSON value a line."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, list):
        return "\n".join(json.dumps(item) for item in value).encode("utf-8")
    return json.dumps(value).encode("utf-8")


@contextmanager
def ndjson_bodies() -> Iterator[None]:
    """Let schemathesis send NDJSON bodies while the block runs, and only then.

    The conformance suite generates through the same transports and must not find a
    serializer it did not register itself.
    """
    schemathesis.serializer(NDJSON)(_ndjson)
    try:
        yield
    finally:
        for transport in (REQUESTS_TRANSPORT, ASGI_TRANSPORT, WSGI_TRANSPORT):
            transport.unregister_serializer(NDJSON)


def for_each_case(strategy: Any, test: Callable[[Any], None], examples: int) -> None:
    """Run ``test`` on ``examples`` cases drawn from ``strategy``, derandomised."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(case: Any) -> None:
        test(case)

    run()
