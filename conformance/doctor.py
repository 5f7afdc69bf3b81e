"""The doctor: checks a target before a run and explains why a run would test nothing.

It looks at reachability (``/healthz`` or the base URL), the served contract
(``/openapi.json`` parses and names operations), the credentials (a token can be obtained
and a list call is accepted) and the declared capabilities (which groups they switch on).
Each finding is ``ok``, ``warn`` or ``problem``; any problem means a run cannot be made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from conformance.capabilities import FEATURES, Capabilities
from conformance.runner import applicability
from conformance.session import all_target_checks
from conformance.target import CannotReach, Target

__all__ = ["Finding", "diagnose"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the doctor looked at: ``ok``, ``warn`` or ``problem``, and what it saw."""

    status: str
    topic: str
    detail: str


def _reachable(target: Target) -> Finding:
    try:
        response = target.send("GET", "/healthz", auth=False)
    except CannotReach as exc:
        return Finding("problem", "reachability", f"the target does not answer: {exc}")
    if response.status_code == 200:
        return Finding("ok", "reachability", f"{target.url('/healthz')} answered 200")
    return Finding(
        "warn", "reachability", f"/healthz answered {response.status_code}; the target is up"
    )


def _contract(target: Target) -> Finding:
    try:
        response = target.send("GET", "/openapi.json", auth=False)
    except CannotReach as exc:
        return Finding("problem", "contract", str(exc))
    if response.status_code != 200:
        return Finding(
            "warn",
            "contract",
            f"/openapi.json answered {response.status_code}; contract.published will fail",
        )
    try:
        paths = response.json().get("paths", {})
    except (ValueError, AttributeError):
        return Finding("problem", "contract", "/openapi.json is not a JSON OpenAPI document")
    return Finding("ok", "contract", f"the served contract names {len(paths)} paths")


def _credentials(target: Target) -> Finding:
    caps = target.capabilities
    if caps.authentication != "none" and not caps.clients:
        return Finding(
            "problem",
            "credentials",
            f"authentication is {caps.authentication} but no client is given "
            "(--client-id/--key or clients in the capabilities file)",
        )
    try:
        response = target.send("GET", "/v1/persons?limit=1")
    except CannotReach as exc:
        return Finding("problem", "credentials", str(exc))
    if response.status_code == 200:
        return Finding("ok", "credentials", "an authenticated list call was accepted")
    return Finding(
        "problem",
        "credentials",
        f"an authenticated list call answered {response.status_code}: every check would skip",
    )


def _capabilities(caps: Capabilities) -> Iterator[Finding]:
    checks = all_target_checks()
    applicable = [c for c in checks if applicability(c, caps) is None]
    undeclared = sorted(set(FEATURES) - caps.features - {"documents"})
    yield Finding(
        "ok" if applicable else "problem",
        "capabilities",
        f"role {caps.role}, level {caps.level}: {len(applicable)} of {len(checks)} checks apply"
        + (f"; not declared: {', '.join(undeclared)}" if undeclared else ""),
    )
    if "security" in caps.features and len(caps.clients) < 2:
        yield Finding(
            "warn",
            "capabilities",
            "security is declared with one client: security.cross-organisation will skip "
            "and block a pass; declare a second client of another organisation",
        )
    helped = caps.client_of_role("council") is not None or bool(caps.person_id)
    if caps.role != "council" and not helped:
        yield Finding(
            "warn",
            "capabilities",
            f"a {caps.role} may not store people, so checks whose records name one will skip "
            "and block a pass: declare a client with role council (--council-client-id) or a "
            "stored person in records.person (--person-id)",
        )


def diagnose(target: Target) -> list[Finding]:
    """Every finding about ``target``, in the order a run depends on them."""
    findings = [_reachable(target)]
    if findings[0].status == "problem":
        return findings
    findings += [_contract(target), _credentials(target), *_capabilities(target.capabilities)]
    target.take_recording()
    return findings
