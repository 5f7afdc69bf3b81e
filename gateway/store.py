"""Writing records: the server's fields, validation, references, identifiers, versions.

Routers hand a parsed document here inside their write transaction. The gateway assigns
``id`` (random UUID v4), ``version``, ``supersedes`` and ``recorded_at``; values a client
sends for them are replaced (SDS-API-002). The document is then validated with
``spec.validate``: every problem comes back at once as a 422 (SDS-API-003). Authorisation
is asked once per record through :func:`gateway.policy.authorize`.

No write may reveal a record its caller may not read (SDS-SEC-021): a reference to such a
record is answered as a reference to no record, and an import or FHIR transaction naming such
an id is treated as a create, refused or clashing exactly as a create would be. A vendor
sandbox's records are marked as its own, and its identifiers are claimed in its own
namespace, so a sandbox never meets, squats or links to live data (SDS-SEC-027).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.engine import Connection

from adapters.sources.provenance import line_id
from gateway.auth import Principal
from gateway.policy import Action, authorize, decide, refuse_hidden
from gateway.problems import ProblemError
from gateway.security.rowlevel import sandbox_owner, system_view
from gateway.storage import identifier_claims as claims
from gateway.storage import records as repo
from gateway.storage.identifier_claims import IdentifierKey
from gateway.storage.records import StoredRecord, stamp
from spec import Problem, validate
from spec.problems import pointer

__all__ = [
    "SERVER_FIELDS",
    "check_document",
    "create",
    "prepare",
    "read",
    "readable",
    "stage_version",
    "store_imported",
    "update",
]

SERVER_FIELDS = ("id", "version", "supersedes", "recorded_at")
_REFERENCES = {"person": "person", "plan": "support-plan", "assessment": "assessment"}


def _timestamp() -> str:
    # Documents carry millisecond UTC timestamps (SDS-COM-004); the index keeps microseconds.
    return stamp()[:23] + "Z"


def stage_version(document: dict[str, Any], record_id: str, version: int) -> dict[str, Any]:
    """``document`` with the server's fields for version ``version`` of ``record_id``."""
    staged = {k: v for k, v in document.items() if k not in SERVER_FIELDS}
    staged["id"] = record_id
    staged["version"] = version
    if version > 1:
        staged["supersedes"] = {"id": record_id, "version": version - 1}
    staged["recorded_at"] = _timestamp()
    return staged


def _expect_type(document: Any, kind: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ProblemError(
            422,
            "invalid-document",
            "the body must be a JSON object",
            errors=[Problem("", "not an object", "SDS-DOC-002", "type")],
        )
    if document.get("type") != kind:
        raise ProblemError(
            422,
            "invalid-document",
            f"this collection holds {kind!r} documents",
            errors=[Problem("/type", f"expected {kind!r}", "SDS-API-002", "collection")],
        )
    return document


def _nul_characters(node: Any, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Strings holding U+0000, which no database text column can store."""
    if isinstance(node, str):
        return (
            [Problem(pointer(path), "contains a NUL character (U+0000)", "SDS-API-003", "nul")]
            if "\x00" in node
            else []
        )
    if isinstance(node, dict):
        found = [p for key, value in node.items() for p in _nul_characters(value, (*path, key))]
        if any("\x00" in key for key in node):
            found.append(
                Problem(
                    pointer(path), "a member name contains a NUL character", "SDS-API-003", "nul"
                )
            )
        return found
    if isinstance(node, list):
        return [
            p for index, value in enumerate(node) for p in _nul_characters(value, (*path, index))
        ]
    return []


def check_document(document: dict[str, Any]) -> None:
    """Raise a 422 listing every problem when ``document`` breaks the standard."""
    problems = validate(document) + _nul_characters(document)
    if problems:
        raise ProblemError(
            422,
            "invalid-document",
            f"{len(problems)} problem(s) in the {document.get('type')} document",
            requirement="SDS-API-003",
            errors=problems,
        )


def _identifier_keys(principal: Principal, identifiers: Any) -> list[IdentifierKey]:
    """The identifier claims of ``identifiers``, in the writer's sandbox namespace if any."""
    keys = [claims.identifier_key(i) for i in identifiers if isinstance(i, dict)]
    owner = sandbox_owner(principal.security)
    if owner is None:
        return keys
    return [(f"sandbox:{owner}:{system}", assigner, value) for system, assigner, value in keys]


def readable(conn: Connection, principal: Principal, record_id: str, kind: str) -> bool:
    """Whether a record of ``kind`` with this id exists and ``principal`` may read it."""
    stored = repo.get_record(conn, record_id, kind)
    if stored is None:
        return False
    decision = decide(
        principal,
        Action.READ,
        stored.document,
        repo.StoreLookup(conn),
        sandbox_owner=stored.sandbox_owner,
    )
    return decision.allowed


def _resolve_references(
    conn: Connection,
    principal: Principal,
    document: dict[str, Any],
    action: Action,
    sandbox: str | None,
) -> None:
    """Referenced records must exist and be readable by the writer (else: as if missing).

    A funding line without a person finds its person by identifier; that link is the
    gateway's own, so the writer (a funder) need not read the person (SDS-SEC-025). A record
    the writer may not read still counts where the policy grants this very write: an NHS
    board may write the first joint assessment naming it about a person it cannot yet read
    (SDS-SEC-024), as the record it writes is what will let it read that person.
    """
    linked: str | None = None
    if document["type"] == "funding-line" and "person" not in document:
        identifier = document.get("person_identifier")
        if isinstance(identifier, dict):
            owner = claims.person_for_identifier(conn, _identifier_keys(principal, [identifier]))
            if owner is not None:
                document["person"] = {"id": owner}
            linked = owner
    unread = [
        (key, wanted, ref["id"])
        for key, wanted in _REFERENCES.items()
        if isinstance(ref := document.get(key), dict)
        and isinstance(ref.get("id"), str)
        and not (key == "person" and ref["id"] == linked)
        and not readable(conn, principal, ref["id"], wanted)
    ]
    if unread and _granted_past_references(conn, principal, document, unread, action, sandbox):
        return
    # A record the writer may not read answers exactly as a missing one, so a write never
    # reveals that another organisation's record exists (SDS-SEC-021).
    missing = [
        Problem(f"/{key}/id", f"no {wanted} record with this id", "SDS-API-004", "reference")
        for key, wanted, _ in unread
    ]
    if missing:
        raise ProblemError(
            422,
            "invalid-document",
            "the document refers to unknown records",
            requirement="SDS-API-004",
            errors=missing,
        )


def _granted_past_references(
    conn: Connection,
    principal: Principal,
    document: dict[str, Any],
    unread: list[tuple[str, str, str]],
    action: Action,
    sandbox: str | None,
) -> bool:
    """Whether every unreadable reference exists and the policy grants this write anyway.

    The reference must stand in the writer's own world (live data, or the writer's own
    sandbox): the policy decides on the document written, and a sandbox's documents are its
    own, so without this a sandbox could tie its records to live people (SDS-SEC-027).
    """
    with system_view(conn):
        targets = [repo.get_record(conn, ref, wanted) for _, wanted, ref in unread]
    if any(target is None or target.sandbox_owner != sandbox for target in targets):
        return False
    lookup = repo.StoreLookup(conn)
    return decide(principal, action, document, lookup, exists=False, sandbox_owner=sandbox).allowed


def _claim(conn: Connection, principal: Principal, document: dict[str, Any]) -> None:
    if document["type"] != "person":
        return
    keys = _identifier_keys(principal, document.get("identifiers", []))
    taken = claims.claim_identifiers(conn, document["id"], keys)
    if taken is None:
        return
    (system, _assigner, _value), owner = taken
    existing: str | None = None
    # Name the existing record only to a caller who may read it (HAPI #5184 made the
    # conflict itself an existence oracle across tenants).
    if readable(conn, principal, owner, "person"):
        existing = f"/v1/persons/{owner}"
    raise ProblemError(
        409,
        "identifier-conflict",
        f"a person with this {system.rsplit('/', 1)[-1]} identifier already exists",
        requirement="SDS-API-007",
        existing=existing,
    )


def prepare(kind: str, body: Any, record_id: str, version: int) -> dict[str, Any]:
    """The document to store as ``version`` of ``record_id``, validated; needs no database.

    Routers call this before opening their write transaction, so validation does not hold
    the database's write lock.
    """
    document = stage_version(_expect_type(body, kind), record_id, version)
    check_document(document)
    return document


def create(
    conn: Connection,
    principal: Principal,
    kind: str,
    body: Any,
    *,
    record_id: str | None = None,
    prepared: dict[str, Any] | None = None,
) -> StoredRecord:
    """Store a new record of type ``kind`` (version 1), from ``body`` or a prepared document."""
    document = prepared or prepare(kind, body, record_id or str(uuid.uuid4()), 1)
    sandbox = sandbox_owner(principal.security)
    _resolve_references(conn, principal, document, Action.CREATE, sandbox)
    authorize(principal, Action.CREATE, document, repo.StoreLookup(conn), sandbox_owner=sandbox)
    _claim(conn, principal, document)
    return repo.insert_record(conn, document, principal.client_id, sandbox_owner=sandbox)


def read(
    conn: Connection, principal: Principal, kind: str, record_id: str, action: Action = Action.READ
) -> StoredRecord:
    """The current version of a record the caller may see, else 404."""
    stored = repo.get_record(conn, record_id, kind)
    lookup = repo.StoreLookup(conn)
    if stored is None:
        # Beyond the row-level wall, or missing. The refusal of a record that exists is
        # still audited with its version (SDS-AUD-001); only the gateway sees which it was.
        with system_view(conn):
            hidden = repo.get_record(conn, record_id, kind)
        if hidden is not None:
            refuse_hidden(principal, action, hidden.document)
        raise ProblemError(404, "not-found", f"no {kind} record with this id")
    authorize(principal, action, stored.document, lookup, sandbox_owner=stored.sandbox_owner)
    return stored


def update(
    conn: Connection,
    principal: Principal,
    kind: str,
    record_id: str,
    expected: int,
    body: Any,
    *,
    prepared: dict[str, Any] | None = None,
) -> StoredRecord:
    """Store version ``expected + 1`` of a record, if ``expected`` is still current."""
    current = read(conn, principal, kind, record_id, Action.UPDATE)
    if current.version != expected:
        raise _stale(current.version)
    document = prepared or prepare(kind, body, record_id, expected + 1)
    _resolve_references(conn, principal, document, Action.UPDATE, current.sandbox_owner)
    # Decided on the stored record (by read) and on the submitted one: both must allow. A
    # record stays in the sandbox (or the live data) it was created in.
    authorize(
        principal,
        Action.UPDATE,
        document,
        repo.StoreLookup(conn),
        exists=False,
        sandbox_owner=current.sandbox_owner,
    )
    if kind == "person":
        claims.release_identifiers(conn, record_id)
        _claim(conn, principal, document)
    stored = repo.update_record(conn, document, expected, principal.client_id)
    if stored is None:
        raise _stale(None)
    return stored


def _stale(current: int | None) -> ProblemError:
    now = f" (now version {current})" if current is not None else ""
    return ProblemError(
        412,
        "precondition-failed",
        f"If-Match names a version that is no longer current{now}; read it again",
        requirement="SDS-API-006",
    )


# Imported ids are deterministic (an adapter's) or the client's own (a FHIR Bundle's); a
# vendor sandbox's are moved into a namespace of its own so that it can neither hold an id
# live data will need nor learn that a live record holds one (SDS-SEC-027). The moved id is
# derived as adapters derive theirs, with the sandbox in place of the source file.


def _into_sandbox(conn: Connection, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its id and references in the writer's sandbox namespace, if it has one.

    An id already naming one of the sandbox's records is kept (a re-sent record updates
    it); a reference moves only when the sandbox holds the record it then names.
    """
    owner = sandbox_owner(principal.security)
    if owner is None:
        return body

    def own(record_id: Any) -> bool:
        stored = repo.get_record(conn, str(record_id))
        return stored is not None and stored.sandbox_owner == owner

    def moved(record_id: Any) -> str:
        return str(record_id) if own(record_id) else line_id(owner, str(record_id))

    result = {**body, "id": moved(body.get("id"))}
    for key in _REFERENCES:
        ref = body.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("id"), str) and own(moved(ref["id"])):
            result[key] = {**ref, "id": moved(ref["id"])}
    return result


def store_imported(
    conn: Connection, principal: Principal, body: dict[str, Any]
) -> tuple[str, StoredRecord]:
    """Store a document an adapter produced, keeping its deterministic id.

    Re-importing the same file is a no-op ("unchanged"); a changed record becomes a new
    version ("updated"); otherwise the record is "created" (SDS-API-009).
    """
    body = _into_sandbox(conn, principal, body)
    kind = str(body.get("type"))
    record_id = str(body.get("id"))
    current = repo.get_record(conn, record_id)
    lookup = repo.StoreLookup(conn)
    if (
        current is not None
        and not decide(
            principal, Action.READ, current.document, lookup, sandbox_owner=current.sandbox_owner
        ).allowed
    ):
        # An id held by a record the caller may not read is answered as a free one: the
        # create is refused as any such create would be, or meets the primary key exactly
        # as a concurrent writer's record would (SDS-SEC-021).
        current = None
    if current is None:
        return "created", create(conn, principal, kind, body, record_id=record_id)
    if current.type != kind:
        raise ProblemError(409, "conflict", "the id belongs to a record of another type")
    authorize(
        principal, Action.IMPORT, current.document, lookup, sandbox_owner=current.sandbox_owner
    )
    # The id already names the source file and record (SDS-SRC-002), so provenance (which
    # also holds the time of receipt) takes no part in deciding whether anything changed.
    ignored = (*SERVER_FIELDS, "provenance")
    previous = {k: v for k, v in current.document.items() if k not in ignored}
    incoming = {k: v for k, v in body.items() if k not in ignored}
    if "person" in previous and "person" not in incoming:
        incoming["person"] = previous["person"]
    if previous == incoming:
        return "unchanged", current
    return "updated", update(conn, principal, kind, record_id, current.version, body)
