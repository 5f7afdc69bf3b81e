"""Where a funding line came from, and the deterministic ids that make re-imports idempotent.

A line's id is derived from SHA-256 of the whole source file and the record locator
(SDS-SRC-002), shaped as a version-4 UUID so it is a valid record id: importing the same file
twice yields the same ids, and the gateway can tell a re-import from a new award. Every line
carries its provenance: adapter, adapter version, source digest, locator and received-at
(SDS-FND-010).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from adapters.sources.result import AdapterResult, RecordReport, SourceProblem
from spec import STANDARD_VERSION
from spec import validate as validate_document

__all__ = ["SourceFile", "line_id", "sha256_hex", "utc_timestamp"]


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def line_id(source_sha256: str, locator: str) -> str:
    """A UUID-v4-shaped id derived from the source digest and the record locator.

    The first 16 bytes of the digest with the version (4) and RFC 4122 variant bits set, as
    ``uuid.UUID(bytes=..., version=4)`` sets them, written in the canonical 8-4-4-4-12 form;
    formatting the hex directly avoids building a UUID object for every line.
    """
    head = bytearray(hashlib.sha256(f"{source_sha256}\n{locator}".encode()).digest()[:16])
    head[6] = (head[6] & 0x0F) | 0x40
    head[8] = (head[8] & 0x3F) | 0x80
    text = head.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def utc_timestamp(moment: dt.datetime) -> str:
    """``moment`` as a UTC ISO 8601 timestamp ending in Z; a naive time is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass(slots=True)
class SourceFile:
    """One source file being read by one adapter: identity, provenance and the result so far.

    Adapters build each line's stream-specific fields and hand them to :meth:`accept`, which
    adds the common fields, checks the finished line against the standard and records it;
    or they call :meth:`reject` with the problems that stopped a record.
    """

    file_name: str
    adapter: str
    adapter_version: str
    received_at: str
    sha256: str
    result: AdapterResult = field(default_factory=AdapterResult)

    @classmethod
    def open(
        cls, data: bytes, *, file_name: str, adapter: str, version: str, received_at: dt.datetime
    ) -> SourceFile:
        return cls(file_name, adapter, version, utc_timestamp(received_at), sha256_hex(data))

    def problem(
        self, locator: str, field_name: str, reason: str, requirement: str
    ) -> SourceProblem:
        """A problem in this file at ``locator``."""
        return SourceProblem(self.file_name, locator, field_name, reason, requirement)

    def note(self, problem: SourceProblem) -> None:
        """Record a problem that does not by itself decide a record (e.g. a warning)."""
        self.result.problems.append(problem)

    def reject(self, locator: str, problems: list[SourceProblem]) -> None:
        """Record that the record at ``locator`` produced no line, and why."""
        self.result.problems.extend(problems)
        self.result.records.append(RecordReport(locator, "rejected"))

    def provenance(self, locator: str) -> dict[str, str]:
        return {
            "adapter": self.adapter,
            "adapter_version": self.adapter_version,
            "source_sha256": self.sha256,
            "record_locator": locator,
            "received_at": self.received_at,
        }

    def accept(self, locator: str, fields: dict[str, Any]) -> str | None:
        """Finish, check and record one line built from the record at ``locator``.

        The finished line must pass :func:`spec.validate`; if it does not, the record is
        rejected with each failure as a problem (field = JSON pointer), so a caller never
        receives an invalid line (SDS-SRC-001).
        """
        line: dict[str, Any] = {
            "standard": STANDARD_VERSION,
            "type": "funding-line",
            "id": line_id(self.sha256, locator),
            "version": 1,
            **fields,
            "provenance": self.provenance(locator),
        }
        failures = validate_document(line)
        if failures:
            self.reject(
                locator,
                [
                    # spec.validate names the failed rule, never the value (SDS-IDN-006),
                    # so a refused identifier never reaches a problem report (SDS-SRC-017).
                    self.problem(locator, f.pointer, f.message, f.requirement)
                    for f in sorted(failures)
                ],
            )
            return None
        self.result.lines.append(line)
        self.result.records.append(RecordReport(locator, "ok", (line["id"],)))
        return str(line["id"])
