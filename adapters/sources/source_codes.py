"""Each stream's own codes and the standard's codes they map to, loaded from data.

A stream's code maps live beside its source profile in ``spec/sources/<stream>/codes.json``
so the profile document, the sample and the mapping are one place to read and change:

    {"maps": {"status": {"valueset": "funding-status", "map": {"ACTIVE": "awarded"}}}}

Source codes are written upper-case and matched ignoring case. Every target must be a code
of the named value set; a file that breaks this fails on load (SDS-MAP-002), and a test
loads them all.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from spec import valueset

__all__ = ["code_map", "stream_maps"]


@functools.cache
def stream_maps(stream: str) -> dict[str, dict[str, str]]:
    """Every code map of ``stream``, checked against its value sets."""
    path = resources.files("spec") / "sources" / stream / "codes.json"
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    maps: dict[str, dict[str, str]] = {}
    for name, entry in raw["maps"].items():
        codes = valueset(entry["valueset"])
        for source_code, code in entry["map"].items():
            if code not in codes or source_code != source_code.upper():
                raise ValueError(
                    f"spec/sources/{stream}/codes.json#/maps/{name}/map/{source_code}: "
                    f"{code!r} must be a code of {entry['valueset']!r} under an upper-case key"
                )
        maps[name] = dict(entry["map"])
    return maps


def code_map(stream: str, name: str) -> dict[str, str]:
    """The code map ``name`` of ``stream`` (source code, upper-case -> standard's code)."""
    return stream_maps(stream)[name]
