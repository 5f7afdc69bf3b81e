"""Evidence is redacted: no credential, CHI or NINO reaches a report, and curl reproduces."""

from __future__ import annotations

import json
import shlex

import httpx

from conformance.capabilities import Client, parse_capabilities
from conformance.redaction import CHI_MARK, NINO_MARK, SECRET_MARK, redact_body, redact_text
from conformance.target import Target, client_assertion, signing_key
from spec.identifiers import CHI_SYSTEM, NINO_SYSTEM

VALID_CHI = "0207581274"
VALID_NINO = "QQ123456C"


def test_valid_chi_and_nino_are_redacted_and_other_numbers_kept() -> None:
    text = f"chi {VALID_CHI} nino {VALID_NINO} amount 1234567 ref 0207581275"
    redacted = redact_text(text)
    assert VALID_CHI not in redacted
    assert CHI_MARK in redacted
    assert VALID_NINO not in redacted
    assert NINO_MARK in redacted
    assert "1234567" in redacted
    assert "0207581275" in redacted  # not a valid CHI: not personal data


def test_identifier_values_are_redacted_by_system_even_when_invalid() -> None:
    body = json.dumps(
        {
            "identifiers": [
                {"system": CHI_SYSTEM, "value": "1111111111"},
                {"system": NINO_SYSTEM, "value": "ZZ000000"},
            ]
        }
    )
    redacted = json.loads(redact_body(body) or "")
    assert [i["value"] for i in redacted["identifiers"]] == [CHI_MARK, NINO_MARK]


def test_tokens_and_assertions_are_redacted() -> None:
    assert "abc.def" not in redact_text('{"access_token": "abc.def", "token_type": "Bearer"}')
    form = "grant_type=client_credentials&client_assertion=eyJ.x.y"
    assert "eyJ.x.y" not in redact_text(form)
    assert SECRET_MARK in redact_text("Authorization: Bearer eyJhbGc.payload.sig")


def test_a_target_records_redacted_exchanges_with_a_curl_reproducer() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/oauth2/token":
            return httpx.Response(200, json={"access_token": "secret-token", "expires_in": 60})
        return httpx.Response(404, json={"detail": f"no person {VALID_CHI}"})

    pem = _pem()
    caps = parse_capabilities(
        {"role": "council", "level": "core", "features": ["behaviour"]}
    ).with_main_client(Client("council-a", key_pem=pem))
    with Target("https://vendor.example/api", caps, transport=httpx.MockTransport(vendor)) as t:
        response = t.send("GET", "/v1/persons/x", headers={"X-Request-ID": "r1"})
        assert response.status_code == 404
        recorded = t.take_recording()
    everything = json.dumps([e.as_dict() for e in recorded])
    assert "secret-token" not in everything
    assert VALID_CHI not in everything
    token_exchange, read = recorded
    assert token_exchange.request_body is not None
    assert "client_assertion" in token_exchange.request_body
    assert read.url == "https://vendor.example/api/v1/persons/x"
    command = shlex.split(read.curl())
    assert command[:5] == ["curl", "-i", "-X", "GET", "https://vendor.example/api/v1/persons/x"]
    assert "x-request-id: r1" in [part.lower() for part in command]


def _pem() -> bytes:
    from joserfc import jwk

    pem: bytes = jwk.OKPKey.generate_key("Ed25519").as_pem(private=True)
    return pem


def test_client_assertions_carry_the_rfc_7523_claims() -> None:
    from joserfc import jws
    from joserfc.jws import JWSRegistry

    pem = _pem()
    client = Client("council-a", key_pem=pem)
    token = client_assertion(client, "https://gw.example/oauth2/token", now=1_000_000)
    key, alg = signing_key(pem)
    decoded = jws.deserialize_compact(token, key, registry=JWSRegistry(algorithms=[alg]))
    claims = json.loads(decoded.payload)
    assert claims["iss"] == claims["sub"] == "council-a"
    assert claims["aud"] == "https://gw.example/oauth2/token"
    assert claims["exp"] - claims["iat"] == 120
    assert decoded.protected["kid"] == key.thumbprint()
