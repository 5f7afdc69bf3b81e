"""Gateway load benchmark: `sdsx serve` on SQLite and PostgreSQL against a bare FastAPI endpoint.

Starts real server processes on loopback ports and drives them with a lean asyncio + httpx
load generator (one process, N concurrent clients, keep-alive connections):

- ``bare``: a FastAPI endpoint under uvicorn that only parses the same JSON body and answers;
  the yardstick, measured in the same run with the same generator, so the generator's own
  cost cancels out of the ratios;
- ``<db> writes``: validated ``POST /v1/persons`` (token check + access policy + schema +
  rules + identifier claim + version log + audit chain + commit);
- ``<db> mixed``: 80% ``GET /v1/persons/{id}`` of stored records, 20% writes.

Every gateway request carries a bearer token as a real client's does (SDS-SEC-007): the
benchmark acts as one demo council, which each server creates with its key in its own data
folder on first start, exchanging a signed client assertion at ``/oauth2/token`` and renewing
the token before it expires. The people it writes live in that council's area, so the access
policy allows them (SDS-SEC-023). The per-organisation limiter (SDS-SEC-060) stays on but is
raised far above the load, and a 429 is an error like any other non-2xx answer.

Prints requests/second, p50/p95/p99 latency, errors (with their status counts) and the ratio
to ``bare``, and exits 1 when more than 1% of any run's requests failed, so a broken benchmark
cannot print good-looking figures. PostgreSQL runs when ``--postgres URL`` or
``SDSX_TEST_POSTGRES_URL`` is given, in a fresh schema dropped afterwards. Synthetic data only.

    python bench/gateway.py [--clients 8] [--seconds 5] [--rounds 2] [--workers 1] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson
from fastapi import FastAPI, Request
from starlette.responses import Response

# Run as a script, this file's folder comes first on sys.path and its name would hide the
# gateway package; drop the folder so the package is the one imported below.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from gateway.security.access import Role  # noqa: E402 - after the path fix
from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion  # noqa: E402
from gateway.security.datafolder import DataFolder  # noqa: E402
from gateway.security.demo_orgs import DEMO_ORGANISATIONS  # noqa: E402
from gateway.security.endpoints import TOKEN_PATH  # noqa: E402
from spec.identifiers import CHI_SYSTEM, check_chi  # noqa: E402

SDSX = Path(sys.executable).with_name("sdsx")
# The algorithm of the keys ensure_demo_organisations writes for the demo organisations.
DEMO_ALG = "ES256"
# A run whose failed share is above this fails the benchmark (exit 1).
MAX_ERROR_SHARE = 0.01
# The limiter still runs on every request, but this is far above what 2 cores can serve.
UNTHROTTLED_RATE = 1_000_000
# Issue 4's goals for one SQLite node at 8 concurrent clients.
GOAL_WRITES_PER_SECOND = 300
GOAL_P95_MS = 100.0
GOAL_RATIO = 0.5


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
    """Synthetic person documents in one council area, each with a CHI number not used before."""

    def __init__(self, seed: int, council_area: str) -> None:
        self._rng = random.Random(seed)
        self._issued: set[str] = set()
        self.council_area = council_area

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "standard": "sdsx/1.0",
                "type": "person",
                "identifiers": [{"system": CHI_SYSTEM, "value": _chi(self._rng, self._issued)}],
                "name": {"given": "Bench", "family": f"Person{self._rng.randrange(10**6)}"},
                "birth_date": "1990-01-01",
                "council_area": self.council_area,
            }
        )


def council(organisation_id: str) -> str:
    """The council area code of a demo council, which its access policy lets it write."""
    for org_id, _name, role, code, _kind in DEMO_ORGANISATIONS:
        if org_id == organisation_id:
            if role is not Role.COUNCIL:
                raise SystemExit(f"--council {organisation_id}: a {role.value}, not a council")
            return code
    raise SystemExit(f"--council {organisation_id}: not a demo organisation")


class TokenRefused(Exception):
    """The token endpoint did not issue a token; the request that needed it failed."""

    def __init__(self, status: int) -> None:
        super().__init__(f"/oauth2/token answered {status}")
        self.status = status


class BearerToken:
    """One organisation's access token, obtained as clients do and renewed before it expires.

    Tokens live at most 300 seconds (SDS-SEC-007), so a long run renews its token once
    ``margin`` seconds (at most a fifth of the lifetime) remain; one renewal serves all the
    concurrent clients that find it due.
    """

    def __init__(
        self,
        *,
        organisation: str,
        data_dir: Path,
        token_url: str,
        margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.organisation = organisation
        self.token_url = token_url
        self.margin = margin
        self.issued = 0
        self._key = DataFolder(data_dir).private_key_file(organisation)
        self._clock = clock
        self._renew_at = -math.inf
        self._header: dict[str, str] = {}
        self._lock = asyncio.Lock()

    def due(self) -> bool:
        return self._clock() >= self._renew_at

    async def headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        if self.due():
            async with self._lock:
                if self.due():
                    await self._renew(client)
        return self._header

    async def _renew(self, client: httpx.AsyncClient) -> None:
        requested_at = self._clock()
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": make_client_assertion(
                client_id=self.organisation,
                token_url=self.token_url,
                private_pem=self._key.read_bytes(),
                alg=DEMO_ALG,
            ),
        }
        answer = await client.post(self.token_url, data=form)
        if answer.status_code != 200:
            raise TokenRefused(answer.status_code)
        body = answer.json()
        # The renewal is timed from when the token was asked for, never later than it expires.
        lifetime = float(body["expires_in"])
        self._renew_at = requested_at + lifetime - min(self.margin, lifetime / 5)
        self._header = {"Authorization": f"Bearer {body['access_token']}"}
        self.issued += 1


@dataclass
class Result:
    """One timed run: latencies of the expected answers, and every other outcome by status."""

    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    @property
    def error_share(self) -> float:
        attempts = len(self.latencies) + self.errors
        return self.errors / attempts if attempts else 1.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def failed_runs(results: list[Result], limit: float = MAX_ERROR_SHARE) -> list[Result]:
    """The runs whose share of failed requests is above ``limit`` (an empty run fails)."""
    return [r for r in results if r.error_share > limit]


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
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        # The token audience is the public URL, which must be the address served here.
        env={**os.environ, "SDSX_PUBLIC_URL": url, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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


Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def expected_status(method: str) -> int:
    """The one status a benchmark request may answer: 201 for a create, 200 for a read."""
    return 201 if method == "POST" else 200


async def _drive(name: str, url: str, clients: int, seconds: float, send: Send) -> Result:
    """``clients`` concurrent loops of ``send`` for ``seconds``, timing the expected answers."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    result = Result(name, seconds)

    async def attempt(client: httpx.AsyncClient) -> bool:
        try:
            answer = await send(client)
        except TokenRefused as refused:
            result.failures[f"token {refused.status}"] += 1
            return False
        except httpx.HTTPError as exc:
            result.failures[type(exc).__name__] += 1
            return False
        if answer.status_code != expected_status(answer.request.method):
            result.failures[str(answer.status_code)] += 1
            return False
        return True

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        # Warm the connections and the server before timing; a failure here still counts.
        await asyncio.gather(*(attempt(client) for _ in range(clients)))
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                if await attempt(client):
                    result.latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        result.seconds = time.perf_counter() - began
    return result


async def _gateway_runs(
    label: str, url: str, args: argparse.Namespace, people: People, token: BearerToken
) -> list[Result]:
    stored: list[str] = []

    async def write(client: httpx.AsyncClient) -> httpx.Response:
        headers = {"Content-Type": "application/json", **await token.headers(client)}
        answer = await client.post("/v1/persons", content=people.body(), headers=headers)
        if answer.status_code == 201:
            stored.append(answer.headers["location"])
        return answer

    async def mixed(client: httpx.AsyncClient) -> httpx.Response:
        if random.random() < 0.2 or not stored:
            return await write(client)
        return await client.get(random.choice(stored), headers=await token.headers(client))

    return [
        await _drive(f"{label} writes", url, args.clients, args.seconds, write),
        await _drive(f"{label} mixed 80/20", url, args.clients, args.seconds, mixed),
    ]


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


@contextmanager
def _gateway(args: argparse.Namespace, database_url: str | None) -> Iterator[tuple[str, Path]]:
    """A fresh ``sdsx serve`` with its own data folder (and SQLite file unless a URL is given)."""
    serve = [str(SDSX), "serve", "--log-level", "warning", "--workers", str(args.workers)]
    with tempfile.TemporaryDirectory(prefix="sdsx-bench-") as folder:
        data_dir = Path(folder) / "data"
        env = {
            "SDSX_DATABASE_URL": database_url or f"sqlite+pysqlite:///{Path(folder) / 'bench.db'}",
            "SDSX_DATA_DIR": str(data_dir),
            # Demo organisations are created only outside production mode (SDS-SEC-070).
            "SDSX_PRODUCTION": "0",
            "SDSX_RATE_PER_SECOND": str(UNTHROTTLED_RATE),
            "SDSX_RATE_BURST": str(UNTHROTTLED_RATE),
        }
        with _server(serve, env) as url:
            yield url, data_dir


async def _round(args: argparse.Namespace, people: People) -> tuple[list[Result], int]:
    """One round of every run; also how many tokens were issued to the benchmark."""
    results: list[Result] = []
    with _server([sys.executable, __file__, "--bare-server"], {}) as url:

        async def bare(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post(
                "/bare", content=people.body(), headers={"Content-Type": "application/json"}
            )

        name = "bare FastAPI (parse only)"
        results.append(await _drive(name, url, args.clients, args.seconds, bare))
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        databases.append(("postgres", args.postgres))
    tokens = 0
    for label, base in databases:
        with (
            _postgres_schema(base) if base else nullcontext() as database_url,
            _gateway(args, database_url) as (url, data_dir),
        ):
            token = BearerToken(
                organisation=args.council, data_dir=data_dir, token_url=url + TOKEN_PATH
            )
            results += await _gateway_runs(label, url, args, people, token)
            tokens += token.issued
    return results, tokens


def _print_table(results: list[Result]) -> None:
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


def failure_lines(rounds: list[list[Result]]) -> list[str]:
    """One line per run and round that had any failure, with its outcomes by status."""
    lines = []
    for number, results in enumerate(rounds, 1):
        for r in results:
            if r.failures:
                counts = ", ".join(f"{status} x {n}" for status, n in r.failures.most_common())
                lines.append(
                    f"errors in {r.name}, round {number}: {counts} ({r.error_share:.1%} of "
                    f"{len(r.latencies) + r.errors} requests)"
                )
    return lines


def goal_lines(best: dict[str, Result]) -> list[str]:
    """Issue 4's goals for SQLite writes, each said as met or not met."""
    writes, bare = best.get("sqlite writes"), best.get("bare FastAPI (parse only)")
    if writes is None or bare is None or not bare.rate:
        return []
    checks = [
        (f">= {GOAL_WRITES_PER_SECOND} writes/s", writes.rate >= GOAL_WRITES_PER_SECOND),
        (f"p95 < {GOAL_P95_MS:.0f} ms", writes.percentile(0.95) < GOAL_P95_MS),
        (f"ratio to bare >= {GOAL_RATIO}", writes.rate / bare.rate >= GOAL_RATIO),
        ("no errors", writes.errors == 0),
    ]
    return [f"goal (SQLite writes) {what}: {'met' if ok else 'NOT met'}" for what, ok in checks]


def _print_facts(args: argparse.Namespace, tokens: int, load_before: float) -> None:
    import fastapi
    import sqlalchemy
    import uvicorn

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, FastAPI {fastapi.__version__}, uvicorn "
        f"{uvicorn.__version__}, SQLAlchemy {sqlalchemy.__version__}; 1-minute load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )
    print(
        f"load generator: asyncio + httpx {httpx.__version__} in one process, "
        f"{args.clients} concurrent clients, keep-alive; gateway with {args.workers} worker(s)"
    )
    print(
        f"auth: every gateway request carries a bearer token of {args.council} ({DEMO_ALG} "
        f"client assertion at {TOKEN_PATH}; {tokens} tokens issued in all); per-organisation "
        f"rate limit raised to {UNTHROTTLED_RATE:,}/s so it is checked but never throttles; "
        f"any answer but 201 (write) or 200 (read) is an error"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="per run and round")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many rounds")
    parser.add_argument("--postgres", default=os.environ.get("SDSX_TEST_POSTGRES_URL", ""))
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument(
        "--council", default="city-of-edinburgh", help="the demo council the benchmark acts as"
    )
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        import uvicorn

        uvicorn.run(
            _bare_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False
        )
        return
    people = People(2013, council(args.council))
    load_before = os.getloadavg()[0]
    rounds: list[list[Result]] = []
    tokens = 0
    for _ in range(args.rounds):
        # Rounds interleave the yardstick and the gateway, so a busy neighbour on a shared
        # machine slows both; the best round of each is kept.
        results, issued = asyncio.run(_round(args, people))
        rounds.append(results)
        tokens += issued
    best: dict[str, Result] = {}
    for result in (r for results in rounds for r in results):
        if result.name not in best or result.rate > best[result.name].rate:
            best[result.name] = result
    _print_facts(args, tokens, load_before)
    if not args.postgres:
        print("PostgreSQL skipped: pass --postgres URL or set SDSX_TEST_POSTGRES_URL")
    _print_table(list(best.values()))
    for line in [*failure_lines(rounds), *goal_lines(best)]:
        print(line)
    # Every round counts here, not only the best: one that failed must not hide behind another.
    failed = failed_runs([r for results in rounds for r in results])
    if failed:
        names = ", ".join(sorted({r.name for r in failed}))
        print(f"FAILED: more than {MAX_ERROR_SHARE:.0%} of requests failed in: {names}")
        sys.exit(1)


if __name__ == "__main__":
    main()
