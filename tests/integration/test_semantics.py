"""HTTP semantics on SQLite and PostgreSQL: idempotency, ids, limits, problems, probes."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson
import pytest
from gateway_client import ApiClient
from gateway_documents import person
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.app import create_app
from gateway.config import Settings
from gateway.idempotency import advisory_lock_id

PROBLEM = "application/problem+json"


def test_idempotent_post_replays_the_stored_response_byte_for_byte(api: ApiClient) -> None:
    body = orjson.dumps(person())
    headers = {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}
    first = api.post("/v1/persons", content=body, headers=headers)
    again = api.post("/v1/persons", content=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len(api.get("/v1/persons").json()["items"]) == 1


def test_same_key_with_another_body_is_422(api: ApiClient) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post("/v1/persons", json=person(), headers=key).status_code == 201
    reused = api.post("/v1/persons", json=person(), headers=key)
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("/idempotency-key-reused")


def test_keys_are_scoped_to_the_client(api: ApiClient) -> None:
    body = orjson.dumps(person())
    key = str(uuid.uuid4())
    for client in ("city-of-edinburgh", "glasgow-city"):
        response = api.acting_as(client).post(
            "/v1/persons",
            content=body,
            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
        )
        # The second organisation's key finds nothing of the first's (no replay of a record
        # it may not see): a fresh create, which the policy refuses for another area.
        assert response.status_code == (201 if client == "city-of-edinburgh" else 403)
        assert "idempotent-replayed" not in response.headers


def test_refused_request_does_not_consume_its_key(api: ApiClient) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    bad = api.post("/v1/persons", json=person() | {"council_area": "x"}, headers=key)
    assert bad.status_code == 422
    assert api.post("/v1/persons", json=person(), headers=key).status_code == 201


def test_malformed_key_is_400(api: ApiClient) -> None:
    response = api.post("/v1/persons", json=person(), headers={"Idempotency-Key": "short"})
    assert response.status_code == 400


def test_request_and_correlation_ids_are_echoed_or_generated(api: ApiClient) -> None:
    given = api.get(
        "/v1/persons/nope", headers={"X-Request-ID": "req-1", "X-Correlation-ID": "conv-9"}
    )
    assert given.status_code == 404
    assert given.headers["x-request-id"] == "req-1"
    assert given.headers["x-correlation-id"] == "conv-9"
    assert given.json()["instance"] == "urn:sdsx:request:req-1"
    made = api.get("/healthz")
    assert uuid.UUID(made.headers["x-request-id"])
    assert made.headers["x-correlation-id"] == made.headers["x-request-id"]


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("DELETE", "/v1/persons", {}, 405),
        ("GET", "/v1/nothing-here", {}, 404),
        ("POST", "/v1/persons", {"Content-Type": "text/plain"}, 415),
        ("POST", "/v1/persons", {"Content-Type": "application/json"}, 400),
        ("GET", "/v1/persons?limit=0", {}, 422),
        ("GET", "/v1/persons/x/history/0", {}, 422),
        ("GET", "/v1/persons", {"Authorization": "Bearer not-a-token"}, 401),
        ("PUT", f"/v1/persons/{uuid.uuid4()}", {"If-Match": "nonsense"}, 400),
    ],
)
def test_every_error_is_problem_json(
    api: ApiClient, method: str, url: str, headers: dict[str, str], status: int
) -> None:
    response = api.request(method, url, headers=headers, content=b"{not json")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("https://spec.sdsx.scot/v1/problems/")
    assert response.headers["x-request-id"]


def test_oversized_body_is_413_before_parsing(settings: Settings) -> None:
    import httpx
    from anyio.from_thread import start_blocking_portal

    small = create_app(replace(settings, max_body_bytes=1000))
    with start_blocking_portal() as portal:

        async def call() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=small), base_url="http://t"
            ) as client:
                return await client.post(
                    "/v1/bulk",
                    content=b"x" * 5000,
                    headers={"Content-Type": "application/x-ndjson"},
                )

        response = portal.call(call)
    small.state.database.dispose()
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


def test_probes_and_metrics(api: ApiClient) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    assert api.get("/readyz").json() == {"status": "ready"}
    api.get("/v1/persons")
    text = api.get("/metrics").text
    assert 'sdsx_http_requests_total{method="GET",route="/v1/persons",status="200"}' in text


def _hold_writes(database_url: str) -> Callable[[], None]:
    """Block every writer, as another process's long transaction would; returns the release."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")

        def release_sqlite() -> None:
            holder.execute("ROLLBACK")
            holder.close()

        return release_sqlite
    engine = create_engine(database_url)
    conn = engine.connect()
    conn.execute(text("LOCK TABLE records IN EXCLUSIVE MODE"))

    def release() -> None:
        conn.rollback()
        conn.close()
        engine.dispose()

    return release


def test_retry_while_the_first_is_running_is_409(api: ApiClient, database_url: str) -> None:
    body = orjson.dumps(person())
    headers = {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}
    release = _hold_writes(database_url)
    first: list[Any] = []
    runner = threading.Thread(
        target=lambda: first.append(api.post("/v1/persons", content=body, headers=headers))
    )
    runner.start()
    try:
        time.sleep(0.5)
        retry = api.post("/v1/persons", content=body, headers=headers)
    finally:
        release()
        runner.join(timeout=30)
    assert retry.status_code == 409
    assert retry.json()["type"].endswith("/idempotency-in-flight")
    assert retry.headers["retry-after"]
    assert first[0].status_code == 201
    replay = api.post("/v1/persons", content=body, headers=headers)
    assert replay.content == first[0].content


def test_key_in_flight_in_another_process_is_409_on_postgres(
    api: ApiClient, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite writers queue on the database lock instead (see gateway.idempotency)")
    key = str(uuid.uuid4())
    engine = create_engine(database_url)
    with engine.connect() as other_process:
        other_process.execute(
            text("SELECT pg_advisory_xact_lock(:k)"),
            {"k": advisory_lock_id("city-of-edinburgh", key)},
        )
        busy = api.post("/v1/persons", json=person(), headers={"Idempotency-Key": key})
        other_process.rollback()
    engine.dispose()
    assert busy.status_code == 409
    assert (
        api.post("/v1/persons", json=person(), headers={"Idempotency-Key": key}).status_code == 201
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "person", "name": {"given": "A\\u0000B"}}',
        b"[" * 5000 + b"]" * 5000,
        b'{"type": "person", "birth_date": 1e400}',
        b'{"type": "person", "identifiers": NaN}',
        b"\xef\xbb\xbf{}",
        b'"just a string"',
        b"\xff\xfe",
    ],
)
def test_malformed_or_hostile_bodies_are_4xx_problems(api: ApiClient, body: bytes) -> None:
    response = api.post("/v1/persons", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == PROBLEM


def test_nul_character_is_pointed_at(api: ApiClient) -> None:
    document = person()
    document["name"]["given"] = "A\x00B"
    response = api.post("/v1/persons", json=document)
    assert response.status_code == 422
    assert "/name/given" in {e["pointer"] for e in response.json()["errors"]}


def test_an_unexpected_failure_is_a_500_problem_with_the_ids(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    import httpx
    from anyio.from_thread import start_blocking_portal

    caplog.set_level(logging.INFO, logger="sdsx.gateway.access")
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("a bug, not bad input")

    app.add_api_route("/boom", boom)
    with start_blocking_portal() as portal:

        async def call() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client:
                return await client.get("/boom", headers={"X-Request-ID": "trace-500"})

        response = portal.call(call)
    app.state.database.dispose()
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["x-request-id"] == "trace-500"
    assert response.json()["instance"] == "urn:sdsx:request:trace-500"
    access = [r for r in caplog.records if r.name == "sdsx.gateway.access" and r.msg == "request"]
    assert access[-1].sdsx["request_id"] == "trace-500"  # type: ignore[attr-defined]
    assert access[-1].sdsx["status"] == 500  # type: ignore[attr-defined]


def test_a_key_is_forgotten_after_the_24_hour_window(api: ApiClient, database_url: str) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.post("/v1/persons", json=person(), headers=key).status_code == 201
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET created_at = '2000-01-01T00:00:00.000000Z'"))
    engine.dispose()
    assert api.post("/v1/persons", json=person(), headers=key).status_code == 201
