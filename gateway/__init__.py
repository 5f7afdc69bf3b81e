"""The sdsx gateway: a FastAPI service that stores, versions and exchanges the standard's records."""

from __future__ import annotations

__all__: list[str] = []
