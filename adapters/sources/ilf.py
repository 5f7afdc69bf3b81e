"""ILF Scotland award export (CSV) to funding lines. Source profile: spec/sources/ilf-scotland/.

One row per award. An ongoing award is a weekly amount paid monthly over ILF's 52-week
financial year from 1 April; a Transition Fund grant is a one-off (FUNDING.md section 3).
The file is a spreadsheet export: UTF-8 with or without BOM, or Windows-1252; dates
DD/MM/YYYY; amounts like "£1,234.50".
"""

from __future__ import annotations

from typing import Any

from adapters.sources.amounts import AmountError, pence_from_pounds
from adapters.sources.encoding import decode_text
from adapters.sources.provenance import SourceFile
from adapters.sources.registry import Adapter
from adapters.sources.result import SourceProblem
from adapters.sources.source_codes import code_map
from adapters.sources.tabular import CsvRow, read_csv
from adapters.sources.uk_dates import DateError, parse_uk_date
from spec.identifiers import CHI_SYSTEM, check_chi

__all__ = ["adapter", "read"]

ILF_REFERENCE_SYSTEM = "https://spec.sdsx.scot/id/ilf-scotland"
PAYER = {"kind": "funder", "code": "ilf-scotland", "name": "ILF Scotland"}

STREAM = "ilf-scotland"
REQUIRED = ["ILF Reference", "Award Type", "Award Amount", "Award Start", "Status"]


def _cell(row: CsvRow, column: str) -> str:
    return (row.cells or {}).get(column.lower(), "")


def _line(row: CsvRow, source: SourceFile) -> tuple[dict[str, Any], list[SourceProblem]]:
    problems: list[SourceProblem] = []

    def fail(column: str, reason: str, requirement: str) -> None:
        problems.append(source.problem(row.locator, column, reason, requirement))

    reference = _cell(row, "ILF Reference")
    if not reference:
        fail("ILF Reference", "the award reference is empty", "SDS-SRC-009")
    award_type = _cell(row, "Award Type").upper()
    stream = code_map(STREAM, "award-type-source").get(award_type)
    if stream is None:
        fail(
            "Award Type",
            "unknown award type; expected one of "
            + ", ".join(sorted(code_map(STREAM, "award-type-source"))),
            "SDS-SRC-010",
        )
    statuses = code_map(STREAM, "status")
    status = statuses.get(_cell(row, "Status").upper())
    if status is None:
        fail(
            "Status",
            "unknown status; expected one of " + ", ".join(sorted(statuses)),
            "SDS-SRC-010",
        )
    amounts: dict[str, int] = {}
    for column in ("Award Amount", "Weekly Contribution"):
        text = _cell(row, column)
        if not text and column == "Weekly Contribution":
            continue
        try:
            amounts[column] = pence_from_pounds(text)
        except AmountError as exc:
            fail(column, str(exc), "SDS-SRC-005")
    dates: dict[str, str] = {}
    for column in ("Award Start", "Award End", "Review Date"):
        text = _cell(row, column)
        if not text and column != "Award Start":
            continue
        try:
            dates[column] = parse_uk_date(text).isoformat()
        except DateError as exc:
            fail(column, str(exc), "SDS-SRC-006")
    chi = _cell(row, "CHI Number").replace(" ", "")
    if chi and (failure := check_chi(chi)):
        fail("CHI Number", failure, "SDS-IDN-002")
    if problems or stream is None or status is None:
        return {}, problems
    per = code_map(STREAM, "award-type-unit")[award_type]
    purpose = code_map(STREAM, "award-type-purpose")[award_type]
    line: dict[str, Any] = {
        "person_identifier": {"system": CHI_SYSTEM, "value": chi}
        if chi
        else {"system": ILF_REFERENCE_SYSTEM, "value": reference},
        "source": stream,
        "payer": dict(PAYER),
        "source_reference": reference,
        "award": {
            "amount": {"amount_minor": amounts["Award Amount"], "currency": "GBP"},
            "per": per,
        },
        "period": {"start": dates["Award Start"]},
        "purpose": purpose,
        "status": status,
        "holding_mode": "paid-to-person",
    }
    if "Award End" in dates:
        line["period"]["end"] = dates["Award End"]
    if per == "per-week":
        # ILF pays a weekly award monthly; its year is 52 weeks from 1 April (SDS-SRC-011).
        line["payment"] = {"frequency": "per-calendar-month"}
        line["terms"] = {"weeks_per_year": 52}
    if "Review Date" in dates:
        line["review_date"] = dates["Review Date"]
    if amounts.get("Weekly Contribution"):
        line["contribution"] = {
            "amount": {
                "amount": {"amount_minor": amounts["Weekly Contribution"], "currency": "GBP"},
                "per": "per-week",
            },
            "mode": "net-at-source",
            "basis": "ILF contribution from care-component benefits (ILF Policy 14)",
        }
    return line, []


def read(data: bytes, source: SourceFile, profile: str | None) -> None:
    """Read an ILF Scotland award export into ``source``."""
    decoded = decode_text(data, source.file_name)
    for problem in decoded.problems:
        source.note(problem)
    table = read_csv(decoded, source.file_name, required=REQUIRED)
    for problem in table.problems:
        source.note(problem)
    for row in table.rows:
        if row.cells is None:
            source.reject(row.locator, [])
            continue
        line, problems = _line(row, source)
        if problems:
            source.reject(row.locator, problems)
        else:
            source.accept(row.locator, line)


adapter = Adapter(
    name="ilf-scotland",
    version="1.0.0",
    title="ILF Scotland award export (CSV)",
    read=read,
)
