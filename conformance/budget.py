"""The budget group: the target computes every budget vector, and an import round trip.

For each vector in ``conformance/vectors/budget/`` the suite stores a fresh person, the
vector's assessment, funding lines and support plan on the target, asks it to compute the
plan's budget (``POST /v1/budgets/compute`` by default) and compares the figures the vector
expects. The target assigns its own record ids (SDS-API-002), so vector ids are translated
to stored ids before comparing, and where figures depend on the order of line ids the stored
lines are rearranged to sort as the vector's do. ``budget.import-round-trip`` imports a
funding stream's own sample file twice, as the role that sends it, and checks nothing new is
created the second time (SDS-API-009).
"""

from __future__ import annotations

import json
import random
from typing import Any

from conformance.behaviour import WRITES_PEOPLE, expect_problem
from conformance.fixtures import council_area, person
from conformance.roles import funder_source
from conformance.runner import Check, Context, Failure, NotApplicable, Unverifiable
from conformance.vectorsets import BUDGET_VECTORS, Vector, load_vectors
from spec._paths import SOURCES
from spec.valuesets import valueset

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
# A vector whose working says this has figures that depend on the order of its line ids.
_ORDERED = "id order"


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


def _put(context: Context, record_id: str, document: dict[str, Any]) -> None:
    path = f"/v1/funding-lines/{record_id}"
    etag = context.http.send("GET", path).headers.get("etag", "")
    sent = dict(document, id=record_id)
    updated = context.http.send("PUT", path, json_body=sent, headers={"If-Match": etag})
    if updated.status_code != 200:
        raise Unverifiable(
            f"the target refused a later version of a vector line ({updated.status_code})"
        )


def _store_lines(
    context: Context, lines: list[dict[str, Any]], owner: dict[str, Any]
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Store the vector's lines, later versions as updates.

    Returns vector line id -> stored id, and vector line id -> its latest document as sent.
    """
    ids: dict[str, str] = {}
    latest: dict[str, dict[str, Any]] = {}
    for line in sorted(lines, key=lambda d: d.get("version", 1)):
        document = {k: v for k, v in line.items() if k != "supersedes"}
        document["person"] = {"id": owner["id"]}
        document["person_identifier"] = owner["identifiers"][0]
        latest[line["id"]] = document
        if line["id"] not in ids:
            ids[line["id"]] = _store(context, "funding-lines", document)["id"]
        else:
            _put(context, ids[line["id"]], document)
    return ids, latest


def _in_vector_order(
    context: Context, latest: dict[str, dict[str, Any]], ids: dict[str, str]
) -> dict[str, str]:
    """Rearrange stored lines so their ids sort as the vector's ids do.

    Where figures depend on the order of line ids (a largest-remainder tie, SDS-BUD-005),
    the target's own random ids (SDS-API-002) would otherwise decide them. Each stored id,
    taken in sorted order, is given the content of the vector line of the same rank by an
    update: only the latest version of a line counts (SDS-BUD-037), so the budget sees
    exactly the vector's lines under ids in the vector's order.
    """
    arranged = dict(zip(sorted(ids), sorted(ids.values()), strict=True))
    for vector_id, stored_id in arranged.items():
        if ids[vector_id] != stored_id:
            _put(context, stored_id, latest[vector_id])
    return arranged


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
            "the vector gives its engine two documents for one version of a line, and a "
            "target's store can never hold them: the target numbers versions itself "
            "(SDS-API-002) and refuses a second document for a version it holds with 412 "
            "(SDS-API-006, verified by behaviour.if-match), so no request can put both to "
            "its engine; the vector is for engines given documents directly"
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
        ids, latest = _store_lines(context, entry.get("lines", []), owner)
        if _ORDERED in str(entry.get("working", "")):
            ids = _in_vector_order(context, latest, ids)
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
        role_note=(
            "a vector stores a person, a plan and council lines, and computing stores an "
            "individual budget: only a council writes them (SDS-SEC-023, SDS-SEC-024, "
            "SDS-SEC-025)"
        ),
        subject=vector.file,
    )


_SAMPLES = {
    "ilf-scotland": "sample.csv",
    "dwp-access-to-work": "sample.json",
    "saas-dsa": "sample.xml",
    "nhs-board": "sample-bundle.json",
}
# The NHS sample names the board that pays its lines; a board may import only its own.
_SAMPLE_BOARD = (b"S08000024", b"NHS Lothian")


def _import_file(context: Context) -> tuple[str, bytes, int]:
    """The stream, the file and the client index a role imports a funding stream's file as.

    A source file is sent by its funder. A funder sends its own stream's sample; an NHS
    board the NHS sample, re-addressed to itself (a board writes only NHS lines it pays,
    SDS-SEC-024); a council acts as a declared ILF Scotland client when there is one.
    """
    caps = context.capabilities
    if caps.role == "funder":
        source = funder_source(context)
        return source, (SOURCES / source / _SAMPLES[source]).read_bytes(), 0
    if caps.role == "health-board":
        board = context.http.organisation(0)
        if not board.startswith("S08"):
            raise Unverifiable(
                "declare the main client's organisation (its GSS S08 code) so the suite can "
                "send the NHS sample as the board that pays its lines"
            )
        found = valueset("health-board").get(board)
        sample = (SOURCES / "nhs-board" / _SAMPLES["nhs-board"]).read_bytes()
        sample = sample.replace(_SAMPLE_BOARD[0], board.encode())
        sample = sample.replace(_SAMPLE_BOARD[1], (found.display if found else board).encode())
        return "nhs-board", sample, 0
    sender = next((i for i, c in enumerate(caps.clients) if c.organisation == "ilf-scotland"), 0)
    return (
        "ilf-scotland",
        (SOURCES / "ilf-scotland" / _SAMPLES["ilf-scotland"]).read_bytes(),
        sender,
    )


def _check_import(context: Context) -> str:
    source, sample, sender = _import_file(context)
    path = f"/v1/imports/{source}?file_name={_SAMPLES[source]}"
    headers = {"Content-Type": "application/octet-stream"}
    reports = []
    for _ in range(2):
        response = context.http.send(
            "POST", path, content=sample, headers=headers, client_index=sender
        )
        if response.status_code != 200:
            raise Failure(f"importing the {source} sample answered {response.status_code}")
        reports.append(response.json())
    ids = [set(_line_ids(r)) for r in reports]
    if not ids[0]:
        raise Unverifiable(
            f"the import stored no funding line (send a {source} file as the organisation "
            "that pays its lines; a council run needs an ILF Scotland client, organisation "
            "ilf-scotland): " + json.dumps(reports[0])[:300]
        )
    if ids[0] != ids[1]:
        raise Failure(
            "importing the same file again produced other funding line ids or new versions"
        )
    return f"{len(ids[0])} {source} lines imported; a second import created nothing new"


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
