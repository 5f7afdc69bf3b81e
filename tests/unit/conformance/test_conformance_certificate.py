"""The certificate verifies as issued and is rejected after any edit."""

from __future__ import annotations

import copy

import pytest

from conformance.certificate import issue_certificate, verify_certificate
from conformance.results import Waiver
from conformance.waivers import WaiverError, parse_waivers

REPORT = {
    "suite_version": "0.1.0",
    "spec_version": "sdsx/1.0",
    "product": "Case system 9.1",
    "target": "https://vendor.example",
    "mode": "run",
    "role": "council",
    "level": "core",
    "exit_code": 0,
    "summary": {"pass": 1, "fail": 0, "waived": 1},
    "results": [
        {"id": "behaviour.if-match", "outcome": "pass", "requirements": ["SDS-API-006"]},
        {
            "id": "behaviour.history",
            "outcome": "fail",
            "requirements": ["SDS-DOC-004"],
            "waiver": {"target": "behaviour.history"},
        },
    ],
}
WAIVERS = [Waiver("behaviour.history", "fixed in 9.2", "2027-01-31", "CASE-42")]


def test_an_issued_certificate_verifies_and_lists_its_waivers() -> None:
    document = issue_certificate(REPORT, WAIVERS)
    assert verify_certificate(document) == []
    body = document["certificate"]
    assert body["verdict"] == "pass-with-waivers"
    assert body["waivers"] == [w.as_dict() for w in WAIVERS]
    assert body["results"][1]["waived"] is True
    assert "d" not in document["public_key"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c["certificate"].update(level="full"),
        lambda c: c["certificate"]["results"][1].update(outcome="pass"),
        lambda c: c["certificate"]["waivers"].clear(),
        lambda c: c.update(jws=c["jws"][:-4] + "AAAA"),
    ],
)
def test_any_edit_is_rejected(edit) -> None:  # type: ignore[no-untyped-def]
    document = issue_certificate(REPORT, WAIVERS)
    edited = copy.deepcopy(document)
    edit(edited)
    assert verify_certificate(edited) != []


def test_a_re_signed_certificate_fails_against_the_pinned_key() -> None:
    original = issue_certificate(REPORT, WAIVERS)
    forged = issue_certificate(dict(REPORT, level="full"), WAIVERS)
    assert verify_certificate(forged) == []
    problems = verify_certificate(forged, public_key=original["public_key"])
    assert any("pinned" in p for p in problems)


def test_waivers_need_a_target_reason_and_a_real_expiry() -> None:
    assert parse_waivers([{"target": "SDS-API-006", "reason": "r", "expires": "2027-01-01"}])
    with pytest.raises(WaiverError, match=r"\[0\]\.reason"):
        parse_waivers([{"target": "SDS-API-006", "expires": "2027-01-01"}])
    with pytest.raises(WaiverError, match="not a date"):
        parse_waivers([{"target": "x", "reason": "r", "expires": "soon"}])
