"""``Idempotency-Key`` on POST, stored in the same transaction as the write it protects.

Semantics (draft-ietf-httpapi-idempotency-key-header, SDS-API-005):

- The key is scoped to the calling client: the lookup key is (client id, key), so one
  client's key never finds another client's response.
- The key row is inserted, "in-progress", inside the write's own transaction and completed
  with the response before the commit. Commit makes both visible together; a rollback or a
  crash removes both. There is never an acknowledged write without its key, nor a key
  without its write.
- Same key, same request (method, path, query and body bytes): the stored status, headers
  and body are replayed byte for byte, with ``Idempotent-Replayed: true``.
- Same key, different request: 422. A retry while the first is still running: 409 — on
  PostgreSQL through a transaction-scoped advisory lock (across processes), and within one
  process through the set of keys in flight. On SQLite, writers queue on the database lock,
  so a retry from another process waits for the first and then gets its replay.
- A key is remembered for :data:`WINDOW` (24 hours, as Open Banking and Stripe); after
  that it is free again.
- Error answers are not stored (as Stripe: a refused request did nothing), so a corrected
  request may reuse its key.
- A stored body may quote a CHI or NI number, so it is sealed whole with the field keys and
  bound to its (client, key) (SDS-SEC-040).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Connection

from gateway.problems import ProblemError
from gateway.storage import Database
from gateway.storage.records import stamp
from gateway.storage.sealing import SealingError, cipher_of, open_blob, seal_blob, unreadable
from gateway.storage.tables import idempotency_keys

__all__ = [
    "KEY_HEADER",
    "KEY_PATTERN",
    "WINDOW",
    "StoredResponse",
    "advisory_lock_id",
    "fingerprint",
    "parse_key",
    "run_once",
]

KEY_HEADER = "Idempotency-Key"
WINDOW = dt.timedelta(hours=24)
# 8-255 visible ASCII characters, bare or as a structured-field string (SDS-API-005); the
# contract publishes the same pattern, so clients and fuzzers know a key before sending one.
KEY_PATTERN = r'^"?[\x21\x23-\x7e]{8,255}"?$'
_KEY = re.compile(KEY_PATTERN)

_in_flight: set[tuple[str, str]] = set()
_in_flight_lock = threading.Lock()


@dataclass(slots=True)
class StoredResponse:
    """A response as stored for replay."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of what makes two requests "the same request"."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part)
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def advisory_lock_id(client_id: str, key: str) -> int:
    """The PostgreSQL advisory lock a request holds while its (client, key) is in flight."""
    digest = hashlib.sha256(f"{client_id}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def parse_key(raw: str | None) -> str | None:
    """The key from the header value (a structured-field string or bare token)."""
    if raw is None:
        return None
    key = raw.strip()
    if _KEY.match(key) is None:
        raise ProblemError(
            400,
            "bad-request",
            "Idempotency-Key must be 8-255 visible ASCII characters (a UUID is recommended)",
            requirement="SDS-API-005",
        )
    return key.strip('"')


def _in_flight_problem() -> ProblemError:
    return ProblemError(
        409,
        "idempotency-in-flight",
        "a request with this Idempotency-Key is still running; retry after it completes",
        requirement="SDS-API-005",
        headers={"Retry-After": "1"},
    )


def _replay_or_refuse(
    conn: Connection, client_id: str, key: str, print_: str
) -> StoredResponse | None:
    this_key = (idempotency_keys.c.client_id == client_id, idempotency_keys.c.key == key)
    row = conn.execute(
        select(
            idempotency_keys.c.fingerprint,
            idempotency_keys.c.status_code,
            idempotency_keys.c.headers,
            idempotency_keys.c.body,
            idempotency_keys.c.created_at,
        ).where(*this_key)
    ).first()
    if row is None:
        return None
    if row.created_at < stamp(dt.datetime.now(dt.UTC) - WINDOW):
        # Past the published window the key is free again; the old answer is forgotten.
        conn.execute(delete(idempotency_keys).where(*this_key))
        return None
    if row.fingerprint != print_:
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "this Idempotency-Key was used for a different request; use a new key",
            requirement="SDS-API-005",
        )
    try:
        body = open_blob(cipher_of(conn), client_id, key, bytes(row.body))
    except SealingError as exc:
        raise unreadable(exc) from None
    return StoredResponse(row.status_code, body, orjson.loads(row.headers), True)


def run_once(
    database: Database,
    client_id: str,
    key: str | None,
    print_: str,
    work: Callable[[Connection], StoredResponse],
) -> StoredResponse:
    """Run ``work`` in one write transaction, at most once per (client, key)."""
    if key is None:
        with database.write() as conn:
            return work(conn)
    slot = (client_id, key)
    with _in_flight_lock:
        if slot in _in_flight:
            raise _in_flight_problem()
        _in_flight.add(slot)
    try:
        with database.write() as conn:
            if conn.dialect.name == "postgresql":
                lock = advisory_lock_id(client_id, key)
                got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock})
                if not got.scalar_one():
                    raise _in_flight_problem()
            replay = _replay_or_refuse(conn, client_id, key, print_)
            if replay is not None:
                return replay
            conn.execute(
                insert(idempotency_keys).values(
                    client_id=client_id,
                    key=key,
                    fingerprint=print_,
                    state="in-progress",
                    status_code=0,
                    headers="{}",
                    body=b"",
                    created_at=stamp(),
                )
            )
            response = work(conn)
            conn.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.client_id == client_id, idempotency_keys.c.key == key)
                .values(
                    state="done",
                    status_code=response.status,
                    headers=orjson.dumps(response.headers).decode(),
                    body=seal_blob(cipher_of(conn), client_id, key, response.body),
                )
            )
            return response
    finally:
        with _in_flight_lock:
            _in_flight.discard(slot)
