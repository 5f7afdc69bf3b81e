"""The contract group's stateful phase: schemathesis walks the published OpenAPI links.

``spec/openapi.yaml`` links each record-returning response to the record's read, update
(with its ETag and body), history and version operations. Schemathesis builds a state
machine from those links and draws sequences of calls; the suite sends every call itself,
through the recording target, so the evidence shows what the target answered. A sequence
walks the collection of the record the main client's role owns, and a sequence starting
with its create sends a valid fresh record (:mod:`conformance.roles`), so the links have a
real record to follow.

Each response is judged as the generated phase judges it (no 5xx, errors as problem+json,
SDS-API-001; statuses documented, SDS-API-018), and a link from a stored record to its
read, history or version must find it (SDS-API-018: the contract's links must hold). Every
finding is re-checked before it counts: the exact request is sent again, and one that does
not reproduce is reported only in the message.
"""

from __future__ import annotations

import functools
import json
import random
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.contract import (
    GROUP,
    OPENAPI,
    GeneratedRequest,
    request_from,
    send_generated,
    server_error,
    undocumented,
)
from conformance.roles import own_collection, own_document
from conformance.runner import Check, Context, Failure

__all__ = ["SCENARIOS", "STEPS", "stateful_checks"]

SCENARIOS = 12
STEPS = 6
# Link targets that read a stored record: following them from a 2xx must find it.
_READS = ("read", "history", "version")
Judge = Callable[[GeneratedRequest, Any], "str | None"]


@dataclass(slots=True)
class _Walk:
    """What one stateful run saw: steps sent, links followed, and findings to re-check."""

    steps: int = 0
    followed: int = 0
    creates: int = 0
    findings: list[tuple[GeneratedRequest, Judge, str]] = field(default_factory=list)


def _link_lost(request: GeneratedRequest, response: Any) -> str | None:
    if response.status_code == 200:
        return None
    return f"a link from a stored record led to {response.status_code}, not 200"


def _fully_applied(step: Any) -> bool:
    """Whether the step took every value its link extracts (not a random stand-in)."""
    wanted = {name for values in step.transition.parameters.values() for name in values}
    return bool(wanted) and wanted <= {name for _, name in step.applied_parameters}


def _follow(context: Context, request: GeneratedRequest, walk: _Walk) -> None:
    """Read what a link names, without the generated query or headers: it must be there."""
    plain = replace(request, path=request.path.split("?")[0], headers={}, body=None)
    reason = _link_lost(plain, send_generated(context, plain))
    if reason is not None:
        walk.findings.append((plain, _link_lost, reason))


@functools.cache
def _schema(collection: str) -> Any:
    """The contract narrowed to one collection: the walks stay on records the role owns."""
    import schemathesis

    schema = schemathesis.openapi.from_path(str(OPENAPI))
    return schema.include(path_regex=f"^/v1/{collection}(/|$)")


def _documented(case: Any) -> frozenset[str]:
    return frozenset(str(s) for s in case.operation.definition.raw.get("responses", {}))


def _machine(context: Context, walk: _Walk) -> type:
    """The schema's state machine, sending through the target and judging every step."""
    from schemathesis import Response
    from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

    collection = own_collection(context)
    base: type = _schema(collection).as_state_machine()
    create = f"POST /v1/{collection}"

    class Walker(base):  # type: ignore[misc]
        def step(self, input: StepInput) -> StepOutput:
            case = input.case
            kwargs = case.as_transport_kwargs(base_url="http://target")
            request = request_from(case.operation, kwargs, _documented(case))
            if input.transition is None and request.operation == create:
                # A root create carries a valid fresh record, so its links lead somewhere.
                # A new generator per create: replays must not meet an identifier conflict.
                walk.creates += 1
                rng = random.Random(
                    f"{context.state.get('nonce', '')}{context.seed}:{walk.creates}"
                )
                body = json.dumps(own_document(context, rng)).encode()
                headers = {"Content-Type": "application/json"}
                request = replace(request, body=body, headers=headers)
            response = send_generated(context, request)
            walk.steps += 1
            for judge in (server_error, undocumented):
                reason = judge(request, response)
                if reason is not None:
                    walk.findings.append((request, judge, reason))
            if input.transition is not None and _fully_applied(input):
                walk.followed += 1
                # The id reads "SOURCE -> [STATUS] NAME -> TARGET"; NAME is the link's.
                name = input.transition.id.split(" -> ")[1].rsplit(" ", 1)[-1]
                if name in _READS:
                    _follow(context, request, walk)
            output = Response.from_httpx(response, verify=True)
            self.after_call(output, case)
            return StepOutput(output, case)

        def validate_response(self, *args: Any, **kwargs: Any) -> None:
            # The suite judges each step itself, in step(); schemathesis' checks stay off.
            return None

    return Walker


def _check_stateful(context: Context) -> str:
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import HypothesisException
    from schemathesis.generation.stateful import run_state_machine_as_test

    walk = _Walk()
    machine = _machine(context, walk)
    options = settings(
        max_examples=SCENARIOS,
        stateful_step_count=STEPS,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    ended = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            run_state_machine_as_test(hypothesis_seed(context.seed)(machine), settings=options)
        except HypothesisException as exc:
            # A target whose answers change between replays ends the walk early; what it
            # found so far is still judged, and the message says why it stopped.
            ended = f"; the walk ended early ({type(exc).__name__})"
    # Only the re-checks below are evidence; the walk itself is summarised in the message.
    context.http.take_recording()
    reproduced: list[str] = []
    flaky: list[str] = []
    for request, judge, reason in walk.findings:
        again = judge(request, send_generated(context, request))
        (reproduced if again is not None else flaky).append(f"{request.operation}: {reason}")
    if reproduced:
        raise Failure(
            f"{len(reproduced)} reproduced finding(s) in {walk.steps} stateful steps: "
            + "; ".join(reproduced[:5]),
            requirements=("SDS-API-001", "SDS-API-018"),
        )
    note = f"; {len(flaky)} finding(s) did not reproduce: {'; '.join(flaky[:3])}" if flaky else ""
    if walk.followed == 0:
        raise Failure(
            f"{walk.steps} stateful steps followed no link: no create answered 201, so the "
            "contract's links could not be walked",
            requirements=("SDS-API-018",),
        )
    return f"{walk.steps} stateful steps, {walk.followed} along links{note}{ended}"


def stateful_checks() -> list[Check]:
    """The stateful phase of the contract group."""
    return [
        Check(
            id="contract.stateful-links",
            title="Sequences along the contract's links keep the contract",
            group=GROUP,
            requirements=("SDS-API-001", "SDS-API-018"),
            run=_check_stateful,
            features=frozenset({"contract"}),
        )
    ]
