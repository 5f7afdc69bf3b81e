"""The behaviour group: how a target's resource API behaves, checked over HTTP.

Each check writes its own fresh synthetic records, of the kind the main client's role writes
(:mod:`conformance.roles`), so checks never depend on one another or on data already in the
target, and an NHS board's or a funder's system is tested on the records it owns.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from typing import Any
from urllib.parse import quote

import httpx

from conformance.fixtures import council_area, funding_line, person, without_server_members
from conformance.roles import (
    DROPPED_FOR_VALIDATION,
    OWN_KIND,
    Subject,
    altered,
    own_collection,
    own_document,
    own_line,
    store,
    subject,
)
from conformance.runner import Check, Context, Failure, Unverifiable
from spec import validate

__all__ = [
    "GROUP",
    "PROBLEM_JSON",
    "WRITES_PEOPLE",
    "WRITES_PEOPLE_NOTE",
    "behaviour_checks",
    "expect_problem",
]

GROUP = "behaviour"
PROBLEM_JSON = "application/problem+json"
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_FEATURES = frozenset({"behaviour"})
# Checks that store a person apply to a council only: no other role may write people
# (SDS-SEC-023 to SDS-SEC-025). Every other check works on the role's own records.
WRITES_PEOPLE = frozenset({"council"})
WRITES_PEOPLE_NOTE = "it stores a person, and only a council may write people (SDS-SEC-023)"


def _rng(context: Context, name: str) -> random.Random:
    # The run's nonce keeps two runs with one seed from writing the same people twice.
    return random.Random(f"{context.state.get('nonce', '')}{context.seed}:{name}")


def _json(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise Failure(f"{what}: the body is not JSON") from None


def expect_problem(response: httpx.Response, status: int | tuple[int, ...], what: str) -> Any:
    """Fail unless ``response`` is a problem+json with one of ``status`` (SDS-API-001)."""
    wanted = (status,) if isinstance(status, int) else status
    if response.status_code >= 500:
        raise Failure(f"{what}: answered {response.status_code}; bad input must never be a 5xx")
    if response.status_code not in wanted:
        raise Failure(
            f"{what}: expected {' or '.join(map(str, wanted))}, got {response.status_code}"
        )
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media != PROBLEM_JSON:
        raise Failure(f"{what}: Content-Type is {media or 'missing'}, not {PROBLEM_JSON}")
    body = _json(response, what)
    if not isinstance(body, dict):
        raise Failure(f"{what}: the problem is not a JSON object")
    missing = [k for k in ("type", "title", "status", "detail") if k not in body]
    if missing:
        raise Failure(f"{what}: the problem lacks {', '.join(missing)}")
    if body["status"] != response.status_code:
        raise Failure(f"{what}: problem status {body['status']} is not the HTTP status")
    return body


def _create(
    context: Context, collection: str, document: dict[str, Any], **kw: Any
) -> httpx.Response:
    response = context.http.send("POST", f"/v1/{collection}", json_body=document, **kw)
    if response.status_code != 201:
        raise Unverifiable(
            f"could not create a {document['type']} to work with: POST /v1/{collection} "
            f"answered {response.status_code}"
        )
    return response


def _own(context: Context, name: str) -> tuple[str, dict[str, Any]]:
    """The main client's own collection and a fresh record for it (:mod:`conformance.roles`)."""
    return own_collection(context), own_document(context, _rng(context, name))


def _check_assigns_ids(context: Context) -> str:
    collection, sent = _own(context, "assigns")
    sent["id"] = "00000000-0000-4000-8000-000000000001"
    sent["version"] = 7
    response = _create(context, collection, sent)
    body = _json(response, "create")
    if body.get("id") == sent["id"] or not _UUID4.match(str(body.get("id"))):
        raise Failure(f"the stored id {body.get('id')!r} is not a new random lower-case UUID v4")
    if body.get("version") != 1 or "supersedes" in body:
        raise Failure("a created record must be version 1 and supersede nothing")
    other = store(context, _own(context, "assigns-2")[1])
    if other["id"][:8] == body["id"][:8]:
        raise Failure("two created ids share a prefix: ids look sequential, not random")
    rng = _rng(context, "assigns-3")
    wrong = person(rng) if sent["type"] != "person" else funding_line(rng, body)
    mismatch = context.http.send("POST", f"/v1/{collection}", json_body=wrong)
    expect_problem(mismatch, (400, 422), f"a {wrong['type']} posted to /v1/{collection}")
    return "ids, version and supersedes are assigned by the target; type mismatch refused"


def _check_read_back(context: Context) -> str:
    collection, sent = _own(context, "read-back")
    stored = store(context, sent)
    read = context.http.send("GET", f"/v1/{collection}/{stored['id']}")
    if read.status_code != 200:
        raise Failure(f"reading the created record back answered {read.status_code}")
    document = _json(read, "read back")
    problems = validate(document)
    if problems:
        listed = "; ".join(f"{p.pointer}: {p.message} ({p.requirement})" for p in problems[:5])
        raise Failure(f"the record read back is not a valid document: {listed}")
    if without_server_members(document) != without_server_members(sent):
        missing = sorted(set(sent) - set(document) - {"id", "version", "recorded_at"})
        changed = sorted(k for k in sent if k in document and document[k] != sent[k])
        changed = [k for k in changed if k not in ("id", "version", "recorded_at")]
        raise Failure(
            f"the record read back differs from what was written: missing {missing or 'none'}, "
            f"changed {changed or 'none'}"
        )
    return f"the {sent['type']} read back is valid and equal to what was written"


def _check_validation(context: Context) -> str:
    collection, bad = _own(context, "validation")
    dropped = DROPPED_FOR_VALIDATION[bad["type"]]
    for name in dropped:
        del bad[name]
    response = context.http.send("POST", f"/v1/{collection}", json_body=bad)
    body = expect_problem(response, 422, f"an invalid {bad['type']}")
    errors = body.get("errors")
    if not isinstance(errors, list) or not errors:
        raise Failure("the 422 problem lists no errors")
    pointers = {str(e.get("pointer")) for e in errors if isinstance(e, dict)}
    if not all(isinstance(e, dict) and e.get("requirement") for e in errors):
        raise Failure("an error in the 422 problem names no requirement ID")
    wanted = {f"/{name}" for name in dropped}
    if not wanted <= pointers:
        raise Failure(f"the 422 problem must report every problem; pointers {sorted(pointers)}")
    return "an invalid write is refused with 422 listing every problem"


def _check_problem_json(context: Context) -> str:
    collection = own_collection(context)
    missing = context.http.send("GET", f"/v1/{collection}/{uuid.uuid4()}")
    expect_problem(missing, 404, "reading an unknown record")
    broken = context.http.send(
        "POST",
        f"/v1/{collection}",
        content=b'{"type": "person", ',
        headers={"Content-Type": "application/json"},
    )
    expect_problem(broken, (400, 422), "a body that is not JSON")
    wrong_id = context.http.send("GET", f"/v1/{collection}/not-a-uuid%00")
    expect_problem(wrong_id, (400, 404, 422), "a malformed record id")
    return "errors are problem+json, bad input never a 5xx"


def _check_idempotency(context: Context) -> str:
    rng = _rng(context, "idempotency")
    collection, document = _own(context, "idempotency")
    key = {"Idempotency-Key": f"cnf-{uuid.UUID(int=rng.getrandbits(128))}"}
    first = _create(context, collection, document, headers=key)
    again = context.http.send("POST", f"/v1/{collection}", json_body=document, headers=key)
    if again.status_code != first.status_code or again.content != first.content:
        raise Failure(
            f"the replay with the same Idempotency-Key answered {again.status_code} with a "
            "different body; it must replay the stored response byte for byte"
        )
    other = context.http.send("POST", f"/v1/{collection}", json_body=altered(document), headers=key)
    expect_problem(other, 422, "the same Idempotency-Key with a different body")
    return "replays are byte for byte; a reused key with another body is 422"


def _check_if_match(context: Context) -> str:
    collection, document = _own(context, "if-match")
    stored = store(context, document)
    path = f"/v1/{collection}/{stored['id']}"
    read = context.http.send("GET", path)
    etag = read.headers.get("etag")
    if not etag:
        raise Failure("the record was read without an ETag")
    changed = altered(stored)
    missing = context.http.send("PUT", path, json_body=changed)
    expect_problem(missing, 428, "an update without If-Match")
    stale = context.http.send("PUT", path, json_body=changed, headers={"If-Match": '"99"'})
    expect_problem(stale, 412, "an update with a stale If-Match")
    ok = context.http.send("PUT", path, json_body=changed, headers={"If-Match": etag})
    if ok.status_code != 200:
        raise Failure(f"an update with the current ETag answered {ok.status_code}, not 200")
    replay = context.http.send("PUT", path, json_body=changed, headers={"If-Match": etag})
    expect_problem(replay, 412, "a second update with the now-stale ETag")
    return "If-Match is required (428) and checked (412)"


def _check_history(context: Context) -> str:
    collection, document = _own(context, "history")
    stored = store(context, document)
    path = f"/v1/{collection}/{stored['id']}"
    etag = context.http.send("GET", path).headers.get("etag", "")
    updated = context.http.send("PUT", path, json_body=altered(stored), headers={"If-Match": etag})
    if updated.status_code != 200:
        raise Unverifiable(
            f"could not update the record to build a history ({updated.status_code})"
        )
    new = _json(updated, "update")
    if new.get("version") != 2 or new.get("supersedes") != {"id": stored["id"], "version": 1}:
        raise Failure("version 2 must supersede {id, version 1} of the same record")
    history = _json(context.http.send("GET", f"{path}/history"), "history")
    versions = [d.get("version") for d in history.get("items", [])]
    if versions != [1, 2]:
        raise Failure(f"the history lists versions {versions}, not [1, 2] oldest first")
    first = context.http.send("GET", f"{path}/history/1")
    if first.status_code != 200 or _json(first, "version 1") != stored:
        raise Failure("version 1 read from the history is not the version first stored")
    return "every version is kept and readable"


def _page_ids(context: Context, query: str) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        suffix = f"&cursor={cursor}" if cursor else ""
        response = context.http.send("GET", f"/v1/funding-lines?{query}{suffix}")
        if response.status_code != 200:
            raise Failure(f"listing answered {response.status_code}")
        page = _json(response, "list")
        ids += [d["id"] for d in page.get("items", [])]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids
    raise Failure("paging did not end after 20 pages for 3 records: the cursor does not advance")


def _check_pagination(context: Context) -> str:
    rng = _rng(context, "pagination")
    owner = subject(context, rng)
    stored = [store(context, own_line(context, rng, owner, i)) for i in range(3)]
    made = sorted(line["id"] for line in stored)
    # A declared person may hold lines of earlier runs: page only the lines made here.
    since = quote(min(str(line.get("recorded_at", "")) for line in stored))
    query = f"person={owner.id}&updated_since={since}&limit=1"
    seen = _page_ids(context, query)
    if sorted(seen) != made:
        raise Failure(
            f"paging by 1 returned {len(seen)} items ({len(set(seen))} distinct), not the 3 lines"
        )
    first = _json(context.http.send("GET", f"/v1/funding-lines?{query}"), "list")
    cursor = first.get("next_cursor")
    if not cursor:
        raise Failure("a page of 1 out of 3 gave no next_cursor")
    other = context.http.send("GET", f"/v1/funding-lines?person={owner.id}&limit=2&cursor={cursor}")
    expect_problem(other, 400, "a cursor used with another query")
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    forged = context.http.send("GET", f"/v1/funding-lines?{query}&cursor={tampered}")
    expect_problem(forged, 400, "an edited cursor")
    unknown = context.http.send("GET", "/v1/funding-lines?colour=blue")
    expect_problem(unknown, 400, "an unknown query parameter")
    return "cursors page completely and are bound to their query"


def _check_request_id(context: Context) -> str:
    rid = f"cnf-{uuid.uuid4().hex}"
    cid = f"cnf-corr-{uuid.uuid4().hex}"
    collection = own_collection(context)
    for path in (f"/v1/{collection}?limit=1", f"/v1/{collection}/{uuid.uuid4()}"):
        response = context.http.send(
            "GET", path, headers={"X-Request-ID": rid, "X-Correlation-ID": cid}
        )
        if response.headers.get("x-request-id") != rid:
            raise Failure(f"GET {path} ({response.status_code}) did not echo X-Request-ID")
        if response.headers.get("x-correlation-id") != cid:
            raise Failure(f"GET {path} ({response.status_code}) did not echo X-Correlation-ID")
    bare = context.http.send("GET", f"/v1/{collection}?limit=1")
    if not bare.headers.get("x-request-id"):
        raise Failure("a request without X-Request-ID got none generated")
    return "request and correlation ids are echoed, on errors too, and generated when absent"


def _check_media_type(context: Context) -> str:
    collection, document = _own(context, "media")
    response = context.http.send(
        "POST",
        f"/v1/{collection}",
        content=json.dumps(document),
        headers={"Content-Type": "text/plain"},
    )
    expect_problem(response, 415, "a body sent as text/plain")
    return "an unsupported Content-Type is refused with 415"


def _check_parameters(context: Context) -> str:
    response = context.http.send("GET", f"/v1/{own_collection(context)}?limit=0")
    body = expect_problem(response, 422, "limit=0")
    errors = body.get("errors")
    if not isinstance(errors, list) or not all(
        isinstance(e, dict) and "pointer" in e for e in errors
    ):
        raise Failure("the 422 problem for an invalid parameter has no JSON pointer per error")
    return "invalid parameters are 422 with a pointer per error"


def _check_body_limit(context: Context) -> str:
    collection = own_collection(context)
    kind = OWN_KIND[context.capabilities.role].encode()
    huge = b'{"type": "' + kind + b'", "padding": "' + b"x" * (16 * 1024 * 1024) + b'"}'
    response = context.http.send(
        "POST", f"/v1/{collection}", content=huge, headers={"Content-Type": "application/json"}
    )
    expect_problem(response, 413, "a 16 MiB body")
    return "an oversized body is refused with 413"


def _check_health(context: Context) -> str:
    found = {
        p: context.http.send("GET", p, auth=False).status_code
        for p in ("/healthz", "/readyz", "/metrics")
    }
    missing = [p for p, status in found.items() if status != 200]
    if missing:
        raise Failure(f"{', '.join(missing)} did not answer 200")
    return "/healthz, /readyz and /metrics answer"


def _check_references(context: Context) -> str:
    rng = _rng(context, "references")
    never_stored = person(rng)
    owner = Subject(never_stored["id"], never_stored["identifiers"][0], "")
    orphan = own_line(context, rng, owner)
    response = context.http.send("POST", "/v1/funding-lines", json_body=orphan)
    expect_problem(response, (404, 409, 422), "a funding line naming a person never stored")
    return "a reference to a record that is not stored is refused"


def _check_unique_person(context: Context) -> str:
    document = person(_rng(context, "unique"), council_area(context))
    _create(context, "persons", document)
    again = dict(document, id=str(uuid.uuid4()))
    response = context.http.send("POST", "/v1/persons", json_body=again)
    expect_problem(response, 409, "a second person with the same CHI")
    return "a second person with the same identifier is refused with 409"


def _check_bulk(context: Context) -> str:
    rng = _rng(context, "bulk")
    good = own_document(context, rng)
    bad = own_document(context, rng)
    for name in DROPPED_FOR_VALIDATION[bad["type"]]:
        del bad[name]
    body = (json.dumps(good) + "\n" + json.dumps(bad) + "\n").encode()
    response = context.http.send(
        "POST", "/v1/bulk", content=body, headers={"Content-Type": "application/x-ndjson"}
    )
    if response.status_code != 200:
        raise Failure(f"a bulk submission of two lines answered {response.status_code}")
    report = _json(response, "bulk report")
    lines = report.get("lines") if isinstance(report, dict) else None
    if not isinstance(lines, list) or len(lines) != 2:
        raise Failure("a bulk submission of two lines must be answered with two results")
    first, second = lines
    if first.get("status") != "created" or second.get("status") != "rejected":
        raise Failure(
            f"line 1 (valid) is {first.get('status')!r} and line 2 (invalid) is "
            f"{second.get('status')!r}; each line must stand on its own"
        )
    return "each NDJSON line is answered and stored on its own"


def behaviour_checks() -> list[Check]:
    """The behaviour group, in a fixed order."""
    table: list[tuple[str, str, tuple[str, ...], Any, str]] = [
        (
            "behaviour.assigns-ids",
            "The target assigns id, version and supersedes itself",
            ("SDS-API-002", "SDS-DOC-003"),
            _check_assigns_ids,
            "core",
        ),
        (
            "behaviour.read-back",
            "A stored record reads back valid and unchanged",
            ("SDS-CNF-001",),
            _check_read_back,
            "core",
        ),
        (
            "behaviour.validation",
            "Invalid writes are refused with 422 listing every problem",
            ("SDS-API-003", "SDS-DOC-009"),
            _check_validation,
            "core",
        ),
        (
            "behaviour.problem-json",
            "Errors are problem+json; bad input is never a 5xx",
            ("SDS-API-001",),
            _check_problem_json,
            "core",
        ),
        (
            "behaviour.idempotency",
            "Idempotency-Key replays and conflicts",
            ("SDS-API-005",),
            _check_idempotency,
            "core",
        ),
        (
            "behaviour.if-match",
            "Updates need a current If-Match (428/412)",
            ("SDS-API-006",),
            _check_if_match,
            "core",
        ),
        (
            "behaviour.history",
            "Every version is kept and readable",
            ("SDS-DOC-004", "SDS-DOC-005"),
            _check_history,
            "core",
        ),
        (
            "behaviour.pagination",
            "Cursors page completely and are bound to their query",
            ("SDS-API-010",),
            _check_pagination,
            "core",
        ),
        (
            "behaviour.request-id",
            "X-Request-ID and X-Correlation-ID are echoed",
            ("SDS-API-008",),
            _check_request_id,
            "core",
        ),
        (
            "behaviour.media-type",
            "An unsupported Content-Type is 415",
            ("SDS-API-011",),
            _check_media_type,
            "core",
        ),
        (
            "behaviour.parameters",
            "Invalid parameters are 422 with pointers",
            ("SDS-API-013",),
            _check_parameters,
            "core",
        ),
        (
            "behaviour.references",
            "References must name stored records",
            ("SDS-API-004",),
            _check_references,
            "core",
        ),
        (
            "behaviour.unique-person",
            "One person per identifier",
            ("SDS-API-007",),
            _check_unique_person,
            "core",
        ),
        (
            "behaviour.bulk",
            "Bulk NDJSON lines stand on their own",
            ("SDS-API-016",),
            _check_bulk,
            "core",
        ),
        (
            "behaviour.body-limit",
            "An oversized body is 413",
            ("SDS-API-012",),
            _check_body_limit,
            "full",
        ),
        (
            "behaviour.health",
            "Health, readiness and metrics endpoints",
            ("SDS-API-019",),
            _check_health,
            "full",
        ),
    ]
    return [
        Check(
            id=i,
            title=t,
            group=GROUP,
            requirements=r,
            run=f,
            features=_FEATURES,
            level=lvl,
            roles=WRITES_PEOPLE if i == "behaviour.unique-person" else frozenset(),
            role_note=WRITES_PEOPLE_NOTE if i == "behaviour.unique-person" else "",
        )
        for i, t, r, f, lvl in table
    ]
