"""One conformance run as a record: who was tested, how, when, and every result.

:class:`RunRecord` is the single result model every report (JSON, JUnit, HTML) and the
certificate are rendered from, so they can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from conformance.capabilities import Capabilities
from conformance.results import Outcome, Result, Waiver, counts, exit_code
from spec._paths import STANDARD_VERSION
from spec.requirements import Catalogue

__all__ = ["REPORT_FORMAT", "RunRecord", "coverage", "suite_version"]

REPORT_FORMAT = "sdsx-conformance-report/1"
# When a requirement has several results, the worst one is its verdict.
_RANK = [
    Outcome.ERROR,
    Outcome.FAIL,
    Outcome.SKIP,
    Outcome.WARN,
    Outcome.PASS,
    Outcome.NOT_APPLICABLE,
]


def suite_version() -> str:
    """The installed suite's version (the sdsx distribution it ships in)."""
    try:
        return version("sdsx")
    except PackageNotFoundError:
        return "0.0.0"


def coverage(results: list[Result], catalogue: Catalogue) -> list[dict[str, Any]]:
    """Per requirement any result cites: its level, worst outcome and the checks citing it."""
    seen: dict[str, list[Result]] = {}
    for result in results:
        for rid in result.requirements:
            seen.setdefault(rid, []).append(result)
    rows = []
    for rid in sorted(seen):
        outcomes = {r.outcome for r in seen[rid] if r.waiver is None} or {Outcome.PASS}
        verdict = next(o for o in _RANK if o in outcomes)
        rows.append(
            {
                "requirement": rid,
                "level": catalogue.get(rid).level if rid in catalogue else "MUST",
                "verdict": verdict.value,
                "checks": sorted({r.check_id for r in seen[rid]}),
            }
        )
    return rows


@dataclass(slots=True)
class RunRecord:
    """Everything about one run that reports and the certificate need."""

    mode: str
    target: str
    capabilities: Capabilities
    seed: int
    started_at: dt.datetime
    finished_at: dt.datetime
    results: list[Result]
    groups: dict[str, float] = field(default_factory=dict)
    waivers: list[Waiver] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def exit_code(self) -> int:
        return exit_code(self.results)

    def as_dict(self, catalogue: Catalogue) -> dict[str, Any]:
        """The JSON report (schema ``conformance/report.schema.json``)."""
        found: dict[str, Any] = {
            "report_format": REPORT_FORMAT,
            "suite_version": suite_version(),
            "spec_version": STANDARD_VERSION,
            "mode": self.mode,
            "target": self.target,
            "role": self.capabilities.role,
            "level": self.capabilities.level,
            "started_at": self.started_at.isoformat().replace("+00:00", "Z"),
            "finished_at": self.finished_at.isoformat().replace("+00:00", "Z"),
            "duration_ms": round((self.finished_at - self.started_at).total_seconds() * 1000, 3),
            "seed": self.seed,
            "capabilities": self.capabilities.as_dict(),
            "summary": counts(self.results),
            "exit_code": self.exit_code,
            "groups": {k: round(v, 3) for k, v in self.groups.items()},
            "results": [r.as_dict() for r in self.results],
            "coverage": coverage(self.results, catalogue),
            "waivers": [w.as_dict() for w in self.waivers],
        }
        if self.capabilities.product:
            found["product"] = self.capabilities.product
        return found
