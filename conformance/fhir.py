"""The FHIR group: a record read through the target's FHIR R4 API, against the standard's map.

The suite stores a person through the native API (an NHS board names it in a joint
assessment first, :mod:`conformance.roles`), reads it back natively and as FHIR
(``/fhir/r4/Patient/{id}``), and requires the FHIR resource to be valid R4 (checked with
the ``fhir.resources`` R4B models, SDS-FHR-002) and to be exactly what the standard's
mapping gives for the native document (``spec.fhir.to_resources``, SDS-FHR-001/003), so a
field dropped or changed on the way to FHIR is caught.
"""

from __future__ import annotations

import random
from typing import Any

from conformance.behaviour import WRITES_PEOPLE, WRITES_PEOPLE_NOTE
from conformance.fixtures import council_area, person, without_server_members
from conformance.roles import own_document, store, subject
from conformance.runner import Check, Context, Failure
from spec.fhir import to_bundle, to_resources, validate_resource

__all__ = ["FHIR_MEDIA_TYPE", "GROUP", "fhir_checks"]

GROUP = "fhir"
FHIR_MEDIA_TYPE = "application/fhir+json"


def _differences(expected: Any, got: Any, where: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(got, dict):
        found: list[str] = []
        for key in sorted(set(expected) | set(got)):
            if key not in got:
                found.append(f"{where}/{key} is missing")
            elif key not in expected:
                found.append(f"{where}/{key} is not in the standard's mapping")
            else:
                found += _differences(expected[key], got[key], f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return [
            d
            for i, (e, g) in enumerate(zip(expected, got, strict=True))
            for d in _differences(e, g, f"{where}/{i}")
        ]
    return [] if expected == got else [f"{where or '/'} differs"]


def _check_patient(context: Context) -> str:
    rng = random.Random(f"{context.state.get('nonce', '')}{context.seed}:fhir")
    owner = subject(context, rng)
    if context.capabilities.role == "health-board":
        # A board reads a person only once a joint assessment names it (SDS-SEC-024).
        store(context, own_document(context, rng, owner), what="a joint assessment")
    record = owner.id
    read = context.http.send("GET", f"/v1/persons/{record}")
    if read.status_code != 200:
        raise Failure(f"the person its records name does not read back ({read.status_code})")
    native = read.json()
    response = context.http.send("GET", f"/fhir/r4/Patient/{record}")
    if response.status_code != 200:
        raise Failure(f"GET /fhir/r4/Patient/{record} answered {response.status_code}")
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media != FHIR_MEDIA_TYPE:
        raise Failure(f"the FHIR read is {media or 'untyped'}, not {FHIR_MEDIA_TYPE}")
    resource = response.json()
    try:
        validate_resource(resource)
    except Exception as exc:  # The R4B models raise pydantic errors of several kinds.
        raise Failure(
            f"the Patient is not valid FHIR R4: {str(exc)[:300]}", requirements=("SDS-FHR-002",)
        ) from None
    expected = to_resources(native)[0]
    differences = _differences(expected, resource)
    if differences:
        raise Failure(
            "the Patient differs from the standard's mapping of the stored person: "
            + "; ".join(differences[:8]),
            requirements=("SDS-FHR-001", "SDS-FHR-003"),
        )
    return "the Patient is valid R4 and exactly the standard's mapping of the stored person"


def _check_transaction(context: Context) -> str:
    rng = random.Random(f"{context.state.get('nonce', '')}{context.seed}:fhir-transaction")
    sent = person(rng, council_area(context))
    bundle = to_bundle([sent], bundle_type="transaction")
    response = context.http.send(
        "POST", "/fhir/r4", json_body=bundle, headers={"Content-Type": FHIR_MEDIA_TYPE}
    )
    if response.status_code != 200:
        raise Failure(f"a transaction Bundle of one Patient answered {response.status_code}")
    entries = response.json().get("entry", [])
    locations = [str(e.get("response", {}).get("location", "")) for e in entries]
    patient = next((loc for loc in locations if loc.startswith("Patient/")), "")
    if not patient:
        raise Failure(f"the transaction-response names no Patient location: {locations}")
    record = patient.split("/")[1]
    native = context.http.send("GET", f"/v1/persons/{record}")
    if native.status_code != 200:
        raise Failure(f"the person stored from FHIR does not read back ({native.status_code})")
    if without_server_members(native.json()) != without_server_members(sent):
        differences = _differences(
            without_server_members(sent), without_server_members(native.json())
        )
        raise Failure(
            "the person stored from a FHIR Patient differs from the document the Patient "
            "was made from: " + "; ".join(differences[:8])
        )
    return "a Patient sent in a transaction Bundle is stored as the document it came from"


def fhir_checks() -> list[Check]:
    """The FHIR group."""
    return [
        Check(
            id="fhir.patient-read",
            title="A stored person reads as the standard's FHIR R4 Patient",
            group=GROUP,
            requirements=("SDS-FHR-001", "SDS-FHR-002", "SDS-FHR-003"),
            run=_check_patient,
            features=frozenset({"fhir"}),
            roles=frozenset({"council", "health-board"}),
            role_note="a funder receives no person record (SDS-SEC-022, spec/access/policy.json)",
        ),
        Check(
            id="fhir.transaction-round-trip",
            title="A Patient sent as FHIR is stored as the document it came from",
            group=GROUP,
            requirements=("SDS-FHR-002", "SDS-FHR-003", "SDS-FHR-004"),
            run=_check_transaction,
            features=frozenset({"fhir"}),
            roles=WRITES_PEOPLE,
            role_note=WRITES_PEOPLE_NOTE,
        ),
    ]
