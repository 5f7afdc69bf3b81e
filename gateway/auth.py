"""Authentication: the ONE dependency every ``/v1`` and ``/fhir`` request passes through.

The caller presents a bearer access token issued by the gateway's own ``/oauth2/token``
endpoint in exchange for a signed JWT client assertion (private_key_jwt, RFC 7523). The
security layer (:mod:`gateway.security.endpoints`) verifies it and applies the
organisation's rate limit; a missing, expired or forged token answers 401 problem+json, a
caller over its limit 429 with ``Retry-After``. Routers and the policy receive a
:class:`Principal`; its ``client_id`` (the organisation id) scopes idempotency keys
(SDS-API-005) and is recorded with every version.

The principal also carries the request's audit trail (SDS-AUD-001): the policy appends an
allowed write to the audit chain inside the write's own transaction, and notes every other
decision (reads, lists, refusals) on the trail, which this dependency stores when the request
ends, whatever its outcome, and then lets the audit log sign a checkpoint when one is due.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError

from gateway.middleware import request_ids
from gateway.security.audit import AuditEvent, AuditLog
from gateway.security.endpoints import GatewaySecurity, authenticate_request
from gateway.security.tokens import Principal as SecurityPrincipal
from gateway.storage import Database

__all__ = ["Principal", "authenticate"]

log = logging.getLogger("sdsx.gateway")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the organisation (``client_id``), its verified token, its audit trail.

    ``trail`` holds audit events still to be stored; ``appended`` counts events already
    appended inside write transactions (both only grow during one request).
    """

    client_id: str
    security: SecurityPrincipal
    audit: AuditLog | None = None
    request_id: str = ""
    correlation_id: str = ""
    trail: list[AuditEvent] = field(default_factory=list, compare=False, hash=False)
    appended: list[int] = field(default_factory=list, compare=False, hash=False)


def _keep_trail(database: Database, principal: Principal) -> None:
    """Store the request's noted audit events, then sign a checkpoint if one is due."""
    if principal.audit is None or not (principal.trail or principal.appended):
        return
    try:
        if principal.trail:
            with database.write() as conn:
                for event in principal.trail:
                    principal.audit.append(conn, event)
        if principal.audit.checkpoint_due(database.engine):
            principal.audit.checkpoint(database.writer)
    except SQLAlchemyError as error:
        log.warning(
            "audit entries not stored",
            extra={
                "sdsx": {
                    "request_id": principal.request_id,
                    "entries": len(principal.trail),
                    "error": type(error).__name__,
                }
            },
        )
    principal.trail.clear()


def authenticate(request: Request) -> Iterator[Principal]:
    """The calling organisation, from its bearer token; 401 or 429 problems otherwise."""
    security: GatewaySecurity = request.app.state.security
    verified = authenticate_request(security, request)
    request.scope["sdsx.client_id"] = verified.organisation_id
    request_id, correlation_id = request_ids(request.scope)
    principal = Principal(
        verified.organisation_id, verified, security.audit, request_id, correlation_id
    )
    request.state.principal = principal
    try:
        yield principal
    finally:
        _keep_trail(request.app.state.database, principal)
