"""Imports: a funding stream's own file through its adapter, and NDJSON bulk submission.

Both answer with a report, one entry per source record or per NDJSON line, and both store
each record all or nothing in its own savepoint inside the request's transaction
(SDS-API-009, SDS-API-016): a bad record is rolled back alone and reported, the good ones
are kept, and the whole report is committed with the Idempotency-Key, so a crash never
leaves an acknowledged import half-written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from adapters.sources import SourceError, UnknownSource, available, parse
from gateway import store
from gateway.auth import Principal, authenticate
from gateway.idempotency import StoredResponse, fingerprint, parse_key, run_once
from gateway.problems import ProblemError, problem_responses
from gateway.routers._messages import JSON, check_media_type, database, to_response
from gateway.routers.resources import COLLECTIONS, IdempotencyKey
from spec import Problem

__all__ = ["NDJSON", "router"]

NDJSON = "application/x-ndjson"
_PATHS = {kind: collection for collection, kind in COLLECTIONS.items()}

router = APIRouter(prefix="/v1", tags=["imports"])

_REPORT = {
    "content": {
        JSON: {
            "schema": {
                "type": "object",
                "description": "One result per source record (imports) or per line (bulk).",
                "properties": {
                    "summary": {"type": "object"},
                    "records": {"type": "array"},
                    "lines": {"type": "array"},
                    "problems": {"type": "array"},
                },
                "required": ["summary"],
            }
        }
    }
}


def _problems(error: ProblemError) -> list[dict[str, str]]:
    if error.errors:
        return [p.as_dict() for p in error.errors]
    return [Problem("", error.detail, error.requirement or "SDS-API-001", error.kind).as_dict()]


def _store_in_savepoint(conn: Connection, work: Any) -> tuple[Any, list[dict[str, str]]]:
    """Run ``work`` in a savepoint: its result, or the problems that rolled it back."""
    savepoint = conn.begin_nested()
    try:
        result = work()
    except ProblemError as exc:
        savepoint.rollback()
        return None, _problems(exc)
    except IntegrityError:
        savepoint.rollback()
        return None, [
            Problem(
                "", "conflicts with a record stored meanwhile", "SDS-API-009", "conflict"
            ).as_dict()
        ]
    except DataError:
        savepoint.rollback()
        return None, [
            Problem("", "a value cannot be stored as given", "SDS-API-009", "data").as_dict()
        ]
    savepoint.commit()
    return result, []


def _report(summary: dict[str, int], **parts: Any) -> StoredResponse:
    body = orjson.dumps({"summary": summary, **parts})
    return StoredResponse(200, body, {"content-type": JSON})


@router.post(
    "/imports/{source}",
    operation_id="import_source_file",
    summary="Import a funding stream's own file through its adapter",
    responses={
        200: {"description": "A report per source record.", **_REPORT},
        **problem_responses(401, 404, 409),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The file, as sent by the source.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    response_class=Response,
)
async def import_source_file(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    source: Annotated[str, Path(description="The source adapter, e.g. ilf-scotland.")],
    profile: Annotated[str | None, Query(description="Council mapping profile.")] = None,
    file_name: Annotated[str, Query(max_length=200, description="The file's name.")] = "upload",
    idempotency_key: IdempotencyKey = None,
) -> Response:
    raw = await request.body()
    key = parse_key(idempotency_key)
    print_ = fingerprint("POST", request.url.path, request.url.query, raw)
    if source not in available():
        raise ProblemError(
            404,
            "not-found",
            f"no adapter for source {source!r}; available: {', '.join(available())}",
            requirement="SDS-SRC-008",
        )
    received_at = dt.datetime.now(dt.UTC)
    try:
        result = await run_in_threadpool(
            parse, source, raw, file_name=file_name, received_at=received_at, profile=profile
        )
    except (UnknownSource, SourceError) as exc:
        raise ProblemError(422, "invalid-request", str(exc), requirement="SDS-SRC-008") from None
    if result.unusable:
        raise ProblemError(
            422,
            "invalid-document",
            "the file could not be read",
            errors=[
                Problem(p.locator, p.reason, p.requirement, p.field or "source")
                for p in result.errors()
            ],
            requirement="SDS-API-009",
        )
    lines = {line["id"]: line for line in result.lines}
    problems_by_record: dict[str, list[dict[str, str]]] = {}
    for problem in result.problems:
        problems_by_record.setdefault(problem.locator, []).append(problem.as_dict())

    def work(conn: Connection) -> StoredResponse:
        records: list[dict[str, Any]] = []
        counts = {"records": len(result.records), "stored": 0, "rejected": 0}
        for report in result.records:
            entry: dict[str, Any] = {
                "locator": report.locator,
                "status": report.status,
                "lines": [],
                "problems": problems_by_record.get(report.locator, []),
            }
            if report.status == "ok":

                def store_record(report: Any = report) -> list[dict[str, Any]]:
                    stored = []
                    for line_id in report.line_ids:
                        outcome, record = store.store_imported(conn, principal, lines[line_id])
                        stored.append(
                            {"id": record.id, "version": record.version, "outcome": outcome}
                        )
                    return stored

                stored, failed = _store_in_savepoint(conn, store_record)
                if failed:
                    entry["status"] = "rejected"
                    entry["problems"] = entry["problems"] + failed
                else:
                    entry["lines"] = stored
            counts["stored" if entry["status"] == "ok" else "rejected"] += 1
            records.append(entry)
        file_problems = problems_by_record.get("file", [])
        return _report(
            counts, source=source, file_name=file_name, records=records, problems=file_problems
        )

    response = await run_in_threadpool(
        run_once, database(request, principal), principal.client_id, key, print_, work
    )
    return to_response(response)


@router.post(
    "/bulk",
    operation_id="bulk_submit",
    summary="Create records of any type from NDJSON, one document per line",
    responses={
        200: {"description": "A result per line.", **_REPORT},
        **problem_responses(401, 409, 415),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                NDJSON: {"schema": {"type": "string", "description": "One JSON document per line."}}
            },
        }
    },
    response_class=Response,
)
async def bulk_submit(
    request: Request,
    principal: Annotated[Principal, Depends(authenticate)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    check_media_type(request, NDJSON)
    raw = await request.body()
    key = parse_key(idempotency_key)
    print_ = fingerprint("POST", request.url.path, request.url.query, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            400,
            "bad-request",
            f"the body is not UTF-8 (byte {exc.start})",
            requirement="SDS-DOC-012",
        ) from None
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]

    def work(conn: Connection) -> StoredResponse:
        results: list[dict[str, Any]] = []
        counts = {"lines": len(numbered), "created": 0, "rejected": 0}
        for number, line in numbered:
            results.append(_bulk_line(conn, principal, number, line))
            counts["created" if results[-1]["status"] == "created" else "rejected"] += 1
        return _report(counts, lines=results)

    response = await run_in_threadpool(
        run_once, database(request, principal), principal.client_id, key, print_, work
    )
    return to_response(response)


def _bulk_line(conn: Connection, principal: Principal, number: int, line: str) -> dict[str, Any]:
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        problem = Problem("", f"not JSON: {exc}", "SDS-DOC-012", "json")
        return {"line": number, "status": "rejected", "problems": [problem.as_dict()]}
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in _PATHS:
        problem = Problem("/type", f"unknown document type {kind!r}", "SDS-DOC-002", "type")
        return {"line": number, "status": "rejected", "problems": [problem.as_dict()]}
    stored, problems = _store_in_savepoint(
        conn, lambda: store.create(conn, principal, str(kind), document)
    )
    if problems:
        return {"line": number, "status": "rejected", "problems": problems}
    return {
        "line": number,
        "status": "created",
        "type": kind,
        "id": stored.id,
        "version": stored.version,
        "location": f"/v1/{_PATHS[str(kind)]}/{stored.id}",
    }
