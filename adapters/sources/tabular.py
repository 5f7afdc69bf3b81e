"""Rows of a CSV export, each with the physical line it starts on (SDS-SRC-003, SDS-SRC-007).

Spreadsheet exports put a header row first. Blank rows are skipped; a row whose cell count
differs from the header's, or a quoted cell left open at the end of the file, is reported as
a problem on that row (a cut-short file usually shows here) while every other row is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from adapters.sources.encoding import DecodedText
from adapters.sources.result import FILE_LOCATOR, SourceProblem

__all__ = ["CsvRow", "CsvTable", "read_csv"]


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its locator ("line N") and its cells keyed by header name.

    ``cells`` is ``None`` for a row that could not be read; its problems are in the table.
    """

    locator: str
    cells: dict[str, str] | None


@dataclass(slots=True)
class CsvTable:
    """The header, the rows in file order and the problems of rows that could not be read."""

    header: list[str]
    rows: list[CsvRow]
    problems: list[SourceProblem]


def _normalise(name: str) -> str:
    return " ".join(name.strip().lower().split())


def _physical_rows(text: str) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """(start line, end line, cells or None, error) per row, following quoted line breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, reader.line_num, None, str(exc)
            return
        previous_end = reader.line_num
        yield start, previous_end, cells, ""


def read_csv(decoded: DecodedText, file_name: str, *, required: list[str]) -> CsvTable:
    """Read a header row and data rows; header names are matched case- and space-insensitively.

    A missing required column is a file-level problem and no row is read.
    """
    table = CsvTable([], [], [])
    rows = _physical_rows(decoded.text)
    for _start, _end, cells, error in rows:
        if cells is None:
            table.problems.append(
                SourceProblem(
                    file_name, FILE_LOCATOR, "", f"header unreadable: {error}", "SDS-SRC-007"
                )
            )
            return table
        if any(c.strip() for c in cells):
            table.header = [_normalise(c) for c in cells]
            break
    else:
        table.problems.append(
            SourceProblem(file_name, FILE_LOCATOR, "", "file has no header row", "SDS-SRC-007")
        )
        return table
    missing = [c for c in required if _normalise(c) not in table.header]
    if missing:
        table.problems.append(
            SourceProblem(
                file_name,
                FILE_LOCATOR,
                "",
                "missing column(s): " + ", ".join(missing),
                "SDS-SRC-007",
            )
        )
        return table
    width = len(table.header)
    # A short final row in a file that does not end with a line break was probably cut.
    cut = not decoded.text.endswith(("\n", "\r"))
    last_line = decoded.text.count("\n") + 1
    for start, end, cells, error in rows:
        locator = f"line {start}"
        if cells is None:
            reason = f"row unreadable ({error}): the file may be cut short mid-row"
            table.problems.append(SourceProblem(file_name, locator, "", reason, "SDS-SRC-007"))
            table.rows.append(CsvRow(locator, None))
            continue
        if not any(c.strip() for c in cells):
            continue
        if start in decoded.bad_lines:
            table.rows.append(CsvRow(locator, None))
            continue
        if len(cells) != width:
            reason = f"row has {len(cells)} cells but the header has {width}"
            if len(cells) < width and cut and end == last_line:
                reason += "; the file may be cut short mid-row"
            table.problems.append(SourceProblem(file_name, locator, "", reason, "SDS-SRC-007"))
            table.rows.append(CsvRow(locator, None))
            continue
        table.rows.append(
            CsvRow(
                locator,
                {name: cell.strip() for name, cell in zip(table.header, cells, strict=True)},
            )
        )
    return table
