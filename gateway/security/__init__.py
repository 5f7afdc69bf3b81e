"""Security for the gateway: who is calling, what they may see, and proof of what happened.

The gateway plugs these parts into its two seams: ``gateway.auth`` (authentication) calls
:class:`~gateway.security.authentication.Authenticator`, and ``gateway.policy``
(authorisation) calls :func:`~gateway.security.policy.decide` and
:func:`~gateway.security.policy.minimise`. Everything else here is used by those two or by
the ``sdsx`` commands (``orgs``, ``token``, ``audit``, ``verify-budget``).
"""
