"""The system under test, reached only over HTTP, with every exchange kept as evidence.

:class:`Target` wraps an ``httpx.Client``: it authenticates as one of the declared clients
(a signed JWT client assertion exchanged for an access token, RFC 7523, or the development
``X-Client-Id`` header), records each request and response redacted, and never follows
redirects, so what the report shows is exactly what the target answered.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from joserfc import jwk, jws
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry

from conformance.capabilities import Capabilities, Client
from conformance.redaction import redact_body, redact_headers, redact_text
from conformance.results import Exchange

__all__ = [
    "ASSERTION_TYPE",
    "CannotReach",
    "Target",
    "client_assertion",
    "signing_key",
]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_MAX_EVIDENCE_BODY = 20_000
_RATE_LIMIT_RETRIES = 5

_ALGORITHMS: dict[str, str] = {"RSA": "RS256", "EC": "ES256", "OKP": "Ed25519"}


class CannotReach(Exception):
    """The target did not answer at all (connection refused, DNS, timeout) or refused us."""


def signing_key(pem: bytes) -> tuple[jwk.RSAKey | jwk.ECKey | jwk.OKPKey, str]:
    """The private key in ``pem`` and the JWS algorithm the suite signs with for it."""
    for kind in (jwk.OKPKey, jwk.ECKey, jwk.RSAKey):
        try:
            key = kind.import_key(pem)
        except (ValueError, TypeError, JoseError):
            continue
        if not key.is_private:
            raise ValueError("the PEM holds a public key; the suite needs the private key")
        return key, _ALGORITHMS[key.key_type]
    raise ValueError("the PEM is not an RSA, EC or Ed25519 private key")


def client_assertion(
    client: Client,
    audience: str,
    *,
    now: float | None = None,
    lifetime: int = 120,
    overrides: Mapping[str, Any] | None = None,
    header_overrides: Mapping[str, Any] | None = None,
) -> str:
    """A signed JWT client assertion (RFC 7523) for ``client`` at token endpoint ``audience``.

    ``overrides`` and ``header_overrides`` let the security checks build deliberately wrong
    assertions (expired, wrong audience) signed with the client's real key.
    """
    if client.key_pem is None:
        raise ValueError(f"client {client.client_id} has no private key to sign with")
    key, alg = signing_key(client.key_pem)
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": audience,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": str(uuid.uuid4()),
        **(overrides or {}),
    }
    header: dict[str, Any] = {
        "alg": alg,
        "typ": "JWT",
        "kid": client.kid or key.thumbprint(),
        **(header_overrides or {}),
    }
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key, registry=JWSRegistry(algorithms=[alg]))


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("retry-after", "1")), 0.05), 5.0)
    except ValueError:
        return 1.0


def _text(content: bytes) -> str:
    text = redact_body(content) or ""
    if len(text) > _MAX_EVIDENCE_BODY:
        return text[:_MAX_EVIDENCE_BODY] + f"... [{len(text) - _MAX_EVIDENCE_BODY} more characters]"
    return text


class Target:
    """One system under test at ``base_url`` (a path prefix is kept on every request)."""

    def __init__(
        self,
        base_url: str,
        capabilities: Capabilities,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.capabilities = capabilities
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)
        self._tokens: dict[str, str] = {}
        self.recording: list[Exchange] = []

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on the target."""
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def client(self, index: int = 0) -> Client | None:
        """The declared client at ``index`` (0 is the main client), or ``None``."""
        clients = self.capabilities.clients
        return clients[index] if index < len(clients) else None

    def token(self, client: Client) -> str:
        """An access token for ``client`` from the target's token endpoint (cached per run)."""
        if client.client_id in self._tokens:
            return self._tokens[client.client_id]
        endpoint = self.url(self.capabilities.token_endpoint)
        response = self.send(
            "POST",
            endpoint,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": client_assertion(client, self.audience()),
            },
            auth=False,
        )
        if response.status_code != 200:
            raise CannotReach(
                f"the token endpoint {endpoint} refused client {client.client_id} "
                f"with {response.status_code}: {redact_text(response.text[:300])}"
            )
        try:
            token = str(response.json()["access_token"])
        except (ValueError, KeyError, TypeError):
            raise CannotReach(f"the token endpoint {endpoint} answered no access_token") from None
        self._tokens[client.client_id] = token
        return token

    def audience(self) -> str:
        """The audience client assertions name: declared, or the token endpoint's URL."""
        declared = self.capabilities.token_audience
        return declared or self.url(self.capabilities.token_endpoint)

    def organisation(self, client_index: int = 0) -> str:
        """The declared official code of a client's organisation ("" when not declared)."""
        client = self.client(client_index)
        return client.organisation if client is not None else ""

    def credentials(self, client_index: int = 0) -> dict[str, str]:
        """The headers that authenticate as the client at ``client_index``."""
        scheme = self.capabilities.authentication
        client = self.client(client_index)
        if scheme == "none" or client is None:
            return {}
        if scheme == "client-id-header":
            return {"X-Client-Id": client.client_id}
        return {"Authorization": f"Bearer {self.token(client)}"}

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | str | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        client_index: int = 0,
        auth: bool = True,
    ) -> httpx.Response:
        """Send one request, record it as evidence and return the response.

        Transport failures raise :class:`CannotReach`; any HTTP status is returned.
        """
        sent_headers = dict(self.credentials(client_index) if auth else {})
        if json_body is not None:
            content = json.dumps(json_body)
            sent_headers.setdefault("Content-Type", "application/json")
        sent_headers.update(headers or {})
        request = self._http.build_request(
            method, self.url(path), content=content, data=data, headers=sent_headers
        )
        started = time.perf_counter()
        for attempt in range(_RATE_LIMIT_RETRIES + 1):
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                raise CannotReach(f"{method} {request.url}: {type(exc).__name__}: {exc}") from None
            if response.status_code != 429 or attempt == _RATE_LIMIT_RETRIES:
                break
            # A rate limit is the target protecting itself, not a verdict: wait as told.
            time.sleep(_retry_after(response))
        elapsed = (time.perf_counter() - started) * 1000
        body = request.content
        self.recording.append(
            Exchange(
                method=method,
                url=str(request.url),
                request_headers=redact_headers(dict(request.headers)),
                request_body=None if not body else _text(body),
                status=response.status_code,
                response_headers=redact_headers(dict(response.headers)),
                response_body=_text(response.content),
                elapsed_ms=elapsed,
            )
        )
        return response

    def take_recording(self) -> list[Exchange]:
        """The exchanges recorded since the last call, emptying the record."""
        taken, self.recording = self.recording, []
        return taken
