"""Golden files: each shipped sample in, the exact funding lines out (SDS-SRC-001/002).

Regenerate after a deliberate change with ``SDSX_REGEN_GOLDEN=1 pytest tests/unit/adapters``
and review the diff: a golden file is a promise about what a funder's file turns into.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

import spec
from adapters.sources import available, parse

SOURCES = Path(spec.__file__).parent / "sources"
GOLDEN = Path(__file__).parent / "golden"
RECEIVED = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)

SAMPLES: list[tuple[str, str, str | None]] = [
    ("ilf-scotland", "ilf-scotland/sample.csv", None),
    ("dwp-access-to-work", "dwp-access-to-work/sample.json", None),
    ("saas-dsa", "saas-dsa/sample.xml", None),
    ("nhs-board", "nhs-board/sample-bundle.json", None),
    ("council", "council/carefirst-like-export.csv", "carefirst-like-csv"),
    ("council", "council/mosaic-like-export.json", "mosaic-like-json"),
]


def _run(source: str, sample: str, profile: str | None) -> list[dict[str, object]]:
    data = (SOURCES / sample).read_bytes()
    result = parse(source, data, file_name=Path(sample).name, received_at=RECEIVED, profile=profile)
    assert result.problems == []
    assert all(r.status == "ok" for r in result.records)
    return result.lines


@pytest.mark.parametrize(("source", "sample", "profile"), SAMPLES)
def test_sample_gives_golden_lines(source: str, sample: str, profile: str | None) -> None:
    lines = _run(source, sample, profile)
    golden = GOLDEN / (Path(sample).parent.name + "-" + Path(sample).stem + ".ndjson")
    rendered = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)
    if os.environ.get("SDSX_REGEN_GOLDEN") == "1":
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(("source", "sample", "profile"), SAMPLES)
def test_every_line_is_valid_and_ids_are_deterministic(
    source: str, sample: str, profile: str | None
) -> None:
    first = _run(source, sample, profile)
    second = _run(source, sample, profile)
    assert first == second
    assert len({line["id"] for line in first}) == len(first)
    for line in first:
        assert spec.validate(line) == []


def test_every_registered_adapter_has_a_golden_sample() -> None:
    assert {s for s, _, _ in SAMPLES} == set(available())
