"""Waivers: known failures a vendor has agreed to fix, each with a reason and an expiry.

A waivers file is YAML (or JSON), a list of entries ``{target, reason, expires, ticket?}``
where ``target`` is a check ID (``behaviour.if-match``) or a requirement ID
(``SDS-API-006``). A waived failure still shows as a failure, marked waived, and every
waiver is listed inside the signed certificate. Expired waivers no longer apply.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from conformance.results import Waiver

__all__ = ["WaiverError", "load_waivers", "parse_waivers"]


class WaiverError(ValueError):
    """The waivers file is unusable; the message names the entry and the field."""


def parse_waivers(raw: Any, where: str = "waivers") -> list[Waiver]:
    """Waivers from parsed YAML/JSON; every entry needs a target, a reason and an expiry."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise WaiverError(f"{where}: expected a list of waivers")
    found = []
    for index, entry in enumerate(raw):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise WaiverError(f"{at}: expected a mapping")
        for name in ("target", "reason", "expires"):
            if not str(entry.get(name, "")).strip():
                raise WaiverError(f"{at}.{name}: required and must not be empty")
        expires = entry["expires"]
        try:
            date = expires if isinstance(expires, dt.date) else dt.date.fromisoformat(expires)
        except (TypeError, ValueError):
            raise WaiverError(f"{at}.expires: {expires!r} is not a date YYYY-MM-DD") from None
        found.append(
            Waiver(
                target=str(entry["target"]),
                reason=str(entry["reason"]).strip(),
                expires=date.isoformat(),
                ticket=str(entry.get("ticket", "")),
            )
        )
    return found


def load_waivers(path: Path) -> list[Waiver]:
    """Read a waivers file; :class:`WaiverError` says what is wrong and where."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WaiverError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path}: not YAML: {exc}") from None
    return parse_waivers(raw, str(path))
