"""Security errors: every refusal the security layer makes, typed, with a stable reason.

The hierarchy::

    SecurityError                  base; ``status``, ``reason``, ``detail``, ``problem()``
    ├── AuthenticationError        401: who the caller is could not be established
    ├── ScopeError                 400: the client asked for a scope its role does not give
    ├── RateLimited                429: too many requests; carries ``retry_after`` seconds
    └── ConfigurationError         500 at start-up: unsafe or unreadable security settings

``reason`` is a short, stable code (``expired``, ``wrong-audience``, ``replayed-jti``...) that
tests and clients can rely on; ``detail`` is a sentence for people. Neither ever contains a
key, a token, a signature or personal data (SDS-SEC-010).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "PROBLEM_BASE",
    "AuthenticationError",
    "ConfigurationError",
    "RateLimited",
    "ScopeError",
    "SecurityError",
]

PROBLEM_BASE = "https://spec.sdsx.scot/v1/problems/"


class SecurityError(Exception):
    """Base class of the security layer's refusals."""

    status: int = 500
    title: str = "Security error"
    oauth_error: str = ""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    def problem(self, *, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 problem+json body for this refusal."""
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.reason,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "reason": self.reason,
        }
        if self.oauth_error:
            # RFC 6749 section 5.2 clients look for ``error``; keep them working.
            body["error"] = self.oauth_error
        if instance:
            body["instance"] = instance
        return body

    def headers(self) -> dict[str, str]:
        """Response headers that go with the problem body."""
        return {}


class AuthenticationError(SecurityError):
    """The caller's identity could not be established (401)."""

    status = 401
    title = "Authentication failed"
    oauth_error = "invalid_client"

    def headers(self) -> dict[str, str]:
        return {
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{self.reason}"'
        }


class ScopeError(SecurityError):
    """The token request asked for scopes the organisation's role does not give (400)."""

    status = 400
    title = "Scope not allowed"
    oauth_error = "invalid_scope"


class RateLimited(SecurityError):
    """The organisation spent its request allowance; retry after ``retry_after`` seconds (429)."""

    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate-limited", f"The request rate limit is exhausted; retry after {retry_after} s."
        )
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ConfigurationError(SecurityError):
    """Security configuration that must stop the gateway from starting."""

    status = 500
    title = "Unsafe security configuration"
