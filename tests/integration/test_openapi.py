"""The published OpenAPI 3.1 contract equals what the app serves (SDS-API-018)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import yaml

from gateway.app import create_app
from gateway.config import Settings, sqlite_url
from gateway.openapi import OPENAPI_PATH, openapi_document, render_yaml


def test_spec_openapi_yaml_equals_what_the_app_serves() -> None:
    served = openapi_document()
    assert served["openapi"].startswith("3.1")
    assert OPENAPI_PATH.read_text(encoding="utf-8") == render_yaml(served), (
        "spec/openapi.yaml is stale: run python -m gateway.openapi"
    )
    assert yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8")) == served


def test_every_operation_documents_its_problem_responses() -> None:
    for path, operations in openapi_document()["paths"].items():
        if path in ("/healthz", "/metrics"):
            continue
        for method, operation in operations.items():
            problems = [
                status
                for status, response in operation["responses"].items()
                if "application/problem+json" in response.get("content", {})
            ]
            assert {"400", "422", "503"} <= set(problems), f"{method.upper()} {path}"


def test_headers_publish_the_patterns_the_routers_enforce() -> None:
    """Clients and fuzzers learn from the contract which keys and ETags are well formed."""
    from gateway.idempotency import KEY_PATTERN
    from gateway.routers._messages import IF_MATCH_PATTERN

    wanted = {"Idempotency-Key": KEY_PATTERN, "If-Match": IF_MATCH_PATTERN}
    seen = set()
    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in wanted:
                    seen.add(parameter["name"])
                    where = f"{method.upper()} {path} {parameter['name']}"
                    assert parameter["schema"]["pattern"] == wanted[parameter["name"]], where
                if parameter["name"] == "updated_since":
                    assert parameter["schema"]["format"] == "date-time", f"{method} {path}"
    assert seen == set(wanted)


def test_no_parameter_is_published_as_possibly_null() -> None:
    """A query string or header has no null; an absent parameter is how to send none."""
    for path, operations in openapi_document()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                text = str(parameter["schema"])
                assert "'null'" not in text, f"{method.upper()} {path} {parameter['name']}"


def test_responses_publish_the_headers_that_always_come_with_them() -> None:
    """The bearer challenge, the retry delay, and a record's ETag and Location."""
    document = openapi_document()
    published = set(document["components"]["headers"])
    assert {"WWW-Authenticate", "Retry-After", "ETag", "Location"} <= published
    expected = {"401": {"WWW-Authenticate"}, "429": {"Retry-After"}, "503": {"Retry-After"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                headers = set(response.get("headers", {}))
                wanted = expected.get(status, set())
                if method == "post" and status == "201":
                    wanted = {"ETag", "Location"}
                assert wanted <= headers, f"{method.upper()} {path} {status}"


def test_the_served_contract_carries_the_links_the_published_one_has(tmp_path: Path) -> None:
    settings = Settings(
        database_url=sqlite_url(tmp_path / "unused.db"),
        migrate_on_startup=False,
        cursor_secret="openapi-only",
        data_dir=tmp_path / "data",
    )
    app = create_app(settings)

    async def fetch() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer: dict[str, Any] = (await client.get("/openapi.json")).json()
            return answer

    try:
        served = anyio.run(fetch)
    finally:
        app.state.database.dispose()
    created = served["paths"]["/v1/persons"]["post"]["responses"]["201"]
    assert set(created["links"]) == {"read", "update", "history", "version"}
    assert served == openapi_document()
