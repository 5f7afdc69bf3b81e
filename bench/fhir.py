"""Benchmark: documents/second to and from FHIR R4, against plain JSON serialisation.

    python bench/fhir.py [--copies N] [--repeat R]

Takes every bundled example (``spec/examples/valid``) and scales it up to N copies, each
copy with fresh record ids so the records stay distinct. In the same run, over the same
documents, it times:

  (a) ``orjson.dumps`` of each document, and ``orjson.loads`` of those bytes;
  (b) export: ``spec.fhir.to_bundle`` then ``orjson.dumps`` of the Bundle, with and without
      validating every resource with the fhir.resources R4B models;
  (c) import: ``orjson.loads`` of that Bundle then ``spec.fhir.from_bundle``, with and
      without validating every resource (R4B models) and every document (``spec.validate``)
      - the R4B check cannot be switched off on import, the standard's check can.

and prints documents per second and the ratio of each to (a). Each figure is the best of
R rounds with the garbage collector paused.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# ``fhir`` package of fhir.resources; put the repository root there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import gc
import importlib.metadata
import os
import platform
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from spec import iter_documents
from spec._paths import EXAMPLES
from spec.fhir import from_bundle, to_bundle

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def scaled(copies: int) -> list[dict[str, Any]]:
    """The bundled examples, ``copies`` times, each copy with its own record ids."""
    text = orjson.dumps([d.document for d in iter_documents([EXAMPLES / "valid"])])
    documents: list[dict[str, Any]] = []
    for _ in range(copies):
        fresh: dict[bytes, bytes] = {}

        def rename(match: re.Match[bytes], fresh: dict[bytes, bytes] = fresh) -> bytes:
            return fresh.setdefault(match[0], str(uuid.uuid4()).encode())

        documents.extend(orjson.loads(_UUID.sub(rename, text)))
    return documents


def best(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the examples")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best counts")
    args = parser.parse_args(argv)
    documents = scaled(args.copies)
    count = len(documents)
    raw = [orjson.dumps(d) for d in documents]
    bundle_bytes = orjson.dumps(to_bundle(documents, check=False))
    resources = len(orjson.loads(bundle_bytes)["entry"])

    figures = {
        "orjson dumps (documents)": best(lambda: [orjson.dumps(d) for d in documents], args.repeat),
        "orjson loads (documents)": best(lambda: [orjson.loads(b) for b in raw], args.repeat),
        "export, R4B-validated": best(lambda: orjson.dumps(to_bundle(documents)), args.repeat),
        "export, unvalidated": best(
            lambda: orjson.dumps(to_bundle(documents, check=False)), args.repeat
        ),
        "import, R4B + standard validated": best(
            lambda: from_bundle(orjson.loads(bundle_bytes)), args.repeat
        ),
        "import, R4B validated only": best(
            lambda: from_bundle(orjson.loads(bundle_bytes), check=False), args.repeat
        ),
    }
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    for package in ("fhir.resources", "pydantic", "orjson"):
        print(f"{package} {importlib.metadata.version(package)}")
    print(f"{count} documents ({resources} FHIR resources), best of {args.repeat}")
    dumps, loads = figures["orjson dumps (documents)"], figures["orjson loads (documents)"]
    print(f"{'':34} {'docs/s':>12} {'vs orjson':>10}")
    for name, seconds in figures.items():
        baseline = loads if name.startswith(("import", "orjson loads")) else dumps
        rate = count / seconds
        print(f"{name:34} {rate:12,.0f} {baseline / seconds:10.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
