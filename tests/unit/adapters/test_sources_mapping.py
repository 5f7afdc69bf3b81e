"""Mapping profiles: the shipped ones validate; broken ones fail with a JSON pointer."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

import spec
from adapters.sources import MappingProfileError, parse
from adapters.sources.mapping import load_profile, profile_schema, shipped_profile, shipped_profiles

PROFILES = Path(spec.__file__).parent / "sources" / "council" / "profiles"
GOOD = (PROFILES / "carefirst-like-csv.yaml").read_text(encoding="utf-8")


def test_the_meta_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(profile_schema())


def test_two_profiles_are_shipped() -> None:
    assert shipped_profiles() == ["carefirst-like-csv", "mosaic-like-json"]


@pytest.mark.parametrize("path", sorted(PROFILES.iterdir()), ids=lambda p: p.name)
def test_shipped_profile_validates_against_the_schema(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(profile_schema()).validate(raw)
    assert shipped_profile(path.stem).name == path.stem


def _error(text: str) -> MappingProfileError:
    with pytest.raises(MappingProfileError) as caught:
        load_profile(text, where="broken.yaml")
    return caught.value


def test_unknown_key_is_refused_with_its_pointer() -> None:
    error = _error(GOOD.replace("    money: pounds\n", "    money: pounds\n    rounding: up\n", 1))
    assert error.where == "broken.yaml#/fields/5"
    assert "rounding" in error.message
    assert error.requirement == "SDS-MAP-001"


def test_bad_council_code_is_refused_with_its_pointer() -> None:
    error = _error(GOOD.replace("council: S12000049", "council: Glasgow"))
    assert error.where == "broken.yaml#/council"


def test_code_map_to_a_code_outside_the_value_set_is_refused() -> None:
    error = _error(GOOD.replace("W: per-week,", "W: weekly,"))
    assert error.where == "broken.yaml#/fields/7/map/W"
    assert error.requirement == "SDS-MAP-002"
    assert "'weekly' is not a code of value set 'frequency'" in str(error)


def test_const_with_a_transform_is_refused() -> None:
    error = _error(GOOD.replace("    const: GBP\n", "    const: GBP\n    money: pence\n", 1))
    assert error.where == "broken.yaml#/fields/6"


def test_reserved_targets_are_refused() -> None:
    error = _error(GOOD.replace("target: /source_reference", "target: /payer/code"))
    assert error.where == "broken.yaml#/fields/2/target"


def test_json_profile_needs_relative_pointers() -> None:
    text = (PROFILES / "mosaic-like-json.json").read_text(encoding="utf-8")
    error = _error(text.replace('"from": "0/serviceId"', '"from": "serviceId"'))
    assert error.where == "broken.yaml#/fields/2/from"


def test_not_yaml_at_all_is_refused() -> None:
    assert _error("profile: [unclosed").requirement == "SDS-MAP-001"


def test_unknown_and_missing_profile_names_are_clear() -> None:
    import datetime as dt

    when = dt.datetime(2026, 4, 3, tzinfo=dt.UTC)
    with pytest.raises(MappingProfileError, match="shipped: carefirst-like-csv"):
        parse("council", b"", file_name="x.csv", received_at=when, profile="nope")
    with pytest.raises(MappingProfileError, match="needs a mapping profile"):
        parse("council", b"", file_name="x.csv", received_at=when)


def test_unquoted_yaml_date_is_refused_with_its_pointer() -> None:
    text = GOOD.replace("    const: GBP\n", "    const: 2026-04-01\n", 1)
    error = _error(text)
    assert error.where == "broken.yaml#/fields/6/const"
    assert "quote it" in error.message
