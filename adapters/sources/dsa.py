"""SAAS Disabled Students' Allowance award export (XML) to funding lines.

Source profile: spec/sources/saas-dsa/. Each ``StudentAward`` names the student by SAAS
reference, the academic year, the course and its study intensity, and holds allowance
elements. Each element becomes its own study-related line (SDS-SRC-013): basic allowance,
non-medical personal help and travel per academic year, equipment per course (FUNDING.md
section 5). Caps are not in the file; they are dated rate tables the budget engine reads.

The file is read as a stream of elements, so a file cut short keeps every award completed
before the break (SDS-SRC-007).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, cast

from adapters.sources.encoding import decode_text
from adapters.sources.fields import FieldReader
from adapters.sources.provenance import SourceFile
from adapters.sources.registry import Adapter
from adapters.sources.result import FILE_LOCATOR
from adapters.sources.source_codes import code_map

__all__ = ["adapter", "read"]

SAAS_SYSTEM = "https://spec.sdsx.scot/id/saas"
PAYER = {"kind": "funder", "code": "saas", "name": "Student Awards Agency Scotland"}
ROOT = "DSAAwardExport"
AWARD = "StudentAward"
_CHUNK = 1 << 16

STREAM = "saas-dsa"


def _award_fields(award: ET.Element, reader: FieldReader) -> dict[str, Any] | None:
    year = award.find("AcademicYear")
    course = award.find("Course")
    year_attrs = year.attrib if year is not None else {}
    course_attrs = course.attrib if course is not None else {}
    intensity_text = reader.text(course_attrs.get("intensity"), "Course/@intensity")
    intensity = None
    if intensity_text is not None:
        if intensity_text.isdigit() and 1 <= int(intensity_text) <= 100:
            intensity = int(intensity_text)
        else:
            reader.fail(
                "Course/@intensity", "intensity must be a whole percent 1-100", "SDS-SRC-009"
            )
    fields = {
        "reference": reader.text(award.findtext("StudentReference"), "StudentReference"),
        "status": reader.code(award.findtext("Status"), "Status", code_map(STREAM, "status")),
        "year_start": reader.date(year_attrs.get("start"), "AcademicYear/@start"),
        "year_end": reader.date(year_attrs.get("end"), "AcademicYear/@end"),
        "course_start": reader.date(course_attrs.get("start"), "Course/@start"),
        "course_end": reader.date(course_attrs.get("end"), "Course/@end"),
        "intensity": intensity,
    }
    return fields if reader.ok else None


def _allowance_line(
    element: ET.Element, reader: FieldReader, award: dict[str, Any]
) -> dict[str, Any] | None:
    stream = reader.code(element.get("type"), "@type", code_map(STREAM, "allowance-source"))
    amount = reader.pence(element.findtext("Amount"), "Amount")
    if stream is None or amount is None:
        return None
    per = code_map(STREAM, "allowance-unit")[str(element.get("type")).strip().upper()]
    course = {"start": award["course_start"], "end": award["course_end"]}
    year = {"start": award["year_start"], "end": award["year_end"]}
    return {
        "person_identifier": {"system": SAAS_SYSTEM, "value": award["reference"]},
        "source": stream,
        "payer": dict(PAYER),
        "source_reference": award["reference"],
        "award": {"amount": {"amount_minor": amount, "currency": "GBP"}, "per": per},
        # Equipment is granted once for the whole course; the rest for the academic year.
        "period": dict(course) if per == "per-course" else year,
        "purpose": "study-related",
        "status": award["status"],
        "holding_mode": "paid-to-person",
        "terms": {"study_intensity_percent": award["intensity"], "course": course},
    }


def _read_award(award: ET.Element, locator: str, source: SourceFile) -> None:
    reader = FieldReader(source, locator)
    fields = _award_fields(award, reader)
    allowances = award.findall("Allowance")
    if fields is not None and not allowances:
        reader.fail("Allowance", "an award needs at least one allowance", "SDS-SRC-009")
    if fields is None or not reader.ok:
        source.reject(locator, reader.problems)
        return
    for number, element in enumerate(allowances, start=1):
        element_locator = f"{locator}/Allowance[{number}]"
        element_reader = FieldReader(source, element_locator)
        line = _allowance_line(element, element_reader, fields)
        if line is None:
            source.reject(element_locator, element_reader.problems)
        else:
            source.accept(element_locator, line)


class _Stream:
    """Where the streaming parse has got to: depth, awards read, the first error."""

    def __init__(self) -> None:
        self.depth = 0
        self.awards = 0
        self.root_ok = True
        self.error: ET.ParseError | None = None

    def handle(self, event: str, element: Any, source: SourceFile) -> None:
        if event == "start":
            self.depth += 1
            if self.depth == 1 and element.tag != ROOT:
                self.root_ok = False
            return
        self.depth -= 1
        if self.depth == 1 and element.tag == AWARD and self.root_ok:
            self.awards += 1
            _read_award(element, f"/{ROOT}/{AWARD}[{self.awards}]", source)
            element.clear()


def read(data: bytes, source: SourceFile, profile: str | None) -> None:
    """Read a SAAS DSA award export into ``source``, award by award as the XML streams."""
    decoded = decode_text(data, source.file_name)
    for problem in decoded.problems:
        source.note(problem)
    if "<!DOCTYPE" in decoded.text or "<!ENTITY" in decoded.text:
        # The export needs no DTD; refusing one closes entity-expansion attacks outright.
        source.note(
            source.problem(
                FILE_LOCATOR,
                "",
                "DOCTYPE and ENTITY declarations are not accepted in a DSA export",
                "SDS-SRC-007",
            )
        )
        return
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    state = _Stream()
    text = decoded.text
    for offset in range(0, max(len(text), 1), _CHUNK):
        try:
            parser.feed(text[offset : offset + _CHUNK])
            if offset + _CHUNK >= len(text):
                parser.close()
        except ET.ParseError as exc:
            state.error = exc
        try:
            for event in parser.read_events():
                # Only "start" and "end" were asked for: each is (event, element).
                kind, element = cast(tuple[str, ET.Element], event)
                state.handle(kind, element, source)
        except ET.ParseError as exc:
            state.error = state.error or exc
        if state.error is not None:
            break
    root_ok, error, awards = state.root_ok, state.error, state.awards
    if not root_ok:
        source.note(
            source.problem(FILE_LOCATOR, "", f"the root element must be {ROOT}", "SDS-SRC-007")
        )
    elif error is not None:
        line, column = error.position
        reason = f"not well-formed XML at line {line} column {column}; the file may be cut short"
        if awards:
            reason += f": kept the {awards} complete award(s) before the break"
        source.note(source.problem(FILE_LOCATOR, "", reason, "SDS-SRC-007"))


adapter = Adapter(
    name="saas-dsa",
    version="1.0.0",
    title="SAAS Disabled Students' Allowance awards (XML)",
    read=read,
)
