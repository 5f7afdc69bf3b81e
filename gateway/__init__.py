"""The sdsx gateway: a FastAPI service that stores, versions and exchanges records.

Start with :func:`gateway.app.create_app` and :class:`gateway.config.Settings`.
"""

from __future__ import annotations

__all__: list[str] = []
