"""Declared capabilities: checked against their schema, keys read relative to the file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from conformance.capabilities import CapabilitiesError, load_capabilities, parse_capabilities
from conformance.doctor import diagnose
from conformance.target import Target


def test_a_capabilities_file_reads_keys_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "council.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    path = tmp_path / "capabilities.json"
    path.write_text(
        json.dumps(
            {
                "product": "Case system 9.1",
                "role": "council",
                "level": "full",
                "features": ["behaviour", "security"],
                "clients": [{"client_id": "glasgow-city", "key_file": "council.pem"}],
            }
        )
    )
    caps = load_capabilities(path)
    assert caps.features == {"behaviour", "security"}
    assert caps.clients[0].key_pem == b"-----BEGIN PRIVATE KEY-----\n"
    assert caps.authentication == "private-key-jwt"


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"role": "vendor", "level": "core", "features": []}, "$.role"),
        ({"role": "council", "level": "core", "features": ["teleport"]}, "$.features[0]"),
        ({"role": "council", "features": []}, "level"),
    ],
)
def test_bad_declarations_are_refused_naming_where(raw: dict, where: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(CapabilitiesError, match=re.escape(where)):
        parse_capabilities(raw)


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    raw = {
        "role": "council",
        "level": "core",
        "features": [],
        "clients": [{"client_id": "x", "key_file": "nowhere.pem"}],
    }
    with pytest.raises(CapabilitiesError, match=r"clients\[0\]\.key_file"):
        parse_capabilities(raw, base=tmp_path)


def test_the_doctor_explains_why_a_run_would_verify_nothing() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        if request.url.path == "/openapi.json":
            return httpx.Response(200, json={"paths": {"/v1/persons": {}}})
        return httpx.Response(401, json={"title": "unauthenticated"})

    caps = parse_capabilities(
        {"role": "council", "level": "core", "features": ["behaviour"], "authentication": "none"}
    )
    with Target("https://vendor.example", caps, transport=httpx.MockTransport(vendor)) as target:
        findings = {f.topic: f for f in diagnose(target)}
    assert findings["reachability"].status == "ok"
    assert findings["contract"].status == "ok"
    assert findings["credentials"].status == "problem"
    assert "401" in findings["credentials"].detail


def test_helper_clients_and_stored_records_are_declared_for_a_board_or_funder_run() -> None:
    caps = parse_capabilities(
        {
            "role": "health-board",
            "level": "core",
            "features": ["behaviour"],
            "clients": [
                {"client_id": "nhs-ggc", "organisation": "S08000031"},
                {"client_id": "nhs-lothian", "organisation": "S08000024"},
                {"client_id": "glasgow-city", "organisation": "S12000049", "role": "council"},
            ],
            "records": {"person": "6f0294be-e263-4bd0-8498-fecc3e84fe1a"},
        }
    )
    # The main client takes the declared role; the helper is found by its own.
    assert caps.clients[0].role == "health-board"
    assert caps.clients[1].role == ""
    assert caps.client_of_role("council") == 2
    assert caps.client_of_role("funder") is None
    assert caps.person_id == "6f0294be-e263-4bd0-8498-fecc3e84fe1a"


def test_a_stored_person_must_come_with_a_council_area_code_if_any() -> None:
    raw = {
        "role": "funder",
        "level": "core",
        "features": [],
        "records": {"person": "x", "council_area": "Glasgow"},
    }
    with pytest.raises(CapabilitiesError, match=r"records\.council_area"):
        parse_capabilities(raw)


def test_the_doctor_warns_a_board_run_that_no_one_can_store_its_people() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"paths": {"/v1/assessments": {}}, "items": []})

    raw = {"role": "health-board", "level": "core", "features": ["behaviour"]}
    raw["authentication"] = "none"
    for declared, warned in (({}, True), ({"records": {"person": "p-1"}}, False)):
        caps = parse_capabilities({**raw, **declared})
        with Target("https://nhs.example", caps, transport=httpx.MockTransport(vendor)) as t:
            findings = diagnose(t)
        assert any("--council-client-id" in f.detail for f in findings) is warned
