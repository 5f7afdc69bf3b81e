"""HTTP routers: thin layers that parse, authorise, call, store and respond."""

from __future__ import annotations

__all__: list[str] = []
