"""Results of a conformance run: one verdict per check, with the evidence behind it.

The vocabulary keeps apart what the anchors learned to keep apart (Inferno, OIDF):

- ``pass``: the target did what the cited requirements say;
- ``fail``: a MUST was broken (blocks a pass);
- ``warn``: only a SHOULD or MAY was broken (never blocks);
- ``skip``: the check could not verify (missing data, unreachable path): blocks a pass,
  because nothing unverified may be certified;
- ``not-applicable``: the declared capabilities say this check does not concern the target;
  reported, never dropped;
- ``error``: a defect of the suite itself, never counted against the vendor.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "EXIT_CANNOT_RUN",
    "EXIT_FAILED",
    "EXIT_PASSED",
    "EXIT_SUITE_ERROR",
    "Exchange",
    "Outcome",
    "Result",
    "Waiver",
    "counts",
    "exit_code",
]

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2
EXIT_SUITE_ERROR = 3


class Outcome(StrEnum):
    """The verdict of one check."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request and its response, already redacted, as evidence."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_headers: dict[str, str]
    response_body: str
    elapsed_ms: float = 0.0

    def curl(self) -> str:
        """A curl command reproducing the request (credentials left as shell variables)."""
        parts = ["curl", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            if name.lower() in {"host", "content-length", "accept-encoding", "connection"}:
                continue
            if name.lower() == "user-agent":
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body is not None:
            parts += ["--data-binary", shlex.quote(self.request_body)]
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": self.request_headers,
                "body": self.request_body,
            },
            "response": {
                "status": self.status,
                "headers": self.response_headers,
                "body": self.response_body,
            },
            "elapsed_ms": round(self.elapsed_ms, 3),
            "curl": self.curl(),
        }


@dataclass(frozen=True, slots=True)
class Waiver:
    """A known failure accepted for a while: it names a check or a requirement."""

    target: str
    reason: str
    expires: str
    ticket: str = ""

    def as_dict(self) -> dict[str, str]:
        found = {"target": self.target, "reason": self.reason, "expires": self.expires}
        if self.ticket:
            found["ticket"] = self.ticket
        return found


@dataclass(slots=True)
class Result:
    """The verdict of one check on one subject."""

    check_id: str
    title: str
    group: str
    requirements: tuple[str, ...]
    outcome: Outcome
    message: str = ""
    duration_ms: float = 0.0
    evidence: list[Exchange] = field(default_factory=list)
    seed: int | None = None
    subject: str = ""
    waiver: Waiver | None = None

    @property
    def blocking(self) -> bool:
        """Whether this result stops the run passing (a fail or skip nobody waived)."""
        return self.outcome in (Outcome.FAIL, Outcome.SKIP) and self.waiver is None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": self.check_id,
            "title": self.title,
            "group": self.group,
            "requirements": list(self.requirements),
            "outcome": self.outcome.value,
            "message": self.message,
            "duration_ms": round(self.duration_ms, 3),
            "evidence": [e.as_dict() for e in self.evidence],
        }
        if self.subject:
            found["subject"] = self.subject
        if self.seed is not None:
            found["seed"] = self.seed
        if self.waiver is not None:
            found["waiver"] = self.waiver.as_dict()
        return found


def counts(results: list[Result]) -> dict[str, int]:
    """How many results have each outcome (every outcome named, zero included)."""
    found = {o.value: 0 for o in Outcome}
    for result in results:
        found[result.outcome.value] += 1
    found["waived"] = sum(1 for r in results if r.waiver is not None)
    return found


def exit_code(results: list[Result]) -> int:
    """0 every applicable MUST passed; 1 a MUST failed or could not be verified; 3 suite erred.

    A suite error wins over a vendor failure: when the suite is broken none of its verdicts
    can be trusted, so the run must not be read as a vendor's failure.
    """
    if any(r.outcome is Outcome.ERROR for r in results):
        return EXIT_SUITE_ERROR
    if any(r.blocking for r in results):
        return EXIT_FAILED
    return EXIT_PASSED
