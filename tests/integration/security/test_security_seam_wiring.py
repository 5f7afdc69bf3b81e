"""The auth seam swapped for the security layer: every /v1 and /fhir route then needs a token.

The swap is done the way the lead will wire it (the seam's dependency replaced by
``authenticate_request``), here through FastAPI's dependency override so the gateway's files
stay untouched.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI, Request

from gateway import auth
from gateway.app import create_app
from gateway.config import Settings
from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion
from gateway.security.endpoints import (
    GatewaySecurity,
    authenticate_request,
    build_security,
    security_router,
)

BASE = "http://testserver"
# The FHIR capability statement stays public: it is how a FHIR client discovers how to
# authenticate (FHIR R4 RESTful API, "metadata"); it holds no record data.
PUBLIC = {"/fhir/r4/metadata"}


def _wire(settings: Settings, data_dir: Path) -> tuple[FastAPI, GatewaySecurity]:
    app = create_app(settings)
    security = build_security(engine=app.state.database.writer, data_dir=data_dir, base_url=BASE)
    app.include_router(security_router(security))

    async def seam(request: Request) -> auth.Principal:
        principal = authenticate_request(security, request)
        request.scope["sdsx.client_id"] = principal.organisation_id
        gateway_principal = auth.Principal(principal.organisation_id)
        request.state.principal = gateway_principal
        return gateway_principal

    app.dependency_overrides[auth.authenticate] = seam
    return app, security


async def _open(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


@pytest.fixture
def wired(
    settings: Settings, tmp_path: Path
) -> Iterator[tuple[FastAPI, BlockingPortal, httpx.AsyncClient, GatewaySecurity]]:
    app, security = _wire(settings, tmp_path / ".sdsx")
    with start_blocking_portal() as portal:
        client = portal.call(_open, app)
        try:
            yield app, portal, client, security
        finally:
            portal.call(client.aclose)
            app.state.database.dispose()


def _protected(app: FastAPI) -> list[tuple[str, str]]:
    """Every operation the OpenAPI document publishes under /v1 and /fhir."""
    found = []
    for template, operations in app.openapi()["paths"].items():
        if template.startswith(("/v1", "/fhir")) and template not in PUBLIC:
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)
            found.extend((method.upper(), path) for method in sorted(operations))
    return found


def test_every_v1_and_fhir_route_answers_401_without_a_token(wired: tuple) -> None:
    app, portal, client, _security = wired
    routes = _protected(app)
    assert len(routes) >= 10
    wrong = []
    for method, path in routes:
        response: Any = portal.call(lambda m=method, p=path: client.request(m, p, json={}))
        if response.status_code != 401 or "problem+json" not in response.headers["content-type"]:
            wrong.append(f"{method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_token_from_the_token_endpoint_opens_the_api(wired: tuple) -> None:
    _app, portal, client, security = wired
    demo = next(c for c in security.demo.clients if c.organisation_id == "glasgow-city")
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": make_client_assertion(
            client_id="glasgow-city",
            token_url=BASE + "/oauth2/token",
            private_pem=demo.key_file.read_bytes(),
            alg=demo.alg,
        ),
    }
    token = portal.call(lambda: client.post("/oauth2/token", data=form)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = portal.call(lambda: client.get("/v1/persons", headers=headers))
    assert listed.status_code == 200, listed.text
