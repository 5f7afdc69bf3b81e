"""``sdsx conformance``: prove a system speaks the standard, with one command.

``run`` tests a live API, ``check-docs`` tests exported files, ``verify`` checks a signed
certificate, ``doctor`` checks a target before a run, ``coverage`` lists what verifies each
requirement of the catalogue. Reports go to ``conformance-report/``.
Exit codes: 0 every applicable MUST passed; 1 a MUST failed or could not be verified;
2 the run could not be made (unreachable target, bad arguments or files); 3 the suite erred.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

from conformance.capabilities import (
    FEATURES,
    Capabilities,
    CapabilitiesError,
    Client,
    load_capabilities,
)
from conformance.certificate import verify_certificate
from conformance.coverage import coverage_gaps, not_automated, verified_requirements
from conformance.doctor import diagnose
from conformance.reports import REPORT_DIR
from conformance.results import EXIT_CANNOT_RUN, EXIT_SUITE_ERROR, Outcome, Result, counts
from conformance.run import RunRecord
from conformance.session import NothingToCheck, check_documents, run_against
from conformance.target import CannotReach, Target
from conformance.waivers import WaiverError, load_waivers

__all__ = ["DEMO_CLIENTS", "app"]

app = typer.Typer(
    help="Conformance suite: test a system's API or exported documents against the standard.",
    no_args_is_help=True,
)
# Without a capabilities file: what any exchange API is expected to do. Imports need a
# funder's client, security a second organisation's, FHIR its endpoints; declare them.
_DEFAULT_FEATURES = frozenset({"documents", "contract", "behaviour", "budget-compute"})
# The reference gateway's demo organisations a run acts as with --demo-keys, per role: the
# main client, another organisation of the same role (cross-organisation reads), and a helper
# (a funder that sends a council run's import file; the council that stores the people an
# NHS board or funder run names).
DEMO_CLIENTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "council": (
        ("glasgow-city", "S12000049", "council"),
        ("city-of-edinburgh", "S12000036", "council"),
        ("ilf-scotland", "ilf-scotland", "funder"),
    ),
    "health-board": (
        ("nhs-ggc", "S08000031", "health-board"),
        ("nhs-lothian", "S08000024", "health-board"),
        ("glasgow-city", "S12000049", "council"),
    ),
    "funder": (
        ("ilf-scotland", "ilf-scotland", "funder"),
        ("dwp-access-to-work", "dwp-access-to-work", "funder"),
        ("glasgow-city", "S12000049", "council"),
    ),
}


def _demo_capabilities(keys: Path, level: str | None, role: str | None = None) -> Capabilities:
    """Capabilities for the reference gateway's demo organisations, keys from ``keys``."""
    clients = []
    for client_id, code, client_role in DEMO_CLIENTS[role or "council"]:
        path = keys / f"{client_id}.pem"
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise CapabilitiesError(f"--demo-keys: cannot read {path}: {exc.strerror}") from None
        clients.append(
            Client(client_id=client_id, key_pem=pem, organisation=code, role=client_role)
        )
    return Capabilities(
        role=role or "council",
        level=level or "full",
        features=frozenset(FEATURES),
        product="sdsx reference gateway (demo organisations)",
        clients=tuple(clients),
    )


def _helpers(
    caps: Capabilities,
    council_client_id: str | None,
    council_key: Path | None,
    council_organisation: str,
    person_id: str | None,
) -> Capabilities:
    """``caps`` with a council helper client and a stored person from the command line."""
    if council_key is not None and council_client_id is None:
        raise CapabilitiesError("--council-key needs --council-client-id")
    if council_client_id is not None:
        try:
            pem = council_key.read_bytes() if council_key else None
        except OSError as exc:
            raise CapabilitiesError(
                f"--council-key {council_key}: cannot read: {exc.strerror}"
            ) from None
        helper = Client(
            client_id=council_client_id,
            key_pem=pem,
            organisation=council_organisation,
            role="council",
        )
        if not caps.clients:
            raise CapabilitiesError(
                "--council-client-id helps a main client: give --client-id, or clients in the "
                "capabilities file"
            )
        # The helper goes after the main client and its cross-organisation partner.
        caps = dataclasses.replace(caps, clients=(*caps.clients, helper))
    if person_id is not None:
        caps = dataclasses.replace(caps, person_id=person_id)
    return caps


_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "red",
    Outcome.ERROR: "magenta",
    Outcome.SKIP: "yellow",
    Outcome.WARN: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}


def _capabilities(
    path: Path | None,
    role: str | None,
    level: str | None,
    client_id: str | None,
    key: Path | None,
    organisation: str = "",
) -> Capabilities:
    if path is not None:
        caps = load_capabilities(path)
    else:
        scheme = "private-key-jwt" if key else ("client-id-header" if client_id else "none")
        caps = Capabilities(
            role=role or "council",
            level=level or "core",
            features=_DEFAULT_FEATURES,
            authentication=scheme,
        )
    if role is not None and role != caps.role:
        raise CapabilitiesError(f"--role {role} contradicts the capabilities file ({caps.role})")
    if level is not None:
        caps = Capabilities(
            **{**{s: getattr(caps, s) for s in Capabilities.__slots__}, "level": level}
        )
    if client_id is not None:
        try:
            pem = key.read_bytes() if key else None
        except OSError as exc:
            raise CapabilitiesError(f"--key {key}: cannot read: {exc.strerror}") from None
        caps = caps.with_main_client(
            Client(client_id=client_id, key_pem=pem, organisation=organisation, role=caps.role)
        )
    elif key is not None:
        raise CapabilitiesError("--key needs --client-id")
    return caps


def _progress(console: Console) -> Callable[[Result], None]:
    def show(result: Result) -> None:
        style = _STYLE[result.outcome]
        subject = f" [{result.subject}]" if result.subject else ""
        console.print(
            f"[{style}]{result.outcome.value:>14}[/{style}] {result.check_id}{subject} "
            f"[dim]{', '.join(result.requirements[:4])}[/dim]"
        )
        if result.outcome in (Outcome.FAIL, Outcome.ERROR, Outcome.SKIP):
            console.print(f"{'':>15}{result.message[:400]}", markup=False, highlight=False)

    return show


def _summary(console: Console, record: RunRecord, out: Path) -> None:
    found = counts(record.results)
    console.print(
        " · ".join(f"{k} {v}" for k, v in found.items())
        + f" · seed {record.seed} · {record.duration_seconds:.1f} s"
    )
    console.print(f"reports and certificate in {out}/ (report.html, report.json, junit.xml)")
    verdict = {
        0: "[green]PASSED[/green]",
        1: "[red]FAILED[/red]",
        3: "[magenta]SUITE ERROR[/magenta]",
    }
    console.print(verdict.get(record.exit_code, str(record.exit_code)))


def _fail(console: Console, message: str, code: int = EXIT_CANNOT_RUN) -> typer.Exit:
    console.print(f"[red]error[/red]: {message}", markup=True, highlight=False)
    return typer.Exit(code)


@app.command("run")
def run(
    target: str = typer.Option(..., "--target", help="Base URL of the API under test."),
    role: str | None = typer.Option(None, "--role", help="council, health-board or funder."),
    level: str | None = typer.Option(None, "--level", help="core (MUSTs) or full."),
    client_id: str | None = typer.Option(None, "--client-id", help="Client to act as."),
    key: Path | None = typer.Option(None, "--key", help="PEM private key of the client."),
    organisation: str = typer.Option("", "--organisation", help="Client's official code."),
    capabilities: Path | None = typer.Option(None, "--capabilities", help="Capabilities JSON."),
    demo_keys: Path | None = typer.Option(
        None, "--demo-keys", help="Keys folder of a local sdsx serve: act as its demo orgs."
    ),
    council_client_id: str | None = typer.Option(
        None, "--council-client-id", help="A council client that stores people for a board/funder."
    ),
    council_key: Path | None = typer.Option(None, "--council-key", help="PEM key of that client."),
    council_organisation: str = typer.Option(
        "", "--council-organisation", help="That council's GSS S12 code."
    ),
    person_id: str | None = typer.Option(
        None, "--person-id", help="A stored person a board or funder may write records for."
    ),
    waivers: Path | None = typer.Option(None, "--waivers", help="Waivers YAML."),
    out: Path = typer.Option(REPORT_DIR, "--out", help="Report folder."),
    seed: int | None = typer.Option(None, "--seed", help="Seed, to reproduce a run."),
) -> None:
    """Run every applicable check against a live API."""
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        if role is not None and role not in ("council", "health-board", "funder"):
            raise CapabilitiesError(f"--role {role} is not council, health-board or funder")
        if level is not None and level not in ("core", "full"):
            raise CapabilitiesError(f"--level {level} is not core or full")
        if demo_keys is not None:
            caps = _demo_capabilities(demo_keys, level, role)
        else:
            caps = _capabilities(capabilities, role, level, client_id, key, organisation)
        caps = _helpers(caps, council_client_id, council_key, council_organisation, person_id)
        accepted = load_waivers(waivers) if waivers else []
    except (CapabilitiesError, WaiverError) as exc:
        raise _fail(err, str(exc)) from None
    with Target(target, caps) as http:
        try:
            http.send("GET", "/healthz", auth=False)
            http.take_recording()
        except CannotReach as exc:
            raise _fail(err, f"the target cannot be reached: {exc}") from None
        try:
            record = run_against(
                http,
                waivers=accepted,
                out=out,
                seed=seed,
                on_result=_progress(console),
            )
        except Exception as exc:
            raise _fail(
                err, f"the suite failed: {type(exc).__name__}: {exc}", EXIT_SUITE_ERROR
            ) from exc
    _summary(console, record, out)
    raise typer.Exit(record.exit_code)


@app.command("check-docs")
def check_docs(
    folder: Path = typer.Argument(..., help="Folder (or file) of exported documents."),
    role: str | None = typer.Option(None, "--role", help="council, health-board or funder."),
    capabilities: Path | None = typer.Option(None, "--capabilities", help="Capabilities JSON."),
    waivers: Path | None = typer.Option(None, "--waivers", help="Waivers YAML."),
    out: Path = typer.Option(REPORT_DIR, "--out", help="Report folder."),
) -> None:
    """Check exported documents: schemas, value sets and identifiers."""
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    if not folder.exists():
        raise _fail(err, f"{folder} does not exist")
    try:
        caps = _capabilities(capabilities, role, None, None, None)
        accepted = load_waivers(waivers) if waivers else []
        record = check_documents(
            folder, caps, waivers=accepted, out=out, on_result=_progress(console)
        )
    except (CapabilitiesError, WaiverError, NothingToCheck) as exc:
        raise _fail(err, str(exc)) from None
    _summary(console, record, out)
    raise typer.Exit(record.exit_code)


@app.command("verify")
def verify(
    certificate: Path = typer.Argument(..., help="certificate.json to check."),
    public_key: Path | None = typer.Option(None, "--public-key", help="JWK the key must be."),
) -> None:
    """Check a certificate's signature; exit 1 when it was edited or is not genuine."""
    err = Console(stderr=True, highlight=False)
    try:
        document = json.loads(certificate.read_text(encoding="utf-8"))
        pinned = json.loads(public_key.read_text(encoding="utf-8")) if public_key else None
    except (OSError, ValueError) as exc:
        raise _fail(err, f"cannot read the certificate or key: {exc}") from None
    problems = verify_certificate(document, public_key=pinned)
    if problems:
        for problem in problems:
            err.print(f"[red]rejected[/red]: {problem}")
        raise typer.Exit(1)
    body = document["certificate"]
    typer.echo(
        f"valid: {body['verdict']} for role {body['role']} at level {body['level']}, "
        f"{body['spec_version']}, issued {body['issued_at']}, key {document['public_key']['kid']}"
    )


@app.command("doctor")
def doctor(
    target: str = typer.Option(..., "--target", help="Base URL of the API under test."),
    role: str | None = typer.Option(None, "--role", help="council, health-board or funder."),
    client_id: str | None = typer.Option(None, "--client-id", help="Client to act as."),
    key: Path | None = typer.Option(None, "--key", help="PEM private key of the client."),
    capabilities: Path | None = typer.Option(None, "--capabilities", help="Capabilities JSON."),
) -> None:
    """Check reachability, contract, credentials and capabilities before a run."""
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        caps = _capabilities(capabilities, role, None, client_id, key)
    except CapabilitiesError as exc:
        raise _fail(err, str(exc)) from None
    with Target(target, caps) as http:
        findings = diagnose(http)
    style = {"ok": "green", "warn": "yellow", "problem": "red"}
    for finding in findings:
        s = style[finding.status]
        console.print(f"[{s}]{finding.status:>7}[/{s}] {finding.topic}: {finding.detail}")
    if any(f.status == "problem" for f in findings):
        raise typer.Exit(EXIT_CANNOT_RUN)


@app.command("coverage")
def coverage(
    level: str = typer.Option("MUST", "--level", help="MUST, SHOULD or MAY."),
) -> None:
    """List each requirement with what verifies it or why it cannot be; exit 1 on a gap."""
    from spec.requirements import load_catalogue

    catalogue = load_catalogue()
    verified = verified_requirements()
    excused = not_automated()
    console = Console(highlight=False, soft_wrap=True)
    for requirement in catalogue:
        if requirement.level != level.upper():
            continue
        if requirement.id in verified:
            shown = ", ".join(verified[requirement.id][:4])
            more = len(verified[requirement.id]) - 4
            console.print(
                f"[green]verified[/green] {requirement.id}  {shown}"
                + (f" (+{more})" if more > 0 else "")
            )
        elif requirement.id in excused:
            console.print(f"[yellow] excused[/yellow] {requirement.id}  {excused[requirement.id]}")
        else:
            console.print(f"[red]     gap[/red] {requirement.id}  {requirement.text}")
    gaps = coverage_gaps(catalogue)
    if gaps:
        for gap in gaps:
            console.print(f"[red]gap[/red]: {gap}")
        raise typer.Exit(1)
