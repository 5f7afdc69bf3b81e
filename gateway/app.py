"""The gateway application factory: ``create_app(settings) -> FastAPI``.

Every error leaves as ``application/problem+json`` (SDS-API-001): problems raised by the
gateway, FastAPI's own request validation (422 with a JSON pointer per error), Starlette's
404/405, a database that does not answer in time (503 with ``Retry-After``, SDS-API-015),
a database constraint nobody foresaw (409) and, through the middleware, anything else (500).

Security (issue #6) is built here too: the organisation registry and keys in the data folder
(demo organisations on a first local start, refused in production), the token and JWKS
endpoints, the audit log, and the security headers on every response (SDS-SEC-061).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.config import Settings
from gateway.logs import configure_logging
from gateway.metrics import GatewayMetrics
from gateway.middleware import RequestContextMiddleware, request_ids
from gateway.migrations import upgrade
from gateway.openapi_links import add_links
from gateway.pagination import CursorCodec
from gateway.problems import PROBLEM_HEADERS, ProblemDetails, ProblemError, problem_response
from gateway.routers import audit, budgets, fhir, health, imports
from gateway.routers._messages import RECORD_HEADERS
from gateway.routers.resources import COLLECTIONS, collection_router
from gateway.security.endpoints import GatewaySecurity, build_security, security_router
from gateway.security.ratelimit import security_headers
from gateway.storage import open_database
from gateway.storage.tables import gateway_secrets
from spec import Problem
from spec.problems import pointer

__all__ = ["create_app", "create_app_from_env"]

log = logging.getLogger("sdsx.gateway")

_HTTP_KINDS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    401: "unauthenticated",
    403: "forbidden",
}


class SecurityHeadersMiddleware:
    """Adds the security headers to every response (SDS-SEC-061); pure ASGI, no buffering."""

    _DOCS = ("/docs", "/redoc")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._api = [(k.lower().encode(), v.encode()) for k, v in security_headers().items()]
        self._docs = [
            (k.lower().encode(), v.encode()) for k, v in security_headers(docs=True).items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._docs if str(scope.get("path", "")).startswith(self._DOCS) else self._api

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _security(settings: Settings, database: Any) -> GatewaySecurity:
    return build_security(
        engine=database.writer,
        data_dir=settings.data_dir,
        base_url=settings.public_url,
        production=settings.production,
        rate_per_second=settings.rate_per_second,
        burst=settings.rate_burst,
        checkpoint_every=settings.audit_checkpoint_every,
    )


def _cursor_secret(settings: Settings, database: Any) -> bytes:
    if settings.cursor_secret:
        return settings.cursor_secret.encode()
    with database.engine.connect() as conn:
        value = conn.execute(
            select(gateway_secrets.c.value).where(gateway_secrets.c.name == "cursor")
        ).scalar_one()
    return bytes.fromhex(value)


def _answer(request: Request, error: ProblemError) -> Response:
    return problem_response(error, request_ids(request.scope)[0])


def _methods_by_path(routers: list[APIRouter]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each route's path pattern and methods, to name them all in a 405's ``Allow``."""
    return [
        (route.path_regex, frozenset(route.methods or ()))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (RFC 9110, section 15.5.6).

    Starlette names only the methods of the first route whose path matched, but GET and
    POST on one path are two routes here, so a 405 for DELETE offered POST alone.
    """
    table: list[tuple[re.Pattern[str], frozenset[str]]] = request.app.state.methods
    path = request.url.path
    methods = {m for pattern, served in table if pattern.match(path) for m in served}
    return ", ".join(sorted(methods))


def _install_problem_handlers(app: FastAPI, settings: Settings, metrics: GatewayMetrics) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return _answer(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            Problem(
                pointer([str(p) for p in err.get("loc", ())]),
                str(err.get("msg", "")),
                "SDS-API-013",
                str(err.get("type", "")),
            )
            for err in exc.errors()
        ]
        return _answer(
            request,
            ProblemError(
                422,
                "invalid-request",
                "the request's parameters are not valid",
                requirement="SDS-API-013",
                errors=errors,
            ),
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = _HTTP_KINDS.get(exc.status_code, "bad-request")
        detail = str(exc.detail) if exc.detail else kind
        headers = dict(exc.headers or {})
        # The framework's own routes (/openapi.json, /docs) keep the framework's Allow.
        allowed = _allowed_methods(request) if exc.status_code == 405 else ""
        if allowed:
            headers["Allow"] = allowed
        return _answer(request, ProblemError(exc.status_code, kind, detail, headers=headers))

    async def on_database_down(request: Request, exc: Exception) -> Response:
        metrics.db_unavailable.inc()
        log.warning(
            "database unavailable",
            extra={
                "sdsx": {"request_id": request_ids(request.scope)[0], "error": type(exc).__name__}
            },
        )
        return _answer(
            request,
            ProblemError(
                503,
                "unavailable",
                "the database did not answer in time; retry later",
                requirement="SDS-API-015",
                headers={"Retry-After": str(settings.retry_after_seconds)},
            ),
        )

    async def on_integrity(request: Request, exc: Exception) -> Response:
        log.warning(
            "constraint violated",
            extra={
                "sdsx": {"request_id": request_ids(request.scope)[0], "error": type(exc).__name__}
            },
        )
        return _answer(
            request,
            ProblemError(
                409, "conflict", "the write conflicts with a record stored meanwhile; retry"
            ),
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)

    async def on_data(request: Request, exc: Exception) -> Response:
        log.warning(
            "value refused by the database",
            extra={
                "sdsx": {"request_id": request_ids(request.scope)[0], "error": type(exc).__name__}
            },
        )
        return _answer(
            request,
            ProblemError(
                422,
                "invalid-request",
                "a value in the request cannot be stored as given",
                requirement="SDS-API-001",
            ),
        )

    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(DataError, on_data)
    for kind in (OperationalError, PoolTimeout, DBAPIError):
        app.add_exception_handler(kind, on_database_down)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A gateway for ``settings`` (from the environment when omitted).

    Raises :class:`~gateway.security.errors.ConfigurationError` when the security
    configuration is unsafe (production with demo keys or no organisations): start-up stops.
    """
    settings = settings or Settings.from_env()
    database = open_database(settings)
    metrics = GatewayMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    if settings.migrate_on_startup:
        upgrade(database.writer)
    try:
        security = _security(settings, database)
    except Exception:
        database.dispose()
        raise
    app = FastAPI(
        title="SDS Exchange gateway",
        version="1.0.0",
        summary="Exchange Self-directed Support records: people, assessments, support plans, "
        "funding lines and individual budgets.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics = metrics
    app.state.security = security
    app.state.cursors = CursorCodec(_cursor_secret(settings, database))
    _install_problem_handlers(app, settings, metrics)
    routers = [
        health.router,
        security_router(security),
        imports.router,
        budgets.router,
        audit.router,
        fhir.router,
        *(collection_router(collection, kind) for collection, kind in COLLECTIONS.items()),
    ]
    for router in routers:
        app.include_router(router)
    app.state.methods = _methods_by_path(routers)
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics
    )
    app.add_middleware(SecurityHeadersMiddleware)
    _publish_problem_schema(app)
    return app


def _publish_problem_schema(app: FastAPI) -> None:
    """Keep the error schemas, response headers and links in the served OpenAPI contract."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.setdefault(
                "ProblemDetails",
                ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}"),
            )
            components.setdefault("OperationOutcome", fhir.OPERATION_OUTCOME_SCHEMA)
            headers = schema["components"].setdefault("headers", {})
            headers.update({**PROBLEM_HEADERS, **RECORD_HEADERS})
            _publish_bearer_scheme(schema)
            _drop_null_from_parameters(schema)
            app.openapi_schema = add_links(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _drop_null_from_parameters(schema: dict[str, Any]) -> None:
    """Publish an optional parameter as its type alone, not ``anyOf: [type, null]``.

    FastAPI describes ``str | None = None`` as possibly null, but a query string or header
    has no null: an absent parameter is the None. Left in, clients (and schemathesis) send
    the text "null" believing it valid (SDS-API-018: the contract says what the app reads).
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                described = parameter.get("schema", {})
                variants = described.get("anyOf", [])
                kept = [v for v in variants if v != {"type": "null"}]
                if variants and len(kept) == 1:
                    del described["anyOf"]
                    parameter["schema"] = {**kept[0], **described}


_PUBLIC_PATHS = frozenset({"/fhir/r4/metadata"})


def _publish_bearer_scheme(schema: dict[str, Any]) -> None:
    """Say in the OpenAPI which operations need a bearer token, and how to get one."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /oauth2/token (client credentials with a "
        "signed JWT client assertion, RFC 7523); `sdsx token` gets one.",
    }
    for path, operations in schema.get("paths", {}).items():
        if path.startswith(("/v1", "/fhir")) and path not in _PUBLIC_PATHS:
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings and JSON logging from the environment."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
