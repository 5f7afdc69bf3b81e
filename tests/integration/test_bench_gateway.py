"""The gateway benchmark's own logic: its token as a council, and what it counts as an error.

``bench/gateway.py`` is a script, never run by pytest; these tests pin the parts that keep
its figures honest: every request carries a token the gateway issued (renewed before the
300-second expiry, SDS-SEC-007) for a council writing people of its own area (SDS-SEC-023),
and any answer but the expected one, a 429 included, is an error that can fail the run.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from gateway_tokens import BASE

from gateway.app import create_app
from gateway.config import Settings
from gateway.security.datafolder import DataFolder
from gateway.security.endpoints import TOKEN_PATH

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gateway.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sdsx_bench_gateway", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


class YieldingTransport(httpx.ASGITransport):
    """The real app in process, letting other tasks run first as a network round trip does."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        return await super().handle_async_request(request)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_token_serves_all_clients_and_is_renewed_before_it_expires(
    settings: Settings,
) -> None:
    app = create_app(settings)
    clock = Clock()
    token = bench.BearerToken(
        organisation="city-of-edinburgh",
        data_dir=settings.data_dir,
        token_url=BASE + TOKEN_PATH,
        clock=clock,
    )
    people = bench.People(7, bench.council("city-of-edinburgh"))

    async def scenario() -> None:
        transport = YieldingTransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            first = await asyncio.gather(*(token.headers(client) for _ in range(8)))
            assert token.issued == 1
            assert all(h == first[0] for h in first)
            created = await client.post(
                "/v1/persons",
                content=people.body(),
                headers={"Content-Type": "application/json", **first[0]},
            )
            assert created.status_code == 201, created.text
            clock.now += 300 - 60 - 1  # still a minute and a second left
            assert await token.headers(client) == first[0]
            clock.now += 1
            renewed = await token.headers(client)
            assert token.issued == 2
            assert renewed != first[0]
            read = await client.get(created.headers["location"], headers=renewed)
            assert read.status_code == 200, read.text

    try:
        asyncio.run(scenario())
    finally:
        app.state.database.dispose()


def test_a_refused_token_request_raises_rather_than_sending_no_token(
    settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings)
    # Another folder where Edinburgh's key file holds Glasgow's key: the signature is wrong.
    wrong = DataFolder(tmp_path / "wrong")
    wrong.keys_dir.mkdir(parents=True)
    glasgow = DataFolder(settings.data_dir).private_key_file("glasgow-city")
    wrong.private_key_file("city-of-edinburgh").write_bytes(glasgow.read_bytes())
    token = bench.BearerToken(
        organisation="city-of-edinburgh", data_dir=wrong.root, token_url=BASE + TOKEN_PATH
    )

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            await token.headers(client)

    try:
        with pytest.raises(bench.TokenRefused) as refused:
            asyncio.run(scenario())
        assert refused.value.status == 401
        assert token.issued == 0
    finally:
        app.state.database.dispose()


def test_only_councils_can_be_the_benchmark_client() -> None:
    assert bench.council("glasgow-city") == "S12000049"
    with pytest.raises(SystemExit, match="not a council"):
        bench.council("ilf-scotland")
    with pytest.raises(SystemExit, match="not a demo organisation"):
        bench.council("nowhere")


def _run(successes: int, **failures: int) -> object:
    result = bench.Result("sqlite writes", 1.0, [0.01] * successes)
    result.failures.update({status.lstrip("s"): n for status, n in failures.items()})
    return result


def test_more_than_one_percent_of_failures_fails_the_run() -> None:
    assert bench.failed_runs([_run(99, s429=1)]) == []
    over = _run(98, s429=1, s401=1)
    assert bench.failed_runs([over, _run(10)]) == [over]
    assert bench.failed_runs([_run(0)]) == [_run(0)]  # a run that did nothing proves nothing
    (line,) = bench.failure_lines([[_run(10)], [over]])
    assert line.startswith("errors in sqlite writes, round 2: 429 x 1, 401 x 1 (2.0% of 100")


def test_only_the_expected_status_is_a_success() -> None:
    assert bench.expected_status("POST") == 201
    assert bench.expected_status("GET") == 200
