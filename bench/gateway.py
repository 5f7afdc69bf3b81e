"""Gateway load benchmark: `sdsx serve` on SQLite and PostgreSQL against a bare FastAPI endpoint.

Starts real server processes on loopback ports and drives them with a lean asyncio + httpx
load generator (one process, N concurrent clients, keep-alive connections):

- ``bare``: a FastAPI endpoint under uvicorn that only parses the same JSON body and answers;
  the yardstick, measured in the same run with the same generator, so the generator's own
  cost cancels out of the ratios;
- ``<db> writes``: validated ``POST /v1/persons`` (schema + rules + identifier claim + version
  log + commit);
- ``<db> mixed``: 80% ``GET /v1/persons/{id}`` of stored records, 20% writes.

Prints requests/second, p50/p95/p99 latency, errors and the ratio to ``bare``. PostgreSQL runs
when ``--postgres URL`` or ``SDSX_TEST_POSTGRES_URL`` is given, in a fresh schema dropped
afterwards. Synthetic data only.

    python bench/gateway.py [--clients 8] [--seconds 5] [--rounds 2] [--workers 1] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson
from fastapi import FastAPI, Request
from starlette.responses import Response

from spec.identifiers import CHI_SYSTEM, check_chi

SDSX = Path(sys.executable).with_name("sdsx")


def _chi(rng: random.Random, issued: set[str]) -> str:
    while True:
        body = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randrange(100):02d}"
        body += f"{rng.randrange(1000):03d}"
        for last in "0123456789":
            number = body + last
            if check_chi(number) is None and number not in issued:
                issued.add(number)
                return number


class People:
    """Synthetic person documents, each with a CHI number not used before in the run."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._issued: set[str] = set()

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "standard": "sdsx/1.0",
                "type": "person",
                "identifiers": [{"system": CHI_SYSTEM, "value": _chi(self._rng, self._issued)}],
                "name": {"given": "Bench", "family": f"Person{self._rng.randrange(10**6)}"},
                "birth_date": "1990-01-01",
                "council_area": "S12000036",
            }
        )


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"server for {url} did not start")


@contextmanager
def _server(command: list[str], env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/bare")
    async def bare(request: Request) -> Response:
        document = orjson.loads(await request.body())
        return Response(
            orjson.dumps({"type": document.get("type")}), 201, media_type="application/json"
        )

    return app


async def _drive(
    name: str,
    url: str,
    clients: int,
    seconds: float,
    request: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]],
    ok: Callable[[httpx.Response], bool],
) -> Result:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        # Warm the connections and the server before timing.
        await asyncio.gather(*(request(client) for _ in range(clients)))
        result = Result(name, seconds)
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                try:
                    answer = await request(client)
                except httpx.HTTPError:
                    result.errors += 1
                    continue
                if ok(answer):
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        result.seconds = time.perf_counter() - began
    return result


def _gateway_runs(
    label: str, url: str, clients: int, seconds: float, people: People
) -> list[Result]:
    headers = {"Content-Type": "application/json"}
    stored: list[str] = []

    async def write(client: httpx.AsyncClient) -> httpx.Response:
        answer = await client.post("/v1/persons", content=people.body(), headers=headers)
        if answer.status_code == 201:
            stored.append(answer.headers["location"])
        return answer

    async def mixed(client: httpx.AsyncClient) -> httpx.Response:
        if random.random() < 0.2 or not stored:
            return await write(client)
        return await client.get(random.choice(stored))

    writes = asyncio.run(
        _drive(f"{label} writes", url, clients, seconds, write, lambda r: r.status_code == 201)
    )
    mix = asyncio.run(
        _drive(
            f"{label} mixed 80/20",
            url,
            clients,
            seconds,
            mixed,
            lambda r: r.status_code in (200, 201),
        )
    )
    return [writes, mix]


@contextmanager
def _postgres_schema(base_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    name = f"sdsx_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options={quote(f'-csearch_path={name}')}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


def _print(results: list[Result], clients: int) -> None:
    import fastapi
    import sqlalchemy
    import uvicorn

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, FastAPI {fastapi.__version__}, uvicorn "
        f"{uvicorn.__version__}, SQLAlchemy {sqlalchemy.__version__}"
    )
    print(
        f"load generator: asyncio + httpx {httpx.__version__} in one process, "
        f"{clients} concurrent clients, keep-alive"
    )
    bare = results[0].rate or 1.0
    print(
        f"{'run':<26}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'x bare':>8}"
    )
    for r in results:
        print(
            f"{r.name:<26}{len(r.latencies):>9}{r.rate:>9.0f}{r.percentile(0.50):>9.1f}"
            f"{r.percentile(0.95):>9.1f}{r.percentile(0.99):>9.1f}{r.errors:>8}"
            f"{r.rate / bare:>8.2f}"
        )


def _round(args: argparse.Namespace, people: People) -> list[Result]:
    results: list[Result] = []
    with _server([sys.executable, __file__, "--bare-server"], {}) as url:

        async def bare(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post(
                "/bare", content=people.body(), headers={"Content-Type": "application/json"}
            )

        results.append(
            asyncio.run(
                _drive(
                    "bare FastAPI (parse only)",
                    url,
                    args.clients,
                    args.seconds,
                    bare,
                    lambda r: r.status_code == 201,
                )
            )
        )
    serve = [str(SDSX), "serve", "--log-level", "warning", "--workers", str(args.workers)]
    with tempfile.TemporaryDirectory() as folder:
        env = {"SDSX_DATABASE_URL": f"sqlite+pysqlite:///{Path(folder) / 'bench.db'}"}
        with _server(serve, env) as url:
            results += _gateway_runs("sqlite", url, args.clients, args.seconds, people)
    if args.postgres:
        with (
            _postgres_schema(args.postgres) as database_url,
            _server(serve, {"SDSX_DATABASE_URL": database_url}) as url,
        ):
            results += _gateway_runs("postgres", url, args.clients, args.seconds, people)
    else:
        print("PostgreSQL skipped: pass --postgres URL or set SDSX_TEST_POSTGRES_URL")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="per run and round")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many rounds")
    parser.add_argument("--postgres", default=os.environ.get("SDSX_TEST_POSTGRES_URL", ""))
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        import uvicorn

        uvicorn.run(
            _bare_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False
        )
        return
    people = People(2013)
    best: dict[str, Result] = {}
    for _ in range(args.rounds):
        # Rounds interleave the yardstick and the gateway, so a busy neighbour on a shared
        # machine slows both; the best round of each is kept.
        for result in _round(args, people):
            if result.name not in best or result.rate > best[result.name].rate:
                best[result.name] = result
    results = list(best.values())
    _print(results, args.clients)


if __name__ == "__main__":
    main()
