"""The gateway's auth seam is the security layer: every /v1 and /fhir route needs a token."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from gateway.app import create_app
from gateway.config import Settings
from gateway.security.assertions import ASSERTION_TYPE, make_client_assertion
from gateway.security.endpoints import GatewaySecurity

BASE = "http://testserver"
# The FHIR capability statement stays public: it is how a FHIR client discovers how to
# authenticate (FHIR R4 RESTful API, "metadata"); it holds no record data.
PUBLIC = {"/fhir/r4/metadata"}


def _wire(settings: Settings, data_dir: Path) -> tuple[FastAPI, GatewaySecurity]:
    app = create_app(replace(settings, data_dir=data_dir, public_url=BASE))
    security: GatewaySecurity = app.state.security
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
