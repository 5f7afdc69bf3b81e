"""Liveness, readiness and metrics: what an orchestrator and Prometheus ask."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from gateway.metrics import CONTENT_TYPE_LATEST, GatewayMetrics
from gateway.problems import ProblemError, problem_responses
from gateway.routers._messages import database

__all__ = ["router"]

router = APIRouter(tags=["operations"])
log = logging.getLogger("sdsx.gateway")


@router.get("/healthz", operation_id="healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="The process can serve: the database answers",
    responses=problem_responses(503),
)
async def readyz(request: Request) -> dict[str, str]:
    try:
        await run_in_threadpool(database(request).ping)
    except SQLAlchemyError as exc:
        log.warning("database not ready", extra={"sdsx": {"error": type(exc).__name__}})
        seconds = request.app.state.settings.retry_after_seconds
        raise ProblemError(
            503,
            "unavailable",
            "the database does not answer",
            requirement="SDS-API-015",
            headers={"Retry-After": str(seconds)},
        ) from None
    return {"status": "ready"}


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics of this process",
    response_class=Response,
    responses={
        200: {
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
            "description": "Prometheus text exposition format.",
        }
    },
)
async def metrics(request: Request) -> Response:
    registry: GatewayMetrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
