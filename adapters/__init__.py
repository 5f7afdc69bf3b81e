"""Funding-stream adapters and the budget engine: source bytes to funding lines to one budget."""

from __future__ import annotations

__all__: list[str] = []
