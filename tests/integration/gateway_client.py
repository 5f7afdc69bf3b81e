"""A blocking client for the gateway app in-process, over httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from gateway_tokens import BASE, token_form

from gateway.app import create_app
from gateway.config import Settings

__all__ = ["ApiClient", "running_api"]


class ApiClient:
    """A blocking HTTP client talking to the app in-process over the ASGI transport.

    It acts as one organisation (a bearer token from the demo keys in ``data_dir``), or as
    nobody when ``organisation`` is ``None``; :meth:`acting_as` gives one for another.
    """

    def __init__(
        self,
        portal: BlockingPortal,
        client: httpx.AsyncClient,
        data_dir: Path,
        organisation: str | None = None,
    ) -> None:
        self._portal = portal
        self._client = client
        self.data_dir = data_dir
        self.organisation = organisation
        self._headers: dict[str, str] = {}
        if organisation is not None:
            form = token_form(data_dir, organisation, str(client.base_url))
            answer = self._portal.call(lambda: self._client.post("/oauth2/token", data=form))
            assert answer.status_code == 200, answer.text
            self._headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def acting_as(self, organisation: str | None) -> ApiClient:
        """The same gateway, called as ``organisation`` (``None``: without a token)."""
        return ApiClient(self._portal, self._client, self.data_dir, organisation)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **(kwargs.pop("headers", None) or {})}
        return self._portal.call(
            lambda: self._client.request(method, url, headers=headers, **kwargs)
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)


async def _open(transport: httpx.ASGITransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, base_url=BASE)


@contextmanager
def running_api(settings: Settings, organisation: str | None) -> Iterator[ApiClient]:
    """A gateway started for ``settings`` (as a process would be), acting as ``organisation``."""
    app = create_app(settings)
    with start_blocking_portal() as portal:
        client = portal.call(lambda: _open(httpx.ASGITransport(app=app)))
        try:
            yield ApiClient(portal, client, settings.data_dir, organisation)
        finally:
            portal.call(client.aclose)
            app.state.database.dispose()
