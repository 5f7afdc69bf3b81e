"""Money of the standard as FHIR Money, exactly (SDS-FHR-006).

FHIR Money holds a decimal amount; the standard holds integer minor units. The FHIR value
is ``amount_minor`` x 10^-exponent, the exponent being the currency's ISO 4217 minor unit
(``currencies.json``, 2 unless listed). It is written as a JSON number, so amounts of 10^15
minor units or more are refused: a float that large cannot carry every penny.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from spec.fhir.warnings import FhirMappingError

__all__ = ["MAX_MINOR", "money_from_fhir", "money_to_fhir"]

MAX_MINOR = 10**15
_CURRENCIES = json.loads((Path(__file__).parent / "currencies.json").read_text(encoding="utf-8"))


def _exponent(currency: str) -> int:
    exponent: int = _CURRENCIES["exponents"].get(currency, _CURRENCIES["default_exponent"])
    return exponent


def money_to_fhir(money: dict[str, Any], where: str = "") -> dict[str, Any]:
    """A FHIR Money for the standard's money (SDS-FHR-006)."""
    minor = money["amount_minor"]
    if abs(minor) >= MAX_MINOR:
        raise FhirMappingError(
            f"amount of {minor} minor units is too large for a FHIR decimal held as a JSON "
            f"number (limit {MAX_MINOR})",
            where=where,
            requirement="SDS-FHR-006",
        )
    exponent = _exponent(money["currency"])
    value = Decimal(minor).scaleb(-exponent)
    return {"value": int(value) if exponent == 0 else float(value), "currency": money["currency"]}


def money_from_fhir(value: Any, currency: Any, where: str) -> dict[str, Any]:
    """The standard's money for a FHIR amount and currency; refuses fractions of a minor unit."""
    if not isinstance(currency, str):
        raise FhirMappingError("money without a currency", where=where, requirement="SDS-COM-002")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FhirMappingError("money without a value", where=where, requirement="SDS-COM-001")
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    minor = amount.scaleb(_exponent(currency))
    if minor != minor.to_integral_value():
        raise FhirMappingError(
            f"{value} {currency} is not a whole number of minor units",
            where=where,
            requirement="SDS-COM-001",
        )
    return {"amount_minor": int(minor), "currency": currency}
