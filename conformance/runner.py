"""The runner: decide which checks apply, run them, and turn what happened into results.

A :class:`Check` names the requirement IDs it verifies, the roles it concerns, the level it
belongs to and the optional features it needs. The runner never drops a check: one that the
declared capabilities exclude is reported ``not-applicable`` with the reason. A check signals
its verdict by returning (pass), raising :class:`Failure` (fail, or warn when every cited
requirement is only a SHOULD or MAY: severity comes from the catalogue, not the test code),
raising :class:`Unverifiable` (skip); anything else it raises is a suite ``error``.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.capabilities import Capabilities
from conformance.results import Outcome, Result, Waiver
from conformance.target import CannotReach, Target
from spec.requirements import Catalogue

__all__ = [
    "Check",
    "Context",
    "Failure",
    "NotApplicable",
    "Unverifiable",
    "applicability",
    "apply_waivers",
    "run_checks",
]


class Failure(AssertionError):
    """The target broke what the check verifies; the message says what and where.

    ``requirements`` narrows the result to the requirements actually broken (a document
    check verifies many and usually breaks one or two).
    """

    def __init__(self, message: str, *, requirements: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.requirements = requirements


class Unverifiable(Exception):
    """The check could not reach a verdict (a precondition the target did not meet)."""


class NotApplicable(Exception):
    """Raised by a check that finds, from its own data, that it cannot concern a target."""


@dataclass(slots=True)
class Context:
    """What a check works with: the capabilities, the target (if any) and the run's seed."""

    capabilities: Capabilities
    catalogue: Catalogue
    target: Target | None = None
    seed: int = 0
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def http(self) -> Target:
        """The target; a check that needs one and has none is a suite defect."""
        if self.target is None:
            raise RuntimeError("this check needs an HTTP target and the run has none")
        return self.target


@dataclass(frozen=True, slots=True)
class Check:
    """One conformance check with a stable ID and the requirement IDs it verifies."""

    id: str
    title: str
    group: str
    requirements: tuple[str, ...]
    run: Callable[[Context], str | None]
    features: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    level: str = "core"
    subject: str = ""
    # Why the check concerns only ``roles``: what the other roles may not do, and its rule.
    role_note: str = ""


def applicability(check: Check, capabilities: Capabilities) -> str | None:
    """``None`` when ``check`` applies to the declared capabilities, else why it does not."""
    missing = sorted(check.features - capabilities.features)
    if missing:
        return f"needs feature(s) {', '.join(missing)}, not declared in the capabilities"
    if check.roles and capabilities.role not in check.roles:
        why = f": {check.role_note}" if check.role_note else ""
        return f"concerns role(s) {', '.join(sorted(check.roles))}, not {capabilities.role}{why}"
    if check.level == "full" and capabilities.level == "core":
        return "belongs to level full; the run is at level core"
    return None


def _severity(requirements: tuple[str, ...], catalogue: Catalogue) -> Outcome:
    levels = {catalogue.get(rid).level for rid in requirements if rid in catalogue}
    return Outcome.FAIL if "MUST" in levels else Outcome.WARN


def _run_one(check: Check, context: Context) -> Result:
    result = Result(
        check_id=check.id,
        title=check.title,
        group=check.group,
        requirements=check.requirements,
        outcome=Outcome.PASS,
        seed=context.seed,
        subject=check.subject,
    )
    started = time.perf_counter()
    try:
        unknown = [r for r in check.requirements if r not in context.catalogue]
        if unknown or not check.requirements:
            result.outcome = Outcome.ERROR
            result.message = (
                f"suite defect: the check cites unknown requirement(s) {', '.join(unknown)}"
                if unknown
                else "suite defect: the check cites no requirement"
            )
        else:
            result.message = check.run(context) or ""
    except Failure as exc:
        if exc.requirements:
            result.requirements = exc.requirements
        result.outcome = _severity(result.requirements, context.catalogue)
        result.message = str(exc)
    except Unverifiable as exc:
        result.outcome = Outcome.SKIP
        result.message = str(exc)
    except NotApplicable as exc:
        result.outcome = Outcome.NOT_APPLICABLE
        result.message = str(exc)
    except CannotReach as exc:
        result.outcome = Outcome.SKIP
        result.message = f"could not verify: {exc}"
    except Exception as exc:  # Anything else a check raises is, by definition, a suite defect.
        result.outcome = Outcome.ERROR
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        result.message = f"suite defect: {type(exc).__name__}: {exc}{where}"
    result.duration_ms = (time.perf_counter() - started) * 1000
    if context.target is not None:
        evidence = context.target.take_recording()
        # Evidence is what a reader needs to see a problem; a pass keeps the report small.
        result.evidence = [] if result.outcome is Outcome.PASS else evidence
    return result


def apply_waivers(results: list[Result], waivers: Iterable[Waiver], today: dt.date) -> None:
    """Attach each unexpired waiver to the failing or skipped results it names.

    A waiver names a check ID or a requirement ID. Expired waivers are ignored, so an old
    waiver can never hide a failure for ever (schemathesis baselines with ``expires``).
    """
    live = [w for w in waivers if dt.date.fromisoformat(w.expires) >= today]
    for result in results:
        if result.outcome not in (Outcome.FAIL, Outcome.SKIP, Outcome.WARN):
            continue
        for waiver in live:
            if waiver.target == result.check_id or waiver.target in result.requirements:
                result.waiver = waiver
                break


def run_checks(
    checks: Iterable[Check],
    context: Context,
    *,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Run every applicable check in order; report the others as not applicable."""
    results: list[Result] = []
    for check in checks:
        reason = applicability(check, context.capabilities)
        if reason is not None:
            result = Result(
                check_id=check.id,
                title=check.title,
                group=check.group,
                requirements=check.requirements,
                outcome=Outcome.NOT_APPLICABLE,
                message=reason,
                subject=check.subject,
            )
        else:
            result = _run_one(check, context)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
