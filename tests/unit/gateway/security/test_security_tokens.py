"""Client assertions and access tokens: every forged, stale or misdirected token is refused.

Each refusal has its own reason so that a client (and a test) can tell why (SDS-SEC-002..005).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from security_fixtures import ISSUER, NOW, TOKEN_URL, Registry, cached_key

from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion
from gateway.security.errors import AuthenticationError, ScopeError
from gateway.security.keys import GatewayKeyring, SigningKey
from gateway.security.replay import InMemoryReplayCache, SqlReplayCache


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _form(assertion: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **extra,
    }


def _assertion(registry: Registry, client: str = "glasgow-city", **kw: Any) -> str:
    pair = registry.keys[client]
    return make_client_assertion(
        client_id=kw.pop("client_id", client),
        token_url=kw.pop("token_url", TOKEN_URL),
        private_pem=pair.private_pem,
        alg=pair.alg,
        now=kw.pop("now", NOW),
        **kw,
    )


def _hand_made(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A token built by hand on purpose: the attacks below need headers no library emits."""
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


def _claims(client: str = "glasgow-city") -> dict[str, Any]:
    iat = int(NOW.timestamp())
    return {
        "iss": client,
        "sub": client,
        "aud": TOKEN_URL,
        "iat": iat,
        "exp": iat + 60,
        "jti": "j1",
    }


def _reason(registry: Registry, assertion: str, **form: str) -> str:
    with pytest.raises(AuthenticationError) as caught:
        registry.authenticator.token_response(_form(assertion, **form), now=NOW)
    problem = caught.value.problem()
    assert problem["status"] == 401
    assert problem["type"].endswith(caught.value.reason)
    signature = assertion.split(".")[-1]
    if len(signature) > 16:
        assert signature not in json.dumps(problem), "a refusal must not echo the token"
    return caught.value.reason


@pytest.mark.parametrize("client", ["glasgow-city", "city-of-edinburgh", "ilf-scotland"])
def test_a_well_formed_assertion_gets_a_token_with_the_roles_scopes(
    registry: Registry, client: str
) -> None:
    body = registry.authenticator.token_response(_form(_assertion(registry, client)), now=NOW)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    principal = registry.authenticator.authenticate(f"Bearer {body['access_token']}", now=NOW)
    assert principal.organisation_id == client
    assert principal.scopes == frozenset(body["scope"].split())
    if client == "ilf-scotland":
        assert principal.funder_kind == "ilf-scotland"
        assert "person.read" not in principal.scopes
    else:
        assert "person.write" in principal.scopes


def test_expired_assertion_is_refused(registry: Registry) -> None:
    stale = _assertion(registry, now=NOW - timedelta(minutes=10))
    assert _reason(registry, stale) == "expired"


def test_wrong_audience_by_one_character_is_refused(registry: Registry) -> None:
    assertion = _assertion(registry, token_url=TOKEN_URL + "/")
    assert _reason(registry, assertion) == "wrong-audience"


def test_replayed_jti_is_refused(registry: Registry) -> None:
    assertion = _assertion(registry, jti="once-only")
    registry.authenticator.token_response(_form(assertion), now=NOW)
    assert _reason(registry, assertion) == "replayed-jti"


def test_refused_assertion_does_not_use_up_its_jti(registry: Registry) -> None:
    bad = _assertion(registry, jti="kept", token_url="https://elsewhere/token")
    assert _reason(registry, bad) == "wrong-audience"
    registry.authenticator.token_response(_form(_assertion(registry, jti="kept")), now=NOW)


def test_unknown_kid_is_refused(registry: Registry) -> None:
    stranger = cached_key("stranger-es", "ES256")
    assertion = make_client_assertion(
        client_id="glasgow-city",
        token_url=TOKEN_URL,
        private_pem=stranger.private_pem,
        alg="ES256",
        now=NOW,
    )
    assert _reason(registry, assertion) == "unknown-kid"


def test_alg_none_is_refused(registry: Registry) -> None:
    kid = registry.keys["glasgow-city"].kid
    assert _reason(registry, _hand_made({"alg": "none", "kid": kid}, _claims())) == "unsigned"


def test_hs256_signed_with_the_public_key_is_refused(registry: Registry) -> None:
    pair = registry.keys["city-of-edinburgh"]
    header = {"alg": "HS256", "kid": pair.kid}
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(_claims("city-of-edinburgh")).encode())
    secret = json.dumps(pair.public_jwk).encode()
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert _reason(registry, f"{head}.{body}.{_b64(mac)}") == "symmetric-algorithm"


def test_tampered_signature_is_refused(registry: Registry) -> None:
    head, body, sig = _assertion(registry).split(".")
    flipped = sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")
    assert _reason(registry, f"{head}.{body}.{flipped}") == "bad-signature"


def test_tampered_claims_are_refused(registry: Registry) -> None:
    head, _body, sig = _assertion(registry).split(".")
    forged = _b64(json.dumps({**_claims(), "exp": int(NOW.timestamp()) + 200}).encode())
    assert _reason(registry, f"{head}.{forged}.{sig}") == "bad-signature"


def test_stripped_signature_is_refused(registry: Registry) -> None:
    head, body, _sig = _assertion(registry).split(".")
    assert _reason(registry, f"{head}.{body}.") == "bad-signature"


def test_wrong_key_type_is_refused(registry: Registry) -> None:
    """An RS256 header naming the organisation's EC key: refused before any verification."""
    pair = registry.keys["glasgow-city"]
    rsa = cached_key("stranger-rsa", "RS256")
    token = SigningKey.from_pem(rsa.private_pem, "RS256").sign(
        json.dumps(_claims()).encode(), {"kid": pair.kid}
    )
    head, body, sig = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    header["kid"] = pair.kid
    assert _reason(registry, f"{_b64(json.dumps(header).encode())}.{body}.{sig}") == (
        "wrong-key-type"
    )


def test_disallowed_algorithm_is_refused(registry: Registry) -> None:
    kid = registry.keys["glasgow-city"].kid
    token = _hand_made({"alg": "PS256", "kid": kid}, _claims(), b"x" * 64)
    assert _reason(registry, token) == "algorithm-not-allowed"


def test_lifetime_over_five_minutes_is_refused(registry: Registry) -> None:
    assert _reason(registry, _assertion(registry, lifetime_seconds=301)) == "lifetime-too-long"


def test_issued_in_the_future_is_refused(registry: Registry) -> None:
    later = _assertion(registry, now=NOW + timedelta(minutes=5))
    assert _reason(registry, later) == "issued-in-future"


def test_small_clock_skew_is_allowed(registry: Registry) -> None:
    skewed = _assertion(registry, now=NOW + timedelta(seconds=20))
    registry.authenticator.token_response(_form(skewed), now=NOW)


def test_wrong_issuer_is_refused(registry: Registry) -> None:
    """Glasgow's key, Edinburgh's client id in iss/sub: the kid is not Edinburgh's."""
    assertion = _assertion(registry, client_id="city-of-edinburgh")
    assert _reason(registry, assertion) == "unknown-kid"
    mismatch = _assertion(registry)
    assert _reason(registry, mismatch, client_id="city-of-edinburgh") == "wrong-issuer"


def test_unknown_and_disabled_clients_are_refused(registry: Registry) -> None:
    stranger = cached_key("stranger-es", "ES256")
    unknown = make_client_assertion(
        client_id="nobody-here",
        token_url=TOKEN_URL,
        private_pem=stranger.private_pem,
        alg="ES256",
        now=NOW,
    )
    assert _reason(registry, unknown) == "unknown-client"
    org = registry.store.get("glasgow-city")
    assert org is not None
    registry.store.save(org.disabled())
    assert _reason(registry, _assertion(registry)) == "client-disabled"


def test_malformed_values_are_refused(registry: Registry) -> None:
    assert _reason(registry, "not-a-jwt") == "malformed"
    assert _reason(registry, "") == "malformed"
    assert _reason(registry, "a.b.c") == "malformed"


def test_retired_key_is_refused_and_rotation_keeps_old_key_valid(registry: Registry) -> None:
    org = registry.store.get("glasgow-city")
    assert org is not None
    new = cached_key("glasgow-next", "ES256")
    registry.store.save(org.with_key(new.public_jwk))
    registry.authenticator.token_response(_form(_assertion(registry, jti="old-key")), now=NOW)
    fresh = make_client_assertion(
        client_id="glasgow-city",
        token_url=TOKEN_URL,
        private_pem=new.private_pem,
        alg="ES256",
        now=NOW,
    )
    registry.authenticator.token_response(_form(fresh), now=NOW)
    rotated = registry.store.get("glasgow-city")
    assert rotated is not None
    registry.store.save(rotated.without_key(registry.keys["glasgow-city"].kid))
    assert _reason(registry, _assertion(registry, jti="after-retire")) == "unknown-kid"


def test_requested_scope_outside_the_role_is_refused(registry: Registry) -> None:
    with pytest.raises(ScopeError) as caught:
        registry.authenticator.token_response(
            _form(_assertion(registry, "ilf-scotland"), scope="person.read"), now=NOW
        )
    assert caught.value.problem()["status"] == 400
    narrowed = registry.authenticator.token_response(
        _form(_assertion(registry, "ilf-scotland"), scope="funding-line.read"), now=NOW
    )
    assert narrowed["scope"] == "funding-line.read"


def test_grant_type_and_assertion_type_are_required(registry: Registry) -> None:
    with pytest.raises(AuthenticationError, match="unsupported-grant-type"):
        registry.authenticator.token_response({"grant_type": "password"}, now=NOW)
    with pytest.raises(AuthenticationError, match="missing-client-assertion"):
        registry.authenticator.token_response({"grant_type": "client_credentials"}, now=NOW)


def _token(registry: Registry, client: str = "glasgow-city") -> str:
    body = registry.authenticator.token_response(_form(_assertion(registry, client)), now=NOW)
    return str(body["access_token"])


def _bearer_reason(registry: Registry, header: str | None, **kw: Any) -> str:
    with pytest.raises(AuthenticationError) as caught:
        registry.authenticator.authenticate(header, now=kw.get("now", NOW))
    return caught.value.reason


def test_access_token_negatives(registry: Registry) -> None:
    token = _token(registry)
    assert _bearer_reason(registry, None) == "missing-token"
    assert _bearer_reason(registry, "Basic abc") == "missing-token"
    later = NOW + timedelta(minutes=10)
    assert _bearer_reason(registry, f"Bearer {token}", now=later) == "expired"
    assert _bearer_reason(registry, f"Bearer {_assertion(registry)}") == "not-an-access-token"
    head, body, sig = token.split(".")
    assert _bearer_reason(registry, f"Bearer {head}.{body}.{sig[::-1]}") == "bad-signature"


def test_token_from_another_gateway_is_refused(registry: Registry, tmp_path: Any) -> None:
    other = GatewayKeyring.load_or_create(tmp_path / "other-gateway")
    forged = other.current.sign(b'{"iss": "x"}', {"typ": "at+jwt"})
    assert _bearer_reason(registry, f"Bearer {forged}") == "unknown-kid"


def test_token_of_a_disabled_organisation_is_refused_at_once(registry: Registry) -> None:
    token = _token(registry)
    org = registry.store.get("glasgow-city")
    assert org is not None
    registry.store.save(org.disabled())
    assert _bearer_reason(registry, f"Bearer {token}") == "client-disabled"


def test_gateway_key_rotation_keeps_earlier_tokens_valid(registry: Registry, tmp_path: Any) -> None:
    directory = tmp_path / "gateway-keys"
    token = _token(registry)
    rotated = GatewayKeyring.rotate(directory)
    assert len(rotated.jwks()["keys"]) == 2
    registry.authenticator.tokens.keyring = rotated
    assert registry.authenticator.authenticate(f"Bearer {token}", now=NOW).organisation_id
    assert all("d" not in k for k in registry.authenticator.jwks()["keys"])
    assert ISSUER


def test_sql_replay_cache_refuses_across_instances(tmp_path: Any) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite+pysqlite:///{tmp_path / 'replay.db'}")
    first, second = SqlReplayCache(engine), SqlReplayCache(engine)
    exp = NOW + timedelta(minutes=1)
    assert first.remember("glasgow-city", "j", expires_at=exp, now=NOW)
    assert not second.remember("glasgow-city", "j", expires_at=exp, now=NOW)
    assert second.remember("city-of-edinburgh", "j", expires_at=exp, now=NOW)
    assert first.remember("glasgow-city", "j", expires_at=exp, now=exp + timedelta(seconds=1))
    engine.dispose()


def test_in_memory_replay_cache_forgets_only_after_expiry() -> None:
    cache = InMemoryReplayCache()
    exp = NOW + timedelta(minutes=1)
    assert cache.remember("a", "j", expires_at=exp, now=NOW)
    assert not cache.remember("a", "j", expires_at=exp, now=NOW + timedelta(seconds=59))
    assert cache.remember("a", "j", expires_at=exp, now=exp + timedelta(seconds=1))
