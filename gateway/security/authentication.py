"""Authentication: the token endpoint and the bearer check, the two things the gateway calls.

:class:`Authenticator` ties the registry, the replay cache and the gateway's keys together:

- :meth:`Authenticator.token_response` handles a ``POST /oauth2/token`` form
  (``grant_type=client_credentials`` with a ``client_assertion``, RFC 7523 section 2.2);
- :meth:`Authenticator.authenticate` turns an ``Authorization: Bearer`` header into a
  :class:`~gateway.security.tokens.Principal`, refusing tokens of organisations disabled since
  the token was issued (SDS-SEC-001);
- :meth:`Authenticator.jwks` is the body of ``/.well-known/jwks.json``.

Every refusal is a :class:`~gateway.security.errors.SecurityError` with ``problem()`` and
``headers()`` ready for a problem+json response.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.security.assertions import ASSERTION_TYPE, AssertionPolicy, verify_client_assertion
from gateway.security.errors import AuthenticationError
from gateway.security.keys import GatewayKeyring
from gateway.security.organisations import OrganisationStore
from gateway.security.replay import ReplayCache
from gateway.security.tokens import AccessTokens, Principal

__all__ = ["Authenticator"]


class Authenticator:
    """The gateway's client authentication, ready to be called from its auth seam."""

    def __init__(
        self,
        *,
        organisations: OrganisationStore,
        replay: ReplayCache,
        keyring: GatewayKeyring,
        token_url: str,
        issuer: str,
        token_lifetime_seconds: int = 300,
        leeway_seconds: int = 30,
    ) -> None:
        self.organisations = organisations
        self.replay = replay
        self.assertion_policy = AssertionPolicy(token_url=token_url, leeway_seconds=leeway_seconds)
        self.tokens = AccessTokens(
            keyring,
            issuer=issuer,
            lifetime_seconds=token_lifetime_seconds,
            leeway_seconds=leeway_seconds,
        )

    def jwks(self) -> dict[str, Any]:
        """The gateway's public signing keys (current and not yet removed previous ones)."""
        return self.tokens.keyring.jwks()

    def token_response(
        self, form: Mapping[str, str], *, now: datetime | None = None
    ) -> dict[str, Any]:
        """The JSON body answering a token request, or a :class:`SecurityError`."""
        now = now or datetime.now(UTC)
        if form.get("grant_type") != "client_credentials":
            raise AuthenticationError(
                "unsupported-grant-type", "Only grant_type=client_credentials is supported."
            )
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise AuthenticationError(
                "missing-client-assertion",
                f"Send client_assertion_type={ASSERTION_TYPE} and a signed client_assertion.",
            )
        assertion = form.get("client_assertion") or ""
        organisation = verify_client_assertion(
            assertion,
            policy=self.assertion_policy,
            organisations=self.organisations,
            replay=self.replay,
            now=now,
            client_id=form.get("client_id") or None,
        )
        issued = self.tokens.issue(organisation, scope=form.get("scope"), now=now)
        return issued.as_dict()

    def authenticate(self, authorization: str | None, *, now: datetime | None = None) -> Principal:
        """The caller named by an ``Authorization`` header value; 401 reasons when not."""
        if not authorization:
            raise AuthenticationError("missing-token", "Send Authorization: Bearer <token>.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("missing-token", "Send Authorization: Bearer <token>.")
        principal = self.tokens.verify(token.strip(), now=now)
        organisation = self.organisations.get(principal.organisation_id)
        if organisation is None or not organisation.active:
            raise AuthenticationError("client-disabled", "The organisation is not active.")
        return principal
