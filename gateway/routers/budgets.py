"""``POST /v1/budgets/compute``: the engine run on stored records, stored as a budget version.

The gateway owns no budget rule: it loads the support plan, the funding lines stored for the
plan's person and the assessment the plan names, hands them to
:func:`adapters.budget.compute_budget`, and stores the result as the next version of the
plan's budget (version 1 the first time), all in one transaction (SDS-API-017).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.budget import BudgetInputError, RateTableError, compute_budget
from gateway import store
from gateway.auth import Principal, authenticate
from gateway.idempotency import StoredResponse, fingerprint, parse_key, run_once
from gateway.policy import Action, list_scope
from gateway.problems import ProblemError, header_refs, problem_responses
from gateway.routers._messages import (
    JSON,
    check_media_type,
    database,
    document_response,
    parse_json,
    to_response,
)
from gateway.routers.resources import IdempotencyKey
from gateway.storage.records import SearchFilters, get_version, search_visible
from spec import Problem

__all__ = ["router"]

router = APIRouter(prefix="/v1/budgets", tags=["budgets"])

_MAX_LINES = 10_000
_REQUEST_SCHEMA = {
    "type": "object",
    "properties": {"plan": {"type": "string", "description": "The support plan's record id."}},
    "required": ["plan"],
}


def _plan_id(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("plan"), str):
        return str(body["plan"])
    raise ProblemError(
        422,
        "invalid-request",
        'send {"plan": "<support plan id>"}',
        errors=[
            Problem("/plan", "a support plan record id is required", "SDS-API-017", "required")
        ],
    )


def _inputs(
    conn: Connection, principal: Principal, plan_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    try:
        plan = store.read(conn, principal, "support-plan", plan_id, Action.COMPUTE).document
    except ProblemError as exc:
        if exc.status != 404:
            raise
        raise ProblemError(
            422,
            "invalid-request",
            "no support plan with this id",
            errors=[
                Problem("/plan", "no support-plan record with this id", "SDS-API-004", "reference")
            ],
        ) from None
    person_id = plan["person"]["id"]
    scope = list_scope(principal, "funding-line")
    found = search_visible(
        conn, principal, "funding-line", SearchFilters(person=person_id), scope, None, _MAX_LINES
    )
    assessment = None
    reference = plan.get("assessment")
    if isinstance(reference, dict):
        stored = get_version(conn, reference["id"], reference["version"])
        # The engine reads only an assessment the caller may read itself (SDS-SEC-021).
        if stored is not None and store.readable(conn, principal, reference["id"], "assessment"):
            assessment = stored.document
    return plan, [r.document for r in found], assessment


def _compute(
    plan: dict[str, Any], lines: list[dict[str, Any]], assessment: dict[str, Any] | None
) -> dict[str, Any]:
    try:
        return compute_budget(plan, lines, issued_at=dt.datetime.now(dt.UTC), assessment=assessment)
    except BudgetInputError as exc:
        raise ProblemError(
            422,
            "invalid-document",
            f"the engine cannot budget these records: {exc.message}",
            errors=[Problem(exc.where, exc.message, exc.requirement or "SDS-API-017", "engine")],
        ) from None
    except RateTableError as exc:
        raise ProblemError(
            422, "invalid-document", f"no rate applies: {exc}", requirement="SDS-API-017"
        ) from None


@router.post(
    "/compute",
    operation_id="compute_budget",
    summary="Compute the individual budget of a stored support plan and store it",
    responses={
        200: {
            "description": "A new version of the plan's budget.",
            "headers": header_refs("ETag", "Location"),
            "content": {JSON: {"schema": {"type": "object"}}},
        },
        201: {
            "description": "The plan's first budget.",
            "headers": header_refs("ETag", "Location"),
            "content": {JSON: {"schema": {"type": "object"}}},
        },
        **problem_responses(401, 404, 409, 415),
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {JSON: {"schema": _REQUEST_SCHEMA}}}
    },
    response_class=Response,
)
async def compute(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    check_media_type(request, JSON)
    raw = await request.body()
    plan_id = _plan_id(parse_json(raw))
    key = parse_key(idempotency_key)
    print_ = fingerprint("POST", request.url.path, request.url.query, raw)

    def work(conn: Connection) -> StoredResponse:
        plan, lines, assessment = _inputs(conn, principal, plan_id)
        budget = _compute(plan, lines, assessment)
        current = search_visible(
            conn,
            principal,
            "individual-budget",
            SearchFilters(plan=plan_id),
            list_scope(principal, "individual-budget"),
            None,
            1,
        )
        if current:
            stored = store.update(
                conn, principal, "individual-budget", current[0].id, current[0].version, budget
            )
            return document_response(stored, principal, 200, f"/v1/budgets/{stored.id}")
        stored = store.create(conn, principal, "individual-budget", budget)
        return document_response(stored, principal, 201, f"/v1/budgets/{stored.id}")

    response = await run_in_threadpool(
        run_once, database(request, principal), principal.client_id, key, print_, work
    )
    return to_response(response)
