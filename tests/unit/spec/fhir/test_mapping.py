"""The mapping is complete and the published FHIR artefacts are what the data generates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from spec import DOCUMENT_TYPES, all_valuesets
from spec.fhir import to_bundle
from spec.fhir.build import FHIR_DIR, artefacts, render
from spec.fhir.extensions import EXTENSIONS, RECORD_EXTENSIONS, extension_url
from spec.fhir.mapping import fhir_path_for, mapping
from spec.fhir.schema import field_paths


@pytest.mark.parametrize("doc_type", DOCUMENT_TYPES)
def test_every_schema_field_has_a_mapping_entry(doc_type: str) -> None:
    fields = [p.split(":", 1)[1] for p in field_paths(doc_type)]
    entries = mapping()[doc_type]
    assert [f for f in fields if f not in entries] == []
    assert [e for e in entries if e not in fields] == [], "entries for fields that do not exist"
    assert all(isinstance(v, str) and v for v in entries.values())


def test_the_walk_reaches_nested_common_definitions() -> None:
    fields = field_paths("support-plan")
    assert "support-plan:/support_items/*/cost/amount/amount_minor" in fields
    assert "support-plan:/contingency_plans/*/contacts/*/telephone" in fields


def test_extension_carried_fields_name_their_extension() -> None:
    for ext in EXTENSIONS:
        assert f"extension('{ext.name}')" in mapping()[ext.doc_type][ext.path], ext.name


def test_a_pointer_with_indexes_finds_its_field() -> None:
    assert (
        fhir_path_for("support-plan", "/support_items/3/cost")
        == mapping()["support-plan"]["/support_items/*/cost"]
    )


def test_the_committed_artefacts_are_generated_from_the_data() -> None:
    expected = artefacts()
    on_disk = {
        str(p.relative_to(FHIR_DIR)): p.read_text(encoding="utf-8")
        for folder in ("terminology", "extensions", "profiles", "questionnaire", "operations")
        for p in (FHIR_DIR / folder).glob("*.json")
    }
    assert sorted(on_disk) == sorted(expected), "run: python -m spec.fhir.build"
    for name, resource in expected.items():
        assert on_disk[name] == render(resource), f"{name} drifted; run python -m spec.fhir.build"


def test_every_artefact_validates_with_the_r4b_models() -> None:
    for resource in artefacts().values():
        model: Any = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)


def test_each_value_set_is_published_with_every_code() -> None:
    published = artefacts()
    for vs in all_valuesets().values():
        system = published[f"terminology/CodeSystem-{vs.id}.json"]
        assert [c["code"] for c in system["concept"]] == vs.code_list
        assert published[f"terminology/ValueSet-{vs.id}.json"]["url"] == vs.url


def test_every_extension_url_used_in_a_bundle_is_defined() -> None:
    documents = json.loads((Path(__file__).parent / "documents.json").read_text(encoding="utf-8"))
    defined = {extension_url(n) for n in RECORD_EXTENSIONS} | {e.url for e in EXTENSIONS}
    used: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, member in value.items():
                if key == "extension":
                    used.update(e["url"] for e in member if e["url"].startswith("http"))
                walk(member)
        elif isinstance(value, list):
            for member in value:
                walk(member)

    walk(to_bundle(documents))
    ours = {u for u in used if u.startswith("https://spec.sdsx.scot/")}
    assert ours <= defined
    assert ours, "the fixtures use no extension at all"


def test_the_questionnaire_has_an_item_for_every_answer_an_assessment_gives() -> None:
    questionnaire = artefacts()["questionnaire/Questionnaire-sdsx-assessment.json"]

    def links(items: list[dict[str, Any]]) -> set[str]:
        found = set()
        for item in items:
            found.add(item["linkId"])
            found |= links(item.get("item", []))
        return found

    documents = json.loads((Path(__file__).parent / "documents.json").read_text(encoding="utf-8"))
    assessment = next(d for d in documents if d["type"] == "assessment")
    response = to_bundle([assessment])["entry"][0]["resource"]
    assert response["questionnaire"] == questionnaire["url"]
    assert links(response["item"]) <= links(questionnaire["item"])


def test_every_profile_a_resource_claims_is_published() -> None:
    documents = json.loads((Path(__file__).parent / "documents.json").read_text(encoding="utf-8"))
    claimed = {
        profile
        for entry in to_bundle(documents)["entry"]
        for profile in entry["resource"].get("meta", {}).get("profile", [])
    }
    published = {
        r["url"] for r in artefacts().values() if r["resourceType"] == "StructureDefinition"
    }
    assert claimed
    assert claimed <= published
