"""Identifier rules: CHI numbers, National Insurance numbers, and opaque references.

Each check returns ``None`` for a valid value or the name of the rule that failed, so a
caller can say exactly what is wrong without echoing the identifier itself (SDS-IDN-*).
"""

from __future__ import annotations

import datetime as dt
import operator
import re

__all__ = [
    "CHI_SYSTEM",
    "COUNCIL_PERSON_SYSTEM",
    "NINO_SYSTEM",
    "check_chi",
    "check_identifier",
    "check_nino",
    "chi_birth_date",
    "normalise_nino",
]

CHI_SYSTEM = "https://spec.sdsx.scot/id/chi"
NINO_SYSTEM = "https://spec.sdsx.scot/id/nino"
COUNCIL_PERSON_SYSTEM = "https://spec.sdsx.scot/id/council-person"

_CHI = re.compile(r"[0-9]{10}")
_NINO = re.compile(r"([A-Z]{2})([0-9]{6})([A-D]?)")
# HMRC never issues these first letters, second letters or prefixes (NIM39110).
_NINO_BAD_FIRST = frozenset("DFIQUV")
_NINO_BAD_SECOND = frozenset("DFIOQUV")
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
# Administrative pseudo-prefixes exist in HMRC systems but never name a person (NIM39110;
# FUNDING.md section 4.2), so they are rejected as personal identifiers. OO is already caught
# by the second-letter rule and FY by the first-letter rule; they are listed for completeness.
_NINO_ADMIN_PREFIXES = frozenset({"CR", "FY", "MW", "NC", "OO", "PP"})


def chi_birth_date(chi: str) -> dt.date | None:
    """The date encoded in a CHI's first six digits (DDMMYY), or ``None`` when not a date.

    The century is not in the CHI; any century that makes a real date is accepted, so a
    29 February is valid when some century's year is a leap year (2000 is; 1900 is not).
    """
    day, month, yy = int(chi[0:2]), int(chi[2:4]), int(chi[4:6])
    for century in (2000, 1900):
        try:
            return dt.date(century + yy, month, day)
        except ValueError:
            continue
    return None


# Weights 10..2 of the modulus-11 check; map() over them keeps the sum in C, which matters
# because every imported funding line checks its CHI.
_MOD11_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def _mod11_ok(chi: str) -> bool:
    total: int = sum(map(operator.mul, map(int, chi[:9]), _MOD11_WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(chi[9])


def _mod10_ok(chi: str) -> bool:
    # Luhn over the first nine digits, as Public Health Scotland's chi_check accepts since
    # November 2025 (FUNDING.md section 8).
    total = 0
    for i, digit in enumerate(reversed(chi[:9])):
        n = int(digit)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return (10 - total % 10) % 10 == int(chi[9])


def check_chi(value: str) -> str | None:
    """``None`` when ``value`` is a valid CHI; otherwise which rule failed (SDS-IDN-002)."""
    if not _CHI.fullmatch(value):
        return "CHI must be exactly 10 digits"
    if chi_birth_date(value) is None:
        return "CHI digits 1-6 must be a real date DDMMYY"
    if not (_mod11_ok(value) or _mod10_ok(value)):
        return "CHI check digit fails both modulus 11 and modulus 10"
    return None


def normalise_nino(value: str) -> str:
    """Upper-case a NINO and drop spaces, as people write it ``QQ 12 34 56 C``."""
    return value.replace(" ", "").upper()


def check_nino(value: str) -> str | None:
    """``None`` when ``value`` is a valid NINO; otherwise which rule failed (SDS-IDN-003)."""
    match = _NINO.fullmatch(value)
    if not match:
        return "NINO must be two letters, six digits and an optional suffix A-D"
    prefix = match.group(1)
    if prefix[0] in _NINO_BAD_FIRST:
        return f"NINO first letter cannot be {prefix[0]}"
    if prefix[1] in _NINO_BAD_SECOND:
        return f"NINO second letter cannot be {prefix[1]}"
    if prefix in _NINO_BAD_PREFIXES:
        return f"NINO prefix {prefix} is never issued"
    if prefix in _NINO_ADMIN_PREFIXES:
        return f"NINO prefix {prefix} is administrative and never names a person"
    return None


def check_identifier(system: str, value: str) -> tuple[str, str] | None:
    """Check an identifier by its system: ``None`` or ``(requirement ID, failed rule)``.

    ILF, Access to Work and SAAS references are opaque (SDS-IDN-005): only the schema's
    length limits apply.
    """
    if system == CHI_SYSTEM:
        failure = check_chi(value)
        return None if failure is None else ("SDS-IDN-002", failure)
    if system == NINO_SYSTEM:
        failure = check_nino(value)
        return None if failure is None else ("SDS-IDN-003", failure)
    return None
