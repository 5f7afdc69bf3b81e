"""Time a full conformance run against a local reference gateway, group by group.

Starts ``sdsx serve`` on a loopback port with a fresh SQLite file and data folder (or uses
``--target`` and ``--data-dir``), acts as the demo organisations it creates with their own
keys (as a council, an NHS board or a funder: ``--role``), runs every check at level full,
and prints the time per group, the total, and the verdict counts. The issue's goal: a full
run under 60 seconds.

    python bench/conformance.py [--target URL --data-dir DIR] [--seed N] [--role ROLE]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

# Run as a script, this file's folder comes first on sys.path and its name would hide the
# conformance package; drop the folder so the package is the one imported below.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from conformance.capabilities import parse_capabilities  # noqa: E402 - after the path fix
from conformance.results import counts  # noqa: E402
from conformance.session import run_against  # noqa: E402
from conformance.target import Target  # noqa: E402
from sdsx.commands.conformance import DEMO_CLIENTS  # noqa: E402


def capabilities(url: str, data_dir: Path, role: str = "council") -> dict[str, object]:
    """Full-level capabilities as the demo organisations of ``role``, keys from ``data_dir``."""
    return {
        "role": role,
        "level": "full",
        "features": ["contract", "behaviour", "budget-compute", "imports", "security", "fhir"],
        "authentication": "private-key-jwt",
        "token_audience": f"{url}/oauth2/token",
        "clients": [
            {
                "client_id": org,
                "key_file": str(data_dir / "keys" / f"{org}.pem"),
                "organisation": code,
                "role": client_role,
            }
            for org, code, client_role in DEMO_CLIENTS[role]
        ],
    }


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {
        **os.environ,
        "SDSX_DATABASE_URL": f"sqlite+pysqlite:///{folder / 'bench.db'}",
        "SDSX_DATA_DIR": str(folder / "data"),
        "SDSX_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SDSX_RATE_PER_SECOND": "0",
    }
    sdsx = Path(sys.executable).with_name("sdsx")
    process = subprocess.Popen(
        [str(sdsx), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the reference gateway did not start within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="a running sdsx serve (default: start one)")
    parser.add_argument("--data-dir", type=Path, help="that target's data folder (demo keys)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--role", choices=sorted(DEMO_CLIENTS), default="council")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        process = None
        url, data_dir = args.target, args.data_dir
        if url is None:
            process, url = _serve(Path(scratch))
            data_dir = Path(scratch) / "data"
        if data_dir is None:
            raise SystemExit("--target needs --data-dir, the folder holding the demo keys")
        try:
            with Target(url, parse_capabilities(capabilities(url, data_dir, args.role))) as target:
                started = time.perf_counter()
                record = run_against(target, out=Path(scratch) / "report", seed=args.seed)
                total = time.perf_counter() - started
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    print(f"{'group':<12} {'seconds':>8} {'checks':>7}")
    for group, ms in record.groups.items():
        n = sum(1 for r in record.results if r.group == group)
        print(f"{group:<12} {ms / 1000:>8.2f} {n:>7}")
    print(f"{'total':<12} {total:>8.2f} {len(record.results):>7}")
    print(" ".join(f"{k}={v}" for k, v in counts(record.results).items()))
    print(f"exit code {record.exit_code}; goal: under 60 s -> {'met' if total < 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
