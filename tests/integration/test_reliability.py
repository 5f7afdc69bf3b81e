"""Reliability with real processes and real databases (SQLite file, PostgreSQL schema).

Each test runs ``sdsx serve`` processes on loopback ports and hits them concurrently. The
counts are sized for CI (seconds each); ``bench/gateway.py`` runs larger loads.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from gateway_documents import chi, person
from gateway_process import GatewayProcess

pytestmark = pytest.mark.slow

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def gateways(database_url: str, tmp_path: Path) -> Iterator[list[GatewayProcess]]:
    """Two gateway processes on one database, as behind a load balancer."""
    started: list[GatewayProcess] = []
    try:
        for n in range(2):
            started.append(GatewayProcess(database_url, tmp_path / f"gateway{n}.log").start())
        yield started
    finally:
        for gateway in started:
            gateway.stop()


@pytest.fixture
def clients(gateways: list[GatewayProcess]) -> Iterator[list[httpx.Client]]:
    """One pooled HTTP client per gateway process."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    opened = [
        httpx.Client(base_url=g.url, headers=g.headers(), timeout=30.0, limits=limits)
        for g in gateways
    ]
    try:
        yield opened
    finally:
        for client in opened:
            client.close()


def _run(count: int, workers: int, task: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, range(count)))


def _all_persons(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = "/v1/persons?limit=100"
    while url:
        page = client.get(url).json()
        found += page["items"]
        url = page["next"]
    return found


def test_50_concurrent_creates_of_one_identifier_store_exactly_one(
    clients: list[httpx.Client],
) -> None:
    body = orjson.dumps(person(chi_number=chi()))
    start = threading.Barrier(50)

    def create(n: int) -> httpx.Response:
        start.wait()
        return clients[n % 2].post("/v1/persons", content=body, headers=JSON)

    responses = _run(50, 50, create)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 49}, statuses
    winner = next(r for r in responses if r.status_code == 201).json()["id"]
    assert {r.json().get("existing") for r in responses if r.status_code == 409} == {
        f"/v1/persons/{winner}"
    }
    assert [p["id"] for p in _all_persons(clients[0])] == [winner]


def test_20_clients_updating_one_record_lose_no_update(clients: list[httpx.Client]) -> None:
    created = clients[0].post("/v1/persons", json=person()).json()
    url = f"/v1/persons/{created['id']}"
    births = ["1980-01-02", "1981-03-04", "1982-05-06", "1983-07-08"]

    def edit(n: int) -> Counter[int]:
        seen: Counter[int] = Counter()
        client = clients[n % 2]
        for _ in range(5):
            current = client.get(url)
            document = current.json() | {"birth_date": random.choice(births)}
            answer = client.put(url, json=document, headers={"If-Match": current.headers["etag"]})
            seen[answer.status_code] += 1
        return seen

    totals: Counter[int] = sum(_run(20, 20, edit), Counter())
    assert set(totals) <= {200, 412}, totals
    assert totals[200] >= 1
    final = clients[1].get(url).json()
    assert final["version"] == 1 + totals[200]
    history = clients[0].get(f"{url}/history?limit=100").json()["items"]
    assert [d["version"] for d in history] == list(range(1, final["version"] + 1))


def test_200_posts_each_sent_3_times_store_200_records(clients: list[httpx.Client]) -> None:
    bodies = [orjson.dumps(person()) for _ in range(200)]
    keys = [str(uuid.uuid4()) for _ in range(200)]
    sends = [n for n in range(200) for _ in range(3)]
    random.Random(4).shuffle(sends)

    def send(i: int) -> tuple[int, int, bytes]:
        n = sends[i]
        for _ in range(200):
            answer = clients[i % 2].post(
                "/v1/persons", content=bodies[n], headers={**JSON, "Idempotency-Key": keys[n]}
            )
            if not answer.headers.get("content-type", "").startswith("application/problem") or (
                not answer.json()["type"].endswith("/idempotency-in-flight")
            ):
                return n, answer.status_code, answer.content
            time.sleep(0.05)  # in flight: retry, as a client honouring Retry-After would
        raise AssertionError("still in flight after 200 retries")

    results = _run(len(sends), 24, send)
    assert {status for _, status, _ in results} == {201}
    by_key: dict[int, set[bytes]] = {}
    for n, _, content in results:
        by_key.setdefault(n, set()).add(content)
    assert all(len(replies) == 1 for replies in by_key.values())
    stored = _all_persons(clients[0])
    assert len(stored) == 200
    assert {p["id"] for p in stored} == {orjson.loads(next(iter(r)))["id"] for r in by_key.values()}


def _bulk(batch: int, size: int) -> bytes:
    return b"\n".join(
        orjson.dumps(person() | {"name": {"given": "Batch", "family": f"B{batch}"}})
        for _ in range(size)
    )


def test_kill_9_during_bulk_imports_loses_no_acknowledged_write(
    database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(9)
    acknowledged: dict[int, list[str]] = {}
    sent: dict[int, bytes] = {}
    keys: dict[int, str] = {}
    batches = itertools.count()
    for run in range(3):
        gateway = GatewayProcess(database_url, tmp_path / f"run{run}.log").start()
        stop = threading.Event()

        def load(gateway: GatewayProcess = gateway, stop: threading.Event = stop) -> None:
            with httpx.Client(
                base_url=gateway.url, headers=gateway.headers(), timeout=10.0
            ) as client:
                while not stop.is_set():
                    batch = next(batches)
                    sent[batch], keys[batch] = _bulk(batch, 20), str(uuid.uuid4())
                    try:
                        answer = client.post(
                            "/v1/bulk",
                            content=sent[batch],
                            headers={
                                "Content-Type": "application/x-ndjson",
                                "Idempotency-Key": keys[batch],
                            },
                        )
                    except httpx.TransportError:
                        return
                    assert answer.status_code == 200, answer.text
                    assert answer.json()["summary"]["created"] == 20, answer.text
                    acknowledged[batch] = [line["id"] for line in answer.json()["lines"]]

        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(rng.uniform(0.5, 1.5))
        gateway.kill()
        stop.set()
        loader.join(timeout=30)
    with (
        GatewayProcess(database_url, tmp_path / "after.log") as gateway,
        httpx.Client(base_url=gateway.url, headers=gateway.headers(), timeout=30.0) as client,
    ):
        stored = _all_persons(client)
        ids = {p["id"] for p in stored}
        assert all(set(lines) <= ids for lines in acknowledged.values())
        per_batch = Counter(p["name"]["family"] for p in stored)
        assert set(per_batch.values()) <= {20}, per_batch  # never half a batch
        # A batch cut off in flight is either absent or whole; its retry settles it.
        for batch in set(sent) - set(acknowledged):
            retry = client.post(
                "/v1/bulk",
                content=sent[batch],
                headers={"Content-Type": "application/x-ndjson", "Idempotency-Key": keys[batch]},
            )
            assert retry.status_code == 200
        assert Counter(p["name"]["family"] for p in _all_persons(client)) == {
            f"B{b}": 20 for b in sent
        }
    assert len(acknowledged) >= 3
