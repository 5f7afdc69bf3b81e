"""The audit chain: appends commit with their transaction; any tampering is found and located."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, update

from gateway.security.audit import (
    AuditEntry,
    AuditEvent,
    AuditLog,
    AuditSigner,
    load_public_key,
    read_checkpoints,
    read_entries,
    verify,
)
from gateway.security.tables import audit_entries, create_tables, metadata

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SIGNER = AuditSigner.generate()
PUBLIC = SIGNER.private_key.public_key()


def _event(n: int) -> AuditEvent:
    return AuditEvent(
        actor="glasgow-city" if n % 2 else "ilf-scotland",
        action="read" if n % 3 else "write",
        outcome="allowed",
        record_type="support-plan",
        record_id=f"00000000-0000-4000-8000-{n:012d}",
        record_version=1 + n % 4,
        request_id=f"req-{n}",
        correlation_id=f"corr-{n // 5}",
        at=T0 + timedelta(seconds=n),
    )


ENGINES = ["sqlite"]
if os.environ.get("SDSX_TEST_POSTGRES_URL"):
    ENGINES.append("postgres")


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filled SQLite log and its checkpoint file, built once and copied per test."""
    folder = tmp_path_factory.mktemp("audit-template")
    eng = create_engine(f"sqlite+pysqlite:///{folder / 'audit.db'}")
    create_tables(eng)
    _fill(eng, AuditLog(SIGNER, checkpoint_every=10, checkpoint_file=folder / "cp.jsonl"), 25)
    eng.dispose()
    return folder


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        eng = create_engine(os.environ["SDSX_TEST_POSTGRES_URL"])
        metadata.drop_all(eng)
    else:
        eng = create_engine(f"sqlite+pysqlite:///{tmp_path / 'audit.db'}")
    create_tables(eng)
    yield eng
    if request.param == "postgres":
        metadata.drop_all(eng)
    eng.dispose()


def _fill(engine: Engine, log: AuditLog, count: int) -> None:
    for n in range(1, count + 1):
        with engine.begin() as conn:
            log.append(conn, _event(n))
        log.checkpoint(engine, now=T0)


def _report(engine: Engine, checkpoints: Path) -> list[tuple[int | None, str]]:
    with engine.connect() as conn:
        entries = read_entries(conn)
    report = verify(entries, read_checkpoints(checkpoints), PUBLIC)
    return [(f.seq, f.kind) for f in report.findings]


@pytest.fixture
def filled(engine: Engine, tmp_path: Path, sqlite_template: Path) -> tuple[Engine, AuditLog, Path]:
    path = tmp_path / "checkpoints.jsonl"
    log = AuditLog(SIGNER, checkpoint_every=10, checkpoint_file=path)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        shutil.copy(sqlite_template / "audit.db", tmp_path / "audit.db")
        shutil.copy(sqlite_template / "cp.jsonl", path)
    else:
        _fill(engine, log, 25)
    return engine, log, path


def test_untouched_log_verifies_with_checkpoints_outside_the_database(filled: tuple) -> None:
    engine, log, path = filled
    assert [c.size for c in read_checkpoints(path)] == [10, 20]
    assert log.checkpoint(engine, now=T0) is None
    forced = log.checkpoint(engine, now=T0, force=True)
    assert forced is not None
    assert forced.size == 25
    assert _report(engine, path) == []


def test_entry_rolled_back_with_its_write_leaves_no_trace(filled: tuple) -> None:
    engine, log, path = filled

    def failing_write() -> None:
        with engine.begin() as conn:
            log.append(conn, _event(99))
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    with engine.connect() as conn:
        assert len(read_entries(conn)) == 25
    assert _report(engine, path) == []


def test_edited_entry_is_found(filled: tuple) -> None:
    engine, _log, path = filled
    with engine.begin() as conn:
        conn.execute(update(audit_entries).where(audit_entries.c.seq == 5).values(actor="x"))
    assert _report(engine, path) == [(5, "edited")]


def test_edit_with_a_recomputed_hash_breaks_the_chain_and_the_checkpoint(filled: tuple) -> None:
    engine, _log, path = filled
    with engine.connect() as conn:
        fifth = read_entries(conn)[4]
    forged = dataclasses.replace(fifth, outcome="refused", entry_hash="")
    forged = dataclasses.replace(forged, entry_hash=forged.computed_hash())
    with engine.begin() as conn:
        conn.execute(
            update(audit_entries)
            .where(audit_entries.c.seq == 5)
            .values(outcome="refused", entry_hash=forged.entry_hash)
        )
    assert _report(engine, path) == [(6, "chain-broken")]


def test_rewritten_history_is_found_by_the_checkpoint(filled: tuple, tmp_path: Path) -> None:
    """An attacker re-hashes the whole chain after an edit: only the checkpoint catches it."""
    engine, _log, path = filled
    with engine.connect() as conn:
        entries = read_entries(conn)
    prev = "0" * 64
    rewritten = []
    for e in entries:
        changed = dataclasses.replace(e, actor="someone" if e.seq == 3 else e.actor, prev_hash=prev)
        changed = dataclasses.replace(changed, entry_hash=changed.computed_hash())
        rewritten.append(changed)
        prev = changed.entry_hash
    findings = verify(rewritten, read_checkpoints(path), PUBLIC).findings
    assert [(f.seq, f.kind) for f in findings] == [
        (10, "checkpoint-mismatch"),
        (20, "checkpoint-mismatch"),
    ]


def test_deleted_entry_is_found(filled: tuple) -> None:
    engine, _log, path = filled
    with engine.begin() as conn:
        conn.execute(delete(audit_entries).where(audit_entries.c.seq.in_([7, 8])))
    assert _report(engine, path) == [(7, "deleted")]


def test_reordered_entries_are_found(filled: tuple) -> None:
    engine, _log, path = filled
    with engine.connect() as conn:
        entries = read_entries(conn)
    entries[11], entries[12] = entries[12], entries[11]
    findings = verify(entries, read_checkpoints(path), PUBLIC).findings
    assert [(f.seq, f.kind) for f in findings] == [(12, "reordered")]


def test_truncated_tail_is_found_against_the_last_checkpoint(filled: tuple) -> None:
    engine, _log, path = filled
    with engine.begin() as conn:
        conn.execute(delete(audit_entries).where(audit_entries.c.seq > 15))
    assert _report(engine, path) == [(16, "truncated")]


def test_forged_checkpoint_is_found(filled: tuple) -> None:
    engine, _log, path = filled
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["size"] = 9
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    assert _report(engine, path) == [(9, "bad-checkpoint")]


def test_signer_key_is_kept_private_and_its_public_half_published(tmp_path: Path) -> None:
    key_path = tmp_path / "keys" / "audit-signing-key.pem"
    signer = AuditSigner.load_or_create(key_path)
    assert key_path.stat().st_mode & 0o777 == 0o600
    public = load_public_key((tmp_path / "keys" / "audit-signing-key.pub.pem").read_bytes())
    assert AuditSigner.load_or_create(key_path).kid == signer.kid
    cp = signer.sign(1, "a" * 64, T0)
    assert verify([], [cp], public).findings[0].kind == "truncated"


@pytest.mark.skipif("postgres" not in ENGINES, reason="needs SDSX_TEST_POSTGRES_URL")
def test_concurrent_appends_on_postgres_keep_one_chain(tmp_path: Path) -> None:
    eng = create_engine(os.environ["SDSX_TEST_POSTGRES_URL"], pool_size=8)
    metadata.drop_all(eng)
    create_tables(eng)
    log = AuditLog(SIGNER, checkpoint_every=1000)

    def worker(base: int) -> None:
        for n in range(20):
            with eng.begin() as conn:
                log.append(conn, _event(base + n))

    threads = [threading.Thread(target=worker, args=(i * 100,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with eng.connect() as conn:
        entries = read_entries(conn)
    assert len(entries) == 120
    assert verify(entries, [], PUBLIC).ok
    metadata.drop_all(eng)
    eng.dispose()


def _chain(count: int) -> tuple[list[AuditEntry], list]:
    eng = create_engine("sqlite+pysqlite:///:memory:")
    create_tables(eng)
    log = AuditLog(SIGNER, checkpoint_every=count)
    with eng.begin() as conn:
        for n in range(1, count + 1):
            log.append(conn, _event(n))
    cp = log.checkpoint(eng, now=T0)
    with eng.connect() as conn:
        entries = read_entries(conn)
    eng.dispose()
    return entries, [cp]


CHAIN, CHECKPOINTS = _chain(200)


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["edit", "delete", "insert", "swap", "truncate"]),
    where=st.integers(min_value=0, max_value=198),
    field=st.sampled_from(["actor", "action", "outcome", "record_id", "request_id", "at"]),
)
def test_every_single_mutation_is_detected(kind: str, where: int, field: str) -> None:
    entries = list(CHAIN)
    if kind == "edit":
        entries[where] = dataclasses.replace(entries[where], **{field: "tampered"})
    elif kind == "delete":
        del entries[where]
    elif kind == "insert":
        entries.insert(where, dataclasses.replace(entries[where], request_id="extra"))
    elif kind == "swap":
        entries[where], entries[where + 1] = entries[where + 1], entries[where]
    else:
        entries = entries[:where]
    report = verify(entries, CHECKPOINTS, PUBLIC)
    assert not report.ok
    assert all(f.seq is not None for f in report.findings)


def test_a_checkpoint_is_due_when_one_would_be_signed(engine: Engine, tmp_path: Path) -> None:
    log = AuditLog(SIGNER, checkpoint_every=3, checkpoint_file=tmp_path / "cp.jsonl")
    for n in range(1, 8):
        with engine.begin() as conn:
            log.append(conn, _event(n))
        due = log.checkpoint_due(engine)
        assert due is (n % 3 == 0), n
        assert (log.checkpoint(engine, now=T0) is not None) is due, n
