"""``sdsx token`` against a real gateway process: a newcomer's first minute, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gateway.config import sqlite_url
from gateway.security.budget_signing import sign_budget
from gateway.security.datafolder import DataFolder
from sdsx.cli import app as cli

HERE = Path(__file__).parent


def _port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = _port()
    base = f"http://127.0.0.1:{port}"
    data = tmp_path / ".sdsx"
    env = {
        **os.environ,
        "SDSX_DATABASE_URL": sqlite_url(tmp_path / "sdsx.db"),
        "SDSX_SECURITY_TEST_DATA": str(data),
        "SDSX_SECURITY_TEST_BASE": base,
        "SDSX_LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            "--factory",
            "security_app:make_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"gateway exited: {(tmp_path / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/.well-known/jwks.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("gateway did not start in 30 s")
                time.sleep(0.1)
        yield base, data
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_sdsx_token_gets_a_token_with_the_demo_keys(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    base, data = server
    key = data / "keys" / "glasgow-city.pem"
    assert key.exists()
    result = CliRunner().invoke(
        cli,
        [
            "token",
            "--client-id",
            "glasgow-city",
            "--key",
            str(key),
            "--token-url",
            f"{base}/oauth2/token",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["token_type"] == "Bearer"
    assert "person.read" in body["scope"].split()

    wrong = CliRunner().invoke(
        cli,
        [
            "token",
            "--client-id",
            "city-of-edinburgh",
            "--key",
            str(key),
            "--token-url",
            f"{base}/oauth2/token",
        ],
    )
    assert wrong.exit_code == 1
    assert "unknown-kid" in wrong.output

    budget = tmp_path / "budget.json"
    budget.write_text(
        json.dumps(
            sign_budget(
                {"type": "individual-budget", "id": "b"}, DataFolder(data).gateway_keyring().current
            )
        )
    )
    verified = CliRunner().invoke(
        cli, ["verify-budget", str(budget), "--jwks", f"{base}/.well-known/jwks.json"]
    )
    assert verified.exit_code == 0, verified.output
