"""Council profiles narrow the base schemas and are refused when they would widen them."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from spec import validate
from spec.profiles import (
    PROFILES,
    Profile,
    ProfileError,
    apply_profile,
    available_profiles,
    load_profile,
    merge_patch,
    narrowing_problems,
    profile_schema_id,
    validate_with_profile,
)
from spec.registry import load_schema

PLAN: dict[str, Any] = {
    "standard": "sdsx/1.0",
    "type": "support-plan",
    "id": "3f8e2a4c-1b7d-4c9e-8a2f-5d6b7c8e9f01",
    "version": 1,
    "person": {"id": "0b6c1d2e-3f40-4a5b-9c6d-7e8f9a0b1c2d"},
    "status": "draft",
    "period": {"start": "2026-04-01", "end": "2027-03-31"},
    "personal_outcomes": [
        {
            "id": "o1",
            "description": "Get out to the shops each week",
            "national_outcome": "independence",
            "status": "not-started",
        }
    ],
    "support_items": [
        {
            "id": "i1",
            "category": "personal-assistant",
            "description": "Personal assistant, 10 hours a week",
            "sds_option": "option-1",
            "cost": {"amount": {"amount_minor": 25000, "currency": "GBP"}, "per": "per-week"},
            "outcomes": ["o1"],
        }
    ],
    "review": {"due": "2026-10-01"},
}


@pytest.fixture(scope="module")
def example() -> Profile:
    return load_profile(PROFILES / "example-council.json")


def _profile(patch: dict[str, Any], kind: str = "support-plan") -> Profile:
    return Profile("test-council", "S12000049", {kind: patch}, "test.json")


# RFC 7396 appendix A, the normative examples.
@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396(target: Any, patch: Any, result: Any) -> None:
    before = copy.deepcopy(target)
    assert merge_patch(target, patch) == result
    assert target == before


def test_the_example_profile_ships_and_gets_its_own_ids(example: Profile) -> None:
    assert "example-council" in available_profiles()
    assert example.council == "S12000049"
    schemas = apply_profile(example)
    plan = schemas["support-plan"]
    assert plan["$id"] == profile_schema_id("example-council", "support-plan")
    assert plan["$id"] == (
        "https://spec.sdsx.scot/v1/profiles/example-council/support-plan.schema.json"
    )
    assert plan["properties"]["review"]["required"] == ["due", "last"]
    assert load_schema("support-plan")["properties"]["review"]["required"] == ["due"]


def test_a_base_valid_plan_without_the_profiles_field_fails_under_the_profile(
    example: Profile,
) -> None:
    assert validate(PLAN) == []
    problems = validate_with_profile(PLAN, example)
    assert [(p.pointer, p.requirement, p.rule) for p in problems] == [
        ("/review/last", "SDS-DOC-020", "required")
    ]


def test_a_plan_meeting_the_profile_passes_and_its_extension_is_checked(
    example: Profile,
) -> None:
    plan = copy.deepcopy(PLAN)
    plan["review"]["last"] = "2026-04-01"
    plan["extensions"] = {"s12000049.case_worker_team": "North East Adults"}
    assert validate_with_profile(plan, example) == []
    plan["extensions"]["s12000049.case_worker_team"] = ""
    problems = validate_with_profile(plan, example)
    assert [p.pointer for p in problems] == ["/extensions/s12000049.case_worker_team"]


def test_base_problems_come_first_with_their_own_requirement(example: Profile) -> None:
    plan = copy.deepcopy(PLAN)
    plan["support_items"][0]["sds_option"] = "option-4"
    problems = validate_with_profile(plan, example)
    assert problems
    assert "SDS-DOC-020" not in {p.requirement for p in problems}


def test_documents_of_types_the_profile_does_not_patch_use_the_base(example: Profile) -> None:
    assert validate_with_profile({"type": "person"}, example) == validate({"type": "person"})


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"required": ["standard", "type"]}, "/required: no longer requires"),
        ({"additionalProperties": True}, "/additionalProperties: admits what the base refuses"),
        ({"properties": {"nickname": {"type": "string"}}}, "/properties: admits new members"),
        ({"properties": {"review": {"required": []}}}, "/properties/review/required"),
        ({"properties": {"period": None}}, "/properties/period: removes a constraint"),
        (
            {"properties": {"version": {"minimum": 0}}},
            "/properties/version/minimum: lowers the bound",
        ),
        (
            {"properties": {"standard": {"pattern": "^.*$"}}},
            "changing 'pattern' cannot be proved to narrow",
        ),
        ({"allOf": []}, "/allOf: changes the number of sub-schemas"),
    ],
)
def test_a_widening_patch_is_refused_with_a_clear_error(patch: dict[str, Any], reason: str) -> None:
    with pytest.raises(ProfileError) as caught:
        apply_profile(_profile(patch))
    error = caught.value
    assert error.requirement == "SDS-DOC-017"
    assert error.where == "test.json#/patches/support-plan"
    assert "may only narrow" in str(error)
    assert any(reason in problem for problem in error.problems), error.problems


def test_narrowing_changes_are_accepted() -> None:
    base = load_schema("support-plan")
    patched = merge_patch(
        base,
        {
            "required": [*base["required"], "assessment"],
            "properties": {
                "status": {"enum": ["agreed", "active"]},
                "about_me": {"required": ["summary"]},
                "support_items": {"minItems": 2},
            },
        },
    )
    assert narrowing_problems(base, patched) == []


def test_an_enum_may_shrink_but_never_grow() -> None:
    base = {"type": "object", "properties": {"k": {"enum": ["a", "b"]}}}
    assert narrowing_problems(base, {"type": "object", "properties": {"k": {"enum": ["a"]}}}) == []
    grown = {"type": "object", "properties": {"k": {"enum": ["a", "b", "c"]}}}
    assert narrowing_problems(base, grown) == [
        '/properties/k/enum: admits "c", which the base does not'
    ]


def test_extension_keys_must_carry_the_councils_code() -> None:
    patch = {"properties": {"extensions": {"properties": {"s12000046.team": {"type": "string"}}}}}
    with pytest.raises(ProfileError, match=re.escape("must start with 's12000049.'")):
        apply_profile(_profile(patch))


def _write(tmp_path: Path, body: Any) -> Path:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(body) if not isinstance(body, str) else body, encoding="utf-8")
    return path


def test_a_malformed_profile_file_is_refused_with_pointers(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(_write(tmp_path, "{not json"))
    body = {"profile": "Bad Name", "council": "S12000049", "patches": {"budget": {}}}
    with pytest.raises(ProfileError) as caught:
        load_profile(_write(tmp_path, body))
    assert {p.split(":")[0] for p in caught.value.problems} == {"/profile", "/patches"}
    unknown = {"profile": "x", "council": "S12999999", "patches": {"person": {}}}
    with pytest.raises(ProfileError, match="not a council-area code"):
        load_profile(_write(tmp_path, unknown))


@pytest.mark.parametrize("name", available_profiles())
def test_every_shipped_profile_applies_and_narrows(name: str) -> None:
    profile = load_profile(PROFILES / f"{name}.json")
    assert profile.name == name
    for kind, schema in apply_profile(profile).items():
        assert schema["$id"] == profile_schema_id(name, kind)
        assert (
            narrowing_problems(
                load_schema(kind), merge_patch(load_schema(kind), profile.patches[kind])
            )
            == []
        )


def test_a_patch_that_breaks_json_schema_is_refused() -> None:
    patch = {"properties": {"review": {"properties": {"due": {"minLength": -1}}}}}
    with pytest.raises(ProfileError, match="invalid JSON Schema") as caught:
        apply_profile(_profile(patch))
    assert caught.value.where.startswith("test.json#/patches/support-plan/properties/review")
