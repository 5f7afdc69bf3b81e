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
from gateway.security.fieldcrypto import generate_field_key


def test_production_settings_refuse_demo_keys_and_an_empty_registry(
    settings: Settings, tmp_path: Path
) -> None:
    keyed = replace(settings, production=True, field_keys=f"k1:{generate_field_key()}")
    with pytest.raises(ConfigurationError, match="organisations"):
        create_app(replace(keyed, data_dir=tmp_path / "empty"))
    create_app(settings).state.database.dispose()  # a local start makes the demo ones
    with pytest.raises(ConfigurationError, match="demo"):
        create_app(keyed)


def test_production_refuses_to_start_without_configured_field_keys(
    settings: Settings, tmp_path: Path
) -> None:
    """A key generated beside the database protects nothing: production must name one."""
    create_app(settings).state.database.dispose()  # the data folder now holds a local key
    assert (settings.data_dir / "field-keys.json").exists()
    for data_dir in (settings.data_dir, tmp_path / "empty"):
        with pytest.raises(ConfigurationError, match="SDSX_FIELD_KEYS_FILE") as refused:
            create_app(replace(settings, production=True, data_dir=data_dir))
        assert refused.value.reason == "no-field-keys"
    missing = replace(settings, field_keys_file=tmp_path / "nowhere.json")
    with pytest.raises(ConfigurationError, match="SDSX_FIELD_KEYS_FILE names"):
        create_app(missing)


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
    assert f"CHI and NI numbers at rest: {gateway.data_dir / 'field-keys.json'}" in banner
    keyed = {**gateway.env, "SDSX_FIELD_KEYS": f"k1:{generate_field_key()}"}
    for env, reason in ((gateway.env, "SDSX_FIELD_KEYS_FILE"), (keyed, "demo")):
        refused = subprocess.run(
            [str(SDSX), "serve", "--port", "1"],
            env={**env, "SDSX_PRODUCTION": "1"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 2
        assert reason in refused.stderr
