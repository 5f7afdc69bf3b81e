"""The access matrix: every organisation x every record x every path, on SQLite and PostgreSQL.

One persona (Rory, City of Edinburgh, a joint assessment naming NHS Lothian, consent for ILF
Scotland to see budget totals) is stored the way the organisations would store it, plus a
person of Glasgow's, and the same persona again by a vendor sandbox in its sandbox (same CHI,
same council area, same funding sources: SDS-SEC-027). Then every organisation (two of each
role where the role has two, a second vendor sandbox included, to catch mix-ups between
clients of one role) tries every read path on every record: direct read, history, one
version, lists with and without filters (paged by cursor), FHIR read. A record it may not see
must answer 404 and never appear in a list; any unexpected allow fails the test, and so does
any unexpected refusal. Writes, compute, idempotency replays and imports follow, and writes
naming records the writer may not read must answer as for records that do not exist
(SDS-SEC-021). On PostgreSQL all of it runs behind the row-level wall (SDS-SEC-028).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from gateway_client import ApiClient
from gateway_documents import person

from gateway.security.access import Role
from gateway.security.datafolder import DataFolder
from gateway.security.keys import generate_key_pair, write_private_pem
from gateway.security.organisations import Organisation
from spec.fhir import to_bundle
from spec.fhir.to_fhir import RESOURCE_TYPES

PERSONA = Path(__file__).resolve().parents[2] / "spec" / "examples" / "valid" / "rory-combined"
SERVER = ("id", "version", "supersedes", "recorded_at")
NDJSON = {"Content-Type": "application/x-ndjson"}
COLLECTION = {
    "person": "persons",
    "assessment": "assessments",
    "support-plan": "support-plans",
    "funding-line": "funding-lines",
    "individual-budget": "budgets",
}
ORGANISATIONS = (
    "city-of-edinburgh",
    "glasgow-city",
    "nhs-lothian",
    "nhs-ggc",
    "ilf-scotland",
    "dwp-access-to-work",
    "saas",
    "demo-auditor",
    "demo-vendor",
    "other-vendor",
)
VENDOR = "demo-vendor"
EDINBURGH_ONLY = frozenset({"city-of-edinburgh"})
JOINT = frozenset({"city-of-edinburgh", "nhs-lothian"})
# Which organisations may read each record: the access policy, written out by hand.
READERS: dict[str, frozenset[str]] = {
    "person": JOINT,
    "assessment": JOINT,
    "support-plan": JOINT,
    "line-council": EDINBURGH_ONLY,
    "line-ilf": frozenset({"city-of-edinburgh", "ilf-scotland"}),
    "line-dwp": frozenset({"city-of-edinburgh", "dwp-access-to-work"}),
    "line-nhs": JOINT,
    "budget": frozenset({"city-of-edinburgh", "nhs-lothian", "ilf-scotland"}),
    "glasgow-person": frozenset({"glasgow-city"}),
}
SANDBOX_PREFIX = "sandbox-"


def _readers(label: str) -> frozenset[str]:
    """Who may read the record labelled ``label``: a sandbox's records are its own alone."""
    return frozenset({VENDOR}) if label.startswith(SANDBOX_PREFIX) else READERS[label]


def _keeper(label: str) -> str:
    """The organisation that stored the record labelled ``label`` (and may rewrite it)."""
    if label.startswith(SANDBOX_PREFIX):
        return VENDOR
    return "glasgow-city" if label == "glasgow-person" else "city-of-edinburgh"


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((PERSONA / name).read_bytes())
    return {k: v for k, v in document.items() if k not in SERVER}


def _in_force(person_document: dict[str, Any]) -> dict[str, Any]:
    """The persona's consents, kept in force for as long as the test suite lives."""
    for consent in person_document.get("consents", []):
        consent["period"]["end"] = "2099-12-31"
    return person_document


def _line_label(line: dict[str, Any]) -> str:
    source = str(line["source"])
    for prefix, label in (
        ("council", "line-council"),
        ("ilf", "line-ilf"),
        ("dwp", "line-dwp"),
        ("nhs", "line-nhs"),
    ):
        if source.startswith(prefix):
            return label
    raise AssertionError(f"unexpected source {source}")


_OWNER = {
    "line-council": "city-of-edinburgh",
    "line-ilf": "ilf-scotland",
    "line-dwp": "dwp-access-to-work",
    "line-nhs": "nhs-lothian",
}


def _register_second_sandbox(api: ApiClient) -> None:
    """A second vendor sandbox, registered with its own key as ``sdsx orgs add`` would."""
    folder = DataFolder(api.data_dir)
    pair = generate_key_pair("ES256")
    write_private_pem(folder.private_key_file("other-vendor"), pair.private_pem)
    organisation = Organisation(
        "other-vendor", "Another vendor sandbox", Role.VENDOR_SANDBOX, "other-vendor", demo=True
    )
    folder.organisations().save(organisation.with_key(pair.public_jwk))


def _store_world(api: ApiClient, sandbox: str | None = None) -> dict[str, tuple[str, str]]:
    """Store the persona as its organisations would; label -> (document type, id).

    With ``sandbox``, that vendor sandbox stores all of it instead, labels prefixed.
    """
    prefix = SANDBOX_PREFIX if sandbox else ""
    edinburgh = api.acting_as(sandbox or "city-of-edinburgh")
    created = edinburgh.post("/v1/persons", json=_in_force(_load("person.json")))
    assert created.status_code == 201, created.text
    person_id = created.json()["id"]
    world = {prefix + "person": ("person", person_id)}
    by_owner: dict[str, list[bytes]] = {}
    labels: dict[str, list[str]] = {}
    for raw in (PERSONA / "funding-lines.ndjson").read_bytes().splitlines():
        line = orjson.loads(raw)
        label = _line_label(line)
        owner = sandbox or _OWNER[label]
        kept = {k: v for k, v in line.items() if k not in (*SERVER, "person")}
        by_owner.setdefault(owner, []).append(orjson.dumps(kept))
        labels.setdefault(owner, []).append(prefix + label)
    for owner, lines in by_owner.items():
        report = api.acting_as(owner).post("/v1/bulk", content=b"\n".join(lines), headers=NDJSON)
        assert report.json()["summary"]["rejected"] == 0, report.text
        for label, entry in zip(labels[owner], report.json()["lines"], strict=True):
            world.setdefault(label, ("funding-line", entry["id"]))
    assessment = _load("assessment.json") | {"person": {"id": person_id}}
    stored = edinburgh.post("/v1/assessments", json=assessment)
    assert stored.status_code == 201, stored.text
    world[prefix + "assessment"] = ("assessment", stored.json()["id"])
    plan = _load("support-plan.json") | {
        "person": {"id": person_id},
        "assessment": {"id": stored.json()["id"], "version": 1},
    }
    stored_plan = edinburgh.post("/v1/support-plans", json=plan)
    assert stored_plan.status_code == 201, stored_plan.text
    world[prefix + "support-plan"] = ("support-plan", stored_plan.json()["id"])
    budget = edinburgh.post("/v1/budgets/compute", json={"plan": stored_plan.json()["id"]})
    assert budget.status_code == 201, budget.text
    world[prefix + "budget"] = ("individual-budget", budget.json()["id"])
    if sandbox:
        return world
    glasgow = api.acting_as("glasgow-city").post(
        "/v1/persons", json=person(council_area="S12000049")
    )
    assert glasgow.status_code == 201, glasgow.text
    world["glasgow-person"] = ("person", glasgow.json()["id"])
    return world


@pytest.fixture
def world(api: ApiClient) -> tuple[ApiClient, dict[str, tuple[str, str]]]:
    _register_second_sandbox(api)
    return api, _store_world(api) | _store_world(api, sandbox=VENDOR)


def _listed(client: ApiClient, url: str) -> set[str]:
    """Every id a list shows, following its cursors to the end."""
    seen: set[str] = set()
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        seen |= {item["id"] for item in page.json()["items"]}
        url = page.json()["next"]
        pages += 1
        assert pages < 50, "paging did not terminate"
    return seen


def test_every_organisation_reads_exactly_what_the_policy_grants(world: tuple) -> None:
    api, records = world
    person_id = records["person"][1]
    wrong: list[str] = []
    for organisation in ORGANISATIONS:
        client = api.acting_as(organisation)
        lists = {
            kind: _listed(client, f"/v1/{collection}?limit=2")
            for kind, collection in COLLECTION.items()
        }
        for label, (kind, record_id) in records.items():
            allowed = organisation in _readers(label)
            base = f"/v1/{COLLECTION[kind]}/{record_id}"
            fhir = f"/fhir/r4/{RESOURCE_TYPES[kind]}/{record_id}"
            expected = 200 if allowed else 404
            for url in (base, f"{base}/history", f"{base}/history/1", fhir):
                status = client.get(url).status_code
                if status != expected:
                    wrong.append(f"{organisation} GET {url} ({label}): {status}, not {expected}")
            if (record_id in lists[kind]) != allowed:
                wrong.append(f"{organisation} list {kind}: {label} shown={not allowed}")
            if kind != "person":
                filtered = _listed(client, f"/v1/{COLLECTION[kind]}?person={person_id}&limit=1")
                rory = label != "glasgow-person" and not label.startswith(SANDBOX_PREFIX)
                if rory and (record_id in filtered) != allowed:
                    wrong.append(f"{organisation} list {kind}?person=: {label} shown={not allowed}")
    assert not wrong, "\n".join(wrong)


def test_responses_are_minimised_per_role(world: tuple) -> None:
    api, records = world
    budget_url = f"/v1/budgets/{records['budget'][1]}"
    full = api.acting_as("city-of-edinburgh").get(budget_url).json()
    totals_only = api.acting_as("ilf-scotland").get(budget_url).json()
    assert "lines" in full
    assert "lines" not in totals_only
    assert set(totals_only["totals"]) <= {"gross", "net"}
    listed = api.acting_as("ilf-scotland").get("/v1/budgets").json()["items"]
    assert [item.get("lines") for item in listed] == [None]
    plan = api.acting_as("nhs-lothian").get(f"/v1/support-plans/{records['support-plan'][1]}")
    assert plan.status_code == 200
    fhir_plan = f"/fhir/r4/CarePlan/{records['support-plan'][1]}/$document"
    assert api.acting_as("nhs-lothian").get(fhir_plan).status_code == 200
    assert api.acting_as("nhs-ggc").get(fhir_plan).status_code == 404
    assert api.acting_as("ilf-scotland").get(fhir_plan).status_code == 404


def test_writes_compute_replays_and_imports_refuse_other_organisations(world: tuple) -> None:
    api, records = world
    wrong: list[str] = []
    for organisation in ORGANISATIONS:
        client = api.acting_as(organisation)
        for label, (kind, record_id) in records.items():
            if organisation in (_keeper(label), _OWNER.get(label)):
                continue
            url = f"/v1/{COLLECTION[kind]}/{record_id}"
            current = api.acting_as(_keeper(label)).get(url)
            answer = client.put(url, json=current.json(), headers={"If-Match": '"1"'})
            expected = {403} if organisation in _readers(label) else {404}
            if label == "assessment" and organisation == "nhs-lothian":
                expected = {200, 412}  # a board writes the joint assessments naming it
            if answer.status_code not in expected:
                wrong.append(f"{organisation} PUT {label}: {answer.status_code}, not {expected}")
    assert not wrong, "\n".join(wrong)

    plan_id = records["support-plan"][1]
    for organisation, status in (
        ("glasgow-city", 422),  # as for a plan that does not exist
        ("nhs-ggc", 422),
        ("ilf-scotland", 422),
        ("nhs-lothian", 403),  # may read the plan, may not budget it
        ("city-of-edinburgh", 200),
    ):
        computed = api.acting_as(organisation).post("/v1/budgets/compute", json={"plan": plan_id})
        assert computed.status_code == status, (organisation, computed.text)
    unknown = api.post("/v1/budgets/compute", json={"plan": str(uuid.uuid4())})
    assert (
        unknown.json()["detail"]
        == api.acting_as("glasgow-city")
        .post("/v1/budgets/compute", json={"plan": plan_id})
        .json()["detail"]
    )

    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = person()
    first = api.post("/v1/persons", json=body, headers=key)
    assert first.status_code == 201
    replayed = api.acting_as("glasgow-city").post("/v1/persons", json=body, headers=key)
    assert replayed.status_code == 403
    assert "idempotent-replayed" not in replayed.headers
    assert first.json()["id"] not in replayed.text

    sample = Path(__file__).resolve().parents[2] / "spec" / "sources" / "ilf-scotland"
    data = (sample / "sample.csv").read_bytes()
    foreign = api.acting_as("dwp-access-to-work").post("/v1/imports/ilf-scotland", content=data)
    assert foreign.status_code == 200
    assert foreign.json()["summary"]["stored"] == 0
    own = api.acting_as("ilf-scotland").post("/v1/imports/ilf-scotland", content=data)
    assert own.json()["summary"]["rejected"] == 0
    again = api.acting_as("saas").post("/v1/imports/ilf-scotland", content=data).json()
    assert again["summary"]["stored"] == 0
    # Importing records that exist (ILF's) answers as importing ones that do not (SDS-SEC-021).
    assert again["records"] == foreign.json()["records"]
    assert {p["rule"] for r in again["records"] for p in r["problems"]} == {"forbidden"}


def test_without_a_token_every_route_is_401_and_metadata_stays_public(api: ApiClient) -> None:
    nobody = api.acting_as(None)
    for url in ("/v1/persons", "/v1/budgets", f"/fhir/r4/Patient/{uuid.uuid4()}"):
        answer = nobody.get(url)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
    assert nobody.get("/fhir/r4/metadata").status_code == 200
    assert nobody.get("/.well-known/jwks.json").status_code == 200
    assert api.get("/v1/persons").headers["x-content-type-options"] == "nosniff"


def test_a_withdrawn_consent_counts_from_the_next_request(world: tuple) -> None:
    api, records = world
    budget_url = f"/v1/budgets/{records['budget'][1]}"
    ilf = api.acting_as("ilf-scotland")
    assert ilf.get(budget_url).status_code == 200
    person_url = f"/v1/persons/{records['person'][1]}"
    current = api.get(person_url).json()
    for consent in current["consents"]:
        if consent["purpose"] == "budget-totals":
            consent["withdrawn_at"] = "2026-01-01T00:00:00Z"
    changed = api.put(person_url, json=current, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert ilf.get(budget_url).status_code == 404
    assert records["budget"][1] not in _listed(ilf, "/v1/budgets")


def _same_problem(first: Any, second: Any) -> None:
    """Two answers a caller cannot tell apart: status, problem type, detail and errors."""
    assert first.status_code == second.status_code, (first.text, second.text)
    a, b = first.json(), second.json()
    for key in ("type", "title", "detail", "errors"):
        assert a.get(key) == b.get(key), (key, a, b)


def _stored_shape(document: dict[str, Any], person_id: str) -> dict[str, Any]:
    """``document`` as a FHIR transaction carries it: with an id, a version and its person."""
    return document | {"id": str(uuid.uuid4()), "version": 1, "person": {"id": person_id}}


def test_writes_naming_records_out_of_reach_answer_as_for_missing_ones(world: tuple) -> None:
    api, records = world
    glasgow = api.acting_as("glasgow-city")
    unknown = str(uuid.uuid4())
    for label in ("person", SANDBOX_PREFIX + "person"):
        foreign = records[label][1]
        assessment = _load("assessment.json")
        named = glasgow.post("/v1/assessments", json=assessment | {"person": {"id": foreign}})
        missing = glasgow.post("/v1/assessments", json=assessment | {"person": {"id": unknown}})
        assert missing.status_code == 422, missing.text
        assert [e["pointer"] for e in missing.json()["errors"]] == ["/person/id"]
        _same_problem(named, missing)
        bulk = [
            glasgow.post("/v1/bulk", content=orjson.dumps(body), headers=NDJSON).json()["lines"]
            for body in (assessment | {"person": {"id": ref}} for ref in (foreign, unknown))
        ]
        assert bulk[0] == bulk[1], bulk
        bundles = [
            glasgow.post(
                "/fhir/r4",
                content=orjson.dumps(
                    to_bundle([_stored_shape(assessment, ref)], bundle_type="transaction")
                ),
                headers={"Content-Type": "application/fhir+json"},
            )
            for ref in (foreign, unknown)
        ]
        assert bundles[1].status_code == 422, bundles[1].text
        assert (bundles[0].status_code, bundles[0].json()) == (422, bundles[1].json())
    # A vendor sandbox naming a live record meets the same wall the other way round.
    vendor = api.acting_as(VENDOR)
    own_assessment = {"id": records[SANDBOX_PREFIX + "assessment"][1], "version": 1}
    plan = _load("support-plan.json") | {"assessment": own_assessment}
    named = vendor.post("/v1/support-plans", json=plan | {"person": {"id": records["person"][1]}})
    missing = vendor.post("/v1/support-plans", json=plan | {"person": {"id": unknown}})
    assert [e["pointer"] for e in missing.json()["errors"]] == ["/person/id"], missing.text
    _same_problem(named, missing)


def test_sandbox_records_stay_in_their_sandbox_on_every_other_path(world: tuple) -> None:
    api, records = world
    plan_id = records[SANDBOX_PREFIX + "support-plan"][1]
    document = f"/fhir/r4/CarePlan/{plan_id}/$document"
    assert api.acting_as(VENDOR).get(document).status_code == 200
    for organisation in ORGANISATIONS:
        if organisation == VENDOR:
            continue
        client = api.acting_as(organisation)
        assert client.get(document).status_code == 404, organisation
        computed = client.post("/v1/budgets/compute", json={"plan": plan_id})
        if organisation != "demo-auditor":
            missing = client.post("/v1/budgets/compute", json={"plan": str(uuid.uuid4())})
            _same_problem(computed, missing)

    # An Idempotency-Key is its client's own: nobody else replays a sandbox's answer.
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = person()
    first = api.acting_as(VENDOR).post("/v1/persons", json=body, headers=key)
    assert first.status_code == 201, first.text
    for organisation in ("other-vendor", "city-of-edinburgh"):
        again = api.acting_as(organisation).post("/v1/persons", json=body, headers=key)
        assert "idempotent-replayed" not in again.headers
        assert first.json()["id"] not in again.text

    # A sandbox importing a live stream's file keeps its copy to itself and squats no id:
    # the stream imports the same file afterwards as if the sandbox had never seen it.
    sample = Path(__file__).resolve().parents[2] / "spec" / "sources" / "ilf-scotland"
    data = (sample / "sample.csv").read_bytes()
    sandboxed = api.acting_as(VENDOR).post("/v1/imports/ilf-scotland", content=data).json()
    assert sandboxed["summary"]["rejected"] == 0, sandboxed
    live = api.acting_as("ilf-scotland").post("/v1/imports/ilf-scotland", content=data).json()
    assert live["summary"]["rejected"] == 0, live
    sandbox_ids = {line["id"] for r in sandboxed["records"] for line in r["lines"]}
    live_ids = {line["id"] for r in live["records"] for line in r["lines"]}
    assert sandbox_ids
    assert live_ids
    assert not sandbox_ids & live_ids
    assert not sandbox_ids & _listed(api.acting_as("ilf-scotland"), "/v1/funding-lines?limit=3")
    vendor_lines = _listed(api.acting_as(VENDOR), "/v1/funding-lines?limit=3")
    assert sandbox_ids <= vendor_lines
    assert not live_ids & vendor_lines
    again = api.acting_as(VENDOR).post("/v1/imports/ilf-scotland", content=data).json()
    outcomes = {line["outcome"] for r in again["records"] for line in r["lines"]}
    assert outcomes == {"unchanged"}, again
    for organisation in ("other-vendor", "city-of-edinburgh", "nhs-lothian"):
        seen = _listed(api.acting_as(organisation), "/v1/funding-lines?limit=3")
        assert not seen & sandbox_ids, organisation


def test_a_board_files_the_first_joint_assessment_about_a_person_it_cannot_yet_read(
    world: tuple,
) -> None:
    """The assessment a board may write is what lets it read the person (SDS-SEC-024)."""
    api, _records = world
    edinburgh, lothian = api.acting_as("city-of-edinburgh"), api.acting_as("nhs-lothian")
    stored = edinburgh.post("/v1/persons", json=person())
    assert stored.status_code == 201, stored.text
    person_id = stored.json()["id"]
    assert lothian.get(f"/v1/persons/{person_id}").status_code == 404
    joint = _load("assessment.json") | {"person": {"id": person_id}}
    other_board = joint | {"health_board": {"kind": "health-board", "code": "S08000031"}}
    refused = lothian.post("/v1/assessments", json=other_board)
    missing = lothian.post("/v1/assessments", json=joint | {"person": {"id": str(uuid.uuid4())}})
    _same_problem(refused, missing)
    filed = lothian.post("/v1/assessments", json=joint)
    assert filed.status_code == 201, filed.text
    assert lothian.get(f"/v1/persons/{person_id}").status_code == 200
