"""A first local ``sdsx serve`` creates demo organisations; production refuses them."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from gateway_process import SDSX, GatewayProcess

from gateway.app import create_app
from gateway.config import Settings
from gateway.security.errors import ConfigurationError


def test_production_settings_refuse_demo_keys_and_an_empty_registry(
    settings: Settings, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match="organisations"):
        create_app(replace(settings, production=True, data_dir=tmp_path / "empty"))
    create_app(settings).state.database.dispose()  # a local start makes the demo ones
    with pytest.raises(ConfigurationError, match="demo"):
        create_app(replace(settings, production=True))


@pytest.mark.slow
def test_first_serve_prints_where_the_keys_are_and_production_will_not_start(
    tmp_path: Path,
) -> None:
    database = f"sqlite+pysqlite:///{tmp_path / 'sdsx.db'}"
    gateway = GatewayProcess(database, tmp_path / "gateway.log")
    with gateway:
        form_headers = gateway.headers("glasgow-city")
        listed = httpx.get(f"{gateway.url}/v1/persons", headers=form_headers, timeout=10.0)
        assert listed.status_code == 200, listed.text
        assert httpx.get(f"{gateway.url}/v1/persons", timeout=10.0).status_code == 401
    banner = (tmp_path / "gateway.log").read_text()
    assert "demo organisations and their keys in" in banner
    assert str(gateway.data_dir / "keys") in banner
    assert "sdsx token --client-id" in banner
    refused = subprocess.run(
        [str(SDSX), "serve", "--port", "1"],
        env={**gateway.env, "SDSX_PRODUCTION": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "demo" in refused.stderr
