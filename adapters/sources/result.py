"""What an adapter hands back: funding lines, line-level problems and a report per record.

An adapter never raises for bad input. Each source record ends up in exactly one
:class:`RecordReport` ("ok" with the ids of the lines it produced, or "rejected"), and each
thing wrong with it is a :class:`SourceProblem` naming the file, the record locator, the field
and the requirement it breaks (SDS-SRC-003). A problem about the file as a whole (unreadable,
truncated, wrong encoding) has the locator ``"file"``. Problems never quote personal data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "FILE_LOCATOR",
    "AdapterResult",
    "RecordReport",
    "Severity",
    "SourceProblem",
]

FILE_LOCATOR = "file"

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """One thing wrong with one record (or with the whole file) of a source file."""

    file: str
    locator: str
    field: str
    reason: str
    requirement: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}: {self.locator}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.reason} [{self.requirement}]"


@dataclass(frozen=True, slots=True)
class RecordReport:
    """What became of one source record: the lines it produced, or its rejection."""

    locator: str
    status: Literal["ok", "rejected"]
    line_ids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"locator": self.locator, "status": self.status, "line_ids": list(self.line_ids)}


@dataclass(slots=True)
class AdapterResult:
    """Funding lines read from one source file, with every problem met on the way."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)
    records: list[RecordReport] = field(default_factory=list)

    @property
    def rejected(self) -> list[RecordReport]:
        """The records that produced no line."""
        return [r for r in self.records if r.status == "rejected"]

    @property
    def unusable(self) -> bool:
        """True when the file yielded nothing at all and said why at file level."""
        return not self.lines and any(
            p.locator == FILE_LOCATOR and p.severity == "error" for p in self.problems
        )

    def errors(self) -> list[SourceProblem]:
        """The problems that are errors, not warnings."""
        return [p for p in self.problems if p.severity == "error"]
