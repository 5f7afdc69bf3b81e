"""The database goes away under load and comes back: 503 + Retry-After, never 500, recovery.

On PostgreSQL the gateway reaches the database through a loopback proxy the test cuts; on
SQLite another process holds the database's exclusive lock (as a backup tool would).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from gateway_documents import person
from gateway_process import GatewayProcess
from sqlalchemy.engine import make_url
from tcp_proxy import LoopbackProxy

pytestmark = pytest.mark.slow

PROBLEM = "application/problem+json"


def _through_proxy(database_url: str, proxy: LoopbackProxy) -> str:
    parts = urlsplit(database_url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


@contextmanager
def _outage_setup(database_url: str) -> Iterator[tuple[str, Any]]:
    """The URL the gateway should use, and a function returning an outage context."""
    if database_url.startswith("sqlite"):
        path = make_url(database_url).database

        @contextmanager
        def locked() -> Iterator[None]:
            holder = sqlite3.connect(str(path), isolation_level=None, timeout=10)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                holder.execute("ROLLBACK")
                holder.close()

        yield database_url, locked
        return
    url = make_url(database_url)
    proxy = LoopbackProxy((url.host or "127.0.0.1", url.port or 5432)).start()

    @contextmanager
    def cut() -> Iterator[None]:
        proxy.cut()
        try:
            yield
        finally:
            proxy.restore()

    try:
        yield _through_proxy(database_url, proxy), cut
    finally:
        proxy.cut()


def test_database_outage_gives_503_with_retry_after_and_recovers(
    database_url: str, tmp_path: Path
) -> None:
    with _outage_setup(database_url) as (gateway_url, outage):
        gateway = GatewayProcess(
            gateway_url,
            tmp_path / "gateway.log",
            SDSX_DB_TIMEOUT_SECONDS="1",
            SDSX_RETRY_AFTER_SECONDS="1",
        )
        with (
            gateway,
            httpx.Client(base_url=gateway.url, timeout=10.0) as client,
        ):
            client.headers.update(gateway.headers())
            assert client.post("/v1/persons", json=person()).status_code == 201
            answers: list[httpx.Response] = []
            stop = threading.Event()

            def load() -> None:
                with httpx.Client(
                    base_url=gateway.url, headers=client.headers, timeout=10.0
                ) as mine:
                    while not stop.is_set():
                        answers.append(mine.post("/v1/persons", json=person()))
                        answers.append(mine.get("/v1/persons?limit=5"))

            workers = [threading.Thread(target=load) for _ in range(4)]
            for worker in workers:
                worker.start()
            time.sleep(0.5)
            context: AbstractContextManager[None] = outage()
            with context:
                time.sleep(1.5)
                ready = client.get("/readyz")
                assert ready.status_code == 503
                assert ready.headers["content-type"] == PROBLEM
                assert ready.headers["retry-after"] == "1"
                during = client.post("/v1/persons", json=person())
                assert during.status_code == 503, during.text
                assert during.headers["retry-after"] == "1"
                assert during.json()["type"].endswith("/unavailable")
                time.sleep(1.0)
            recovered_at = None
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if client.post("/v1/persons", json=person()).status_code == 201:
                    recovered_at = time.monotonic()
                    break
                time.sleep(0.2)
            time.sleep(0.5)
            stop.set()
            for worker in workers:
                worker.join(timeout=30)
            assert recovered_at is not None, "the gateway did not recover by itself"
            assert client.get("/readyz").status_code == 200
    statuses = {a.status_code for a in answers}
    assert statuses <= {200, 201, 503}, statuses
    assert 503 in statuses
    for answer in answers:
        if answer.status_code == 503:
            assert answer.headers["content-type"] == PROBLEM
            assert answer.headers["retry-after"] == "1"
