"""``sdsx demo``: the whole path, over HTTP, against a real gateway on a loopback port.

It starts the gateway (uvicorn, in a thread) on a fresh SQLite database in a temporary
folder, whose first start creates the demo organisations and their keys there. Each
organisation then authenticates with its own key (a signed JWT client assertion exchanged
at ``/oauth2/token``) and does its own part: the council posts the persona's person record
and imports its export; ILF Scotland, DWP Access to Work, SAAS and the NHS board import
their sample files through ``/v1/imports/{source}`` and submit the persona's lines of their
own source as NDJSON; the council posts the assessment and the support plan, asks the
gateway to compute the individual budget, fetches it and its FHIR R4 document Bundle, and
prints it.
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
import yaml
from rich.console import Console
from rich.table import Table

from gateway.app import create_app
from gateway.config import Settings, sqlite_url
from gateway.security.access import Role, role_rules
from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion
from gateway.security.datafolder import DataFolder
from gateway.security.demo_orgs import DEMO_ORGANISATIONS
from spec._paths import EXAMPLES, SOURCES

__all__ = ["demo"]

SERVER_FIELDS = ("id", "version", "supersedes", "recorded_at")


class DemoFailure(Exception):
    """A step of the demo did not answer as expected."""


def _organisation(role: Role, code: str | None = None, source: str | None = None) -> str:
    """The demo organisation of ``role`` with official ``code`` or owning funding ``source``."""
    for org_id, _name, org_role, org_code, kind in DEMO_ORGANISATIONS:
        if org_role is not role:
            continue
        if code is not None and org_code == code:
            return org_id
        funder = role_rules(role).kinds.get(kind or "")
        if source is not None and funder is not None and funder.owns(source):
            return org_id
    raise DemoFailure(f"no demo {role.value} organisation for {code or source}")


def _line_owner(line: dict[str, Any], council: str) -> str:
    """Which demo organisation submits a funding line: its payer, or its source's funder."""
    payer = line.get("payer") or {}
    if payer.get("kind") == "council-area":
        return council
    if payer.get("kind") == "health-board":
        return _organisation(Role.HEALTH_BOARD, code=str(payer.get("code")))
    return _organisation(Role.FUNDER, source=str(line.get("source")))


# The organisation that sends each funding stream's own file (the council's is the council).
_SOURCE_ORGANISATIONS = {
    "ilf-scotland": "ilf-scotland",
    "dwp-access-to-work": "dwp-access-to-work",
    "saas-dsa": "saas",
    "nhs-board": "nhs-lothian",
}


def _profile_council(profile: str | None) -> str:
    """The demo council whose export a council mapping profile reads (its ``council`` code)."""
    found = sorted((SOURCES / "council" / "profiles").glob(f"{profile}.*"))
    if not profile or not found:
        raise DemoFailure(f"no council mapping profile {profile!r}")
    code = yaml.safe_load(found[0].read_text(encoding="utf-8")).get("council")
    return _organisation(Role.COUNCIL, code=str(code))


class Sessions:
    """Bearer tokens for the demo organisations, each from its own key in the data folder."""

    def __init__(self, client: httpx.Client, data_dir: Path, token_url: str) -> None:
        self._client = client
        self._folder = DataFolder(data_dir)
        self._token_url = token_url
        self._headers: dict[str, dict[str, str]] = {}

    def headers(self, organisation: str) -> dict[str, str]:
        if organisation not in self._headers:
            assertion = make_client_assertion(
                client_id=organisation,
                token_url=self._token_url,
                private_pem=self._folder.private_key_file(organisation).read_bytes(),
                alg="ES256",
            )
            form = {
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion,
            }
            answer = self._client.post("/oauth2/token", data=form)
            token = _expect(answer, f"get a token for {organisation}", 200)["access_token"]
            self._headers[organisation] = {"Authorization": f"Bearer {token}"}
        return self._headers[organisation]


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
    port = _free_port()
    settings = Settings(
        database_url=sqlite_url(folder / "demo.db"),
        data_dir=folder / "data",
        public_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings)
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
    auth: dict[str, str],
    url: str,
    step: str,
    *,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    ok: tuple[int, ...] = (200, 201),
) -> dict[str, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4()), **auth, **(headers or {})}
    response = client.post(url, json=json, content=content, headers=headers)
    return _expect(response, step, *ok)


def _run(
    client: httpx.Client,
    sessions: Sessions,
    persona: Path,
    samples: list[tuple[str, Path, str | None]],
    out: Console,
) -> dict[str, Any]:
    person_document = _read(persona / "person.json")
    council = _organisation(Role.COUNCIL, code=str(person_document.get("council_area")))
    as_council = sessions.headers(council)
    person = _post(client, as_council, "/v1/persons", "post the person", json=person_document)
    person_id = person["id"]
    out.print(f"[bold]1.[/] person stored as /v1/persons/{person_id} (version {person['version']})")

    imports = Table(title="2. Source files imported through /v1/imports/{source}")
    for column in ("source", "sent by", "file", "profile", "records", "stored", "rejected"):
        imports.add_column(column)
    for source, path, profile in samples:
        params = {"file_name": path.name} | ({"profile": profile} if profile else {})
        sender = _SOURCE_ORGANISATIONS.get(source) or _profile_council(profile)
        report = _post(
            client,
            sessions.headers(sender),
            f"/v1/imports/{source}?{httpx.QueryParams(params)}",
            f"import {path.name}",
            content=path.read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        summary = report["summary"]
        imports.add_row(
            source,
            sender,
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
    by_owner: dict[str, list[bytes]] = {}
    for raw in lines_file.read_bytes().splitlines():
        if raw.strip():
            line = orjson.loads(raw)
            kept = {k: v for k, v in line.items() if k not in (*SERVER_FIELDS, "person")}
            by_owner.setdefault(_line_owner(line, council), []).append(orjson.dumps(kept))
    created = 0
    for owner, lines in by_owner.items():
        bulk = _post(
            client,
            sessions.headers(owner),
            "/v1/bulk",
            f"submit the persona's funding lines as {owner}",
            content=b"\n".join(lines),
            headers={"Content-Type": "application/x-ndjson"},
        )
        if bulk["summary"]["rejected"]:
            raise DemoFailure(f"funding lines rejected: {orjson.dumps(bulk['lines']).decode()}")
        created += bulk["summary"]["created"]
    out.print(
        f"[bold]3.[/] {created} funding lines submitted as NDJSON by "
        f"{', '.join(by_owner)}, each for its own source, and linked to the person by identifier"
    )

    assessment = _read(persona / "assessment.json") | {"person": {"id": person_id}}
    stored_assessment = _post(
        client, as_council, "/v1/assessments", "post the assessment", json=assessment
    )
    plan = _read(persona / "support-plan.json") | {"person": {"id": person_id}}
    if "assessment" in plan:
        plan["assessment"] = {
            "id": stored_assessment["id"],
            "version": stored_assessment["version"],
        }
    stored_plan = _post(client, as_council, "/v1/support-plans", "post the support plan", json=plan)
    out.print(
        f"[bold]4.[/] assessment and support plan stored (/v1/support-plans/{stored_plan['id']})"
    )

    response = client.post(
        "/v1/budgets/compute",
        json={"plan": stored_plan["id"]},
        headers={"Idempotency-Key": str(uuid.uuid4()), **as_council},
    )
    _expect(response, "compute the budget", 201)
    fetched = client.get(response.headers["location"], headers=as_council)
    budget = _expect(fetched, "fetch the budget", 200)
    out.print(
        f"[bold]5.[/] budget computed and fetched from {response.headers['location']} "
        f"(ETag {fetched.headers['etag']})"
    )
    document_url = f"/fhir/r4/CarePlan/{stored_plan['id']}/$document"
    bundle = _expect(
        client.get(document_url, headers=as_council), "fetch the FHIR R4 document", 200
    )
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
                out.print(f"Demo organisations and their keys in {Path(temporary) / 'data'}")
                with httpx.Client(base_url=url, timeout=60.0) as client:
                    sessions = Sessions(client, Path(temporary) / "data", url + "/oauth2/token")
                    budget = _run(client, sessions, folder, samples, out)
            _print_budget(budget, out)
    except DemoFailure as exc:
        err.print(f"sdsx demo failed: {exc}")
        raise typer.Exit(1) from None
    except httpx.HTTPError as exc:
        err.print(f"sdsx demo failed: the gateway did not answer: {exc}")
        raise typer.Exit(1) from None
    out.print("[bold green]Demo complete.[/]")
