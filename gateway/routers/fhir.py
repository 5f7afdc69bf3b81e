"""FHIR R4 views of the stored records: metadata, read, ``$document`` and transactions.

The FHIR shapes come from :mod:`spec.fhir.interactions`; this router only loads, authorises,
stores and answers. Errors on these routes are ``OperationOutcome`` resources served as
``application/fhir+json`` with the same status the native route would give (G7: both error
dialects, one map). A transaction Bundle is stored all or nothing in one database
transaction, keeping the Bundle's ids, in dependency order (persons first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from gateway import store
from gateway.auth import Principal, authenticate
from gateway.idempotency import StoredResponse, fingerprint, parse_key, run_once
from gateway.policy import list_scope, note, present
from gateway.problems import ProblemError, header_refs, problem_responses
from gateway.routers._messages import database, parse_json, to_response
from gateway.routers.resources import IdempotencyKey
from gateway.storage.records import SearchFilters, StoredRecord, search_visible
from spec import DOCUMENT_TYPES
from spec.fhir.interactions import (
    FHIR_JSON,
    capability_statement,
    document_bundle,
    document_type_for,
    from_transaction_bundle,
    operation_outcome,
    read_resource,
)
from spec.fhir.to_fhir import RESOURCE_TYPES

__all__ = ["OPERATION_OUTCOME_SCHEMA", "router"]

router = APIRouter(prefix="/fhir/r4", tags=["fhir"])

_RESOURCE = {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
_MAX_LINES = 10_000
OPERATION_OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A FHIR R4 OperationOutcome: the error a FHIR route's handler answers.",
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "severity": {"enum": ["fatal", "error", "warning", "information"]},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                },
                "required": ["severity", "code"],
            },
        },
    },
    "required": ["resourceType", "issue"],
}
# Refused before any FHIR handler runs (token, body size, rate limit), or by the database
# outage handler: these stay problem+json (SDS-API-001) on FHIR routes too.
_OUTER_STATUSES = frozenset({401, 413, 429, 503})


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses of a FHIR operation, each also answerable as OperationOutcome.

    A FHIR route's handler answers its own refusals as OperationOutcome resources (as FHIR
    R4 requires), while the outer layers answer problem+json: the contract names both, so a
    client and schemathesis know either may come.
    """
    responses = problem_responses(*statuses)
    outcome = {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}
    for status, response in responses.items():
        if status not in _OUTER_STATUSES:
            response["content"] = {**response["content"], FHIR_JSON: outcome}
    return responses


def _visible(principal: Principal, stored: StoredRecord, found: bool = False) -> dict[str, Any]:
    """The document as ``principal`` may receive it (minimised per role, SDS-SEC-022).

    ``found``: the record came from a search, so no read decision has audited it yet.
    """
    document: dict[str, Any] = orjson.loads(present(principal, stored.text))
    if found:
        note(principal, "read", document)
    return document


def _fhir(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers=headers, media_type=FHIR_JSON)


def _outcome(error: ProblemError) -> Response:
    messages: list[Any] = list(error.errors) or [error.detail]
    return _fhir(operation_outcome(messages), error.status, error.headers)


async def _answer(work: Callable[[], Awaitable[Response]]) -> Response:
    """Run ``work``; a problem becomes an OperationOutcome with the same status."""
    try:
        return await work()
    except ProblemError as exc:
        return _outcome(exc)


@router.get(
    "/metadata",
    operation_id="fhir_metadata",
    summary="FHIR CapabilityStatement",
    responses={
        200: {"description": "The CapabilityStatement.", **_RESOURCE},
        **_errors(),
    },
    response_class=Response,
)
async def metadata() -> Response:
    return _fhir(capability_statement(software_version="1.0.0"))


@router.get(
    "/CarePlan/{record_id}/$document",
    operation_id="fhir_care_plan_document",
    summary="A FHIR document Bundle: person, support plan, its budget and funding lines",
    responses={
        200: {"description": "A document Bundle.", **_RESOURCE},
        **_errors(401, 404),
    },
    response_class=Response,
)
async def care_plan_document(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    record_id: Annotated[str, Path(max_length=64)],
) -> Response:
    def load() -> Response:
        with database(request, principal).read() as conn:
            stored_plan = store.read(conn, principal, "support-plan", record_id)
            plan = _visible(principal, stored_plan)
            person_id = stored_plan.document["person"]["id"]
            person = _visible(principal, store.read(conn, principal, "person", person_id))
            budgets = search_visible(
                conn,
                principal,
                "individual-budget",
                SearchFilters(plan=record_id),
                list_scope(principal, "individual-budget"),
                None,
                1,
            )
            lines = search_visible(
                conn,
                principal,
                "funding-line",
                SearchFilters(person=person_id),
                list_scope(principal, "funding-line"),
                None,
                _MAX_LINES,
            )
        budget = _visible(principal, budgets[0], found=True) if budgets else None
        visible_lines = [_visible(principal, r, found=True) for r in lines]
        return _fhir(document_bundle(person, plan, budget, visible_lines))

    return await _answer(lambda: run_in_threadpool(load))


@router.get(
    "/{resource_type}/{record_id}",
    operation_id="fhir_read",
    summary="Read a stored record as its FHIR R4 resource",
    responses={
        200: {
            "description": "The resource; ETag names its version.",
            "headers": header_refs("ETag"),
            **_RESOURCE,
        },
        **_errors(401, 404),
    },
    response_class=Response,
)
async def read(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    resource_type: Annotated[str, Path(max_length=64)],
    record_id: Annotated[str, Path(max_length=64)],
) -> Response:
    kind = document_type_for(resource_type)

    def load() -> Response:
        if kind is None:
            raise ProblemError(
                404,
                "not-found",
                f"no {resource_type} resources here; served: {', '.join(RESOURCE_TYPES.values())}",
            )
        with database(request, principal).read() as conn:
            stored = store.read(conn, principal, kind, record_id)
        resource = read_resource(_visible(principal, stored))
        return _fhir(resource, headers={"etag": f'W/"{stored.version}"'})

    return await _answer(lambda: run_in_threadpool(load))


@router.post(
    "",
    operation_id="fhir_transaction",
    summary="Store a FHIR transaction Bundle all or nothing",
    responses={
        200: {"description": "A transaction-response Bundle.", **_RESOURCE},
        **_errors(401, 409, 415),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FHIR_JSON: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
    response_class=Response,
)
async def transaction(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def work() -> Response:
        given = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if given not in (FHIR_JSON, "application/json"):
            raise ProblemError(
                415,
                "unsupported-media-type",
                f"send the Bundle as {FHIR_JSON}",
                requirement="SDS-API-011",
            )
        raw = await request.body()
        result = from_transaction_bundle(parse_json(raw))
        if not result.ok:
            return _fhir(operation_outcome(result.issues), 422)
        key = parse_key(idempotency_key)
        print_ = fingerprint("POST", request.url.path, request.url.query, raw)
        order = {kind: n for n, kind in enumerate(DOCUMENT_TYPES)}
        documents = sorted(result.documents, key=lambda d: order.get(str(d.get("type")), 99))

        def write(conn: Connection) -> StoredResponse:
            entries = []
            for document in documents:
                outcome, stored = store.store_imported(conn, principal, document)
                resource = RESOURCE_TYPES[stored.type]
                entries.append(
                    {
                        "response": {
                            "status": "201 Created" if outcome == "created" else "200 OK",
                            "location": f"{resource}/{stored.id}/_history/{stored.version}",
                            "etag": f'W/"{stored.version}"',
                        }
                    }
                )
            body = {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
            return StoredResponse(200, orjson.dumps(body), {"content-type": FHIR_JSON})

        response = await run_in_threadpool(
            run_once, database(request, principal), principal.client_id, key, print_, write
        )
        return to_response(response)

    return await _answer(work)
