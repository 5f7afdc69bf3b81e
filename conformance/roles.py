"""What each role can write by itself, and the person its records name.

A council writes people; an NHS board writes joint assessments naming it and NHS funding
lines it pays; a funder writes funding lines of its own funding source (SDS-SEC-023 to
SDS-SEC-025). The behaviour, security and FHIR checks work on the main client's *own
record* (:func:`own_document`), so a board's or a funder's system gets a real run, not a
page of not-applicable results.

Some records name a person, and only a council may store one. For an NHS board or funder
run the suite asks a declared helper client of role ``council`` to store a fresh synthetic
person in its area, or uses the person the capabilities name (``records.person``); when
neither is declared, the check cannot verify and says exactly what to declare.
"""

from __future__ import annotations

import copy
import functools
import json
import random
from dataclasses import dataclass
from typing import Any

from conformance.fixtures import council_area, fresh_id, new_chi, person
from conformance.runner import Context, Unverifiable
from spec._paths import EXAMPLES
from spec.identifiers import CHI_SYSTEM
from spec.valuesets import valueset

__all__ = [
    "COLLECTIONS",
    "DROPPED_FOR_VALIDATION",
    "OWN_KIND",
    "Subject",
    "altered",
    "funder_source",
    "own_collection",
    "own_document",
    "own_line",
    "store",
    "subject",
]

OWN_KIND = {"council": "person", "health-board": "assessment", "funder": "funding-line"}
COLLECTIONS = {
    "person": "persons",
    "assessment": "assessments",
    "support-plan": "support-plans",
    "funding-line": "funding-lines",
    "individual-budget": "budgets",
}
# Two required members per kind: an invalid write must be refused listing both (SDS-API-003).
DROPPED_FOR_VALIDATION = {
    "person": ("name", "birth_date"),
    "assessment": ("date", "eligibility"),
    "funding-line": ("award", "period"),
}
_JOINT_ASSESSMENT = EXAMPLES / "valid" / "angus-joint-ilf" / "assessment.json"
_NHS_SOURCE = "nhs-board"


@dataclass(frozen=True, slots=True)
class Subject:
    """A stored person the main client may attach its records to."""

    id: str
    identifier: dict[str, Any] | None
    council_area: str
    # Stored for this check (so nothing else names it yet), not declared beforehand.
    fresh: bool = True


def own_collection(context: Context) -> str:
    """The collection of the record the main client's role writes on its own."""
    return COLLECTIONS[OWN_KIND[context.capabilities.role]]


def store(
    context: Context, document: dict[str, Any], *, client_index: int = 0, what: str = ""
) -> dict[str, Any]:
    """POST ``document`` to its collection and return what was stored, or :class:`Unverifiable`."""
    collection = COLLECTIONS[document["type"]]
    response = context.http.send(
        "POST", f"/v1/{collection}", json_body=document, client_index=client_index
    )
    if response.status_code != 201:
        raise Unverifiable(
            f"could not create {what or 'a ' + document['type']} to work with: "
            f"POST /v1/{collection} answered {response.status_code}"
        )
    try:
        stored: dict[str, Any] = response.json()
    except ValueError:
        raise Unverifiable(
            f"POST /v1/{collection} answered 201 with a body that is not JSON"
        ) from None
    return stored


def subject(context: Context, rng: random.Random) -> Subject:
    """A person the main client may write records for: fresh where possible, else declared."""
    caps = context.capabilities
    if caps.role == "council":
        stored = store(context, person(rng, council_area(context)))
        return Subject(stored["id"], stored["identifiers"][0], stored.get("council_area", ""))
    helper = caps.client_of_role("council")
    if helper is not None:
        area = caps.clients[helper].organisation
        stored = store(
            context,
            person(rng, area if area.startswith("S12") else ""),
            client_index=helper,
            what="a person through the declared council client",
        )
        return Subject(stored["id"], stored["identifiers"][0], stored.get("council_area", ""))
    if caps.person_id:
        return Subject(caps.person_id, None, caps.person_council_area, fresh=False)
    raise Unverifiable(
        f"this check needs a stored person, and a {caps.role} may not create one (only a "
        "council writes people, SDS-SEC-023): declare a client with role council "
        "(--council-client-id and --council-key), or a stored person in records.person "
        "(--person-id)"
    )


def _display(valueset_id: str, code: str) -> str:
    found = valueset(valueset_id).get(code)
    return found.display if found is not None else code


def _organisation(context: Context, prefix: str, what: str) -> str:
    code = context.http.organisation(0)
    if not code.startswith(prefix):
        raise Unverifiable(
            f"declare the main client's organisation ({what}) so the suite can write the "
            f"records a {context.capabilities.role} owns (--organisation or clients[0]"
            ".organisation)"
        )
    return code


def funder_source(context: Context) -> str:
    """The funding-source code the main (funder) client owns: its declared organisation."""
    code = context.http.organisation(0)
    sources = valueset("funding-source")
    if code not in sources or "." in code or code in ("council-social-care", _NHS_SOURCE):
        raise Unverifiable(
            "declare the main funder client's organisation as its funding-source code "
            f"(one of ilf-scotland, dwp-access-to-work, saas-dsa), not {code or 'nothing'}"
        )
    return code


@functools.cache
def _example_lines() -> tuple[str, ...]:
    found: list[str] = []
    for path in sorted((EXAMPLES / "valid").glob("*/funding-lines.ndjson")):
        found += [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    return tuple(found)


def _example_line(source: str, index: int) -> dict[str, Any]:
    lines = [
        json.loads(text)
        for text in _example_lines()
        if json.loads(text)["source"].split(".")[0] == source
    ]
    chosen: dict[str, Any] = lines[index % len(lines)]
    return chosen


def own_line(
    context: Context, rng: random.Random, owner: Subject | None, index: int = 0
) -> dict[str, Any]:
    """A valid funding line the main client may write, for ``owner`` (or a fresh CHI)."""
    role = context.capabilities.role
    if role == "council":
        document = _example_line("council-social-care", index)
    elif role == "health-board":
        board = _organisation(context, "S08", "its GSS S08 health-board code")
        document = _example_line(_NHS_SOURCE, index)
        document["payer"] = {
            "kind": "health-board",
            "code": board,
            "name": _display("health-board", board),
        }
    else:
        document = _example_line(funder_source(context), index)
    document["id"] = fresh_id(rng)
    document["source_reference"] = f"CNF-{rng.randrange(10**8):08d}"
    document.pop("person", None)
    document.pop("person_identifier", None)
    if owner is not None:
        document["person"] = {"id": owner.id}
    if owner is None or owner.identifier is not None:
        identifier = owner.identifier if owner is not None else None
        document["person_identifier"] = copy.deepcopy(
            identifier or {"system": CHI_SYSTEM, "value": new_chi(rng)}
        )
    return document


def _joint_assessment(context: Context, owner: Subject, rng: random.Random) -> dict[str, Any]:
    board = _organisation(context, "S08", "its GSS S08 health-board code")
    document: dict[str, Any] = json.loads(_JOINT_ASSESSMENT.read_text(encoding="utf-8"))
    document["id"] = fresh_id(rng)
    document["person"] = {"id": owner.id}
    area = owner.council_area or document["council"]["code"]
    document["council"] = {
        "kind": "council-area",
        "code": area,
        "name": _display("council-area", area),
    }
    document["health_board"] = {
        "kind": "health-board",
        "code": board,
        "name": _display("health-board", board),
    }
    return document


def own_document(
    context: Context, rng: random.Random, owner: Subject | None = None
) -> dict[str, Any]:
    """A fresh valid record of the kind the main client's role writes on its own.

    A council's is a person in its area; an NHS board's a joint assessment naming it (of
    ``owner``, or of a person :func:`subject` finds); a funder's a line of its own source.
    """
    role = context.capabilities.role
    if role == "council":
        return person(rng, council_area(context))
    if role == "health-board":
        return _joint_assessment(context, owner or subject(context, rng), rng)
    return own_line(context, rng, owner)


def altered(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with one harmless, valid change, for updates and idempotency conflicts."""
    changed = copy.deepcopy(document)
    if changed["type"] == "person":
        changed["communication_needs"] = {"language": "en", "interpreter_needed": False}
    elif changed["type"] == "assessment":
        changed["date"] = "2025-01-16" if changed.get("date") != "2025-01-16" else "2025-01-15"
    else:
        changed["source_reference"] = f"{changed.get('source_reference', 'CNF')}-V2"
    return changed
