"""Opaque, stateless cursors bound to the query and the caller that produced them.

A cursor is ``base64url(payload).base64url(tag)`` where the payload holds the position and a
digest of the query (path, filters, page size, client) and the tag is HMAC-SHA256 under the
gateway's secret. A cursor replayed with another query, by another client or edited by hand
is refused with 400 (SDS-API-010) — there is no server-side page cache to leak (HAPI #7888).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import orjson

from gateway.problems import ProblemError

__all__ = ["CursorCodec", "query_digest"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def query_digest(path: str, params: Mapping[str, Any], client_id: str) -> str:
    """A digest naming one query: the same path, parameters and client give the same digest."""
    canonical = orjson.dumps(
        {"path": path, "params": dict(sorted(params.items())), "client": client_id}
    )
    return hashlib.sha256(canonical).hexdigest()[:32]


class CursorCodec:
    """Signs and checks cursors with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def encode(self, digest: str, position: list[Any]) -> str:
        payload = orjson.dumps({"q": digest, "p": position})
        return f"{_b64(payload)}.{_b64(self._tag(payload))}"

    def decode(self, cursor: str, digest: str) -> list[Any]:
        """The position in ``cursor``, which must have been issued for query ``digest``."""
        try:
            payload_text, tag_text = cursor.split(".", 1)
            payload, tag = _unb64(payload_text), _unb64(tag_text)
        except ValueError:
            raise self._refuse("the cursor is not one this gateway issued") from None
        if not hmac.compare_digest(tag, self._tag(payload)):
            raise self._refuse("the cursor is not one this gateway issued")
        content = orjson.loads(payload)
        if content.get("q") != digest:
            raise self._refuse(
                "the cursor was issued for another query; repeat the query that returned it"
            )
        position: list[Any] = content["p"]
        return position

    @staticmethod
    def _refuse(detail: str) -> ProblemError:
        return ProblemError(400, "invalid-cursor", detail, requirement="SDS-API-010")
