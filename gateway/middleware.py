"""The outer layer every request passes: ids, body size limit, logging, metrics, last resort.

- ``X-Request-ID`` and ``X-Correlation-ID`` are taken from the request when they are sane
  (printable, at most 128 characters), generated otherwise, and echoed on every response,
  errors included (SDS-API-008).
- A body larger than ``max_body_bytes`` is answered 413 before the app sees it (SDS-API-012),
  whether announced by ``Content-Length`` or streamed.
- One structured JSON log line per request: ids, method, route, status, duration; never a
  body, so no personal data reaches the log.
- Any exception that escapes the app becomes a 500 problem with the ids; it is logged with
  its traceback.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import GatewayMetrics
from gateway.problems import PROBLEM_MEDIA_TYPE, ProblemError

__all__ = ["RequestContextMiddleware", "request_ids"]

log = logging.getLogger("sdsx.gateway.access")

_SANE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
_SCOPE_KEY = "sdsx.ids"


def request_ids(scope: Scope) -> tuple[str, str]:
    """The request id and correlation id of a request (after the middleware ran)."""
    ids: tuple[str, str] = scope.get(_SCOPE_KEY, ("", ""))
    return ids


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                text = value.decode("ascii")
            except UnicodeDecodeError:
                return None
            return text if _SANE_ID.match(text) else None
    return None


class RequestContextMiddleware:
    """Pure ASGI middleware, the outermost layer of the gateway's own stack."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: GatewayMetrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id") or str(uuid.uuid4())
        correlation_id = _header(scope, b"x-correlation-id") or request_id
        scope[_SCOPE_KEY] = (request_id, correlation_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        id_headers = [
            (b"x-request-id", request_id.encode()),
            (b"x-correlation-id", correlation_id.encode()),
        ]

        async def send_with_ids(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message = {**message, "headers": [*message.get("headers", []), *id_headers]}
            await send(message)

        async def answer(error: ProblemError) -> None:
            body = orjson.dumps(error.body(request_id))
            headers = [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in error.headers.items()),
            ]
            await send_with_ids(
                {"type": "http.response.start", "status": error.status, "headers": headers}
            )
            await send_with_ids({"type": "http.response.body", "body": body})

        try:
            body = await self._read_body(scope, receive)
            if body is None:
                await answer(
                    ProblemError(
                        413,
                        "payload-too-large",
                        f"the body exceeds the limit of {self.max_body_bytes} bytes",
                        requirement="SDS-API-012",
                    )
                )
            else:
                await self.app(scope, _replay(body), send_with_ids)
        except Exception:
            log.exception("unhandled error", extra={"sdsx": {"request_id": request_id}})
            if not response_started:
                await answer(
                    ProblemError(
                        500, "internal", "the gateway failed; quote the instance when reporting it"
                    )
                )
        finally:
            self._record(scope, status, time.perf_counter() - started, request_id, correlation_id)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or ``None`` when it is larger than the limit."""
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    if int(value) > self.max_body_bytes:
                        return None
                except ValueError:
                    pass
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _record(
        self, scope: Scope, status: int, seconds: float, request_id: str, correlation_id: str
    ) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        self.metrics.observe(scope["method"], template, status, seconds)
        fields: dict[str, Any] = {
            "request_id": request_id,
            "correlation_id": correlation_id,
            "method": scope["method"],
            "route": template,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "client_id": scope.get("sdsx.client_id"),
        }
        log.info("request", extra={"sdsx": fields})


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
