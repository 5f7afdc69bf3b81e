"""``GET /v1/audit``: the audit chain, for auditors only (SDS-SEC-026, SDS-AUD-001).

Entries come in chain order (``seq``), a page at a time; ``after`` is the ``seq`` of the last
entry already read, so an auditor can keep its own copy up to date and check it with
``sdsx audit verify`` against the signed checkpoints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from gateway.auth import Principal, authenticate
from gateway.policy import note
from gateway.problems import ProblemError, problem_responses
from gateway.routers._messages import JSON, database
from gateway.security.audit import AuditEntry
from gateway.security.policy import AUDIT_LOG, AccessContext, RecordMeta
from gateway.security.policy import decide as decide_access
from gateway.security.tables import audit_entries

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["audit"])
PAGE_MAX = 1000

_PAGE = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"type": "object"}},
        "next_after": {"type": ["integer", "null"]},
    },
    "required": ["items", "next_after"],
}


@router.get(
    "/audit",
    operation_id="read_audit_log",
    summary="Read the audit chain (auditors only)",
    responses={
        200: {"description": "Entries in chain order.", "content": {JSON: {"schema": _PAGE}}},
        **problem_responses(401, 403),
    },
    response_class=Response,
)
async def read_audit_log(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    after: Annotated[int, Query(ge=0, le=2**62, description="Last seq already read.")] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 100,
) -> Response:
    decision = decide_access(
        principal.security,
        "read",
        RecordMeta(type=AUDIT_LOG),
        AccessContext(dt.datetime.now(dt.UTC)),
    )
    note(principal, "read-audit-log" if decision.allowed else "refused-audit-log", {})
    if not decision.allowed:
        raise ProblemError(
            403, "forbidden", "only auditors read the audit log", requirement="SDS-SEC-026"
        )

    def load() -> list[AuditEntry]:
        with database(request, principal).read() as conn:
            rows = conn.execute(
                select(audit_entries)
                .where(audit_entries.c.seq > after)
                .order_by(audit_entries.c.seq)
                .limit(limit + 1)
            )
            return [AuditEntry(**row._asdict()) for row in rows]

    entries = await run_in_threadpool(load)
    more = len(entries) > limit
    entries = entries[:limit]
    body: dict[str, Any] = {
        "items": [asdict(e) for e in entries],
        "next_after": entries[-1].seq if more else None,
    }
    return Response(orjson.dumps(body), media_type=JSON)
