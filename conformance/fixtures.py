"""Synthetic records the suite writes to a target: fresh people and their funding lines.

Built from the standard's own valid examples, with a new CHI number per person (valid check
digit, birth date kept) so that a target keeping person identifiers unique (SDS-API-007)
never sees the same person twice within or across runs. All data is synthetic.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import uuid
from typing import Any

from spec._paths import EXAMPLES
from spec.identifiers import CHI_SYSTEM, check_chi

__all__ = [
    "SERVER_MEMBERS",
    "council_area",
    "fresh_id",
    "funding_line",
    "new_chi",
    "person",
    "support_plan",
    "without_server_members",
]

_PERSONA = EXAMPLES / "valid" / "duncan-option-2"
# Members a gateway assigns itself (SDS-API-002); everything else must come back as sent.
SERVER_MEMBERS = frozenset({"id", "version", "supersedes", "recorded_at"})


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_PERSONA / name).read_text(encoding="utf-8"))
    return loaded


def new_chi(rng: random.Random, birth: str = "020758") -> str:
    """A CHI number valid by modulus 11 whose first six digits are ``birth`` (DDMMYY)."""
    while True:
        candidate = birth + f"{rng.randrange(1000):03d}"
        weights = range(10, 1, -1)
        total = sum(int(d) * w for d, w in zip(candidate, weights, strict=True))
        check = (11 - total % 11) % 11
        if check != 10 and check_chi(candidate + str(check)) is None:
            return candidate + str(check)


def fresh_id(rng: random.Random) -> str:
    """A client-side record id (a UUID v4 drawn from ``rng``), which a target replaces."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def council_area(context: Any) -> str:
    """The main client's council area when it is a council (GSS S12 code), else ""."""
    code = str(context.http.organisation(0)) if context.target is not None else ""
    return code if code.startswith("S12") else ""


def person(rng: random.Random, council_area: str = "") -> dict[str, Any]:
    """A valid person document with a new birth date, CHI and client-side id.

    ``council_area`` (a GSS S12 code) places the person in the calling council's area.
    The birth date is drawn from about 36,000 days and the CHI's serial from 1,000 numbers,
    so two people of one run practically never share a CHI.
    """
    document = _load("person.json")
    born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(36_000))
    document["id"] = fresh_id(rng)
    document["birth_date"] = born.isoformat()
    chi = new_chi(rng, born.strftime("%d%m%y"))
    document["identifiers"] = [{"system": CHI_SYSTEM, "value": chi}]
    if council_area:
        # A council may write only the records of people in its own area (SDS-SEC-023).
        document["council_area"] = council_area
    return document


def funding_line(
    rng: random.Random, person_document: dict[str, Any], index: int = 0
) -> dict[str, Any]:
    """A valid funding line for ``person_document`` (its stored id and CHI)."""
    lines = (_PERSONA / "funding-lines.ndjson").read_text(encoding="utf-8").splitlines()
    document: dict[str, Any] = json.loads(lines[index % len(lines)])
    document["id"] = fresh_id(rng)
    document["person"] = {"id": person_document["id"]}
    document["person_identifier"] = copy.deepcopy(person_document["identifiers"][0])
    document["source_reference"] = f"CNF-{rng.randrange(10**8):08d}"
    return document


def support_plan(rng: random.Random, person_document: dict[str, Any]) -> dict[str, Any]:
    """A valid support plan for ``person_document``."""
    document = _load("support-plan.json")
    document["id"] = fresh_id(rng)
    document.pop("supersedes", None)
    # The example's assessment is not on the target, and a reference must resolve (SDS-API-004).
    document.pop("assessment", None)
    document["version"] = 1
    document["person"] = {"id": person_document["id"]}
    return document


def without_server_members(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without the members a gateway assigns, for comparing round trips."""
    return {k: v for k, v in document.items() if k not in SERVER_MEMBERS}
