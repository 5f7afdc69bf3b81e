"""Redaction of evidence: no credential, CHI number or National Insurance number leaves a run.

Reports are meant to be published (OIDF publishes its logs), so everything recorded as
evidence passes through :func:`redact_text` and :func:`redact_headers` first. Identifiers
are found with the standard's own rules (``spec.identifiers``): a ten-digit run that is a
valid CHI is replaced, and so is anything shaped like a NINO, issued or not; so is every
value under an identifier whose system is CHI or NINO.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from spec.identifiers import CHI_SYSTEM, NINO_SYSTEM, check_chi

__all__ = [
    "CHI_MARK",
    "NINO_MARK",
    "SECRET_MARK",
    "redact_body",
    "redact_document",
    "redact_headers",
    "redact_text",
]

CHI_MARK = "[CHI REDACTED]"
NINO_MARK = "[NINO REDACTED]"
SECRET_MARK = "[REDACTED]"

_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
_CHI = re.compile(r"(?<![0-9])[0-9]{10}(?![0-9])")
_NINO = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]?(?![A-Za-z0-9])")
_SECRET_FIELDS = re.compile(
    r"(?P<key>\"?(?:access_token|client_assertion|refresh_token|id_token|password)\"?\s*[:=]\s*\"?)"
    r"(?P<value>[^\"&\s,}]+)"
)
_SECRET_KEYS = frozenset(
    {"access_token", "refresh_token", "id_token", "client_assertion", "password", "client_secret"}
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def _nino(match: re.Match[str]) -> str:
    # Anything shaped like a NINO is hidden, issued or not: HMRC's own example prefix (QQ)
    # fails the issuing rules yet reads as a NINO to anyone looking at a report.
    del match
    return NINO_MARK


def _chi(match: re.Match[str]) -> str:
    return CHI_MARK if check_chi(match.group(0)) is None else match.group(0)


def redact_text(text: str) -> str:
    """``text`` with secrets, valid CHI numbers and valid NINOs replaced."""
    text = _SECRET_FIELDS.sub(lambda m: m.group("key") + SECRET_MARK, text)
    text = _BEARER.sub(lambda m: m.group(1) + SECRET_MARK, text)
    text = _CHI.sub(_chi, text)
    return _NINO.sub(_nino, text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with credential-bearing values replaced (names kept, so a reader sees them)."""
    return {
        name: SECRET_MARK if name.lower() in _SECRET_HEADERS else redact_text(value)
        for name, value in headers.items()
    }


def redact_document(value: Any) -> Any:
    """A JSON value with every CHI or NINO identifier value replaced, then text-redacted."""
    if isinstance(value, dict):
        system = value.get("system")
        found = {
            key: SECRET_MARK if key in _SECRET_KEYS else redact_document(item)
            for key, item in value.items()
        }
        if system == CHI_SYSTEM and "value" in found:
            found["value"] = CHI_MARK
        elif system == NINO_SYSTEM and "value" in found:
            found["value"] = NINO_MARK
        return found
    if isinstance(value, list):
        return [redact_document(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_body(body: bytes | str | None) -> str | None:
    """A request or response body as redacted text (JSON walked by structure when it parses)."""
    if body is None:
        return None
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(text)
    except ValueError:
        return redact_text(text)
    return json.dumps(redact_document(parsed), ensure_ascii=False)
