"""Security for the gateway: who is calling, what they may see, and proof of what happened.

The gateway plugs these parts into its two seams: ``gateway.auth`` (authentication) calls
:class:`~gateway.security.authentication.Authenticator`, and ``gateway.policy``
(authorisation) calls :func:`~gateway.security.policy.decide` and
:func:`~gateway.security.policy.minimise`. Everything else here is used by those two or by
the ``sdsx`` commands (``orgs``, ``token``, ``audit``, ``verify-budget``).
"""

from __future__ import annotations

from gateway.security.access import Role
from gateway.security.audit import AuditEvent, AuditLog, verify
from gateway.security.authentication import Authenticator
from gateway.security.budget_signing import sign_budget, verify_budget
from gateway.security.consent import consent_in_force
from gateway.security.errors import (
    AuthenticationError,
    ConfigurationError,
    RateLimited,
    ScopeError,
    SecurityError,
)
from gateway.security.fieldcrypto import FieldCipher
from gateway.security.policy import AccessContext, Action, Decision, RecordMeta, decide, minimise
from gateway.security.seam import authorize_document, list_predicates
from gateway.security.tokens import Principal

__all__ = [
    "AccessContext",
    "Action",
    "AuditEvent",
    "AuditLog",
    "AuthenticationError",
    "Authenticator",
    "ConfigurationError",
    "Decision",
    "FieldCipher",
    "Principal",
    "RateLimited",
    "RecordMeta",
    "Role",
    "ScopeError",
    "SecurityError",
    "authorize_document",
    "consent_in_force",
    "decide",
    "list_predicates",
    "minimise",
    "sign_budget",
    "verify",
    "verify_budget",
]
