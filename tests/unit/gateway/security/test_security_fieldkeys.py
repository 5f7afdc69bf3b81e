"""Where field keys come from, and how a key file rotates (SDS-SEC-040, SDS-SEC-042)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.config import Settings
from gateway.security.errors import ConfigurationError
from gateway.security.fieldcrypto import FieldCipher, generate_field_key
from gateway.security.fieldkeys import (
    add_field_key,
    load_field_keys,
    remove_field_key,
    use_field_key,
)
from sdsx.cli import app

CHI = "https://spec.sdsx.scot/id/chi"


def test_settings_read_every_field_key_variable(tmp_path: Path) -> None:
    env = {
        "SDSX_FIELD_KEYS_FILE": str(tmp_path / "keys.json"),
        "SDSX_FIELD_KEYS": "k1:abc",
        "SDSX_FIELD_KEY_CURRENT": "k1",
    }
    settings = Settings.from_env(env)
    assert settings.field_keys_file == tmp_path / "keys.json"
    assert (settings.field_keys, settings.field_key_current) == ("k1:abc", "k1")
    assert Settings.from_env({}).field_keys_file is None


def test_a_local_start_generates_a_key_file_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = load_field_keys(settings)
    assert first.created
    assert first.file == tmp_path / "field-keys.json"
    assert first.file.stat().st_mode & 0o777 == 0o600
    second = load_field_keys(settings)
    assert not second.created
    assert second.cipher.decrypt(CHI, first.cipher.encrypt(CHI, "0101871002")) == "0101871002"


def test_configured_keys_win_over_the_data_folder_and_production_needs_them(
    tmp_path: Path,
) -> None:
    listed = f"k1:{generate_field_key()},k2:{generate_field_key()}"
    from_env = load_field_keys(Settings(data_dir=tmp_path, field_keys=listed))
    assert (from_env.source, from_env.cipher.current, from_env.file) == (
        "SDSX_FIELD_KEYS",
        "k2",
        None,
    )
    assert not (tmp_path / "field-keys.json").exists()
    key_file = tmp_path / "elsewhere.json"
    add_field_key(key_file)
    from_file = load_field_keys(Settings(data_dir=tmp_path, field_keys_file=key_file))
    assert from_file.file == key_file
    production = Settings(data_dir=tmp_path, production=True)
    with pytest.raises(ConfigurationError, match="SDSX_FIELD_KEYS_FILE") as refused:
        load_field_keys(production)
    assert refused.value.reason == "no-field-keys"
    assert load_field_keys(replace(production, field_keys_file=key_file)).file == key_file


def test_a_key_file_rotates_keeps_old_keys_and_refuses_to_drop_the_current(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.json"
    assert add_field_key(path) == "k1"
    sealed = FieldCipher.from_file(path).encrypt(CHI, "0101871002")
    assert add_field_key(path, current=False) == "k2"
    assert FieldCipher.from_file(path).current == "k1"  # on standby
    use_field_key(path, "k2")
    rotated = FieldCipher.from_file(path)
    assert rotated.current == "k2"
    assert rotated.decrypt(CHI, sealed) == "0101871002"
    with pytest.raises(ConfigurationError, match="current"):
        remove_field_key(path, "k2")
    with pytest.raises(ConfigurationError, match="no field key"):
        use_field_key(path, "k9")
    remove_field_key(path, "k1")
    assert set(json.loads(path.read_text())["keys"]) == {"k2"}
    assert add_field_key(path) == "k3"
    assert path.stat().st_mode & 0o777 == 0o600


def test_rotate_field_command_with_keys_in_the_environment_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDSX_FIELD_KEYS", f"k1:{generate_field_key()}")
    result = CliRunner().invoke(app, ["keys", "rotate-field", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "SDSX_FIELD_KEY_CURRENT=k2" in result.output
    assert not (tmp_path / "field-keys.json").exists()


def test_standby_rotation_then_use(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    runner = CliRunner()
    for args in (["rotate-field"], ["rotate-field", "--standby"], ["use-field", "k2"]):
        result = runner.invoke(app, ["keys", *args, "--file", str(path)])
        assert result.exit_code == 0, result.output
    assert "use-field k2" not in result.output
    assert FieldCipher.from_file(path).current == "k2"
    refused = runner.invoke(app, ["keys", "use-field", "k7", "--file", str(path)])
    assert refused.exit_code == 2


def test_reencrypt_refuses_a_database_without_gateway_tables(tmp_path: Path) -> None:
    database = f"sqlite+pysqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(
        app, ["keys", "reencrypt", "--data-dir", str(tmp_path), "--database", database]
    )
    assert result.exit_code == 2
    assert "no gateway tables" in result.output
