"""The sdsx conformance suite: proves another system speaks the standard, over HTTP or files."""

from __future__ import annotations

__all__: list[str] = []
