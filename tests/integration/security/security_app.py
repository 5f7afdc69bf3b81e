"""A gateway with the security layer mounted, for real-process tests (uvicorn --factory).

Reads ``SDSX_DATABASE_URL``, ``SDSX_SECURITY_TEST_DATA`` (the data folder) and
``SDSX_SECURITY_TEST_BASE`` (the public URL) from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from gateway.app import create_app
from gateway.config import Settings
from gateway.security.endpoints import build_security, security_router


def make_app() -> FastAPI:
    app = create_app(Settings.from_env())
    security = build_security(
        engine=app.state.database.writer,
        data_dir=Path(os.environ["SDSX_SECURITY_TEST_DATA"]),
        base_url=os.environ["SDSX_SECURITY_TEST_BASE"],
    )
    app.include_router(security_router(security))
    return app
