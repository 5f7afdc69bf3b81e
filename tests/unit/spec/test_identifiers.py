"""Identifier rules: CHI (date, modulus 11 or modulus 10) and NINO (format, prefixes)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from spec.identifiers import (
    CHI_SYSTEM,
    COUNCIL_PERSON_SYSTEM,
    NINO_SYSTEM,
    check_chi,
    check_identifier,
    check_nino,
    chi_birth_date,
    normalise_nino,
)


def mod11_digit(body: str) -> int:
    """The modulus-11 check digit of nine CHI digits, or 10 when none exists."""
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    return (11 - total % 11) % 11


def luhn_digit(body: str) -> int:
    """The modulus-10 (Luhn) check digit of nine CHI digits, doubling from the right."""
    total = 0
    for position, digit in enumerate(reversed(body)):
        n = int(digit) * (2 if position % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


# --- CHI -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chi", "why"),
    [
        ("0101011237", "Public Health Scotland's own example; leading zero kept"),
        ("1506943217", "modulus 11 digit 7 (the modulus 10 digit would be 4)"),
        ("1506943214", "modulus 10 digit 4, issued once modulus 11 numbers run out"),
        ("1212121212", "no modulus 11 digit exists (it would be 10); modulus 10 gives 2"),
        ("2902003455", "29 February 2000 is a real date"),
        ("2902045670", "29 February 2004 is a real date"),
    ],
)
def test_valid_chi(chi: str, why: str) -> None:
    assert check_chi(chi) is None, why


@pytest.mark.parametrize(
    ("chi", "rule"),
    [
        ("1506943210", "check digit"),
        ("1212121210", "check digit"),
        ("3201201234", "real date"),
        ("0113011237", "real date"),
        ("2902014567", "real date"),  # 29 Feb 01: neither 1901 nor 2001 is a leap year.
        ("3104991234", "real date"),
        ("101011237", "10 digits"),
        ("01010112370", "10 digits"),
        ("010101123X", "10 digits"),
        ("010101 1237", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_invalid_chi_names_the_rule(chi: str, rule: str) -> None:
    failure = check_chi(chi)
    assert failure is not None
    assert rule in failure
    if chi:
        assert chi not in failure, "a failure message must not echo the identifier"


def test_chi_birth_date_century() -> None:
    assert chi_birth_date("2902003455") == dt.date(2000, 2, 29)
    assert chi_birth_date("0101011237") in (dt.date(2001, 1, 1), dt.date(1901, 1, 1))
    assert chi_birth_date("2902014567") is None


def test_chi_date_is_checked_before_the_check_digit() -> None:
    body = "320101123"
    assert (
        check_chi(body + str(mod11_digit(body) % 10)) == "CHI digits 1-6 must be a real date DDMMYY"
    )


chi_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
serials = st.text(alphabet="0123456789", min_size=3, max_size=3)


@given(born=chi_dates, serial=serials)
def test_every_chi_with_its_modulus_11_digit_passes(born: dt.date, serial: str) -> None:
    body = born.strftime("%d%m%y") + serial
    digit = mod11_digit(body)
    assume(digit != 10)
    assert check_chi(f"{body}{digit}") is None


@given(born=chi_dates, serial=serials)
def test_every_chi_with_its_modulus_10_digit_passes(born: dt.date, serial: str) -> None:
    body = born.strftime("%d%m%y") + serial
    assert check_chi(f"{body}{luhn_digit(body)}") is None


@given(born=chi_dates, serial=serials, other=st.integers(0, 9))
def test_any_other_check_digit_fails(born: dt.date, serial: str, other: int) -> None:
    body = born.strftime("%d%m%y") + serial
    assume(other not in (mod11_digit(body), luhn_digit(body)))
    assert check_chi(f"{body}{other}") == "CHI check digit fails both modulus 11 and modulus 10"


@given(born=chi_dates, serial=serials)
def test_birth_date_round_trips(born: dt.date, serial: str) -> None:
    found = chi_birth_date(born.strftime("%d%m%y") + serial + "0")
    assert found is not None
    assert (found.day, found.month, found.year % 100) == (born.day, born.month, born.year % 100)


# --- NINO ------------------------------------------------------------------------------------

NEVER_ISSUED = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]
ADMINISTRATIVE = ["CR", "MW", "NC", "PP"]  # OO and FY fail the letter rules first.
BAD_FIRST = "DFIQUV"
BAD_SECOND = "DFIOQUV"


@pytest.mark.parametrize("nino", ["JR482917C", "JR482917", "AB123456A", "SK740215D", "ZY000000B"])
def test_valid_nino_with_and_without_suffix(nino: str) -> None:
    assert check_nino(nino) is None


@pytest.mark.parametrize("prefix", NEVER_ISSUED)
def test_never_issued_prefixes(prefix: str) -> None:
    assert check_nino(f"{prefix}123456A") == f"NINO prefix {prefix} is never issued"


@pytest.mark.parametrize("prefix", ADMINISTRATIVE)
def test_administrative_prefixes(prefix: str) -> None:
    failure = check_nino(f"{prefix}123456A")
    assert failure is not None
    assert "administrative" in failure


@pytest.mark.parametrize("letter", BAD_FIRST)
def test_first_letters_never_used(letter: str) -> None:
    assert check_nino(f"{letter}A123456A") == f"NINO first letter cannot be {letter}"


@pytest.mark.parametrize("letter", BAD_SECOND)
def test_second_letters_never_used(letter: str) -> None:
    assert check_nino(f"A{letter}123456A") == f"NINO second letter cannot be {letter}"


@pytest.mark.parametrize(
    "nino", ["JR482917E", "JR48291C", "JR4829170C", "jr482917c", "JR 48 29 17 C", "123456789", ""]
)
def test_badly_formed_nino(nino: str) -> None:
    assert check_nino(nino) == "NINO must be two letters, six digits and an optional suffix A-D"


def test_normalise_nino() -> None:
    assert normalise_nino("jr 48 29 17 c") == "JR482917C"
    assert check_nino(normalise_nino("sk 74 02 15 a")) is None


first_letters = st.sampled_from([c for c in "ABCEGHJKLMNOPRSTWXYZ" if c not in BAD_FIRST])
second_letters = st.sampled_from([c for c in "ABCEGHJKLMNPRSTWXYZ" if c not in BAD_SECOND])


@given(
    first=first_letters,
    second=second_letters,
    digits=st.text(alphabet="0123456789", min_size=6, max_size=6),
    suffix=st.sampled_from(["", "A", "B", "C", "D"]),
)
def test_every_allowed_prefix_passes(first: str, second: str, digits: str, suffix: str) -> None:
    prefix = first + second
    assume(prefix not in NEVER_ISSUED and prefix not in ADMINISTRATIVE)
    assert check_nino(prefix + digits + suffix) is None


# --- dispatch by system ------------------------------------------------------------------------


def test_check_identifier_dispatches_by_system() -> None:
    assert check_identifier(CHI_SYSTEM, "0101011237") is None
    assert check_identifier(CHI_SYSTEM, "0101011230") == (
        "SDS-IDN-002",
        "CHI check digit fails both modulus 11 and modulus 10",
    )
    assert check_identifier(NINO_SYSTEM, "TN123456A") == (
        "SDS-IDN-003",
        "NINO prefix TN is never issued",
    )


@pytest.mark.parametrize(
    "system",
    [
        COUNCIL_PERSON_SYSTEM,
        "https://spec.sdsx.scot/id/ilf-scotland",
        "https://spec.sdsx.scot/id/dwp-access-to-work",
        "https://spec.sdsx.scot/id/saas",
    ],
)
def test_references_are_opaque(system: str) -> None:
    # SDS-IDN-005: funder references have no published format, so any string is accepted.
    assert check_identifier(system, "anything at all / 0") is None
