"""The reference gateway and deliberately broken copies of it, in one process.

Run as ``python mutant_gateway.py PORT DATABASE_URL DATA_DIR``. Requests under ``/mutant/<name>/``
reach the reference app through the mutant ``<name>``: a tiny ASGI middleware with exactly
one defect. Everything else reaches the reference app unchanged. The conformance suite is
pointed at ``http://127.0.0.1:PORT/mutant/<name>`` and must catch each defect with the check
of the requirement it breaks.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn

from gateway.app import create_app
from gateway.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Rewrite = Callable[[Scope, int, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]

PREFIX = "/mutant/"


async def _call(app: App, scope: Scope, receive: Receive) -> tuple[int, dict[str, str], bytes]:
    """Run ``app`` for ``scope`` and collect its whole response."""
    status = 500
    headers: dict[str, str] = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.update({k.decode(): v.decode() for k, v in message.get("headers", [])})
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, collect)
    return status, headers, b"".join(chunks)


async def _reply(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _replayable(receive: Receive) -> Receive:
    """A ``receive`` that can be handed to the app more than once (same body each time)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)

    async def again() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def response_mutant(rewrite: Rewrite) -> Callable[[App], App]:
    def wrap(app: App) -> App:
        async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
            status, headers, body = await _call(app, scope, receive)
            await _reply(send, *rewrite(scope, status, headers, body))

        return mutant

    return wrap


def _set_header(scope: Scope, name: str, value: str | None) -> None:
    kept = [(k, v) for k, v in scope["headers"] if k.decode().lower() != name]
    if value is not None:
        kept.append((name.encode(), value.encode()))
    scope["headers"] = kept


def _header(scope: Scope, name: str) -> str | None:
    for k, v in scope["headers"]:
        if k.decode().lower() == name:
            return str(v.decode())
    return None


def if_match_ignored(app: App) -> App:
    """Defect: updates never need a current If-Match (it looks the current ETag up itself)."""

    async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT":
            probe = dict(scope, method="GET", headers=list(scope["headers"]))

            async def nothing() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            _, headers, _ = await _call(app, probe, nothing)
            if "etag" in headers:
                _set_header(scope, "if-match", headers["etag"])
        await app(scope, receive, send)

    return mutant


def idempotency_ignored(app: App) -> App:
    """Defect: Idempotency-Key is dropped, so a retried POST creates a second record."""

    async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            _set_header(scope, "idempotency-key", None)
        await app(scope, receive, send)

    return mutant


def media_type_ignored(app: App) -> App:
    """Defect: any Content-Type is read as JSON."""

    async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _header(scope, "content-type") == "text/plain":
            _set_header(scope, "content-type", "application/json")
        await app(scope, receive, send)

    return mutant


def _server_error(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: bad input is answered 500."""
    return (500 if status in (400, 422) else status), headers, body


def _plain_json(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: errors are served as plain application/json."""
    if headers.get("content-type", "").startswith("application/problem+json"):
        headers["content-type"] = "application/json"
    return status, headers, body


def _broken_cursor(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: list pages never offer the next page."""
    if status == 200 and scope["method"] == "GET" and scope["path"].count("/") == 2:
        page = json.loads(body)
        if isinstance(page, dict) and "next_cursor" in page:
            page["next_cursor"] = page["next"] = None
            body = json.dumps(page).encode()
    return status, headers, body


def _rounding(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: the budget's line nets and net total are rounded down to whole pounds."""
    if scope["path"].endswith("/budgets/compute") and status in (200, 201):
        budget = json.loads(body)
        for line in budget.get("lines", []):
            line["net"]["amount_minor"] -= line["net"]["amount_minor"] % 100
        budget["totals"]["net"]["amount_minor"] = sum(
            line["net"]["amount_minor"] for line in budget.get("lines", [])
        )
        body = json.dumps(budget).encode()
    return status, headers, body


def _field_dropped(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: a person read back has lost its communication needs."""
    if scope["method"] == "GET" and scope["path"].startswith("/v1/persons/") and status == 200:
        document = json.loads(body)
        if isinstance(document, dict):
            document.pop("communication_needs", None)
            body = json.dumps(document).encode()
    return status, headers, body


def _request_id_dropped(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: error responses lose X-Request-ID."""
    if status >= 400:
        headers = {k: v for k, v in headers.items() if k.lower() != "x-request-id"}
    return status, headers, body


def _history_truncated(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: a record's history lists only its latest version."""
    if scope["path"].endswith("/history") and status == 200:
        page = json.loads(body)
        page["items"] = page["items"][-1:]
        body = json.dumps(page).encode()
    return status, headers, body


def _versions_unreadable(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: no version can be read from a record's history, though the contract links it."""
    parts = scope["path"].split("/")
    if len(parts) == 6 and parts[4] == "history" and status == 200:
        problem = {"type": "about:blank", "title": "Not found", "status": 404, "detail": "none"}
        headers = {"content-type": "application/problem+json"}
        return 404, headers, json.dumps(problem).encode()
    return status, headers, body


def readable_by_others(collection: str = "") -> Callable[[App], App]:
    """Defect: a record another organisation created is readable (a tenant leak).

    It remembers who created each record and, when a read of that record is refused with
    404, answers it again with the creator's credentials. With ``collection`` the leak is in
    one role's rule only (e.g. ``funding-lines``: any funder reads every funder's lines).
    """

    def wrap(app: App) -> App:
        creators: dict[str, str] = {}

        async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            receive = await _replayable(receive)
            status, headers, body = await _call(app, scope, receive)
            authorization = _header(scope, "authorization")
            parts = scope["path"].split("/")
            leaks = not collection or (len(parts) > 2 and parts[2] == collection)
            if scope["method"] == "POST" and status == 201 and authorization and leaks:
                creators[json.loads(body).get("id", "")] = authorization
            known = len(parts) > 3 and parts[3] in creators
            if scope["method"] == "GET" and status == 404 and known:
                _set_header(scope, "authorization", creators[parts[3]])
                status, headers, body = await _call(app, scope, receive)
            await _reply(send, status, headers, body)

        return mutant

    return wrap


def forged_token_accepted(app: App) -> App:
    """Defect: a refused bearer token is replaced by the last one that worked."""
    last_good: list[str] = []

    async def mutant(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await app(scope, receive, send)
            return
        receive = await _replayable(receive)
        status, headers, body = await _call(app, scope, receive)
        authorization = _header(scope, "authorization")
        if status == 401 and authorization and last_good:
            _set_header(scope, "authorization", last_good[-1])
            status, headers, body = await _call(app, scope, receive)
        elif status < 400 and authorization:
            last_good.append(authorization)
        await _reply(send, status, headers, body)

    return mutant


def _fhir_field_dropped(scope: Scope, status: int, headers: dict[str, str], body: bytes) -> Any:
    """Defect: the FHIR Patient loses the person's birth date."""
    if scope["path"].startswith("/fhir/r4/Patient/") and status == 200:
        resource = json.loads(body)
        resource.pop("birthDate", None)
        body = json.dumps(resource).encode()
    return status, headers, body


MUTANTS: dict[str, Callable[[App], App]] = {
    "fhir-field-dropped": response_mutant(_fhir_field_dropped),
    "other-council-readable": readable_by_others(),
    "other-funder-lines-readable": readable_by_others("funding-lines"),
    "other-board-assessments-readable": readable_by_others("assessments"),
    "board-reads-unnamed-people": readable_by_others("persons"),
    "budget-read-without-consent": readable_by_others("budgets"),
    "forged-token-accepted": forged_token_accepted,
    "if-match-ignored": if_match_ignored,
    "idempotency-ignored": idempotency_ignored,
    "media-type-ignored": media_type_ignored,
    "server-error-on-bad-input": response_mutant(_server_error),
    "plain-json-errors": response_mutant(_plain_json),
    "broken-cursor": response_mutant(_broken_cursor),
    "rounding-changed": response_mutant(_rounding),
    "field-dropped": response_mutant(_field_dropped),
    "request-id-dropped": response_mutant(_request_id_dropped),
    "history-truncated": response_mutant(_history_truncated),
    "versions-unreadable": response_mutant(_versions_unreadable),
}


def dispatcher(reference: App) -> App:
    mutants = {name: make(reference) for name, make in MUTANTS.items()}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            name, _, rest = scope["path"][len(PREFIX) :].partition("/")
            if name in mutants:
                scope = dict(scope, path="/" + rest, raw_path=("/" + rest).encode())
                await mutants[name](scope, receive, send)
                return
        await reference(scope, receive, send)

    return app


if __name__ == "__main__":
    port, database_url, data_dir = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        public_url=f"http://127.0.0.1:{port}",
        rate_per_second=0,
    )
    reference = create_app(settings)
    uvicorn.run(dispatcher(reference), host="127.0.0.1", port=port, log_level="warning")
