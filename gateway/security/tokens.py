"""Access tokens: the short-lived bearer tokens the gateway issues and checks (RFC 9068 shape).

A token is a JWT signed by the gateway's own ES256 key (published as a JWKS), typed
``at+jwt`` so that a client assertion can never be replayed as an access token. It names the
organisation (``sub``, ``client_id``), its role, official code and funder kind, and the scopes
the role gives (from ``spec/access/policy.json``, SDS-SEC-007). Verification gives a
:class:`Principal`, the one object the policy decides on.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError

from gateway.security.access import Role, role_rules
from gateway.security.assertions import check_algorithm, compact_header
from gateway.security.errors import AuthenticationError, ScopeError
from gateway.security.keys import GATEWAY_ALGORITHM, GatewayKeyring, jws_registry, public_key_set
from gateway.security.organisations import Organisation

__all__ = ["TOKEN_TYPE", "AccessTokens", "IssuedToken", "Principal"]

TOKEN_TYPE = "at+jwt"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an organisation, its role and the scopes its token carries."""

    organisation_id: str
    role: Role
    code: str
    scopes: frozenset[str]
    funder_kind: str | None = None
    token_id: str = ""

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token endpoint response (RFC 6749 section 5.1)."""

    access_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"

    def as_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "scope": self.scope,
        }


def _refuse(reason: str, detail: str) -> AuthenticationError:
    return AuthenticationError(reason, detail)


class AccessTokens:
    """Issues and verifies the gateway's access tokens."""

    def __init__(
        self,
        keyring: GatewayKeyring,
        *,
        issuer: str,
        audience: str | None = None,
        lifetime_seconds: int = 300,
        leeway_seconds: int = 30,
    ) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience or issuer
        self.lifetime_seconds = lifetime_seconds
        self.leeway_seconds = leeway_seconds

    def scopes_for(self, organisation: Organisation, requested: str | None) -> frozenset[str]:
        """The scopes to grant: the role's, narrowed to ``requested`` when the client asks."""
        granted = role_rules(organisation.role).scopes
        if not requested:
            return granted
        asked = frozenset(requested.split())
        extra = asked - granted
        if extra:
            raise ScopeError(
                "scope-not-allowed",
                f"A {organisation.role} may not hold: {' '.join(sorted(extra))}.",
            )
        return asked

    def issue(
        self,
        organisation: Organisation,
        *,
        scope: str | None = None,
        now: datetime | None = None,
    ) -> IssuedToken:
        """A new access token for ``organisation``."""
        scopes = self.scopes_for(organisation, scope)
        issued = int((now or datetime.now(UTC)).timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": organisation.id,
            "client_id": organisation.id,
            "iat": issued,
            "exp": issued + self.lifetime_seconds,
            "jti": str(uuid.uuid4()),
            "scope": " ".join(sorted(scopes)),
            "sdsx_role": organisation.role.value,
            "sdsx_code": organisation.code,
        }
        if organisation.funder_kind:
            claims["sdsx_funder_kind"] = organisation.funder_kind
        token = self.keyring.current.sign(
            json.dumps(claims, sort_keys=True).encode(), {"typ": TOKEN_TYPE}
        )
        return IssuedToken(token, self.lifetime_seconds, claims["scope"])

    def verify(self, token: str, *, now: datetime | None = None) -> Principal:
        """The principal ``token`` names, or :class:`AuthenticationError` saying why not."""
        now = now or datetime.now(UTC)
        header = compact_header(token)
        alg = check_algorithm(header.get("alg"), (GATEWAY_ALGORITHM,))
        if header.get("typ") != TOKEN_TYPE:
            raise _refuse("not-an-access-token", f"An access token has typ '{TOKEN_TYPE}'.")
        kid = header.get("kid")
        public = self.keyring.public_key(kid) if isinstance(kid, str) else None
        if public is None:
            raise _refuse("unknown-kid", "The token was not signed by a current gateway key.")
        try:
            verified = jws.deserialize_compact(
                token,
                public_key_set([public]).keys[0],
                algorithms=[alg],
                registry=jws_registry([alg]),
            )
            claims = json.loads(verified.payload)
        except BadSignatureError as exc:
            raise _refuse("bad-signature", "The token's signature does not verify.") from exc
        except (JoseError, ValueError) as exc:
            raise _refuse("malformed", "The token could not be read.") from exc
        return self._principal(claims, now)

    def _principal(self, claims: Any, now: datetime) -> Principal:
        if not isinstance(claims, dict):
            raise _refuse("malformed", "The token's claims are not a JSON object.")
        if claims.get("iss") != self.issuer:
            raise _refuse("wrong-issuer", "The token was not issued by this gateway.")
        if claims.get("aud") != self.audience:
            raise _refuse("wrong-audience", "The token is for another audience.")
        exp = claims.get("exp")
        if not isinstance(exp, int) or isinstance(exp, bool):
            raise _refuse("missing-claim", "The token has no 'exp'.")
        if exp <= int(now.timestamp()) - self.leeway_seconds:
            raise _refuse("expired", "The token has expired; request a new one.")
        try:
            role = Role(claims["sdsx_role"])
            return Principal(
                organisation_id=str(claims["sub"]),
                role=role,
                code=str(claims["sdsx_code"]),
                scopes=frozenset(str(claims["scope"]).split()),
                funder_kind=claims.get("sdsx_funder_kind"),
                token_id=str(claims["jti"]),
            )
        except (KeyError, ValueError) as exc:
            raise _refuse("missing-claim", "The token lacks a claim the gateway needs.") from exc
