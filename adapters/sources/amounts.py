"""Money as funders write it, read exactly into integer pence (SDS-SRC-005).

Spreadsheets write "£1,234.50", "1234.5", "£ 330" or "(12.00)"; JSON exports write decimal
strings or numbers; some case systems write whole pence. Everything goes through
:class:`decimal.Decimal` and is never a float, so "£0.10" + "£0.20" is exactly 30p.
An amount with more than two decimal places is refused rather than rounded: the source must
say what it means to the penny.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

__all__ = ["AmountError", "pence_from_decimal", "pence_from_pence_text", "pence_from_pounds"]

# Thousands separators must sit in groups of three, so "£1,2x4" and "1,23.00" are refused.
_POUNDS = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+")
_PENCE = re.compile(r"[0-9]+")
_PENNY = Decimal("0.01")


class AmountError(ValueError):
    """An amount that cannot be read exactly; the message says why without echoing it."""


def pence_from_decimal(value: Decimal, *, allow_negative: bool = False) -> int:
    """Whole pence for an exact decimal number of pounds (at most two decimal places)."""
    if not value.is_finite():
        raise AmountError("amount is not a finite number")
    try:
        exact = value == value.quantize(_PENNY)
    except InvalidOperation:
        raise AmountError("amount is too large") from None
    if not exact:
        raise AmountError("amount has more than two decimal places")
    if value < 0 and not allow_negative:
        raise AmountError("amount is negative")
    return int((value * 100).to_integral_exact())


# Exports repeat the same amounts (standard rates, weekly charges) on many rows; each text is
# read once. An int is immutable, the cache is bounded, and a refused text raises every time.
@functools.lru_cache(maxsize=4096)
def pence_from_pounds(text: str, *, allow_negative: bool = False) -> int:
    """Whole pence for a pounds amount written as in a spreadsheet: "£1,234.50" -> 123450.

    Accepts an optional "£" or "GBP", spaces, thousands commas in groups of three, a leading
    minus or accounting brackets for negatives (when ``allow_negative``).
    """
    cleaned = text.strip().replace("\u00a0", " ")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1].strip()
    if cleaned.startswith("-"):
        negative, cleaned = True, cleaned[1:].strip()
    for prefix in ("£", "GBP"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].strip()
    if cleaned.startswith("-"):
        negative, cleaned = True, cleaned[1:].strip()
    if not cleaned:
        raise AmountError("amount is empty")
    if not _POUNDS.fullmatch(cleaned):
        raise AmountError("amount is not a number of pounds like £1,234.50")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        raise AmountError("amount is not a number of pounds like £1,234.50") from None
    if negative:
        value = -value
    return pence_from_decimal(value, allow_negative=allow_negative)


def pence_from_pence_text(text: str) -> int:
    """Whole pence written as an integer count of pence ("12345" -> 12345)."""
    cleaned = text.strip()
    if not _PENCE.fullmatch(cleaned):
        raise AmountError("amount is not a whole number of pence")
    return int(cleaned)
