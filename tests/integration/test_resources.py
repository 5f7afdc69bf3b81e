"""The resource API on SQLite and PostgreSQL: create, read, update, list, history."""

from __future__ import annotations

import uuid
from typing import Any

from gateway_client import ApiClient
from gateway_documents import chi, funding_line, person, support_plan

PROBLEM = "application/problem+json"


def _create_person(api: ApiClient, **kwargs: str) -> dict[str, Any]:
    response = api.post("/v1/persons", json=person(**kwargs))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_assigns_server_fields_and_read_returns_the_same_bytes(api: ApiClient) -> None:
    body = person() | {"id": "not-mine", "version": 7}
    created = api.post("/v1/persons", json=body)
    assert created.status_code == 201
    document = created.json()
    assert uuid.UUID(document["id"]).version == 4
    assert document["version"] == 1
    assert document["recorded_at"].endswith("Z")
    assert created.headers["location"] == f"/v1/persons/{document['id']}"
    assert created.headers["etag"] == '"1"'
    read = api.get(created.headers["location"])
    assert read.status_code == 200
    assert read.content == created.content
    assert read.headers["etag"] == '"1"'


def test_invalid_document_lists_every_problem_with_pointer_and_requirement(api: ApiClient) -> None:
    body = person() | {"birth_date": "01/01/1990", "council_area": "S99999999"}
    response = api.post("/v1/persons", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    pointers = {e["pointer"] for e in problem["errors"]}
    assert {"/birth_date", "/council_area"} <= pointers
    assert all(e["requirement"].startswith("SDS-") for e in problem["errors"])


def test_wrong_type_for_collection_is_refused(api: ApiClient) -> None:
    response = api.post("/v1/assessments", json=person())
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/type"


def test_update_needs_if_match_and_refuses_a_stale_one(api: ApiClient) -> None:
    created = _create_person(api)
    url = f"/v1/persons/{created['id']}"
    changed = created | {"birth_date": "1991-02-03"}
    missing = api.put(url, json=changed)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    updated = api.put(url, json=changed, headers={"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["supersedes"] == {"id": created["id"], "version": 1}
    assert updated.headers["etag"] == '"2"'
    stale = api.put(url, json=changed, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert api.get(url).json()["version"] == 2


def test_history_keeps_every_version(api: ApiClient) -> None:
    created = _create_person(api)
    url = f"/v1/persons/{created['id']}"
    for version in (1, 2):
        body = created | {"birth_date": ["1991-02-03", "1992-03-04"][version - 1]}
        assert api.put(url, json=body, headers={"If-Match": f'"{version}"'}).status_code == 200
    history = api.get(f"{url}/history").json()
    assert [d["version"] for d in history["items"]] == [1, 2, 3]
    first = api.get(f"{url}/history/1")
    assert first.status_code == 200
    assert first.json()["birth_date"] == "1990-01-01"
    assert api.get(f"{url}/history/9").status_code == 404


def test_unknown_record_is_a_404_problem(api: ApiClient) -> None:
    response = api.get(f"/v1/persons/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_list_pages_with_cursors_bound_to_the_query(api: ApiClient) -> None:
    glasgow = api.acting_as("glasgow-city")
    ids = {_create_person(api)["id"] for _ in range(5)}
    _create_person(glasgow, council_area="S12000049")
    seen: list[str] = []
    url = "/v1/persons?limit=2"
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.text
        seen += [d["id"] for d in page.json()["items"]]
        url = page.json()["next"]
    assert sorted(seen) == sorted(ids)
    first = api.get("/v1/persons?limit=2").json()
    foreign = api.get(f"/v1/persons?council_area=S12000049&limit=2&cursor={first['next_cursor']}")
    assert foreign.status_code == 400
    assert foreign.json()["type"].endswith("/invalid-cursor")
    other_client = glasgow.get(f"/v1/persons?limit=2&cursor={first['next_cursor']}")
    assert other_client.status_code == 400
    forged = api.get("/v1/persons?limit=2&cursor=abc.def")
    assert forged.status_code == 400


def test_list_filters_and_unknown_parameters(api: ApiClient) -> None:
    owner = _create_person(api)
    plan = api.post("/v1/support-plans", json=support_plan(owner["id"]))
    assert plan.status_code == 201, plan.text
    api.post("/v1/support-plans", json=support_plan(owner["id"], status="draft"))
    agreed = api.get(f"/v1/support-plans?person={owner['id']}&status=agreed").json()["items"]
    assert [d["id"] for d in agreed] == [plan.json()["id"]]
    assert api.get("/v1/persons?colour=blue").status_code == 400
    since = api.get("/v1/persons?updated_since=2999-01-01T00:00:00Z").json()["items"]
    assert since == []
    assert api.get("/v1/persons?updated_since=yesterday").status_code == 400


def test_references_must_resolve(api: ApiClient) -> None:
    response = api.post("/v1/support-plans", json=support_plan(str(uuid.uuid4())))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/person/id"


def test_funding_line_is_linked_to_the_person_by_identifier(api: ApiClient) -> None:
    number = chi()
    owner = _create_person(api, chi_number=number)
    line = api.post("/v1/funding-lines", json=funding_line(number))
    assert line.status_code == 201, line.text
    assert line.json()["person"] == {"id": owner["id"]}
    found = api.get(f"/v1/funding-lines?person={owner['id']}&source=ilf-scotland").json()
    assert [d["id"] for d in found["items"]] == [line.json()["id"]]


def test_same_identifier_twice_is_a_conflict_naming_the_record(api: ApiClient) -> None:
    number = chi()
    first = _create_person(api, chi_number=number)
    second = api.post("/v1/persons", json=person(chi_number=number))
    assert second.status_code == 409
    assert second.json()["existing"] == f"/v1/persons/{first['id']}"


def test_updated_since_at_the_ends_of_the_calendar(api: ApiClient) -> None:
    owner = _create_person(api)
    # Year 999 once became "999-..." in the index's text, which sorts after every real stamp.
    early = api.get("/v1/persons?updated_since=0999-01-01T00:00:00Z")
    assert [d["id"] for d in early.json()["items"]] == [owner["id"]]
    # Moved to UTC, this instant falls before year 1: a 400 problem, never a 500.
    before_year_one = api.get("/v1/persons", params={"updated_since": "0001-01-01T00:00:00+01:00"})
    assert before_year_one.status_code == 400, before_year_one.text
    assert before_year_one.json()["requirement"] == "SDS-API-010"
