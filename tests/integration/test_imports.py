"""Source-file imports and NDJSON bulk submission: per-record reports, all or nothing each."""

from __future__ import annotations

from pathlib import Path

import orjson
from gateway_client import ApiClient
from gateway_documents import chi, person, support_plan

from spec.identifiers import CHI_SYSTEM

SAMPLES = Path(__file__).resolve().parents[2] / "spec" / "sources"
ILF_SAMPLE = SAMPLES / "ilf-scotland" / "sample.csv"


def test_ilf_import_reports_each_record_and_is_idempotent_by_content(api: ApiClient) -> None:
    api = api.acting_as("ilf-scotland")
    data = ILF_SAMPLE.read_bytes()
    first = api.post("/v1/imports/ilf-scotland?file_name=sample.csv", content=data)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["summary"]["records"] == len(report["records"]) > 0
    created = [line for record in report["records"] for line in record["lines"]]
    assert created
    assert all(line["outcome"] == "created" for line in created)
    again = api.post("/v1/imports/ilf-scotland?file_name=sample.csv", content=data).json()
    outcomes = {line["outcome"] for record in again["records"] for line in record["lines"]}
    assert outcomes == {"unchanged"}
    listed = api.get("/v1/funding-lines?source=ilf-scotland&limit=100").json()["items"]
    assert sorted(d["id"] for d in listed) == sorted(line["id"] for line in created)


def test_imported_lines_are_linked_to_a_known_person(api: ApiClient) -> None:
    lines = ILF_SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    number = lines[1].split(",")[header.index("CHI Number")]
    body = person(chi_number=number)
    owner = api.post("/v1/persons", json=body)
    assert owner.status_code == 201, owner.text
    ilf = api.acting_as("ilf-scotland")
    assert ilf.post("/v1/imports/ilf-scotland", content=ILF_SAMPLE.read_bytes()).status_code == 200
    mine = api.get(f"/v1/funding-lines?person={owner.json()['id']}").json()["items"]
    assert len(mine) == 1
    assert mine[0]["person_identifier"] == {"system": CHI_SYSTEM, "value": number}


def test_unknown_source_is_a_404_problem(api: ApiClient) -> None:
    response = api.post("/v1/imports/no-such-stream", content=b"x")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_bulk_stores_good_lines_and_reports_bad_ones(api: ApiClient) -> None:
    owner = person()
    rows = [
        orjson.dumps(owner),
        b"{not json",
        orjson.dumps(person() | {"council_area": "nowhere"}),
        orjson.dumps({"type": "unknown"}),
        b"",
        orjson.dumps(person()),
    ]
    response = api.post(
        "/v1/bulk", content=b"\n".join(rows), headers={"Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["summary"] == {"lines": 5, "created": 2, "rejected": 3}
    statuses = {r["line"]: r["status"] for r in report["lines"]}
    assert statuses == {1: "created", 2: "rejected", 3: "rejected", 4: "rejected", 6: "created"}
    bad = next(r for r in report["lines"] if r["line"] == 3)
    assert bad["problems"][0]["pointer"] == "/council_area"
    stored = api.get(report["lines"][0]["location"])
    assert stored.status_code == 200


def test_bulk_line_conflicting_with_an_earlier_line_is_rolled_back_alone(api: ApiClient) -> None:
    number = chi()
    owner = person(chi_number=number)
    body = b"\n".join([orjson.dumps(owner), orjson.dumps(person(chi_number=number))])
    report = api.post(
        "/v1/bulk", content=body, headers={"Content-Type": "application/x-ndjson"}
    ).json()
    assert [r["status"] for r in report["lines"]] == ["created", "rejected"]
    assert len(api.get("/v1/persons").json()["items"]) == 1


def test_bulk_needs_ndjson(api: ApiClient) -> None:
    response = api.post("/v1/bulk", json=support_plan("x"))
    assert response.status_code == 415
