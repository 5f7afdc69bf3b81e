"""Audit log: every read and write, hash-chained, with signed checkpoints kept outside the database.

Each entry records who (organisation id), what (record type, id, version), the action, the
outcome, the request and correlation ids, any consent relied on, and when (SDS-AUD-001). Its
``entry_hash`` is SHA-256 over the canonical JSON of the entry with the previous entry's hash,
so editing, deleting or reordering an entry breaks the chain (SDS-AUD-002). A chain alone
cannot show that its tail was cut off, so every ``checkpoint_every`` entries the log signs a
checkpoint (size and head hash) with an Ed25519 key and appends it to a file outside the
database that others can keep (SDS-AUD-003); :func:`verify` compares the log against them.

:meth:`AuditLog.append` writes within the caller's connection, so the entry commits or rolls
back with the write it describes (SDS-AUD-004). On PostgreSQL it takes a transaction-scoped
advisory lock so concurrent writers extend the chain one at a time; on any database the
primary key on ``seq`` refuses a fork. Call :meth:`AuditLog.checkpoint` after commit.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from gateway.security.canonical import canonical_json
from gateway.security.keys import write_private_pem
from gateway.security.tables import audit_checkpoints, audit_entries

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditEvent",
    "AuditFinding",
    "AuditLog",
    "AuditSigner",
    "Checkpoint",
    "VerifyReport",
    "load_public_key",
    "read_checkpoints",
    "read_entries",
    "verify",
]

GENESIS = "0" * 64
_LOCK_KEY = 0x5D5A_A0D1  # The advisory lock id that serialises appends on PostgreSQL.


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something to record: who did what to which record, with what outcome."""

    actor: str
    action: str
    outcome: str
    record_type: str | None = None
    record_id: str | None = None
    record_version: int | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    consent_id: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored entry of the chain."""

    seq: int
    at: str
    actor: str
    action: str
    outcome: str
    record_type: str | None
    record_id: str | None
    record_version: int | None
    request_id: str | None
    correlation_id: str | None
    consent_id: str | None
    prev_hash: str
    entry_hash: str

    def body(self) -> dict[str, Any]:
        """What the hash covers: every field but the hash itself."""
        return {name: getattr(self, name) for name in _BODY_FIELDS}

    def computed_hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`body`.

        The fields are strings, integers and nulls only, so ``json.dumps`` with sorted keys
        and no spaces is the canonical form; calling it directly keeps verification of a
        million entries within seconds.
        """
        encoded = _ENCODER.encode(self.body()).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()


_BODY_FIELDS = tuple(name for name in AuditEntry.__dataclass_fields__ if name != "entry_hash")
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: the log had ``size`` entries and its head hash was ``head``."""

    size: int
    head: str
    signed_at: str
    kid: str
    signature: str

    def payload(self) -> bytes:
        body = {"log": "sdsx-audit", "size": self.size, "head": self.head}
        return canonical_json({**body, "signed_at": self.signed_at, "kid": self.kid})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AuditSigner:
    """The Ed25519 key that signs checkpoints; its kid is a digest of the public key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self.private_key = private_key
        self.kid = _kid(private_key.public_key())

    @classmethod
    def generate(cls) -> AuditSigner:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> AuditSigner:
        """Load the key at ``path`` (PEM), creating it (0600) and its ``.pub.pem`` if missing."""
        if not path.exists():
            signer = cls.generate()
            pem = signer.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            write_private_pem(path, pem)
            public_path = path.with_name(path.name.removesuffix(".pem") + ".pub.pem")
            public_path.write_bytes(signer.public_pem())
            return signer
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: the audit signing key must be an Ed25519 private key")
        return cls(key)

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, size: int, head: str, at: datetime) -> Checkpoint:
        unsigned = Checkpoint(size, head, _stamp(at), self.kid, "")
        signature = self.private_key.sign(unsigned.payload())
        encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
        return Checkpoint(size, head, unsigned.signed_at, self.kid, encoded)


def _kid(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the audit checkpoint key must be an Ed25519 public key")
    return key


class AuditLog:
    """Appends entries to the chain and signs checkpoints."""

    def __init__(
        self,
        signer: AuditSigner,
        *,
        checkpoint_every: int = 100,
        checkpoint_file: Path | None = None,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be at least 1")
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.checkpoint_file = checkpoint_file

    def append(self, conn: Connection, event: AuditEvent) -> AuditEntry:
        """Add ``event`` to the chain inside the caller's transaction on ``conn``."""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        head = conn.execute(
            select(audit_entries.c.seq, audit_entries.c.entry_hash)
            .order_by(audit_entries.c.seq.desc())
            .limit(1)
        ).one_or_none()
        seq, prev = (head.seq + 1, head.entry_hash) if head else (1, GENESIS)
        unhashed = AuditEntry(
            seq=seq,
            at=_stamp(event.at),
            actor=event.actor,
            action=event.action,
            outcome=event.outcome,
            record_type=event.record_type,
            record_id=event.record_id,
            record_version=event.record_version,
            request_id=event.request_id,
            correlation_id=event.correlation_id,
            consent_id=event.consent_id,
            prev_hash=prev,
            entry_hash="",
        )
        entry = AuditEntry(**{**asdict(unhashed), "entry_hash": unhashed.computed_hash()})
        conn.execute(insert(audit_entries).values(**asdict(entry)))
        return entry

    def checkpoint_due(self, engine: Engine) -> bool:
        """Whether :meth:`checkpoint` would sign now, asked in a read that takes no write lock.

        Requests ask this first, so one that finds nothing due (nearly all) never queues for
        the database's write lock just to learn it (SDS-AUD-003).
        """
        with engine.connect() as conn:
            return self._unsigned_head(conn, force=False) is not None

    def _unsigned_head(self, conn: Connection, *, force: bool) -> Any:
        """The newest entry when a checkpoint is due for it (any newer one, with ``force``)."""
        head = conn.execute(
            select(audit_entries.c.seq, audit_entries.c.entry_hash)
            .order_by(audit_entries.c.seq.desc())
            .limit(1)
        ).one_or_none()
        last = conn.execute(select(func.max(audit_checkpoints.c.size))).scalar() or 0
        if head is None or head.seq <= last:
            return None
        if not force and head.seq - last < self.checkpoint_every:
            return None
        return head

    def checkpoint(
        self, engine: Engine, *, now: datetime | None = None, force: bool = False
    ) -> Checkpoint | None:
        """Sign the head when ``checkpoint_every`` entries arrived since the last checkpoint.

        With ``force``, sign any head newer than the last checkpoint (e.g. at shutdown). The
        checkpoint is committed first and then appended to ``checkpoint_file``.
        """
        try:
            with engine.begin() as conn:
                head = self._unsigned_head(conn, force=force)
                if head is None:
                    return None
                cp = self.signer.sign(head.seq, head.entry_hash, now or datetime.now(UTC))
                conn.execute(insert(audit_checkpoints).values(**cp.as_dict()))
        except IntegrityError:
            return None  # Another process signed this head first; its checkpoint stands.
        if self.checkpoint_file is not None:
            _append_line(self.checkpoint_file, cp.as_dict())
        return cp


def _append_line(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def read_entries(conn: Connection) -> list[AuditEntry]:
    """Every entry in the order the database stores them by ``seq``."""
    rows = conn.execute(select(audit_entries).order_by(audit_entries.c.seq))
    return [AuditEntry(**row._asdict()) for row in rows]


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoints in a checkpoint file (JSON lines)."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append(Checkpoint(**json.loads(line)))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: not a checkpoint record") from exc
    return found


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One thing wrong with the log, and where (entry sequence number)."""

    seq: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.kind}: {self.message}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of :func:`verify`."""

    entries: int
    checkpoints: int
    findings: tuple[AuditFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def _signature_ok(cp: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    try:
        raw = base64.urlsafe_b64decode(cp.signature + "=" * (-len(cp.signature) % 4))
        public_key.verify(raw, cp.payload())
    except (InvalidSignature, ValueError):
        return False
    return True


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def verify(
    entries: Sequence[AuditEntry],
    checkpoints: Iterable[Checkpoint],
    public_key: Ed25519PublicKey,
) -> VerifyReport:
    """Check the chain and the checkpoints; every finding names the entry where it is."""
    findings: list[AuditFinding] = []
    hashes: dict[int, str] = {}
    edited: set[int] = set()
    highest = 0
    for entry in entries:
        if entry.seq in hashes:
            findings.append(AuditFinding(entry.seq, "duplicated", "the entry appears twice"))
        elif entry.seq < highest:
            findings.append(
                AuditFinding(entry.seq, "reordered", f"entry {entry.seq} comes after {highest}")
            )
        if entry.computed_hash() != entry.entry_hash:
            edited.add(entry.seq)
            findings.append(AuditFinding(entry.seq, "edited", "the entry does not match its hash"))
        hashes.setdefault(entry.seq, entry.entry_hash)
        highest = max(highest, entry.seq)
    for entry in entries:
        before = GENESIS if entry.seq == 1 else hashes.get(entry.seq - 1)
        if before is not None and entry.prev_hash != before and entry.seq not in edited:
            findings.append(
                AuditFinding(
                    entry.seq,
                    "chain-broken",
                    f"the entry does not link to entry {entry.seq - 1} (changed or replaced)",
                )
            )
    missing = sorted(set(range(1, highest + 1)) - set(hashes))
    for first, last_missing in _runs(missing):
        span = f"{first}" if first == last_missing else f"{first}-{last_missing}"
        findings.append(AuditFinding(first, "deleted", f"entries {span} are missing"))
    last = max(hashes, default=0)
    count = 0
    for cp in checkpoints:
        count += 1
        if not _signature_ok(cp, public_key):
            findings.append(
                AuditFinding(cp.size, "bad-checkpoint", "the checkpoint signature does not verify")
            )
        elif cp.size > last:
            findings.append(
                AuditFinding(
                    last + 1,
                    "truncated",
                    f"a checkpoint was signed at {cp.size} entries but the log ends at {last}",
                )
            )
        elif hashes.get(cp.size) != cp.head:
            findings.append(
                AuditFinding(
                    cp.size, "checkpoint-mismatch", "the entry differs from the signed checkpoint"
                )
            )
    findings.sort(key=lambda f: (f.seq or 0, f.kind))
    return VerifyReport(len(entries), count, tuple(findings))
