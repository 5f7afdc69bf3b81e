"""DWP Access to Work grant decisions (JSON) to funding lines.

Source profile: spec/sources/dwp-access-to-work/. Each grant names the claimant by NINO and
holds one or more elements (support worker, travel to work, special aids and equipment...),
each paid up to a rate for the award period. Each element becomes its own
employment-related line (SDS-SRC-012). The employer's cost share is not in the file: the
budget engine computes it from the employer headcount and job start the lines carry
(FUNDING.md rule 13).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.sources.fields import FieldReader, as_object, pence_half_up
from adapters.sources.json_source import read_json
from adapters.sources.mapping import json_number
from adapters.sources.provenance import SourceFile
from adapters.sources.registry import Adapter
from adapters.sources.source_codes import code_map
from spec.identifiers import NINO_SYSTEM, check_nino, normalise_nino

__all__ = ["adapter", "read"]

PAYER = {"kind": "funder", "code": "dwp-access-to-work", "name": "DWP Access to Work"}

STREAM = "dwp-access-to-work"


def _money(pence: int) -> dict[str, Any]:
    return {"amount_minor": pence, "currency": "GBP"}


def _grant(grant: Any, reader: FieldReader) -> dict[str, Any] | None:
    if not isinstance(grant, dict):
        reader.fail("", "a grant must be a JSON object", "SDS-SRC-009")
        return None
    claimant = as_object(grant.get("claimant"))
    nino_text = reader.text(claimant.get("nino"), "/claimant/nino")
    nino = normalise_nino(nino_text) if nino_text else None
    if nino and (failure := check_nino(nino)):
        reader.fail("/claimant/nino", failure, "SDS-IDN-003")
    period = as_object(grant.get("award_period"))
    employment = as_object(grant.get("employment"))
    headcount = employment.get("employer_headcount")
    if headcount is not None and (not isinstance(headcount, int) or headcount < 0):
        reader.fail(
            "/employment/employer_headcount", "expected a whole number of staff", "SDS-SRC-009"
        )
    common = {
        "reference": reader.text(grant.get("urn"), "/urn"),
        "nino": nino,
        "status": reader.code(grant.get("status"), "/status", code_map(STREAM, "status")),
        "start": reader.date(period.get("start"), "/award_period/start"),
        "end": reader.date(period.get("end"), "/award_period/end"),
        "review": reader.date(grant.get("review_date"), "/review_date", required=False),
        "job_start": reader.date(
            employment.get("job_start"), "/employment/job_start", required=False
        ),
        "headcount": headcount,
    }
    return common if reader.ok else None


def _element(element: Any, reader: FieldReader, grant: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(element, dict):
        reader.fail("", "an element must be a JSON object", "SDS-SRC-009")
        return None
    stream = reader.code(element.get("code"), "/code", code_map(STREAM, "element"))
    per = reader.code(element.get("per"), "/per", code_map(STREAM, "unit"))
    hourly: dict[str, Any] | None = None
    if "hourly_rate" in element:
        rate = reader.pence(element.get("hourly_rate"), "/hourly_rate")
        hours = reader.decimal(element.get("hours"), "/hours")
        if rate is not None and hours is not None and per is not None:
            hourly = {"rate": _money(rate), "hours": json_number(hours), "per": per}
            # Rate times hours, rounded once half-up to the penny (FUNDING.md rule 2).
            amount: int | None = pence_half_up(Decimal(rate) * hours / 100)
        else:
            amount = None
    else:
        amount = reader.pence(element.get("amount"), "/amount")
    cap = as_object(element.get("cap")) or None
    cap_amount = reader.pence(cap.get("amount"), "/cap/amount") if cap else None
    cap_per = reader.code(cap.get("per"), "/cap/per", code_map(STREAM, "unit")) if cap else None
    if not reader.ok or stream is None or per is None or amount is None:
        return None
    line: dict[str, Any] = {
        "person_identifier": {"system": NINO_SYSTEM, "value": grant["nino"]},
        "source": stream,
        "payer": dict(PAYER),
        "source_reference": grant["reference"],
        "award": {"amount": _money(amount), "per": per},
        "period": {"start": grant["start"], "end": grant["end"]},
        "purpose": "employment-related",
        "status": grant["status"],
        "holding_mode": "paid-to-person",
    }
    if hourly:
        line["hourly"] = hourly
    if cap_amount is not None and cap_per is not None:
        line["cap"] = {"amount": _money(cap_amount), "per": cap_per}
    if grant["review"]:
        line["review_date"] = grant["review"]
    terms: dict[str, Any] = {"claim_window_months": 9}
    if grant["headcount"] is not None:
        terms["employer_headcount"] = grant["headcount"]
    if grant["job_start"]:
        terms["job_start"] = grant["job_start"]
    line["terms"] = terms
    return line


def read(data: bytes, source: SourceFile, profile: str | None) -> None:
    """Read an Access to Work grant export into ``source``."""
    parsed = read_json(data, source.file_name, array_key="grants")
    for problem in parsed.problems:
        source.note(problem)
    for index, grant in parsed.records:
        locator = f"/grants/{index}"
        reader = FieldReader(source, locator)
        common = _grant(grant, reader)
        elements = grant.get("elements") if isinstance(grant, dict) else None
        if common is not None and (not isinstance(elements, list) or not elements):
            reader.fail("/elements", "a grant needs at least one element", "SDS-SRC-009")
        if common is None or not reader.ok:
            source.reject(locator, reader.problems)
            continue
        assert isinstance(elements, list)
        for number, element in enumerate(elements):
            element_locator = f"{locator}/elements/{number}"
            element_reader = FieldReader(source, element_locator)
            line = _element(element, element_reader, common)
            if line is None:
                source.reject(element_locator, element_reader.problems)
            else:
                source.accept(element_locator, line)


adapter = Adapter(
    name="dwp-access-to-work",
    version="1.0.0",
    title="DWP Access to Work grant decisions (JSON)",
    read=read,
)
