"""The security layer mounted on the real gateway: token endpoint, JWKS, bearer checks, limits.

Runs on SQLite and PostgreSQL (the ``settings`` fixture), with demo organisations created on a
first start exactly as ``sdsx serve`` would, and the client side done by the same code as
``sdsx token``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import Depends, FastAPI, Request

from gateway.app import create_app
from gateway.config import Settings
from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion
from gateway.security.budget_signing import sign_budget, verify_budget
from gateway.security.endpoints import (
    GatewaySecurity,
    authenticate_request,
    build_security,
)
from gateway.security.errors import ConfigurationError
from gateway.security.tokens import Principal

BASE = "http://testserver"
TOKEN_URL = BASE + "/oauth2/token"


def _mount(settings: Settings, data_dir: Path, **kw: float) -> tuple[FastAPI, GatewaySecurity]:
    app = create_app(
        replace(
            settings,
            data_dir=data_dir,
            public_url=BASE,
            rate_per_second=kw.get("rate_per_second", 0),
            rate_burst=int(kw.get("burst", 100)),
        )
    )
    security: GatewaySecurity = app.state.security

    def caller(request: Request) -> Principal:
        return authenticate_request(security, request)

    @app.get("/v1/security-probe")
    def probe(principal: Principal = Depends(caller)) -> dict[str, str]:  # noqa: B008
        return {"organisation": principal.organisation_id, "role": principal.role.value}

    return app, security


class Client:
    """A blocking face on an httpx ASGI client (the gateway is tested for real, in-process)."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.client = client

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.get(url, **kw))

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.post(url, **kw))


async def _open(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


@pytest.fixture
def gateway(settings: Settings, tmp_path: Path) -> Iterator[tuple[Client, GatewaySecurity]]:
    app, security = _mount(settings, tmp_path / ".sdsx", rate_per_second=1, burst=5)
    with start_blocking_portal() as portal:
        client = portal.call(_open, app)
        try:
            yield Client(portal, client), security
        finally:
            portal.call(client.aclose)
            app.state.database.dispose()


def _form(security: GatewaySecurity, client_id: str, **kw: str) -> dict[str, str]:
    assert security.demo is not None
    demo = next(c for c in security.demo.clients if c.organisation_id == client_id)
    assertion = make_client_assertion(
        client_id=client_id,
        token_url=kw.pop("token_url", TOKEN_URL),
        private_pem=demo.key_file.read_bytes(),
        alg=demo.alg,
    )
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **kw,
    }


def test_demo_organisation_gets_a_token_and_calls_the_gateway(gateway: tuple) -> None:
    client, security = gateway
    response = client.post("/oauth2/token", data=_form(security, "glasgow-city"))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    token = response.json()["access_token"]
    probe = client.get("/v1/security-probe", headers={"Authorization": f"Bearer {token}"})
    assert probe.status_code == 200
    assert probe.json() == {"organisation": "glasgow-city", "role": "council"}


def test_refused_assertion_is_401_problem_json_with_a_reason(gateway: tuple) -> None:
    client, security = gateway
    form = _form(security, "ilf-scotland", token_url=TOKEN_URL + "x")
    response = client.post("/oauth2/token", data=form)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["reason"] == "wrong-audience"
    assert body["error"] == "invalid_client"
    assert form["client_assertion"].split(".")[2] not in response.text


def test_replayed_assertion_is_refused_by_the_database(gateway: tuple) -> None:
    client, security = gateway
    form = _form(security, "nhs-ggc")
    assert client.post("/oauth2/token", data=form).status_code == 200
    again = client.post("/oauth2/token", data=form)
    assert again.status_code == 401
    assert again.json()["reason"] == "replayed-jti"


def test_requests_without_a_valid_token_are_401(gateway: tuple) -> None:
    client, _security = gateway
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        response = client.get("/v1/security-probe", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_jwks_verifies_tokens_and_signed_budgets(gateway: tuple) -> None:
    client, security = gateway
    jwks = client.get("/.well-known/jwks.json").json()
    assert all("d" not in key for key in jwks["keys"])
    signed = sign_budget(
        {"type": "individual-budget", "id": "b"}, security.authenticator.tokens.keyring.current
    )
    assert verify_budget(signed, jwks).ok


def test_rate_limit_answers_429_with_retry_after(gateway: tuple) -> None:
    client, security = gateway
    token = client.post("/oauth2/token", data=_form(security, "saas")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get("/v1/security-probe", headers=headers).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses[5:]
    limited = client.get("/v1/security-probe", headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1


def test_production_refuses_demo_organisations(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings)
    engine = app.state.database.writer
    try:
        build_security(engine=engine, data_dir=tmp_path / ".sdsx", base_url=BASE)
        with pytest.raises(ConfigurationError, match="demo"):
            build_security(
                engine=engine, data_dir=tmp_path / ".sdsx", base_url=BASE, production=True
            )
        with pytest.raises(ConfigurationError, match="organisations"):
            build_security(
                engine=engine, data_dir=tmp_path / "empty", base_url=BASE, production=True
            )
    finally:
        app.state.database.dispose()
