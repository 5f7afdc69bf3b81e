"""Authentication: the ONE dependency every ``/v1`` request passes through.

Today the caller names itself in ``X-Client-Id`` (default ``anonymous``). This is the seam
issue #6 replaces with signed-JWT client authentication (private_key_jwt, RFC 7523): only
:func:`authenticate` changes; routers and the policy keep receiving a :class:`Principal`.
The client id scopes idempotency keys (SDS-API-005) and is recorded with every version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Request

from gateway.problems import ProblemError

__all__ = ["ANONYMOUS", "Principal", "authenticate"]

ANONYMOUS = "anonymous"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the client (organisation system) the request is made for."""

    client_id: str


async def authenticate(
    request: Request,
    x_client_id: Annotated[
        str | None,
        Header(alias="X-Client-Id", description="The calling client (until issue #6: JWT)."),
    ] = None,
) -> Principal:
    """The calling client, from ``X-Client-Id``; a malformed id is refused with 401.

    A coroutine because it does no I/O today: FastAPI would otherwise hop to a worker thread
    for it on every request.
    """
    raw = x_client_id
    if raw is None:
        client_id = ANONYMOUS
    elif _CLIENT_ID.match(raw):
        client_id = raw
    else:
        raise ProblemError(
            401,
            "unauthenticated",
            "X-Client-Id must be 1-128 characters of letters, digits, '.', '_', ':' or '-'",
            requirement="SDS-API-014",
        )
    request.scope["sdsx.client_id"] = client_id
    principal = Principal(client_id)
    request.state.principal = principal
    return principal
