"""Canonical JSON: the one byte form that audit hashes and budget signatures are computed over.

Keys sorted, no insignificant white space, UTF-8, no floats (the standard has none: money is
integer pence). For documents of strings, integers, booleans, nulls, arrays and objects this is
the same byte string RFC 8785 (JCS) produces, so other languages can reproduce it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json"]


def _refuse_float(value: Any) -> Any:
    raise TypeError(f"canonical JSON holds no {type(value).__name__} values")


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON bytes; a float anywhere raises ``ValueError``."""
    _check_no_floats(value, "")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_refuse_float
    ).encode("utf-8")


def _check_no_floats(value: Any, where: str) -> None:
    if isinstance(value, float):
        raise ValueError(f"{where or '/'}: floats have no canonical form here; use integers")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_no_floats(item, f"{where}/{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_no_floats(item, f"{where}/{index}")
