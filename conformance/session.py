"""Sessions: the two ways to run the suite, each ending in reports and a certificate.

:func:`check_documents` runs the documents group over a folder of exported files;
:func:`run_against` runs every HTTP group against a live target. Both time each group,
apply waivers, write ``report.json``, ``junit.xml``, ``report.html`` and ``certificate.json``
into the output folder and return the :class:`~conformance.run.RunRecord`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from conformance.behaviour import behaviour_checks
from conformance.boundaries import boundary_checks
from conformance.budget import budget_checks
from conformance.capabilities import Capabilities
from conformance.certificate import issue_certificate, write_certificate
from conformance.contract import contract_checks
from conformance.documents import document_checks
from conformance.fhir import fhir_checks
from conformance.reports import REPORT_DIR, write_reports
from conformance.results import Result, Waiver
from conformance.run import RunRecord
from conformance.runner import Check, Context, apply_waivers, run_checks
from conformance.security import security_checks
from conformance.stateful import stateful_checks
from conformance.target import Target
from spec.requirements import Catalogue, load_catalogue

__all__ = ["NothingToCheck", "all_target_checks", "check_documents", "finish", "run_against"]


class NothingToCheck(Exception):
    """The run would verify nothing (no documents, no applicable check): exit code 2."""


def all_target_checks() -> list[Check]:
    """Every check of an HTTP run, in the order they run."""
    return [
        *contract_checks(),
        *stateful_checks(),
        *behaviour_checks(),
        *budget_checks(),
        *fhir_checks(),
        *security_checks(),
        *boundary_checks(),
    ]


def _run_grouped(
    checks: list[Check], context: Context, on_result: Callable[[Result], None] | None
) -> tuple[list[Result], dict[str, float]]:
    results: list[Result] = []
    timings: dict[str, float] = {}
    for check in checks:
        started = time.perf_counter()
        results += run_checks([check], context, on_result=on_result)
        timings[check.group] = (
            timings.get(check.group, 0.0) + (time.perf_counter() - started) * 1000
        )
    return results, timings


def finish(
    record: RunRecord, catalogue: Catalogue, out: Path = REPORT_DIR, today: dt.date | None = None
) -> RunRecord:
    """Apply waivers, then write the reports and the signed certificate into ``out``."""
    apply_waivers(record.results, record.waivers, today or record.finished_at.date())
    write_reports(record, catalogue, out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    write_certificate(issue_certificate(report, record.waivers), out)
    return record


def check_documents(
    folder: Path,
    capabilities: Capabilities,
    *,
    waivers: list[Waiver] | None = None,
    out: Path = REPORT_DIR,
    seed: int | None = None,
    on_result: Callable[[Result], None] | None = None,
) -> RunRecord:
    """The documents group over ``folder``; :class:`NothingToCheck` when it holds none."""
    catalogue = load_catalogue()
    checks = document_checks(folder)
    if not checks:
        raise NothingToCheck(f"{folder} holds no .json or .ndjson document to check")
    caps = capabilities
    if "documents" not in caps.features:
        caps = dataclasses.replace(caps, features=caps.features | {"documents"})
    used_seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    started = dt.datetime.now(dt.UTC)
    results, timings = _run_grouped(checks, Context(caps, catalogue, seed=used_seed), on_result)
    record = RunRecord(
        mode="check-docs",
        target=str(folder),
        capabilities=caps,
        seed=used_seed,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        results=results,
        groups=timings,
        waivers=list(waivers or []),
    )
    return finish(record, catalogue, out)


def run_against(
    target: Target,
    *,
    waivers: list[Waiver] | None = None,
    out: Path = REPORT_DIR,
    seed: int | None = None,
    checks: list[Check] | None = None,
    on_result: Callable[[Result], None] | None = None,
) -> RunRecord:
    """Every HTTP check against ``target`` (or only ``checks``), reports written to ``out``."""
    catalogue = load_catalogue()
    used_seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    context = Context(target.capabilities, catalogue, target=target, seed=used_seed)
    context.state["nonce"] = uuid.uuid4().hex
    started = dt.datetime.now(dt.UTC)
    results, timings = _run_grouped(checks or all_target_checks(), context, on_result)
    record = RunRecord(
        mode="run",
        target=target.base_url,
        capabilities=target.capabilities,
        seed=used_seed,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        results=results,
        groups=timings,
        waivers=list(waivers or []),
    )
    return finish(record, catalogue, out)
