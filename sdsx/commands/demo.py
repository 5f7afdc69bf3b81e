"""``sdsx demo``: the whole path, over HTTP, against a real gateway on a loopback port.

It starts the gateway (uvicorn, in a thread) on a fresh SQLite database in a temporary
folder, then behaves as the organisations would: posts a persona's person record, imports
each funding stream's sample file through ``/v1/imports/{source}``, submits the persona's
own funding lines as NDJSON, posts the assessment and the support plan, asks the gateway to
compute the individual budget, fetches it and its FHIR R4 document Bundle, and prints it.
Exit 0 when every step answered as expected, 1 (with the step and the problem) otherwise.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from gateway.app import create_app
from gateway.config import Settings, sqlite_url
from spec._paths import EXAMPLES, SOURCES

__all__ = ["demo"]

SERVER_FIELDS = ("id", "version", "supersedes", "recorded_at")


class DemoFailure(Exception):
    """A step of the demo did not answer as expected."""


def _money(value: dict[str, Any] | None) -> str:
    if not value:
        return "-"
    minor = int(value["amount_minor"])
    sign = "-" if minor < 0 else ""
    pounds, pence = divmod(abs(minor), 100)
    symbol = "£" if value.get("currency") == "GBP" else f"{value.get('currency')} "
    return f"{sign}{symbol}{pounds:,}.{pence:02d}"


def _samples() -> list[tuple[str, Path, str | None]]:
    """(source, file, profile) for every sample file shipped in spec/sources/."""
    found: list[tuple[str, Path, str | None]] = []
    for folder in sorted(p for p in SOURCES.iterdir() if p.is_dir()):
        if folder.name == "council":
            for profile in sorted((folder / "profiles").glob("*.*")):
                stem = profile.stem.rsplit("-", 1)[0]
                exports = sorted(folder.glob(f"{stem}-export.*"))
                if not exports:
                    raise DemoFailure(f"no export for mapping profile {profile.name} in {folder}")
                found.append(("council", exports[0], profile.stem))
            continue
        samples = sorted(folder.glob("sample*"))
        if not samples:
            raise DemoFailure(f"no sample file in {folder}")
        found.append((folder.name, samples[0], None))
    if not found:
        raise DemoFailure(f"no source samples under {SOURCES}")
    return found


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DemoFailure(f"missing example file {path}")
    document: dict[str, Any] = orjson.loads(path.read_bytes())
    return {k: v for k, v in document.items() if k not in SERVER_FIELDS}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _gateway(folder: Path) -> Iterator[str]:
    """A gateway on a loopback port, with its own SQLite database in ``folder``."""
    app = create_app(Settings(database_url=sqlite_url(folder / "demo.db")))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="sdsx-demo-gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise DemoFailure("the gateway did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        app.state.database.dispose()


def _expect(response: httpx.Response, step: str, *statuses: int) -> dict[str, Any]:
    if response.status_code not in statuses:
        raise DemoFailure(f"{step}: HTTP {response.status_code}: {response.text[:2000]}")
    body: dict[str, Any] = response.json()
    return body


def _post(
    client: httpx.Client,
    url: str,
    step: str,
    *,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    ok: tuple[int, ...] = (200, 201),
) -> dict[str, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4()), **(headers or {})}
    response = client.post(url, json=json, content=content, headers=headers)
    return _expect(response, step, *ok)


def _run(
    client: httpx.Client, persona: Path, samples: list[tuple[str, Path, str | None]], out: Console
) -> dict[str, Any]:
    person = _post(client, "/v1/persons", "post the person", json=_read(persona / "person.json"))
    person_id = person["id"]
    out.print(f"[bold]1.[/] person stored as /v1/persons/{person_id} (version {person['version']})")

    imports = Table(title="2. Source files imported through /v1/imports/{source}")
    for column in ("source", "file", "profile", "records", "stored", "rejected"):
        imports.add_column(column)
    for source, path, profile in samples:
        params = {"file_name": path.name} | ({"profile": profile} if profile else {})
        report = _post(
            client,
            f"/v1/imports/{source}?{httpx.QueryParams(params)}",
            f"import {path.name}",
            content=path.read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        summary = report["summary"]
        imports.add_row(
            source,
            path.name,
            profile or "",
            str(summary["records"]),
            str(summary["stored"]),
            str(summary["rejected"]),
        )
    out.print(imports)

    lines_file = persona / "funding-lines.ndjson"
    if not lines_file.is_file():
        raise DemoFailure(f"missing example file {lines_file}")
    lines = []
    for raw in lines_file.read_bytes().splitlines():
        if raw.strip():
            line = orjson.loads(raw)
            lines.append(
                orjson.dumps({k: v for k, v in line.items() if k not in (*SERVER_FIELDS, "person")})
            )
    bulk = _post(
        client,
        "/v1/bulk",
        "submit the persona's funding lines",
        content=b"\n".join(lines),
        headers={"Content-Type": "application/x-ndjson"},
    )
    if bulk["summary"]["rejected"]:
        raise DemoFailure(f"funding lines rejected: {orjson.dumps(bulk['lines']).decode()}")
    out.print(
        f"[bold]3.[/] {bulk['summary']['created']} funding lines submitted as NDJSON "
        "and linked to the person by identifier"
    )

    assessment = _read(persona / "assessment.json") | {"person": {"id": person_id}}
    stored_assessment = _post(client, "/v1/assessments", "post the assessment", json=assessment)
    plan = _read(persona / "support-plan.json") | {"person": {"id": person_id}}
    if "assessment" in plan:
        plan["assessment"] = {
            "id": stored_assessment["id"],
            "version": stored_assessment["version"],
        }
    stored_plan = _post(client, "/v1/support-plans", "post the support plan", json=plan)
    out.print(
        f"[bold]4.[/] assessment and support plan stored (/v1/support-plans/{stored_plan['id']})"
    )

    response = client.post(
        "/v1/budgets/compute",
        json={"plan": stored_plan["id"]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    _expect(response, "compute the budget", 201)
    fetched = client.get(response.headers["location"])
    budget = _expect(fetched, "fetch the budget", 200)
    out.print(
        f"[bold]5.[/] budget computed and fetched from {response.headers['location']} "
        f"(ETag {fetched.headers['etag']})"
    )
    document_url = f"/fhir/r4/CarePlan/{stored_plan['id']}/$document"
    bundle = _expect(client.get(document_url), "fetch the FHIR R4 document", 200)
    kinds = Counter(entry["resource"]["resourceType"] for entry in bundle.get("entry", []))
    listed = ", ".join(f"{kind} x{count}" if count > 1 else kind for kind, count in kinds.items())
    out.print(
        f"[bold]6.[/] its FHIR R4 form from {document_url}: a {bundle['type']} Bundle of {listed}"
    )
    return budget


def _print_budget(budget: dict[str, Any], out: Console) -> None:
    period = budget["period"]
    lines = Table(
        title=f"Individual budget {period['start']} to {period['end']} "
        f"({budget['status']}), lines by source"
    )
    for column in ("source", "purpose", "awarded", "gross", "contribution", "net"):
        lines.add_column(column, justify="right" if column not in ("source", "purpose") else "left")
    for line in sorted(budget["lines"], key=lambda item: str(item["source"])):
        award = line.get("awarded") or {}
        awarded = f"{_money(award.get('amount'))} {award.get('per', '')}".strip()
        lines.add_row(
            line["source"],
            line.get("purpose", ""),
            awarded,
            _money(line.get("gross")),
            _money(line.get("contribution")),
            _money(line.get("net")),
        )
    out.print(lines)

    totals = budget["totals"]
    summary = Table(title="Totals")
    summary.add_column("figure")
    summary.add_column("amount", justify="right")
    for key in ("gross", "contribution", "net", "planned_cost", "allocated"):
        if key in totals:
            summary.add_row(key.replace("_", " "), _money(totals[key]))
    for entry in totals.get("by_source", []):
        summary.add_row(f"from {entry['source']}", _money(entry["amount"]))
    for entry in totals.get("by_option", []):
        summary.add_row(f"through {entry['sds_option']}", _money(entry["amount"]))
    if budget.get("shortfall"):
        summary.add_row(
            "shortfall",
            _money(
                budget["shortfall"].get("amount")
                if "amount" in budget["shortfall"]
                else budget["shortfall"]
            ),
        )
    out.print(summary)

    flags = budget.get("flags") or []
    if flags:
        table = Table(title="Flags")
        for column in ("severity", "flag", "rule", "message"):
            table.add_column(column)
        for flag in flags:
            table.add_row(
                flag.get("severity", ""),
                flag.get("code", ""),
                flag.get("rule", ""),
                flag.get("message", ""),
            )
        out.print(table)


def demo(
    persona: str = typer.Option("rory-combined", help="Which persona of spec/examples/valid."),
) -> None:
    """Run the whole path against a real gateway: imports, plan, budget; print the budget."""
    # Wide enough for the tables when the output is a log rather than a terminal.
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    folder = EXAMPLES / "valid" / persona
    if not folder.is_dir():
        known = sorted(p.name for p in (EXAMPLES / "valid").iterdir() if p.is_dir())
        err.print(
            f"sdsx demo: no persona {persona!r} in {EXAMPLES / 'valid'}; known: {', '.join(known)}"
        )
        raise typer.Exit(1)
    try:
        samples = _samples()
        with tempfile.TemporaryDirectory(prefix="sdsx-demo-") as temporary:
            with _gateway(Path(temporary)) as url:
                out.print(f"Gateway running at {url} (SQLite in {temporary})")
                with httpx.Client(base_url=url, timeout=60.0) as client:
                    budget = _run(client, folder, samples, out)
            _print_budget(budget, out)
    except DemoFailure as exc:
        err.print(f"sdsx demo failed: {exc}")
        raise typer.Exit(1) from None
    except httpx.HTTPError as exc:
        err.print(f"sdsx demo failed: the gateway did not answer: {exc}")
        raise typer.Exit(1) from None
    out.print("[bold green]Demo complete.[/]")
