"""The budget group: the target computes every budget vector, and an import round trip.

For each vector in ``conformance/vectors/budget/`` the suite stores a fresh person, the
vector's assessment, funding lines and support plan on the target, asks it to compute the
plan's budget (``POST /v1/budgets/compute`` by default) and compares the figures the vector
expects. The target assigns its own record ids (SDS-API-002), so vector ids are translated
to stored ids before comparing. ``budget.import-round-trip`` imports a funding stream's own
sample file twice and checks nothing new is created the second time (SDS-API-009).
"""

from __future__ import annotations

import json
import random
from typing import Any

from conformance.behaviour import WRITES_PEOPLE, expect_problem
from conformance.fixtures import council_area, person
from conformance.runner import Check, Context, Failure, NotApplicable, Unverifiable
from conformance.vectorsets import BUDGET_VECTORS, Vector, load_vectors
from spec._paths import SOURCES

__all__ = ["GROUP", "budget_checks", "compare_budget"]

GROUP = "budget"
_TOTALS = (
    "gross",
    "contribution",
    "net",
    "regular",
    "one_off",
    "adjustments",
    "planned_cost",
    "allocated",
)
_LINE_FIGURES = ("gross", "contribution", "net", "adjustments")


def _pence(value: Any) -> Any:
    return value.get("amount_minor") if isinstance(value, dict) else value


def compare_budget(
    expected: dict[str, Any], budget: dict[str, Any], ids: dict[str, str]
) -> list[str]:
    """Every difference between a vector's ``expected`` and a computed ``budget``.

    ``ids`` maps the vector's line ids to the ids the target stored them under.
    """
    found: list[str] = []
    totals = budget.get("totals", {})
    for name, wanted in expected.get("totals", {}).items():
        if name in _TOTALS:
            got = _pence(totals.get(name))
        elif name == "by_source":
            got = {e["source"]: _pence(e["amount"]) for e in totals.get("by_source", [])}
        elif name == "by_source_adjustments":
            got = {e["source"]: _pence(e.get("adjustments")) for e in totals.get("by_source", [])}
        else:
            got = {e["sds_option"]: _pence(e["amount"]) for e in totals.get("by_option", [])}
            got = {k: v for k, v in got.items() if k in wanted or v}
        if isinstance(wanted, dict) and isinstance(got, dict):
            got = {k: v for k, v in got.items() if k in wanted or v}
        if got != wanted:
            found.append(f"/totals/{name}: expected {wanted}, got {got}")
    if "shortfall" in expected:
        got = _pence(budget.get("shortfall", 0)) or 0
        if got != expected["shortfall"]:
            found.append(f"/shortfall: expected {expected['shortfall']}, got {got}")
    lines = {entry["line"]["id"]: entry for entry in budget.get("lines", [])}
    if "line_count" in expected and len(lines) != expected["line_count"]:
        found.append(f"/lines: expected {expected['line_count']} lines, got {len(lines)}")
    for vector_id, figures in expected.get("lines", {}).items():
        entry = lines.get(ids.get(vector_id, vector_id))
        if entry is None:
            found.append(f"/lines: no budget line for funding line {vector_id}")
            continue
        for name in _LINE_FIGURES:
            if name in figures and _pence(entry.get(name, 0)) != figures[name]:
                got = _pence(entry.get(name))
                found.append(f"/lines[{vector_id}]/{name}: expected {figures[name]}, got {got}")
        if "one_off" in figures and entry.get("one_off") != figures["one_off"]:
            found.append(f"/lines[{vector_id}]/one_off: expected {figures['one_off']}")
    if "allocations" in expected:
        wanted_set = sorted(
            (ids.get(a["line"], a["line"]), a["item"], a["amount"]) for a in expected["allocations"]
        )
        got_set = sorted(
            (a["line"], a["item"], _pence(a["amount"])) for a in budget.get("allocations", [])
        )
        if wanted_set != got_set:
            found.append(f"/allocations: expected {wanted_set}, got {got_set}")
    codes = {f.get("code") for f in budget.get("flags", []) if isinstance(f, dict)}
    for code in expected.get("flag_codes", []):
        if code not in codes:
            found.append(f"/flags: expected a {code} flag")
    for code in expected.get("absent_flags", []):
        if code in codes:
            found.append(f"/flags: unexpected {code} flag")
    return found


def _store(context: Context, collection: str, document: dict[str, Any]) -> dict[str, Any]:
    response = context.http.send("POST", f"/v1/{collection}", json_body=document)
    if response.status_code != 201:
        raise Unverifiable(
            f"the target refused to store the vector's {document.get('type')} "
            f"({response.status_code}); the vector cannot be computed"
        )
    stored: dict[str, Any] = response.json()
    return stored


def _store_lines(
    context: Context, lines: list[dict[str, Any]], owner: dict[str, Any]
) -> dict[str, str]:
    ids: dict[str, str] = {}
    for line in sorted(lines, key=lambda d: d.get("version", 1)):
        document = {k: v for k, v in line.items() if k != "supersedes"}
        document["person"] = {"id": owner["id"]}
        document["person_identifier"] = owner["identifiers"][0]
        if line["id"] not in ids:
            ids[line["id"]] = _store(context, "funding-lines", document)["id"]
            continue
        path = f"/v1/funding-lines/{ids[line['id']]}"
        etag = context.http.send("GET", path).headers.get("etag", "")
        document["id"] = ids[line["id"]]
        updated = context.http.send("PUT", path, json_body=document, headers={"If-Match": etag})
        if updated.status_code != 200:
            raise Unverifiable(
                f"the target refused a later version of a vector line ({updated.status_code})"
            )
    return ids


def _read_back(context: Context, budget: dict[str, Any]) -> None:
    """The computed budget is stored (SDS-API-017): it reads back natively, and as FHIR."""
    stored = context.http.send("GET", f"/v1/budgets/{budget.get('id')}")
    if stored.status_code != 200 or stored.json() != budget:
        raise Failure(
            f"the computed budget does not read back as computed from /v1/budgets "
            f"({stored.status_code})",
            requirements=("SDS-API-017",),
        )
    if "fhir" in context.capabilities.features:
        account = context.http.send("GET", f"/fhir/r4/Account/{budget.get('id')}")
        if account.status_code != 200 or account.json().get("resourceType") != "Account":
            raise Failure(
                f"the computed budget does not read back as a FHIR Account ({account.status_code})",
                requirements=("SDS-API-017",),
            )


def _not_over_http(entry: dict[str, Any]) -> str:
    """Why a vector cannot be put to a target through its API, or "" when it can."""
    versions = [(line.get("id"), line.get("version", 1)) for line in entry.get("lines", [])]
    if len(versions) != len(set(versions)):
        return (
            "the vector holds two documents for one line version, which an API that versions "
            "records itself (SDS-API-002) can never store; it is for engines run directly"
        )
    if "id order" in str(entry.get("working", "")):
        return (
            "the expected figures depend on the order of line ids, and a target assigns its "
            "own random ids (SDS-API-002); it is for engines run directly"
        )
    return ""


def _vector_check(vector: Vector) -> Check:
    entry = vector.entry

    def run(context: Context) -> str:
        reason = _not_over_http(entry)
        if reason:
            raise NotApplicable(reason)
        rng = random.Random(f"{context.state.get('nonce', '')}{context.seed}:{vector.id}")
        owner = _store(context, "persons", person(rng, council_area(context)))
        plan = json.loads(json.dumps(entry["plan"]))
        plan["person"] = {"id": owner["id"]}
        if "assessment" in entry:
            assessment = dict(entry["assessment"], person={"id": owner["id"]})
            stored = _store(context, "assessments", assessment)
            plan["assessment"] = {"id": stored["id"], "version": stored["version"]}
        ids = _store_lines(context, entry.get("lines", []), owner)
        stored_plan = _store(context, "support-plans", plan)
        path = context.capabilities.budget_compute_path
        response = context.http.send("POST", path, json_body={"plan": stored_plan["id"]})
        expected = entry["expected"]
        if "error" in expected:
            body = expect_problem(response, 422, f"vector {vector.id}")
            cited = json.dumps(body)
            if expected["error"]["requirement"] not in cited:
                raise Failure(f"the refusal does not cite {expected['error']['requirement']}")
            return "the target refused the inputs as the vector expects"
        if response.status_code not in (200, 201):
            raise Failure(f"computing the budget answered {response.status_code}")
        budget = response.json()
        differences = compare_budget(expected, budget, ids)
        if differences:
            raise Failure(f"{vector.id}: " + "; ".join(differences[:8]))
        _read_back(context, budget)
        return f"{vector.id}: every expected figure matches, and the stored budget reads back"

    cited = tuple(dict.fromkeys((*vector.requirements, "SDS-API-017", "SDS-CNF-003")))
    return Check(
        id=f"budget.{vector.id.lower()}",
        title=str(entry.get("title", vector.id)),
        group=GROUP,
        requirements=cited,
        run=run,
        features=frozenset({"budget-compute"}),
        roles=WRITES_PEOPLE,
        subject=vector.file,
    )


def _check_import(context: Context) -> str:
    sample = SOURCES / "ilf-scotland" / "sample.csv"
    path = "/v1/imports/ilf-scotland?file_name=sample.csv"
    headers = {"Content-Type": "application/octet-stream"}
    # A source file is sent by its funder: act as a declared ILF Scotland client when there
    # is one (a council may write only lines it pays or lines of people in its area).
    clients = context.capabilities.clients
    sender = next((i for i, c in enumerate(clients) if c.organisation == "ilf-scotland"), 0)
    reports = []
    for _ in range(2):
        response = context.http.send(
            "POST", path, content=sample.read_bytes(), headers=headers, client_index=sender
        )
        if response.status_code != 200:
            raise Failure(f"importing the ILF Scotland sample answered {response.status_code}")
        reports.append(response.json())
    ids = [set(_line_ids(r)) for r in reports]
    if not ids[0]:
        raise Unverifiable(
            "the import stored no funding line (declare an ILF Scotland client, organisation "
            "ilf-scotland, to import its file): " + json.dumps(reports[0])[:300]
        )
    if ids[0] != ids[1]:
        raise Failure(
            "importing the same file again produced other funding line ids or new versions"
        )
    return f"{len(ids[0])} lines imported; a second import created nothing new"


def _line_ids(report: Any) -> list[str]:
    """``id@version`` of every line a per-record import report says it stored."""
    found: list[str] = []
    for entry in report.get("records", []) if isinstance(report, dict) else []:
        for line in entry.get("lines", []) if isinstance(entry, dict) else []:
            if isinstance(line, dict) and "id" in line:
                found.append(f"{line['id']}@{line.get('version', 1)}")
    return found


def budget_checks() -> list[Check]:
    """One check per budget vector, then the import round trip."""
    checks = [_vector_check(v) for v in load_vectors(BUDGET_VECTORS)]
    checks.append(
        Check(
            id="budget.import-round-trip",
            title="A source file imports, and importing it again creates nothing new",
            group=GROUP,
            requirements=("SDS-API-009",),
            run=_check_import,
            features=frozenset({"imports"}),
        )
    )
    return checks
