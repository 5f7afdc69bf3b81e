"""Dates as funders write them: UK day-first dates and ISO dates, read strictly (SDS-SRC-006).

"01/04/2026" is 1 April, never 4 January. Two-digit years, impossible days (31/02/2026) and
trailing text are refused with a reason; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

__all__ = ["DateError", "parse_date", "parse_iso_date", "parse_uk_date"]

_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class DateError(ValueError):
    """A date that cannot be read; the message says which form was expected."""


def _build(year: int, month: int, day: int, form: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(f"not a real calendar date ({form})") from None


# A source file repeats the same few dates on row after row (award starts, year ends), so
# each text is read once; a date is immutable and the caches are bounded, keeping memory flat.
# A refused text raises every time: exceptions are never cached.
@functools.lru_cache(maxsize=4096)
def parse_uk_date(text: str) -> dt.date:
    """A date written DD/MM/YYYY (leading zeros optional)."""
    match = _UK.fullmatch(text.strip())
    if not match:
        raise DateError("date must be written DD/MM/YYYY")
    day, month, year = (int(g) for g in match.groups())
    return _build(year, month, day, "DD/MM/YYYY")


@functools.lru_cache(maxsize=4096)
def parse_iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD."""
    match = _ISO.fullmatch(text.strip())
    if not match:
        raise DateError("date must be written YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    return _build(year, month, day, "YYYY-MM-DD")


@functools.lru_cache(maxsize=4096)
def parse_date(text: str, form: str) -> dt.date:
    """A date in the ``strftime``-style ``form`` a mapping profile names (e.g. ``%d/%m/%Y``).

    The two forms every source uses are read by the strict parsers above; any other form goes
    through :meth:`datetime.datetime.strptime`, which refuses trailing text.
    """
    if form == "%d/%m/%Y":
        return parse_uk_date(text)
    if form == "%Y-%m-%d":
        return parse_iso_date(text)
    try:
        return dt.datetime.strptime(text.strip(), form).date()
    except ValueError:
        raise DateError(f"date must be written in the form {form}") from None
