"""Reading one record's fields with a problem for each field that is wrong (SDS-SRC-003).

A :class:`FieldReader` wraps a record of a structured source (JSON object, XML element,
FHIR resource) and reads typed values from it: text, pounds, dates and codes. Each failed
read adds a problem naming the field by its pointer and returns ``None``, so an adapter reads
every field, reports every fault at once, and builds the line only when none failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from adapters.sources.amounts import AmountError, pence_from_decimal, pence_from_pounds
from adapters.sources.provenance import SourceFile
from adapters.sources.result import SourceProblem
from adapters.sources.uk_dates import DateError, parse_iso_date, parse_uk_date

__all__ = ["FieldReader", "as_object", "pence_half_up"]

_PENNY = Decimal("0.01")


def as_object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (its fields then read as missing)."""
    return value if isinstance(value, dict) else {}


def pence_half_up(pounds: Decimal) -> int:
    """Pounds rounded half-up to the penny, in pence (FUNDING.md: round once, half-up)."""
    return int(pounds.quantize(_PENNY, rounding=ROUND_HALF_UP) * 100)


class FieldReader:
    """Reads fields of one record; ``problems`` collects what went wrong, by field."""

    def __init__(self, source: SourceFile, locator: str) -> None:
        self.source = source
        self.locator = locator
        self.problems: list[SourceProblem] = []

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, field_name: str, reason: str, requirement: str) -> None:
        problem = self.source.problem(self.locator, field_name, reason, requirement)
        if problem not in self.problems:
            self.problems.append(problem)

    def text(self, value: Any, field_name: str, *, required: bool = True) -> str | None:
        """A non-empty string (numbers are accepted as their text), or ``None``."""
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field_name, "required value is missing or empty", "SDS-SRC-009")
            return None
        self.fail(field_name, f"expected text, found {type(value).__name__}", "SDS-SRC-009")
        return None

    def pence(self, value: Any, field_name: str, *, required: bool = True) -> int | None:
        """Whole pence from pounds given as a JSON number (exact decimal) or a "£" string."""
        if value is None or value == "":
            if required:
                self.fail(field_name, "required amount is missing", "SDS-SRC-009")
            return None
        try:
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                return pence_from_decimal(Decimal(value))
            if isinstance(value, str):
                return pence_from_pounds(value)
        except AmountError as exc:
            self.fail(field_name, str(exc), "SDS-SRC-005")
            return None
        self.fail(field_name, "amount must be a number or text of pounds", "SDS-SRC-005")
        return None

    def decimal(self, value: Any, field_name: str) -> Decimal | None:
        """A positive exact decimal quantity (hours, days), from a number or its text."""
        try:
            number = Decimal(str(value)) if isinstance(value, str | int | Decimal) else None
        except InvalidOperation:
            number = None
        if number is None or isinstance(value, bool) or not number.is_finite() or number <= 0:
            self.fail(field_name, "expected a positive number", "SDS-SRC-009")
            return None
        return number

    def date(
        self, value: Any, field_name: str, *, required: bool = True, day_first: bool = False
    ) -> str | None:
        """An ISO date string from ``YYYY-MM-DD`` (or ``DD/MM/YYYY`` when ``day_first``)."""
        if value is None or value == "":
            if required:
                self.fail(field_name, "required date is missing", "SDS-SRC-009")
            return None
        if not isinstance(value, str):
            self.fail(field_name, "date must be text", "SDS-SRC-006")
            return None
        try:
            parsed: dt.date = parse_uk_date(value) if day_first else parse_iso_date(value)
        except DateError as exc:
            self.fail(field_name, str(exc), "SDS-SRC-006")
            return None
        return parsed.isoformat()

    def code(self, value: Any, field_name: str, codes: Mapping[str, str]) -> str | None:
        """The standard's code for a source code (matched without case), or ``None``."""
        text = self.text(value, field_name)
        if text is None:
            return None
        mapped = codes.get(text.upper())
        if mapped is None:
            self.fail(
                field_name,
                "unknown code; expected one of " + ", ".join(sorted(codes)),
                "SDS-SRC-010",
            )
        return mapped
