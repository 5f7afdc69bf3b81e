"""Real gateway processes for the reliability tests: ``sdsx serve`` on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from gateway_tokens import BASE, token_form

__all__ = ["GatewayProcess", "free_port"]

SDSX = Path(sys.executable).with_name("sdsx")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class GatewayProcess:
    """One ``sdsx serve`` process; its stderr (JSON logs) goes to ``log_path``.

    Processes started with the same ``log_path`` folder share one data folder (demo
    organisations and the gateway's keys) and one public URL, as behind a load balancer: a
    token from one is good at the others. Start them one after another.
    """

    def __init__(self, database_url: str, log_path: Path, **env: str) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.data_dir = log_path.parent / ".sdsx"
        self.env = {
            **os.environ,
            "SDSX_DATABASE_URL": database_url,
            "SDSX_DB_POOL_SIZE": "5",
            "SDSX_LOG_LEVEL": "WARNING",
            "SDSX_DATA_DIR": str(self.data_dir),
            "SDSX_PUBLIC_URL": BASE,
            "SDSX_RATE_PER_SECOND": "0",
            **env,
        }
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> GatewayProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SDSX), "serve", "--port", str(self.port), "--log-level", "warning"],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gateway exited early; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"gateway did not start in {timeout}s; see {self.log_path}")

    def headers(self, organisation: str = "city-of-edinburgh") -> dict[str, str]:
        """A bearer token for a demo organisation, from this process's token endpoint."""
        form = token_form(self.data_dir, organisation)
        answer = httpx.post(f"{self.url}/oauth2/token", data=form, timeout=10.0)
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what a power cut looks like to the process."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> GatewayProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
