"""Authentication: the ONE dependency every ``/v1`` and ``/fhir`` request passes through.

The caller presents a bearer access token issued by the gateway's own ``/oauth2/token``
endpoint in exchange for a signed JWT client assertion (private_key_jwt, RFC 7523). The
security layer (:mod:`gateway.security.endpoints`) verifies it and applies the
organisation's rate limit; a missing, expired or forged token answers 401 problem+json, a
caller over its limit 429 with ``Retry-After``. Routers and the policy receive a
:class:`Principal`; its ``client_id`` (the organisation id) scopes idempotency keys
(SDS-API-005) and is recorded with every version.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from gateway.security.endpoints import GatewaySecurity, authenticate_request
from gateway.security.tokens import Principal as SecurityPrincipal

__all__ = ["Principal", "authenticate"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the organisation (``client_id``) and its verified token."""

    client_id: str
    security: SecurityPrincipal


def authenticate(request: Request) -> Principal:
    """The calling organisation, from its bearer token; 401 or 429 problems otherwise."""
    security: GatewaySecurity = request.app.state.security
    verified = authenticate_request(security, request)
    request.scope["sdsx.client_id"] = verified.organisation_id
    principal = Principal(verified.organisation_id, verified)
    request.state.principal = principal
    return principal
