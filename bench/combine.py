"""Scotland-sized combination benchmark: source files -> funding lines -> one budget each.

Generates a synthetic population (default 250,000 people, about 1,000,000 funding lines across
council, ILF Scotland, Access to Work, DSA and NHS), writes each stream's source file in its
own format (council CSV through the carefirst-like mapping profile, ILF CSV, Access to Work
JSON, SAAS XML, NHS FHIR bundle), imports it with ``adapters.sources.parse``, groups the lines
by person and computes every person's budget with ``adapters.budget.compute_budget``.

It streams: people are made, imported, budgeted and discarded chunk by chunk, so memory stays
flat however large the population. Chunks run on a process pool (``--workers``, default the
CPU count). It prints lines per second, budgets per second and peak memory after each tenth of
the run, so a flat memory line is visible as the input grows.

Wall time on a shared machine says as much about the neighbours as about the product, so the
workers also measure their own CPU time for import and for budgets (generating the synthetic
files is timed apart and not counted): lines per worker-core, and that rate on two cores,
are the figures to hold against the goal of 1,000,000 lines per minute on 2 cores.
``--digest`` hashes every line and budget (less the budget's random id), so a speed change
can be shown to leave every output exactly as it was.

    python bench/combine.py                   # 250,000 people
    python bench/combine.py --people 20000    # quicker
    python bench/combine.py --people 6000 --digest
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import platform
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

# Running ``python bench/combine.py`` puts ``bench/`` first on the path, where a sibling
# benchmark named ``fhir.py`` would shadow the ``fhir.resources`` package the NHS adapter needs.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from adapters.budget import compute_budget  # noqa: E402  (after the path fix above)
from adapters.sources import parse  # noqa: E402  (after the path fix above)

RECEIVED = datetime(2026, 4, 2, 6, 0, tzinfo=UTC)
ISSUED = datetime(2026, 4, 3, 9, 0, tzinfo=UTC)
PLAN_START, PLAN_END = "2026-04-01", "2027-03-31"
UK_START, UK_END = "01/04/2026", "31/03/2027"
CHUNK = 1000
CHI_SYSTEM = "https://spec.sdsx.scot/id/chi"


@dataclass(slots=True)
class Person:
    """One synthetic person: their identifiers and which streams fund them."""

    index: int
    chi: str
    nino: str
    saas: str
    ilf: bool
    atw: bool
    dsa: bool
    nhs: bool


def _chi(index: int) -> str:
    """A CHI with a real date of birth and a valid modulus-11 check digit."""
    born = date(1940, 1, 1) + timedelta(days=index % 25000)
    serial = (index // 25000) * 10
    while True:
        body = f"{born:%d%m%y}{serial % 1000:03d}"
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return body + str(check)
        serial += 1


def people(first: int, count: int) -> Iterator[Person]:
    """People ``first`` to ``first + count - 1``; the same index always gives the same person."""
    for index in range(first, first + count):
        yield Person(
            index=index,
            chi=_chi(index),
            nino=f"JG{index:06d}A",
            saas=f"SAAS-2026-{index:06d}",
            ilf=index % 10 < 3,
            atw=index % 5 == 1,
            dsa=index % 25 == 7,
            nhs=index % 10 == 4,
        )


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def council_csv(group: list[Person]) -> bytes:
    rows = [
        "Client ID,CHI No,Service Ref,Service Code,Service Description,SDS Option,Cost,"
        "Frequency,Start Date,End Date,Review Date,Status,Weekly Charge,RAS Points"
    ]
    for p in group:
        pa = 40000 + (p.index % 400) * 100
        for ref, code, text, option, cost, freq in (
            (1, "PA", "Personal assistant hours", 1, pa, "W"),
            (2, "DAY", "Day service", 2, 90000 + p.index % 50 * 100, "4W"),
            (3, "TEL", "Telecare", 3, 1840, "M"),
        ):
            rows.append(
                f"CF{p.index},{p.chi},SR-{p.index}-{ref},{code},{text},{option},"
                f'"{_pounds(cost)}",{freq},{UK_START},{UK_END},,Authorised,,60'
            )
    return ("\n".join(rows) + "\n").encode()


def ilf_csv(group: list[Person]) -> bytes:
    rows = [
        "ILF Reference,CHI Number,Award Type,Award Amount,Weekly Contribution,Award Start,"
        "Award End,Review Date,Status"
    ]
    rows += [
        f"ILF-R-{p.index:06d},{p.chi},Weekly,£330.00,£0.00,{UK_START},{UK_END},,Active"
        for p in group
        if p.ilf
    ]
    return ("\n".join(rows) + "\n").encode()


def atw_json(group: list[Person]) -> bytes:
    grants = [
        {
            "urn": f"ATW-2026-{p.index:06d}",
            "claimant": {"nino": p.nino},
            "status": "AWARDED",
            "award_period": {"start": PLAN_START, "end": "2029-03-31"},
            "employment": {"employer_headcount": 40 + p.index % 400, "job_start": "2024-05-01"},
            "elements": [
                {"code": "SW", "hourly_rate": "18.50", "hours": 10, "per": "week"},
                {"code": "TTW", "amount": "45.00", "per": "week"},
            ],
        }
        for p in group
        if p.atw
    ]
    return json.dumps(
        {
            "export": {
                "system": "bench",
                "format_version": "1.0",
                "created": "2026-04-01T08:00:00Z",
            },
            "grants": grants,
        }
    ).encode()


def dsa_xml(group: list[Person]) -> bytes:
    awards = "".join(
        f"<StudentAward><StudentReference>{p.saas}</StudentReference>"
        '<AcademicYear start="2026-08-01" end="2027-07-31">2026-27</AcademicYear>'
        '<Course start="2026-09-14" end="2030-06-30" intensity="100">Course</Course>'
        "<Status>APPROVED</Status>"
        '<Allowance type="BASIC"><Amount>1725.00</Amount></Allowance>'
        '<Allowance type="NMPH"><Amount>8000.00</Amount></Allowance></StudentAward>'
        for p in group
        if p.dsa
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><DSAAwardExport version="1.0" '
        f'generated="2026-04-01T10:00:00Z">{awards}</DSAAwardExport>'
    ).encode()


def nhs_bundle(group: list[Person]) -> bytes:
    board = "urn:uuid:00000000-0000-4000-8000-000000000000"
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": board,
            "resource": {
                "resourceType": "Organization",
                "name": "NHS Lothian",
                "identifier": [
                    {
                        "system": "http://statistics.gov.scot/id/statistical-geography",
                        "value": "S08000024",
                    }
                ],
            },
        }
    ]
    for p in group:
        if not p.nhs:
            continue
        patient = f"urn:uuid:10000000-0000-4000-8000-{p.index:012d}"
        entries.append(
            {
                "fullUrl": patient,
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [
                        {"system": "urn:oid:2.16.840.1.113883.2.1.3.2.4.16.53", "value": p.chi}
                    ],
                },
            }
        )
        entries.append(
            {
                "fullUrl": f"urn:uuid:20000000-0000-4000-8000-{p.index:012d}",
                "resource": {
                    "resourceType": "Contract",
                    "status": "executed",
                    "identifier": [
                        {"system": "https://nhs.example/id/jp", "value": f"JP-{p.index}"}
                    ],
                    "subject": [{"reference": patient}],
                    "authority": [{"reference": board}],
                    "applies": {"start": PLAN_START, "end": PLAN_END},
                    "term": [
                        {
                            "offer": {"text": "Health share"},
                            "asset": [
                                {
                                    "valuedItem": [
                                        {
                                            "quantity": {
                                                "value": 1,
                                                "unit": "week",
                                                "system": "http://unitsofmeasure.org",
                                                "code": "wk",
                                            },
                                            "net": {"value": 150.0, "currency": "GBP"},
                                        }
                                    ]
                                }
                            ],
                        }
                    ],
                },
            }
        )
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": "2026-04-01T07:30:00Z",
            "entry": entries,
        }
    ).encode()


def _item(
    item_id: str, category: str, option: str, pence: int, per: str, **extra: Any
) -> dict[str, Any]:
    item = {
        "id": item_id,
        "category": category,
        "description": category,
        "sds_option": option,
        "cost": {"amount": {"amount_minor": pence, "currency": "GBP"}, "per": per},
        **extra,
    }
    if option != "option-1":
        item["provider"] = {"kind": "provider", "code": "PRV-1"}
    return item


def plan_for(p: Person) -> dict[str, Any]:
    items = [
        _item("pa", "personal-assistant", "option-1", 45000, "per-week"),
        _item("day", "day-service", "option-2", 95000, "per-4-weeks"),
        _item("tel", "telecare", "option-3", 1840, "per-calendar-month"),
    ]
    if p.ilf:
        items.append(_item("leisure", "leisure-social", "option-1", 30000, "per-week"))
    if p.atw:
        items.append(_item("work", "employment-support", "option-1", 23000, "per-week"))
    if p.dsa:
        items.append(_item("study", "education", "option-1", 972500, "per-academic-year"))
    if p.nhs:
        items.append(
            _item("therapy", "health-therapy", "option-3", 15000, "per-week", health_need=True)
        )
    return {
        "standard": "sdsx/1.0",
        "type": "support-plan",
        "id": f"30000000-0000-4000-8000-{p.index:012d}",
        "version": 1,
        "person": {"id": f"40000000-0000-4000-8000-{p.index:012d}"},
        "status": "draft",
        "period": {"start": PLAN_START, "end": PLAN_END},
        "personal_outcomes": [
            {
                "id": "o1",
                "description": "Live at home",
                "national_outcome": "independence",
                "status": "in-progress",
            }
        ],
        "support_items": items,
        "review": {"due": PLAN_END},
    }


STREAMS = (
    ("council", council_csv, "council.csv", "carefirst-like-csv"),
    ("ilf-scotland", ilf_csv, "ilf.csv", None),
    ("dwp-access-to-work", atw_json, "atw.json", None),
    ("saas-dsa", dsa_xml, "dsa.xml", None),
    ("nhs-board", nhs_bundle, "nhs.json", None),
)


def _digest(document: dict[str, Any]) -> bytes:
    """SHA-256 of a document in canonical JSON, less the budget's random ``id``."""
    stable = {key: value for key, value in document.items() if key != "id"}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).digest()


def run_chunk(first: int, digest: bool = False, count: int = CHUNK) -> dict[str, Any]:
    """Generate, import and budget one chunk of people; only counts leave the worker.

    With ``digest`` the chunk also hashes every line and budget it produced, so two runs (say,
    before and after a speed change) can be shown to give exactly the same outputs.
    """
    group = list(people(first, count))
    by_identifier: dict[str, list[dict[str, Any]]] = {}
    for p in group:
        bucket: list[dict[str, Any]] = []
        for value in (p.chi, p.nino, p.saas):
            by_identifier[value] = bucket
    generated_cpu = time.process_time()
    files = [(source, make(group), name, profile) for source, make, name, profile in STREAMS]
    plans = [plan_for(p) for p in group]
    started, started_cpu = time.perf_counter(), time.process_time()
    lines = problems = 0
    for source, data, name, profile in files:
        result = parse(source, data, file_name=name, received_at=RECEIVED, profile=profile)
        problems += len(result.problems)
        for line in result.lines:
            lines += 1
            by_identifier[line["person_identifier"]["value"]].append(line)
    imported, imported_cpu = time.perf_counter(), time.process_time()
    flagged = 0
    budgets = []
    for p, plan in zip(group, plans, strict=True):
        budget = compute_budget(plan, by_identifier[p.chi], issued_at=ISSUED)
        flagged += bool(budget["flags"])
        if digest:
            budgets.append(budget)
    done, done_cpu = time.perf_counter(), time.process_time()
    hashed = hashlib.sha256()
    for p, budget in zip(group, budgets, strict=False):
        hashed.update(b"".join(_digest(line) for line in by_identifier[p.chi]))
        hashed.update(_digest(budget))
    return {
        "first": first,
        "people": len(group),
        "lines": lines,
        "problems": problems,
        "import_s": imported - started,
        "budget_s": done - imported,
        # CPU time of this worker alone: other processes on a shared machine inflate the wall
        # figures but not these, so they give the rate per core honestly.
        "generate_cpu_s": started_cpu - generated_cpu,
        "import_cpu_s": imported_cpu - started_cpu,
        "budget_cpu_s": done_cpu - imported_cpu,
        "flagged": flagged,
        "digest": hashed.hexdigest() if digest else "",
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def _warm_up() -> None:
    """Load what a worker loads once (adapters, FHIR models, compiled schemas, rate tables)
    before timing starts, so the figures are the steady rate; the wall time still counts it."""
    run_chunk(0, count=50)


def _machine() -> str:
    """The machine facts beside the figures, with the load other processes put on it."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("networkx", "jsonschema-rs", "fhir.resources")
    )
    return (
        f"machine: {os.cpu_count()} CPUs, load average {load}; "
        f"Python {platform.python_version()}, {versions}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000, help="population size")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument(
        "--digest",
        action="store_true",
        help="print a SHA-256 over every line and budget (less its random id), to compare runs",
    )
    args = parser.parse_args(argv)
    starts = list(range(0, args.people, CHUNK))
    totals = dict.fromkeys(("people", "lines", "problems", "flagged"), 0)
    seconds = dict.fromkeys(
        ("import_s", "budget_s", "generate_cpu_s", "import_cpu_s", "budget_cpu_s"), 0.0
    )
    digests: dict[int, str] = {}
    peak_worker = 0
    began = time.perf_counter()
    report_every = max(1, len(starts) // 10)
    print(_machine())
    print(f"people {args.people:,} in {len(starts)} chunks of {CHUNK} on {args.workers} worker(s)")
    work = functools.partial(run_chunk, digest=args.digest)
    with multiprocessing.get_context("fork").Pool(args.workers, _warm_up) as pool:
        for done, result in enumerate(pool.imap_unordered(work, starts), start=1):
            for key in totals:
                totals[key] += result[key]
            for key in seconds:
                seconds[key] += result[key]
            digests[result["first"]] = result["digest"]
            peak_worker = max(peak_worker, result["rss_kb"])
            if done % report_every == 0 or done == len(starts):
                elapsed = time.perf_counter() - began
                cpu = seconds["import_cpu_s"] + seconds["budget_cpu_s"]
                print(
                    f"  {totals['people']:>9,} people {totals['lines']:>10,} lines "
                    f"{totals['lines'] / elapsed:>9,.0f} lines/s wall "
                    f"{totals['lines'] / cpu:>7,.0f} lines/s per worker-core  "
                    f"peak worker RSS {peak_worker / 1024:,.0f} MiB",
                    flush=True,
                )
    elapsed = time.perf_counter() - began
    main_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines, people_ = totals["lines"], totals["people"]
    print(
        f"lines {lines:,} ({totals['problems']} problems), budgets "
        f"{people_:,} ({totals['flagged']:,} with flags)"
    )
    print(
        f"wall {elapsed:,.1f} s: {lines / elapsed:,.0f} lines/s = "
        f"{lines / elapsed * 60:,.0f} lines/min; {people_ / elapsed:,.0f} budgets/s"
    )
    print(
        f"wall time in workers: import {seconds['import_s']:,.1f} s, "
        f"budget {seconds['budget_s']:,.1f} s"
    )
    import_cpu, budget_cpu = seconds["import_cpu_s"], seconds["budget_cpu_s"]
    per_core = lines / (import_cpu + budget_cpu)
    print(
        f"CPU in workers: import {import_cpu:,.1f} s ({import_cpu / lines * 1e6:,.0f} us/line), "
        f"budget {budget_cpu:,.1f} s ({budget_cpu / people_ * 1e6:,.0f} us/budget), "
        f"generating the files {seconds['generate_cpu_s']:,.1f} s (not counted)"
    )
    print(
        f"per worker-core: {per_core:,.0f} lines/s = {per_core * 60:,.0f} lines/min; "
        f"projected on 2 cores: {2 * per_core * 60:,.0f} lines/min (goal 1,000,000)"
    )
    print(f"peak RSS: worker {peak_worker / 1024:,.0f} MiB, parent {main_rss:,.0f} MiB")
    if args.digest:
        combined = hashlib.sha256("".join(digests[s] for s in starts).encode()).hexdigest()
        print(f"digest of every line and budget: {combined}")
    print(_machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
