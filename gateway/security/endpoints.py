"""The security layer in FastAPI: token and JWKS endpoints, and the bearer dependency.

Wiring into the gateway takes three calls in ``create_app`` (see the module's tests):

1. ``security = build_security(engine=..., data_dir=..., base_url=..., production=...)``
   loads the registry (creating demo organisations on a first local start, refusing them in
   production), the gateway's signing keys, the replay cache and the audit log;
2. ``app.include_router(security_router(security))`` serves ``POST /oauth2/token`` and
   ``GET /.well-known/jwks.json``;
3. the gateway's authentication seam calls ``authenticate_request(security, request)``,
   which returns a :class:`~gateway.security.tokens.Principal`, applies the organisation's
   rate limit, and raises the gateway's ``ProblemError`` (401/429 problem+json) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from gateway.problems import ProblemError, problem_responses
from gateway.security.assertions import ASSERTION_TYPE
from gateway.security.audit import AuditLog
from gateway.security.authentication import Authenticator
from gateway.security.datafolder import DataFolder
from gateway.security.demo_orgs import DemoSetup, ensure_demo_organisations, refuse_demo_keys
from gateway.security.errors import ConfigurationError, SecurityError
from gateway.security.organisations import OrganisationStore
from gateway.security.ratelimit import RateLimiter
from gateway.security.replay import SqlReplayCache
from gateway.security.tables import create_tables
from gateway.security.tokens import Principal

__all__ = [
    "GatewaySecurity",
    "authenticate_request",
    "build_security",
    "security_router",
]

TOKEN_PATH = "/oauth2/token"
JWKS_PATH = "/.well-known/jwks.json"


@dataclass(frozen=True, slots=True)
class GatewaySecurity:
    """Everything the gateway's seams need, built once per application."""

    authenticator: Authenticator
    limiter: RateLimiter | None
    audit: AuditLog
    folder: DataFolder
    demo: DemoSetup | None


def build_security(
    *,
    engine: Engine,
    data_dir: Path,
    base_url: str,
    production: bool = False,
    organisations: OrganisationStore | None = None,
    rate_per_second: float = 50.0,
    burst: int = 100,
    checkpoint_every: int = 100,
) -> GatewaySecurity:
    """The gateway's security parts for one application.

    ``base_url`` is the gateway's public URL: tokens are issued by it, and the exact
    assertion audience is ``base_url + /oauth2/token``. In production an empty registry or an
    active demo organisation stops start-up with :class:`ConfigurationError` (SDS-SEC-070).
    """
    folder = DataFolder(data_dir)
    store = organisations or folder.organisations()
    demo = None
    if production:
        refuse_demo_keys(store)
        if not store.list():
            raise ConfigurationError(
                "no-organisations", "Production mode needs registered organisations (sdsx orgs)."
            )
    else:
        demo = ensure_demo_organisations(folder, store)
    create_tables(engine)
    issuer = base_url.rstrip("/")
    authenticator = Authenticator(
        organisations=store,
        replay=SqlReplayCache(engine, create=False),
        keyring=folder.gateway_keyring(),
        token_url=issuer + TOKEN_PATH,
        issuer=issuer,
    )
    limiter = RateLimiter(rate=rate_per_second, burst=burst) if rate_per_second > 0 else None
    audit = AuditLog(
        folder.audit_signer(),
        checkpoint_every=checkpoint_every,
        checkpoint_file=folder.checkpoints_file,
    )
    return GatewaySecurity(authenticator, limiter, audit, folder, demo)


# The token request and answer as RFC 6749 (section 4.4) and RFC 7523 define them, published
# so that clients and the contract fuzzer send forms the endpoint reads.
_TOKEN_REQUEST: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "grant_type": {"const": "client_credentials"},
                        "client_assertion_type": {"const": ASSERTION_TYPE},
                        "client_assertion": {
                            "type": "string",
                            "description": "A JWT signed with the organisation's key.",
                        },
                        "client_id": {"type": "string"},
                        "scope": {"type": "string"},
                    },
                    "required": ["grant_type", "client_assertion_type", "client_assertion"],
                }
            }
        },
    }
}
_TOKEN_ANSWER: dict[str, Any] = {
    "description": "A bearer access token.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "access_token": {"type": "string"},
                    "token_type": {"const": "Bearer"},
                    "expires_in": {"type": "integer"},
                    "scope": {"type": "string"},
                },
                "required": ["access_token", "token_type", "expires_in", "scope"],
            }
        }
    },
}


def _problem(error: SecurityError) -> JSONResponse:
    return JSONResponse(
        error.problem(),
        status_code=error.status,
        media_type="application/problem+json",
        headers={**error.headers(), "Cache-Control": "no-store"},
    )


def security_router(security: GatewaySecurity) -> APIRouter:
    """``POST /oauth2/token`` and ``GET /.well-known/jwks.json``."""
    router = APIRouter(tags=["security"])

    @router.post(
        TOKEN_PATH,
        summary="Get an access token (client credentials with a signed JWT assertion)",
        responses={200: _TOKEN_ANSWER, **problem_responses(401)},
        openapi_extra=_TOKEN_REQUEST,
    )
    async def token(request: Request) -> Any:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            body = security.authenticator.token_response(fields)
        except SecurityError as error:
            return _problem(error)
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @router.get(
        JWKS_PATH,
        summary="The gateway's public signing keys (JWKS)",
        responses=problem_responses(),
    )
    async def jwks() -> dict[str, Any]:
        return security.authenticator.jwks()

    return router


def authenticate_request(security: GatewaySecurity, request: Request) -> Principal:
    """The caller of ``request``: a verified bearer token within its rate limit.

    Raises the gateway's ``ProblemError`` (401 with the reason as the problem type, or 429
    with ``Retry-After``) so the gateway's own handlers answer problem+json.
    """
    try:
        principal = security.authenticator.authenticate(request.headers.get("authorization"))
        if security.limiter is not None:
            security.limiter.check(principal.organisation_id)
    except SecurityError as error:
        raise ProblemError(
            error.status, error.reason, error.detail, headers=error.headers()
        ) from None
    request.state.security_principal = principal
    return principal
