"""NHS board contribution to a jointly assessed package (FHIR R4 Bundle) to funding lines.

Source profile: spec/sources/nhs-board/. A board sends a Bundle holding the Patient (CHI
identifier), the board as an Organization (GSS S08 code) and one Contract per agreed
contribution: ``Contract.applies`` is the period, ``Contract.authority`` the board, and each
``Contract.term.asset.valuedItem`` one amount (``net``) per unit of time (``quantity`` in
UCUM: 1 wk, 4 wk, 1 mo, 1 a, 1 d; none for a one-off). Each valued item becomes a health-need
line (SDS-SRC-014). Every resource is checked with the ``fhir.resources`` R4B models, which
read R4 JSON for Patient, Organization and Contract.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from adapters.sources.fields import FieldReader, as_object
from adapters.sources.json_source import read_json
from adapters.sources.provenance import SourceFile
from adapters.sources.registry import Adapter
from adapters.sources.result import FILE_LOCATOR
from adapters.sources.source_codes import code_map
from spec.identifiers import CHI_SYSTEM, check_chi

__all__ = ["CHI_SYSTEMS", "GSS_SYSTEM", "adapter", "read"]

# The CHI number's OID as UK FHIR guides use it, and the standard's own system URI.
CHI_SYSTEMS = frozenset({"urn:oid:2.16.840.1.113883.2.1.3.2.4.16.53", CHI_SYSTEM})
GSS_SYSTEM = "http://statistics.gov.scot/id/statistical-geography"
UCUM = "http://unitsofmeasure.org"
_ITEM = re.compile(r"/resource/term/[0-9]+/asset/[0-9]+/valuedItem/[0-9]+(/|$)")
STREAM = "nhs-board"


def _count(value: Any) -> str:
    """A quantity's value as the whole number it names ("1", "4"), or its text."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return str(int(number)) if number.is_finite() and number == int(number) else str(value)


def _model_errors(resource: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(JSON pointer, reason) for each way ``resource`` breaks its R4B model.

    ``None`` when the resource type is unknown. Reasons name the rule, never the value.
    """
    try:
        model = get_fhir_model_class(str(resource.get("resourceType")))
    except ValueError:
        return None
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return [
            (
                "/resource" + "".join(f"/{part}" for part in error["loc"]),
                f"not valid FHIR R4: {error['msg']}",
            )
            for error in exc.errors(include_input=False, include_url=False)
        ]
    return []


def _check_model(
    resource: dict[str, Any],
    reader: FieldReader,
    *,
    items: bool = True,
    errors: list[tuple[str, str]] | None = None,
) -> bool:
    """Report each model failure (inside valued items only when ``items``); True when none.

    ``errors`` are the resource's :func:`_model_errors` when the caller already has them:
    validating a resource against its R4B model is the adapter's dearest step, so it is done
    once per resource.
    """
    if errors is None:
        errors = _model_errors(resource)
    if errors is None:
        reader.fail("/resource/resourceType", "not a FHIR R4 resource type", "SDS-SRC-014")
        return False
    for where, reason in errors:
        if items or not _ITEM.match(where):
            reader.fail(where, reason, "SDS-SRC-014")
    return reader.ok


class _Bundle:
    """The bundle's entries, found by ``fullUrl`` or ``Type/id`` for reference resolution."""

    def __init__(self, entries: list[tuple[int, Any]]) -> None:
        self.entries = entries
        self.invalid: set[str] = set()
        self.by_reference: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, entry in entries:
            resource = as_object(as_object(entry).get("resource"))
            full_url = as_object(entry).get("fullUrl")
            if isinstance(full_url, str):
                self.by_reference[full_url] = (index, resource)
            if isinstance(resource.get("id"), str):
                key = f"{resource.get('resourceType')}/{resource['id']}"
                self.by_reference[key] = (index, resource)

    def resolve(self, reference: Any, kind: str) -> dict[str, Any] | None:
        target = as_object(reference).get("reference")
        found = self.by_reference.get(target) if isinstance(target, str) else None
        if found is None or found[1].get("resourceType") != kind or target in self.invalid:
            return None
        return found[1]


def _identifier(resource: dict[str, Any], systems: frozenset[str]) -> str | None:
    for identifier in resource.get("identifier") or []:
        item = as_object(identifier)
        if item.get("system") in systems and isinstance(item.get("value"), str):
            return str(item["value"]).replace(" ", "")
    return None


def _reference(contract: dict[str, Any]) -> str | None:
    """The board's own agreement reference: the first identifier's value, else the id."""
    for identifier in contract.get("identifier") or []:
        value = as_object(identifier).get("value")
        if isinstance(value, str) and value.strip():
            return value.strip()
    found = contract.get("id")
    return found if isinstance(found, str) else None


def _contract(
    contract: dict[str, Any], bundle: _Bundle, reader: FieldReader
) -> dict[str, Any] | None:
    subjects = contract.get("subject") or [None]
    patient = bundle.resolve(subjects[0], "Patient")
    chi = _identifier(patient, CHI_SYSTEMS) if patient else None
    if patient is None:
        reader.fail(
            "/resource/subject/0", "must reference a valid Patient in the bundle", "SDS-SRC-014"
        )
    elif chi is None:
        reader.fail("/resource/subject/0", "the Patient has no CHI identifier", "SDS-SRC-014")
    elif failure := check_chi(chi):
        reader.fail("/resource/subject/0", f"the Patient's {failure}", "SDS-IDN-002")
    authorities = contract.get("authority") or [None]
    board_org = bundle.resolve(authorities[0], "Organization")
    board = _identifier(board_org, frozenset({GSS_SYSTEM})) if board_org else None
    if board is None or not board.startswith("S08"):
        reader.fail(
            "/resource/authority/0",
            "must reference the board's Organization with its GSS S08 code",
            "SDS-SRC-014",
        )
    applies = as_object(contract.get("applies"))
    fields = {
        "chi": chi,
        "board": board,
        "board_name": board_org.get("name") if board_org else None,
        "reference": _reference(contract),
        "status": reader.code(
            contract.get("status"), "/resource/status", code_map(STREAM, "contract-status")
        ),
        "start": reader.date(applies.get("start"), "/resource/applies/start"),
        "end": reader.date(applies.get("end"), "/resource/applies/end", required=False),
    }
    return fields if reader.ok else None


def _valued_item(item: Any, reader: FieldReader, contract: dict[str, Any]) -> dict[str, Any] | None:
    item = as_object(item)
    net = as_object(item.get("net"))
    amount = reader.pence(net.get("value"), "/net/value")
    currency = reader.text(net.get("currency"), "/net/currency")
    quantity = as_object(item.get("quantity"))
    per: str | None = "one-off"
    if quantity:
        key = f"{str(quantity.get('code')).upper()} {_count(quantity.get('value', 1))}"
        per = code_map(STREAM, "ucum-period").get(key) if quantity.get("system") == UCUM else None
        if per is None:
            reader.fail(
                "/quantity", "unit of time must be UCUM 1 d, 1 wk, 4 wk, 1 mo or 1 a", "SDS-SRC-010"
            )
    if amount is None or currency is None or per is None:
        return None
    payer: dict[str, Any] = {"kind": "health-board", "code": contract["board"]}
    if isinstance(contract["board_name"], str):
        payer["name"] = contract["board_name"]
    line: dict[str, Any] = {
        "person_identifier": {"system": CHI_SYSTEM, "value": contract["chi"]},
        "source": "nhs-board",
        "payer": payer,
        "award": {"amount": {"amount_minor": amount, "currency": currency}, "per": per},
        "period": {"start": contract["start"]},
        "purpose": "health-need",
        "status": contract["status"],
        "holding_mode": "arranged",
    }
    if isinstance(contract["reference"], str):
        line["source_reference"] = contract["reference"]
    if contract["end"]:
        line["period"]["end"] = contract["end"]
    return line


def _read_contract(
    index: int, resource: dict[str, Any], bundle: _Bundle, source: SourceFile
) -> None:
    locator = f"/entry/{index}"
    reader = FieldReader(source, locator)
    # A fault inside one valued item rejects only that item, not the whole contract.
    model_errors = _model_errors(resource)
    if not _check_model(resource, reader, items=False, errors=model_errors):
        source.reject(locator, reader.problems)
        return
    item_errors = model_errors or []
    contract = _contract(resource, bundle, reader)
    items = [
        (f"/resource/term/{t}/asset/{a}/valuedItem/{v}", item)
        for t, term in enumerate(resource.get("term") or [])
        for a, asset in enumerate(as_object(term).get("asset") or [])
        for v, item in enumerate(as_object(asset).get("valuedItem") or [])
    ]
    if contract is not None and not items:
        reader.fail("/resource/term", "no term.asset.valuedItem carries an amount", "SDS-SRC-014")
    if contract is None or not reader.ok:
        source.reject(locator, reader.problems)
        return
    for pointer, item in items:
        item_locator = locator + pointer
        item_reader = FieldReader(source, item_locator)
        line = _valued_item(item, item_reader, contract)
        if item_reader.ok:
            # The adapter's own reading found nothing wrong; the R4B model may still have.
            for where, reason in item_errors:
                if where == pointer or where.startswith(pointer + "/"):
                    item_reader.fail(where[len(pointer) :], reason, "SDS-SRC-014")
            line = line if item_reader.ok else None
        if line is None:
            source.reject(item_locator, item_reader.problems)
        else:
            source.accept(item_locator, line)


def read(data: bytes, source: SourceFile, profile: str | None) -> None:
    """Read an NHS board contribution Bundle into ``source``."""
    parsed = read_json(data, source.file_name, array_key="entry")
    for problem in parsed.problems:
        source.note(problem)
    if parsed.complete and as_object(parsed.document).get("resourceType") != "Bundle":
        source.note(
            source.problem(FILE_LOCATOR, "/resourceType", "expected a FHIR Bundle", "SDS-SRC-014")
        )
        return
    bundle = _Bundle(parsed.records)
    for index, entry in bundle.entries:
        resource = as_object(as_object(entry).get("resource"))
        if resource.get("resourceType") in ("Patient", "Organization"):
            reader = FieldReader(source, f"/entry/{index}")
            if not _check_model(resource, reader):
                source.reject(f"/entry/{index}", reader.problems)
                bundle.invalid.update(k for k, v in bundle.by_reference.items() if v[0] == index)
    for index, entry in bundle.entries:
        resource = as_object(as_object(entry).get("resource"))
        if resource.get("resourceType") == "Contract":
            _read_contract(index, resource, bundle, source)


adapter = Adapter(
    name="nhs-board",
    version="1.0.0",
    title="NHS board contribution (FHIR R4 Bundle)",
    read=read,
)
