"""Gateway settings: the one place where the environment becomes configuration.

Every ``SDSX_*`` variable the gateway reads is mapped here, with its default, so a reader
sees the whole surface at once (the warehouse pattern). Nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["DEFAULT_DATABASE_PATH", "DEFAULT_DATA_DIR", "Settings", "sqlite_url"]

DEFAULT_DATA_DIR = Path(".sdsx")
DEFAULT_DATABASE_PATH = DEFAULT_DATA_DIR / "sdsx.db"


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite database file."""
    return f"sqlite+pysqlite:///{Path(path)}"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{name}={raw!r} must not be negative")
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, zero: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value < 0 or (value == 0 and not zero):
        raise ValueError(f"{name}={raw!r} must be positive")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class Settings:
    """How one gateway process runs.

    ``cursor_secret`` signs pagination cursors; when empty, the gateway uses the random
    secret its first migration stored in the database, so every process on one database
    accepts the others' cursors without extra configuration.

    ``data_dir`` holds the security layer's files (organisation registry, keys, audit
    checkpoints); ``public_url`` is the gateway's address as clients see it, so the exact
    client-assertion audience is ``public_url + /oauth2/token``. ``production`` refuses demo
    organisations at start-up (SDS-SEC-070). ``rate_per_second`` (0 = no limit) and
    ``rate_burst`` are each organisation's token bucket.

    CHI and National Insurance numbers are sealed at rest with named field keys
    (SDS-SEC-040): ``field_keys_file`` names a key file (``SDSX_FIELD_KEYS_FILE``), or
    ``field_keys`` lists ``kid:base64`` keys (``SDSX_FIELD_KEYS``) with ``field_key_current``
    (``SDSX_FIELD_KEY_CURRENT``, default the last listed). With neither, a local gateway keeps
    a generated key file in ``data_dir``; a production one refuses to start.
    """

    database_url: str = sqlite_url(DEFAULT_DATABASE_PATH)
    max_body_bytes: int = 10 * 1024 * 1024
    db_timeout_seconds: float = 5.0
    retry_after_seconds: int = 2
    pool_size: int = 10
    cursor_secret: str = ""
    migrate_on_startup: bool = True
    log_level: str = "INFO"
    data_dir: Path = DEFAULT_DATA_DIR
    public_url: str = "http://127.0.0.1:8000"
    production: bool = False
    rate_per_second: float = 50.0
    rate_burst: int = 100
    audit_checkpoint_every: int = 100
    field_keys_file: Path | None = None
    field_keys: str = ""
    field_key_current: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``SDSX_*`` variables (``os.environ`` unless ``env`` is given)."""
        env = os.environ if env is None else env
        base = cls()
        return cls(
            database_url=env.get("SDSX_DATABASE_URL") or base.database_url,
            max_body_bytes=_int(env, "SDSX_MAX_BODY_BYTES", base.max_body_bytes),
            db_timeout_seconds=_float(env, "SDSX_DB_TIMEOUT_SECONDS", base.db_timeout_seconds),
            retry_after_seconds=_int(env, "SDSX_RETRY_AFTER_SECONDS", base.retry_after_seconds),
            pool_size=_int(env, "SDSX_DB_POOL_SIZE", base.pool_size),
            cursor_secret=env.get("SDSX_CURSOR_SECRET", ""),
            migrate_on_startup=env.get("SDSX_MIGRATE_ON_STARTUP", "1") not in ("0", "false"),
            log_level=env.get("SDSX_LOG_LEVEL", base.log_level).upper(),
            data_dir=Path(env.get("SDSX_DATA_DIR") or base.data_dir),
            public_url=(env.get("SDSX_PUBLIC_URL") or base.public_url).rstrip("/"),
            production=_flag(env, "SDSX_PRODUCTION", base.production),
            rate_per_second=_float(env, "SDSX_RATE_PER_SECOND", base.rate_per_second, zero=True),
            rate_burst=_int(env, "SDSX_RATE_BURST", base.rate_burst),
            audit_checkpoint_every=_int(
                env, "SDSX_AUDIT_CHECKPOINT_EVERY", base.audit_checkpoint_every
            ),
            field_keys_file=Path(env["SDSX_FIELD_KEYS_FILE"])
            if env.get("SDSX_FIELD_KEYS_FILE")
            else None,
            field_keys=env.get("SDSX_FIELD_KEYS", ""),
            field_key_current=env.get("SDSX_FIELD_KEY_CURRENT", ""),
        )

    def with_database(self, url: str) -> Settings:
        """A copy pointing at another database."""
        return replace(self, database_url=url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
