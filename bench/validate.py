"""Benchmark: how fast documents are validated, against parsing the same bytes with orjson alone.

    python bench/validate.py [--count N] [--repeat R] [--seed S]

Generates N synthetic support plans and N funding lines (varied, all valid, as JSON bytes),
then, in the same run and over the same bytes, times:

  (a) ``orjson.loads`` alone;
  (b) parse + schema verdict through the fast path (:func:`spec.fast.schema_verdicts`:
      jsonschema-rs only);
  (c) parse + the full verdict of ``spec.validate`` (schema, then the semantic rules).

It prints documents per second for each and the ratios (b)/(a) and (c)/(a). Issue 2 sets the
goal: parse + validate at no less than half the throughput of parse alone (ratio >= 0.5).
Each figure is the best of R rounds with the garbage collector paused, as ``timeit`` does,
so that a noisy neighbour on a shared machine does not decide the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import os
import platform
import random
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import orjson

import spec
from spec.fast import schema_verdicts
from spec.identifiers import check_chi, check_nino

CHI_SYSTEM = "https://spec.sdsx.scot/id/chi"
NINO_SYSTEM = "https://spec.sdsx.scot/id/nino"


class Synthetic:
    """Varied, valid documents from a seeded random generator (no real person's data)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.codes = {vs.id: vs.code_list for vs in spec.all_valuesets().values()}

    def code(self, valueset: str, *, exclude: Sequence[str] = ()) -> str:
        return self.rng.choice([c for c in self.codes[valueset] if c not in exclude])

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def date(self, start: dt.date = dt.date(2023, 4, 1), days: int = 900) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(days))

    def timestamp(self) -> str:
        moment = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=self.rng.randrange(60_000_000))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def money(self, low: int = 500, high: int = 250_000) -> dict[str, Any]:
        return {"amount_minor": self.rng.randrange(low, high), "currency": "GBP"}

    def rate(self) -> dict[str, Any]:
        return {"amount": self.money(), "per": self.code("frequency")}

    def chi(self) -> str:
        while True:
            born = dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randrange(30_000))
            stem = born.strftime("%d%m%y") + f"{self.rng.randrange(1000):03d}"
            for digit in "0123456789":
                if check_chi(stem + digit) is None:
                    return stem + digit

    def nino(self) -> str:
        letters = "ABCEGHJKLMNPRSTWXYZ"
        while True:
            value = (
                self.rng.choice(letters)
                + self.rng.choice(letters)
                + f"{self.rng.randrange(1_000_000):06d}"
                + self.rng.choice("ABCD")
            )
            if check_nino(value) is None:
                return value

    def identifier(self) -> dict[str, str]:
        if self.rng.random() < 0.5:
            return {"system": CHI_SYSTEM, "value": self.chi()}
        return {"system": NINO_SYSTEM, "value": self.nino()}

    def period(self, *, closed: bool) -> dict[str, str]:
        start = self.date()
        found = {"start": start.isoformat()}
        if closed or self.rng.random() < 0.7:
            found["end"] = (start + dt.timedelta(days=self.rng.randrange(1, 730))).isoformat()
        return found

    def header(self, kind: str) -> dict[str, Any]:
        record = self.uuid()
        version = self.rng.choice((1, 1, 1, 2, 3))
        doc: dict[str, Any] = {
            "standard": spec.STANDARD_VERSION,
            "type": kind,
            "id": record,
            "version": version,
        }
        if version > 1:
            doc["supersedes"] = {"id": record, "version": version - 1}
        if self.rng.random() < 0.8:
            doc["recorded_at"] = self.timestamp()
        return doc

    def funding_line(self) -> dict[str, Any]:
        rng = self.rng
        doc = self.header("funding-line")
        if rng.random() < 0.7:
            doc["person_identifier"] = self.identifier()
        else:
            doc["person"] = {"id": self.uuid()}
        source = self.code("funding-source")
        doc["source"] = source
        if source == "council-social-care":
            doc["payer"] = {"kind": "council-area", "code": self.code("council-area")}
            doc["sds_option"] = self.code("sds-option", exclude=("option-4",))
        elif source.startswith("nhs"):
            doc["payer"] = {"kind": "health-board", "code": self.code("health-board")}
        else:
            doc["payer"] = {"kind": "funder", "code": source.split(".")[0].upper()}
        if rng.random() < 0.6:
            doc["source_reference"] = f"REF-{rng.randrange(10**8):08d}"
        doc["award"] = self.rate()
        doc["period"] = self.period(closed=False)
        if rng.random() < 0.5:
            doc["payment"] = {"frequency": self.code("frequency")}
        doc["purpose"] = self.code("purpose-restriction")
        doc["status"] = self.code("funding-status")
        if rng.random() < 0.5:
            doc["holding_mode"] = self.code("holding-mode")
        if rng.random() < 0.3:
            doc["terms"] = {"weeks_per_year": 52}
        ledger = []
        for number in range(1, rng.randrange(0, 4) + 1):
            entry: dict[str, Any] = {
                "id": f"entry-{number}",
                "kind": self.code("adjustment-kind", exclude=("clawback",)),
                "effective": self.period(closed=False),
                "recorded_at": self.timestamp(),
            }
            if rng.random() < 0.5:
                entry["rate"] = self.rate()
            ledger.append(entry)
        if ledger and rng.random() < 0.3:
            ledger.append(
                {
                    "id": f"entry-{len(ledger) + 1}",
                    "kind": "clawback",
                    "effective": self.period(closed=True),
                    "recorded_at": self.timestamp(),
                    "amount": {"amount_minor": -rng.randrange(100, 50_000), "currency": "GBP"},
                    "adjusts": ledger[0]["id"],
                    "reason": self.code("clawback-reason"),
                }
            )
        if ledger:
            doc["ledger"] = ledger
        if rng.random() < 0.5:
            doc["provenance"] = {
                "adapter": "bench",
                "adapter_version": "1.0",
                "source_sha256": f"{rng.getrandbits(256):064x}",
                "record_locator": f"line {rng.randrange(1, 10_000)}",
                "received_at": self.timestamp(),
            }
        return doc

    def support_plan(self) -> dict[str, Any]:
        rng = self.rng
        doc = self.header("support-plan")
        doc["person"] = {"id": self.uuid()}
        doc["council"] = {"kind": "council-area", "code": self.code("council-area")}
        status = self.code("plan-status")
        doc["status"] = status
        doc["period"] = self.period(closed=True)
        outcomes = [
            {
                "id": f"out-{n}",
                "description": f"Outcome {n} in the person's own words.",
                "national_outcome": self.code("national-outcome"),
                "status": self.code("outcome-status"),
            }
            for n in range(1, rng.randrange(1, 5) + 1)
        ]
        items = []
        for n in range(1, rng.randrange(1, 6) + 1):
            option = self.code("sds-option", exclude=("option-4",))
            item: dict[str, Any] = {
                "id": f"item-{n}",
                "category": self.code("support-category"),
                "description": f"Support item {n}.",
                "sds_option": option,
                "cost": self.rate(),
            }
            if option in ("option-2", "option-3") or rng.random() < 0.2:
                item["provider"] = {"kind": "provider", "code": f"P-{rng.randrange(9999):04d}"}
            if rng.random() < 0.6:
                item["schedule"] = {
                    "quantity": rng.randrange(1, 80) / 2,
                    "unit": self.code("schedule-unit"),
                    "per": self.code("frequency"),
                }
            if rng.random() < 0.7:
                item["outcomes"] = [rng.choice(outcomes)["id"]]
            items.append(item)
        if rng.random() < 0.5:
            derived = spec.derive_sds_option(items)
            if derived is not None:
                doc["sds_option"] = derived
        doc["personal_outcomes"] = outcomes
        doc["support_items"] = items
        if rng.random() < 0.5:
            doc["contingency_plans"] = [
                {
                    "trigger": "If the personal assistant is ill.",
                    "actions": "Call the agency for cover.",
                    "contacts": [{"name": "Duty team", "telephone": "0131 200 2000"}],
                }
            ]
        doc["review"] = {"due": self.date().isoformat()}
        if status in ("agreed", "active", "under-review") or rng.random() < 0.2:
            doc["agreed_by"] = [
                {"party": "person", "name": "The person", "agreed_on": self.date().isoformat()}
            ]
        return doc


def _parse_only(kind: str, blobs: list[bytes]) -> int:
    loads = orjson.loads
    for blob in blobs:
        loads(blob)
    return len(blobs)


def _schema(kind: str, blobs: list[bytes]) -> int:
    return sum(schema_verdicts(kind, blobs))


def _full(kind: str, blobs: list[bytes]) -> int:
    validate, loads = spec.validate, orjson.loads
    return sum(1 for blob in blobs if not validate(loads(blob)))


STEPS: dict[str, Callable[[str, list[bytes]], int]] = {
    "parse": _parse_only,
    "schema": _schema,
    "full": _full,
}


def _measure(rounds: int, kind: str, blobs: list[bytes]) -> dict[str, tuple[float, int]]:
    """The best wall time of each step over ``rounds`` and the count of valid documents.

    The steps take turns within a round, so a busy neighbour slows them alike.
    """
    best = {step: (float("inf"), 0) for step in STEPS}
    for _ in range(rounds):
        for step, run in STEPS.items():
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                count = run(kind, blobs)
                elapsed = time.perf_counter() - started
            finally:
                gc.enable()
            best[step] = (min(best[step][0], elapsed), count)
    return best


def _machine() -> str:
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("orjson", "jsonschema-rs", "jsonschema", "pydantic")
    )
    python = f"{sys.version.split()[0]} ({platform.python_implementation()})"
    return (
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, "
        f"{platform.system()} {platform.release()}\n"
        f"python: {python}\nlibraries: {versions}"
    )


def _row(label: str, n: int, times: dict[str, float]) -> str:
    parse, schema, full = times["parse"], times["schema"], times["full"]
    return (
        f"{label:<14}{n / parse:>14,.0f}{n / schema:>15,.0f}{n / full:>15,.0f}"
        f"{parse / schema:>9.2f}{parse / full:>9.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="documents of each type")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best is reported")
    parser.add_argument("--seed", type=int, default=2013, help="random seed for the documents")
    args = parser.parse_args(argv)

    print(_machine())
    started = time.perf_counter()
    synthetic = Synthetic(args.seed)
    corpus = {
        "support-plan": [orjson.dumps(synthetic.support_plan()) for _ in range(args.count)],
        "funding-line": [orjson.dumps(synthetic.funding_line()) for _ in range(args.count)],
    }
    size = sum(len(blob) for blobs in corpus.values() for blob in blobs)
    print(
        f"documents: {args.count:,} support plans + {args.count:,} funding lines, "
        f"{size / 2 / args.count:.0f} bytes on average, generated in "
        f"{time.perf_counter() - started:.1f} s; best of {args.repeat} rounds"
    )
    print(
        f"{'documents/s':<14}{'(a) parse':>14}{'(b) +schema':>15}{'(c) +rules':>15}"
        f"{'(b)/(a)':>9}{'(c)/(a)':>9}"
    )
    totals = dict.fromkeys(STEPS, 0.0)
    invalid = 0
    for kind, blobs in corpus.items():
        measured = _measure(args.repeat, kind, blobs)
        times = {step: seconds for step, (seconds, _) in measured.items()}
        print(_row(kind, len(blobs), times))
        for step, (seconds, valid) in measured.items():
            totals[step] += seconds
            invalid += len(blobs) - valid
    print(_row("both", 2 * args.count, totals))
    print("goal (issue 2): parse + validate at >= 0.5 x the throughput of parse alone")
    # Every generated document is valid; a verdict of invalid means the generator or the
    # validator is wrong, and the figures above would not measure what they claim.
    if invalid:
        print(f"error: {invalid} verdicts of invalid on valid documents", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
