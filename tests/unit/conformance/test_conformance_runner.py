"""The runner's verdicts: severity from the catalogue, applicability, errors, waivers."""

from __future__ import annotations

import datetime as dt

import pytest

from conformance.capabilities import parse_capabilities
from conformance.results import Outcome, Waiver, exit_code
from conformance.runner import (
    Check,
    Context,
    Failure,
    NotApplicable,
    Unverifiable,
    apply_waivers,
    run_checks,
)
from spec.requirements import load_catalogue

CATALOGUE = load_catalogue()
# Built in two parts so the repository-wide cited-ID test does not read it as a citation.
UNKNOWN_ID = "SDS-" + "ZZZ-999"
CAPS = parse_capabilities({"role": "council", "level": "core", "features": ["behaviour"]})


def _check(run, requirements=("SDS-API-006",), **kw) -> Check:  # type: ignore[no-untyped-def]
    return Check(id="t.check", title="t", group="t", requirements=requirements, run=run, **kw)


def _fail(_: Context) -> str:
    raise Failure("broken")


def _run(*checks: Check):  # type: ignore[no-untyped-def]
    return run_checks(list(checks), Context(CAPS, CATALOGUE))


def test_a_broken_must_fails_and_a_broken_should_only_warns() -> None:
    must, should = _run(_check(_fail), _check(_fail, requirements=("SDS-API-019",)))
    assert must.outcome is Outcome.FAIL
    assert should.outcome is Outcome.WARN
    assert exit_code([should]) == 0
    assert exit_code([must, should]) == 1


def test_skip_blocks_a_pass_and_not_applicable_does_not() -> None:
    def skip(_: Context) -> str:
        raise Unverifiable("no data")

    def na(_: Context) -> str:
        raise NotApplicable("engine only")

    skipped, not_applicable = _run(_check(skip), _check(na))
    assert skipped.outcome is Outcome.SKIP
    assert not_applicable.outcome is Outcome.NOT_APPLICABLE
    assert exit_code([skipped]) == 1
    assert exit_code([not_applicable]) == 0


def test_undeclared_features_roles_and_levels_are_reported_not_dropped() -> None:
    results = _run(
        _check(_fail, features=frozenset({"security"})),
        _check(_fail, features=frozenset({"behaviour"}), roles=frozenset({"funder"})),
        _check(_fail, features=frozenset({"behaviour"}), level="full"),
    )
    assert [r.outcome for r in results] == [Outcome.NOT_APPLICABLE] * 3
    assert "security" in results[0].message
    assert "funder" in results[1].message
    assert "full" in results[2].message


@pytest.mark.parametrize("requirements", [(), (UNKNOWN_ID,)])
def test_a_check_citing_nothing_or_an_unknown_id_is_a_suite_error(
    requirements: tuple[str, ...],
) -> None:
    (result,) = _run(_check(lambda _: "ok", requirements=requirements))
    assert result.outcome is Outcome.ERROR
    assert exit_code([result]) == 3


def test_an_exception_in_a_check_is_a_suite_error_naming_where() -> None:
    def crash(_: Context) -> str:
        return str(1 / 0)

    (result,) = _run(_check(crash))
    assert result.outcome is Outcome.ERROR
    assert "ZeroDivisionError" in result.message
    assert "test_conformance_runner.py" in result.message


def test_a_failure_narrows_to_the_requirements_it_broke() -> None:
    def narrow(_: Context) -> str:
        raise Failure("bad CHI", requirements=("SDS-IDN-002",))

    (result,) = _run(_check(narrow, requirements=("SDS-IDN-002", "SDS-IDN-003")))
    assert result.requirements == ("SDS-IDN-002",)


def test_live_waivers_apply_and_expired_ones_do_not() -> None:
    results = _run(_check(_fail), _check(_fail, requirements=("SDS-API-005",)))
    today = dt.date(2026, 6, 1)
    apply_waivers(
        results,
        [
            Waiver("SDS-API-006", "fix in release 4.2", "2026-12-31"),
            Waiver("SDS-API-005", "old", "2026-01-01"),
        ],
        today,
    )
    assert results[0].waiver is not None
    assert results[1].waiver is None
    assert exit_code(results[:1]) == 0
    assert exit_code(results) == 1
