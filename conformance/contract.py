"""The API contract group: the target against the published OpenAPI, with schemathesis.

Schemathesis generates requests for every operation of ``spec/openapi.yaml`` (positive and
negative data, a fixed number per operation, seeded by the run's seed). The suite sends them
itself, through the recording target, and checks two things: bad input is never answered
with a 5xx and every error is problem+json (SDS-API-001); every status is one the contract
documents for that operation (SDS-API-018). Generative findings are re-checked before they
can fail a vendor: the exact request is sent again, and a finding that does not reproduce is
only a warning (schemathesis' own history shows false positives are the main hazard).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from conformance.runner import Check, Context, Failure
from spec._paths import ROOT

__all__ = [
    "EXAMPLES_PER_OPERATION",
    "GROUP",
    "OPENAPI",
    "GeneratedRequest",
    "contract_checks",
    "request_from",
    "send_generated",
    "server_error",
    "undocumented",
]

GROUP = "contract"
OPENAPI = ROOT / "openapi.yaml"
EXAMPLES_PER_OPERATION = 3
_FEATURES = frozenset({"contract"})
_DROPPED_HEADERS = frozenset(
    {"authorization", "x-client-id", "user-agent", "accept-encoding", "connection", "cookie"}
)
_PROBLEM = "application/problem+json"
_FHIR = "application/fhir+json"


@dataclass(frozen=True, slots=True)
class GeneratedRequest:
    operation: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    documented: frozenset[str]


@functools.cache
def contract_document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return loaded


def _body(kwargs: dict[str, Any]) -> tuple[bytes | None, dict[str, str]]:
    import json

    headers: dict[str, str] = {}
    if "json" in kwargs:
        headers["Content-Type"] = "application/json"
        return json.dumps(kwargs["json"]).encode(), headers
    for name in ("content", "data"):
        value = kwargs.get(name)
        if isinstance(value, bytes):
            return value, headers
        if isinstance(value, str):
            return value.encode("utf-8", errors="surrogatepass"), headers
    return None, headers


def _generated(seed: int) -> Iterator[GeneratedRequest]:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_path(str(OPENAPI))
    for found in schema.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]
        documented = frozenset(str(s) for s in operation.definition.raw.get("responses", {}))
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            drawn: list[dict[str, Any]] = []

            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis_seed(seed)
            @given(operation.as_strategy(generation_mode=mode))
            def draw(case: Any) -> None:
                drawn.append(case.as_transport_kwargs(base_url="http://target"))  # noqa: B023

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    draw()
                except Exception:  # A strategy that cannot be drawn gives no example here.
                    continue
            for kwargs in drawn:
                yield request_from(operation, kwargs, documented)


def request_from(
    operation: Any, kwargs: dict[str, Any], documented: frozenset[str]
) -> GeneratedRequest:
    """The request schemathesis drew (``case.as_transport_kwargs``), ready to send."""
    from urllib.parse import urlencode

    parts = urlsplit(kwargs["url"])
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    body, extra = _body(kwargs)
    headers = {
        k: str(v)
        for k, v in (kwargs.get("headers") or {}).items()
        if k.lower() not in _DROPPED_HEADERS and not k.lower().startswith("x-schemathesis")
    }
    params = kwargs.get("params") or {}
    if params:
        path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
    return GeneratedRequest(
        operation=f"{operation.method.upper()} {operation.path}",
        method=str(kwargs["method"]).upper(),
        path=path,
        headers={**extra, **headers},
        body=body,
        documented=documented,
    )


@functools.lru_cache(maxsize=4)
def _generated_for(seed: int) -> tuple[GeneratedRequest, ...]:
    # Generation is deterministic for a seed, so one process generates each seed once.
    return tuple(_generated(seed))


def _requests(context: Context) -> tuple[GeneratedRequest, ...]:
    return _generated_for(context.seed)


def send_generated(context: Context, request: GeneratedRequest) -> Any:
    return context.http.send(
        request.method, request.path, content=request.body, headers=request.headers
    )


def server_error(request: GeneratedRequest, response: Any) -> str | None:
    if response.status_code >= 500:
        return f"answered {response.status_code}"
    media = response.headers.get("content-type", "").split(";")[0].strip()
    # FHIR endpoints answer errors as FHIR OperationOutcome resources, as FHIR requires.
    allowed = (
        {_PROBLEM, _FHIR} if request.operation.split(" ")[1].startswith("/fhir") else {_PROBLEM}
    )
    if response.status_code >= 400 and media not in allowed:
        return f"answered {response.status_code} as {media or 'no media type'}, not {_PROBLEM}"
    return None


def undocumented(request: GeneratedRequest, response: Any) -> str | None:
    status = str(response.status_code)
    wildcard = f"{status[0]}XX"
    if (
        status in request.documented
        or wildcard in request.documented
        or "default" in request.documented
    ):
        return None
    listed = ", ".join(sorted(request.documented))
    return f"answered {status}, which the contract does not document ({listed})"


def _fuzz(context: Context, judge: Any) -> str:
    reproduced: list[str] = []
    flaky: list[str] = []
    sent = 0
    for request in _requests(context):
        sent += 1
        reason = judge(request, send_generated(context, request))
        if reason is None:
            # Evidence is kept only for findings: drop the passing exchange.
            context.http.recording.pop()
            continue
        again = judge(request, send_generated(context, request))
        (reproduced if again is not None else flaky).append(f"{request.operation}: {reason}")
        if len(reproduced) >= 5:
            break
    if reproduced:
        raise Failure(f"{len(reproduced)} reproduced finding(s): " + "; ".join(reproduced))
    note = f"; {len(flaky)} finding(s) did not reproduce: {'; '.join(flaky[:3])}" if flaky else ""
    return f"{sent} generated requests{note}"


def _check_no_server_error(context: Context) -> str:
    return _fuzz(context, server_error)


def _check_documented_status(context: Context) -> str:
    return _fuzz(context, undocumented)


def _check_published(context: Context) -> str:
    response = context.http.send("GET", "/openapi.json")
    if response.status_code != 200:
        raise Failure(f"GET /openapi.json answered {response.status_code}")
    served = response.json()
    published = contract_document()
    want = {(p, m) for p, ops in published.get("paths", {}).items() for m in ops}
    got = {(p, m) for p, ops in served.get("paths", {}).items() for m in ops}
    missing = sorted(want - got)
    if missing:
        shown = ", ".join(f"{m.upper()} {p}" for p, m in missing[:8])
        raise Failure(f"the served contract lacks {len(missing)} published operation(s): {shown}")
    for path, operations in published.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            if path.startswith("/v1") and not any(str(s)[0] in "45" for s in responses):
                raise Failure(f"{method.upper()} {path} documents no problem response")
    return f"the served contract has all {len(want)} published operations"


def contract_checks() -> list[Check]:
    """The API contract group."""
    return [
        Check(
            id="contract.published",
            title="The served OpenAPI has every published operation",
            group=GROUP,
            requirements=("SDS-API-018",),
            run=_check_published,
            features=_FEATURES,
        ),
        Check(
            id="contract.no-server-error",
            title="Generated requests never get a 5xx, and errors are problem+json",
            group=GROUP,
            requirements=("SDS-API-001",),
            run=_check_no_server_error,
            features=_FEATURES,
        ),
        Check(
            id="contract.documented-status",
            title="Every status answered to generated requests is documented",
            group=GROUP,
            requirements=("SDS-API-018",),
            run=_check_documented_status,
            features=_FEATURES,
            level="full",
        ),
    ]
