"""A gateway with the security layer mounted, for real-process tests (uvicorn --factory).

Reads ``SDSX_DATABASE_URL``, ``SDSX_SECURITY_TEST_DATA`` (the data folder) and
``SDSX_SECURITY_TEST_BASE`` (the public URL) from the environment.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI

from gateway.app import create_app
from gateway.config import Settings


def make_app() -> FastAPI:
    settings = replace(
        Settings.from_env(),
        data_dir=Path(os.environ["SDSX_SECURITY_TEST_DATA"]),
        public_url=os.environ["SDSX_SECURITY_TEST_BASE"],
    )
    return create_app(settings)
