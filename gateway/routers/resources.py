"""The resource API: create, read, update, list and history for each document type.

One router per collection, built from the same function so every collection behaves alike:
``POST`` creates (Idempotency-Key honoured), ``GET /{id}`` reads with an ``ETag``, ``PUT``
updates with a required ``If-Match``, ``GET`` lists with signed cursors, and
``/{id}/history[/{version}]`` reads the append-only version log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from gateway import store
from gateway.auth import Principal, authenticate
from gateway.idempotency import KEY_PATTERN, StoredResponse, fingerprint, parse_key, run_once
from gateway.pagination import CursorCodec, query_digest
from gateway.policy import Action, list_scope, note, present
from gateway.problems import ProblemError, header_refs, problem_responses
from gateway.routers._messages import (
    IF_MATCH_PATTERN,
    JSON,
    check_media_type,
    database,
    document_response,
    etag,
    expected_version,
    page_body,
    parse_json,
    to_response,
)
from gateway.security.budget_signing import sign_budget
from gateway.storage.records import (
    SearchFilters,
    get_version,
    history,
    search_visible,
    stamp,
)

__all__ = ["COLLECTIONS", "PAGE_DEFAULT", "PAGE_MAX", "collection_router", "normalise_since"]

COLLECTIONS: dict[str, str] = {
    "persons": "person",
    "assessments": "assessment",
    "support-plans": "support-plan",
    "funding-lines": "funding-line",
    "budgets": "individual-budget",
}
PAGE_DEFAULT = 20
PAGE_MAX = 100
_LIST_PARAMS = frozenset(
    {"person", "council_area", "status", "source", "plan", "updated_since", "limit", "cursor"}
)
_SCHEMA_BASE = "https://spec.sdsx.scot/v1/schemas/"

RecordId = Annotated[str, Path(description="The record id (a random UUID).", max_length=64)]
# The headers' patterns are published for clients and fuzzers only: the routers check them
# (parse_key, expected_version) to answer 400 and 428 problems, not FastAPI's generic 422.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Makes a retried POST safe (8-255 chars).",
        json_schema_extra={"pattern": KEY_PATTERN},
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag of the version read, e.g. "3".',
        json_schema_extra={"pattern": IF_MATCH_PATTERN},
    ),
]


_SIGNED_READ: dict[str, Any] = {
    "parameters": [
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "jws: the budget with the gateway's detached JWS (SDS-SEC-050), "
            "which sdsx verify-budget checks against /.well-known/jwks.json.",
            "schema": {"type": "string", "enum": ["jws"]},
        }
    ]
}


def _document_schema(kind: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"An sdsx {kind} document; schema: {_SCHEMA_BASE}{kind}.schema.json",
        "properties": {"standard": {"type": "string"}, "type": {"const": kind}},
        "required": ["standard", "type"],
    }


def _page_schema(kind: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _document_schema(kind)},
            "next_cursor": {"type": ["string", "null"]},
            "next": {"type": ["string", "null"]},
        },
        "required": ["items", "next_cursor", "next"],
    }


def _bad_since(detail: str) -> ProblemError:
    return ProblemError(400, "bad-request", f"updated_since {detail}", requirement="SDS-API-010")


def normalise_since(value: str) -> str:
    """``updated_since`` as the index's fixed-width UTC text, or a 400 problem."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad_since("must be an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise _bad_since("must carry a time zone (Z)")
    try:
        return stamp(moment)
    except OverflowError:
        # An offset can carry an instant past year 1 or 9999 once moved to UTC.
        raise _bad_since("is outside the years 0001-9999 in UTC") from None


def _refuse_unknown(request: Request) -> None:
    unknown = sorted(set(request.query_params) - _LIST_PARAMS)
    if unknown:
        raise ProblemError(
            400,
            "bad-request",
            f"unknown query parameter(s): {', '.join(unknown)}",
            requirement="SDS-API-010",
        )


def collection_router(collection: str, kind: str) -> APIRouter:
    """The router of one collection (e.g. ``persons`` holding ``person`` documents)."""
    router = APIRouter(prefix=f"/v1/{collection}", tags=[collection])
    tag = collection.replace("-", "_")
    document = {"content": {JSON: {"schema": _document_schema(kind)}}}
    body = {"requestBody": {"required": True, **document}}
    versioned = {"headers": header_refs("ETag"), **document}
    created = {"headers": header_refs("ETag", "Location"), **document}

    @router.post(
        "",
        status_code=201,
        operation_id=f"create_{tag}",
        summary=f"Create a {kind} record",
        responses={
            201: {"description": "Created; Location and ETag name it.", **created},
            **problem_responses(401, 409, 415),
        },
        openapi_extra=body,
        response_class=Response,
    )
    async def create(
        request: Request,
        principal: Annotated[Principal, Depends(authenticate)],
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        check_media_type(request, JSON)
        raw = await request.body()
        parsed = parse_json(raw)
        key = parse_key(idempotency_key)
        print_ = fingerprint("POST", request.url.path, request.url.query, raw)

        def job() -> Any:
            prepared = store.prepare(kind, parsed, str(uuid.uuid4()), 1)

            def work(conn: Any) -> Any:
                stored = store.create(conn, principal, kind, None, prepared=prepared)
                return document_response(stored, principal, 201, f"/v1/{collection}/{stored.id}")

            return run_once(database(request, principal), principal.client_id, key, print_, work)

        return to_response(await run_in_threadpool(job))

    @router.get(
        "/{record_id}",
        operation_id=f"read_{tag}",
        summary=f"Read a {kind} record",
        responses={
            200: {"description": "The current version; ETag names it.", **versioned},
            **problem_responses(401, 404),
        },
        openapi_extra=_SIGNED_READ if kind == "individual-budget" else None,
        response_class=Response,
    )
    async def read(
        request: Request,
        principal: Annotated[Principal, Depends(authenticate)],
        record_id: RecordId,
    ) -> Response:
        signed = kind == "individual-budget" and _wants_signature(request)

        def work() -> Any:
            with database(request, principal).read() as conn:
                stored = store.read(conn, principal, kind, record_id)
                if signed:
                    return _signed_response(request, principal, stored)
                return document_response(stored, principal)

        return to_response(await run_in_threadpool(work))

    @router.put(
        "/{record_id}",
        operation_id=f"update_{tag}",
        summary=f"Update a {kind} record",
        responses={
            200: {"description": "The new version; ETag names it.", **versioned},
            **problem_responses(401, 404, 409, 412, 415, 428),
        },
        openapi_extra=body,
        response_class=Response,
    )
    async def update(
        request: Request,
        principal: Annotated[Principal, Depends(authenticate)],
        record_id: RecordId,
        if_match: IfMatch = None,
    ) -> Response:
        expected = expected_version(request)
        check_media_type(request, JSON)
        parsed = parse_json(await request.body())

        def work() -> Any:
            prepared = store.prepare(kind, parsed, record_id, expected + 1)
            with database(request, principal).write() as conn:
                stored = store.update(
                    conn, principal, kind, record_id, expected, None, prepared=prepared
                )
                return document_response(stored, principal)

        return to_response(await run_in_threadpool(work))

    @router.get(
        "",
        operation_id=f"list_{tag}",
        summary=f"List {kind} records",
        responses={
            200: {
                "description": "A page, oldest change first.",
                "content": {JSON: {"schema": _page_schema(kind)}},
            },
            **problem_responses(401),
        },
        response_class=Response,
    )
    async def list_(
        request: Request,
        principal: Annotated[Principal, Depends(authenticate)],
        person: Annotated[str | None, Query(description="Person record id.")] = None,
        council_area: Annotated[str | None, Query(description="Council area GSS code.")] = None,
        status: Annotated[str | None, Query(description="Status code.")] = None,
        source: Annotated[str | None, Query(description="Funding source code.")] = None,
        plan: Annotated[str | None, Query(description="Support plan record id.")] = None,
        updated_since: Annotated[
            str | None,
            Query(
                description="Only records changed at or after this instant (with its offset).",
                json_schema_extra={"format": "date-time"},
            ),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
        cursor: Annotated[str | None, Query(description="The next_cursor of a page.")] = None,
    ) -> Response:
        _refuse_unknown(request)
        filters = SearchFilters(
            person=person,
            council_area=council_area,
            status=status,
            source=source,
            plan=plan,
            updated_since=None if updated_since is None else normalise_since(updated_since),
        )
        params = {k: v for k, v in request.query_params.items() if k != "cursor"}
        digest = query_digest(request.url.path, params, principal.client_id)
        codec: CursorCodec = request.app.state.cursors
        after = None if cursor is None else tuple(codec.decode(cursor, digest))
        scope = list_scope(principal, kind)

        def work() -> Any:
            with database(request, principal).read() as conn:
                return search_visible(conn, principal, kind, filters, scope, after, limit + 1)

        found = await run_in_threadpool(work)
        return _page(
            request, principal, "list", found, limit, codec, digest, lambda r: [r.updated_at, r.id]
        )

    @router.get(
        "/{record_id}/history",
        operation_id=f"history_{tag}",
        summary=f"List every version of a {kind} record",
        responses={
            200: {
                "description": "Versions, oldest first.",
                "content": {JSON: {"schema": _page_schema(kind)}},
            },
            **problem_responses(401, 404),
        },
        response_class=Response,
    )
    async def history_(
        request: Request,
        principal: Annotated[Principal, Depends(authenticate)],
        record_id: RecordId,
        limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
        cursor: Annotated[str | None, Query(description="The next_cursor of a page.")] = None,
    ) -> Response:
        params = {k: v for k, v in request.query_params.items() if k != "cursor"}
        digest = query_digest(request.url.path, params, principal.client_id)
        codec: CursorCodec = request.app.state.cursors
        after = 0 if cursor is None else int(codec.decode(cursor, digest)[0])

        def work() -> Any:
            with database(request, principal).read() as conn:
                store.read(conn, principal, kind, record_id, Action.HISTORY)
                return history(conn, record_id, after, limit + 1)

        found = await run_in_threadpool(work)
        return _page(
            request, principal, "history", found, limit, codec, digest, lambda r: [r.version]
        )

    @router.get(
        "/{record_id}/history/{version}",
        operation_id=f"read_{tag}_version",
        summary=f"Read one version of a {kind} record",
        responses={
            200: {"description": "That version; ETag names it.", **versioned},
            **problem_responses(401, 404),
        },
        response_class=Response,
    )
    async def read_version(
        request: Request,
        principal: Annotated[Principal, Depends(authenticate)],
        record_id: RecordId,
        version: Annotated[int, Path(ge=1, le=2**31 - 1)],
    ) -> Response:
        def work() -> Any:
            with database(request, principal).read() as conn:
                store.read(conn, principal, kind, record_id, Action.HISTORY)
                stored = get_version(conn, record_id, version)
                if stored is None:
                    raise ProblemError(404, "not-found", f"the record has no version {version}")
                return document_response(stored, principal)

        return to_response(await run_in_threadpool(work))

    return router


def _wants_signature(request: Request) -> bool:
    """A budget read asking for the gateway's signature (``?format=jws`` or ``Accept``)."""
    accept = request.headers.get("accept", "").lower()
    given = request.query_params.get("format")
    if given not in (None, "jws"):
        # Silently serving the unsigned budget would let a typo pass for a signed read.
        raise ProblemError(
            400, "bad-request", "format must be jws, or absent", requirement="SDS-SEC-050"
        )
    return given == "jws" or "application/jose" in accept


def _signed_response(request: Request, principal: Principal, stored: Any) -> StoredResponse:
    """The budget as the caller may receive it, with the gateway's detached JWS (SDS-SEC-050).

    ``sdsx verify-budget`` checks it offline against ``/.well-known/jwks.json``.
    """
    keyring = request.app.state.security.authenticator.tokens.keyring
    document = sign_budget(orjson.loads(present(principal, stored.text)), keyring.current)
    headers = {"content-type": JSON, "etag": etag(stored.version)}
    return StoredResponse(200, orjson.dumps(document), headers)


def _page(
    request: Request,
    principal: Principal,
    action: str,
    found: list[Any],
    limit: int,
    codec: CursorCodec,
    digest: str,
    position: Any,
) -> Response:
    next_cursor = next_url = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = codec.encode(digest, position(found[-1]))
        following = request.url.include_query_params(cursor=next_cursor)
        next_url = f"{following.path}?{following.query}"
    for row in found:
        note(principal, action, {"type": row.type, "id": row.id, "version": row.version})
    texts = (present(principal, r.text) for r in found)
    return Response(page_body(texts, next_cursor, next_url), media_type=JSON)
