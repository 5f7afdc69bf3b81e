"""A blocking client for the gateway app in-process, over httpx's ASGI transport."""

from __future__ import annotations

from typing import Any

import httpx
from anyio.from_thread import BlockingPortal

__all__ = ["ApiClient"]


class ApiClient:
    """A blocking HTTP client talking to the app in-process over the ASGI transport."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self._portal = portal
        self._client = client

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(lambda: self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)
