"""Builders of valid documents for the gateway tests (no personal data: invented values)."""

from __future__ import annotations

import itertools
import random
from typing import Any

from spec.identifiers import CHI_SYSTEM, check_chi

__all__ = ["chi", "funding_line", "person", "support_plan"]

_counter = itertools.count()
_issued: set[str] = set()


def chi(seed: int | None = None) -> str:
    """A CHI number that passes the check-digit rule, never the same twice in one run."""
    rng = random.Random(seed if seed is not None else random.getrandbits(64))
    while True:
        born = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randrange(100):02d}"
        body = born + f"{rng.randrange(1000):03d}"
        for last in "0123456789":
            number = body + last
            if check_chi(number) is None and (seed is not None or number not in _issued):
                _issued.add(number)
                return number


def person(chi_number: str | None = None, council_area: str = "S12000036") -> dict[str, Any]:
    return {
        "standard": "sdsx/1.0",
        "type": "person",
        "identifiers": [{"system": CHI_SYSTEM, "value": chi_number or chi()}],
        "name": {"given": "Test", "family": f"Person{next(_counter)}"},
        "birth_date": "1990-01-01",
        "council_area": council_area,
    }


def support_plan(person_id: str, status: str = "agreed") -> dict[str, Any]:
    return {
        "standard": "sdsx/1.0",
        "type": "support-plan",
        "person": {"id": person_id},
        "council": {"kind": "council-area", "code": "S12000036"},
        "status": status,
        "period": {"start": "2026-04-01", "end": "2027-03-31"},
        "personal_outcomes": [
            {
                "id": "o1",
                "description": "Live at home",
                "national_outcome": "independence",
                "status": "not-started",
            }
        ],
        "support_items": [
            {
                "id": "i1",
                "category": "personal-assistant",
                "description": "PA hours",
                "sds_option": "option-1",
                "cost": {"amount": {"amount_minor": 30000, "currency": "GBP"}, "per": "per-week"},
                "outcomes": ["o1"],
            }
        ],
        "review": {"due": "2026-10-01"},
        "agreed_by": [{"party": "person", "name": "Test Person", "agreed_on": "2026-03-20"}],
    }


def funding_line(chi_number: str, source: str = "ilf-scotland") -> dict[str, Any]:
    return {
        "standard": "sdsx/1.0",
        "type": "funding-line",
        "person_identifier": {"system": CHI_SYSTEM, "value": chi_number},
        "source": source,
        "payer": {"kind": "funder", "code": "ILFS"},
        "award": {"amount": {"amount_minor": 5000, "currency": "GBP"}, "per": "per-week"},
        "period": {"start": "2026-04-01", "end": "2027-03-31"},
        "purpose": "independent-living",
        "status": "awarded",
    }
