"""Role boundaries: what each role may and may not write and read, checked over HTTP.

The cross-organisation check proves another organisation cannot see a record. These checks
prove each role's own rule (SDS-SEC-023 to SDS-SEC-025): a council writes only people of
its area; an NHS board reads a person only once a joint assessment names it, and writes only
joint assessments naming it and NHS lines it pays; a funder writes only lines of its own
funding source, receives no person, and reads a person's budget totals only while that
person's consent to it is in force. A refused write must be 403 or 404 problem+json; a
refused read 404 (SDS-SEC-021). Each check applies to its own role only.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

import httpx

from conformance.behaviour import expect_problem
from conformance.fixtures import person, support_plan
from conformance.roles import funder_source, own_document, own_line, store, subject
from conformance.runner import Check, Context, Failure, Unverifiable
from spec.valuesets import valueset

__all__ = ["boundary_checks"]

GROUP = "security"
# A refused write is a problem answer that stores nothing: 403, or, where the document names a
# record the writer may not read, 404 or 422 exactly as for a missing record, so the refusal
# reveals nothing (SDS-SEC-021).
_REFUSED = (403, 404, 422)
_FEATURES = frozenset({"security", "behaviour"})


def _rng(context: Context, name: str) -> random.Random:
    return random.Random(f"{context.state.get('nonce', '')}{context.seed}:bounds:{name}")


def _other(valueset_id: str, own: str) -> str:
    """Another code of ``valueset_id`` than ``own``: an organisation that is not the caller."""
    return next(c.code for c in valueset(valueset_id).codes if c.code != own and "." not in c.code)


def _refused(context: Context, document: dict[str, Any], what: str, requirement: str) -> None:
    collection = {"person": "persons", "assessment": "assessments"}.get(
        document["type"], "funding-lines"
    )
    response = context.http.send("POST", f"/v1/{collection}", json_body=document)
    if response.status_code == 201:
        raise Failure(
            f"{what} was stored (201); the role may not write it", requirements=(requirement,)
        )
    expect_problem(response, _REFUSED, what)


def _shown(context: Context, path: str, what: str, requirement: str) -> httpx.Response:
    """``GET path`` must answer 200: the role may read ``what``."""
    response = context.http.send("GET", path)
    if response.status_code != 200:
        raise Failure(f"{what} reads {response.status_code}, not 200", requirements=(requirement,))
    return response


def _hidden(context: Context, path: str, what: str, requirement: str) -> None:
    response = context.http.send("GET", path)
    if response.status_code != 404:
        raise Failure(
            f"{what}: GET {path} answered {response.status_code}, not 404",
            requirements=(requirement, "SDS-SEC-021"),
        )


def _check_council(context: Context) -> str:
    own = context.http.organisation(0)
    if not own.startswith("S12"):
        raise Unverifiable("declare the main client's organisation (its GSS S12 code)")
    elsewhere = person(_rng(context, "council"), _other("council-area", own))
    _refused(context, elsewhere, "a person in another council's area", "SDS-SEC-023")
    return "a council may not write a person of another council's area"


def _check_board(context: Context) -> str:
    rng = _rng(context, "board")
    owner = subject(context, rng)
    if owner.fresh:
        _hidden(
            context, f"/v1/persons/{owner.id}", "a person no joint assessment names", "SDS-SEC-024"
        )
    board = context.http.organisation(0)
    other = _other("health-board", board)
    foreign = own_document(context, rng, owner)
    foreign["health_board"] = dict(foreign["health_board"], code=other)
    found = valueset("health-board").get(other)
    foreign["health_board"]["name"] = found.display if found is not None else other
    _refused(context, foreign, "a joint assessment naming another board", "SDS-SEC-024")
    line = own_line(context, rng, owner)
    line["payer"] = dict(line["payer"], code=other)
    _refused(context, line, "an NHS line another board pays", "SDS-SEC-024")
    _refused(context, person(rng), "a person", "SDS-SEC-024")
    store(context, own_document(context, rng, owner), what="a joint assessment naming the board")
    what = "the person a joint assessment names the board in"
    _shown(context, f"/v1/persons/{owner.id}", what, "SDS-SEC-024")
    return "a board sees a person once named in a joint assessment, and writes only its own"


def _check_funder(context: Context) -> str:
    rng = _rng(context, "funder")
    own = funder_source(context)
    other = next(s for s in ("ilf-scotland", "dwp-access-to-work", "saas-dsa") if s != own)
    line = own_line(context, rng, None)
    line["source"] = other
    _refused(context, line, f"a line of the {other} funding source", "SDS-SEC-025")
    _refused(context, person(rng), "a person", "SDS-SEC-025")
    stored = store(context, own_line(context, rng, None), what="a line of the funder's source")
    _shown(context, f"/v1/funding-lines/{stored['id']}", "the funder's own line", "SDS-SEC-025")
    return "a funder writes and reads lines of its own source only, and no person"


def _consenting(rng: random.Random, area: str, funder: str, consent: bool) -> dict[str, Any]:
    document = person(rng, area)
    today = dt.datetime.now(dt.UTC).date()
    grant = copy.deepcopy(document["consents"][0])
    grant.update(
        id="cnf-totals",
        purpose="budget-totals",
        recipient={"kind": "funder", "code": funder, "name": funder},
        period={
            "start": (today - dt.timedelta(days=30)).isoformat(),
            "end": (today + dt.timedelta(days=365)).isoformat(),
        },
    )
    document["consents"] = [*document["consents"], grant] if consent else document["consents"]
    return document


def _budget(context: Context, helper: int, owner: dict[str, Any], rng: random.Random) -> str:
    plan = store(context, support_plan(rng, owner), client_index=helper, what="a support plan")
    path = context.capabilities.budget_compute_path
    computed = context.http.send("POST", path, json_body={"plan": plan["id"]}, client_index=helper)
    if computed.status_code not in (200, 201):
        raise Unverifiable(
            f"the council client could not compute a budget ({computed.status_code})"
        )
    return str(computed.json()["id"])


def _check_funder_consent(context: Context) -> str:
    helper = context.capabilities.client_of_role("council")
    if helper is None:
        raise Unverifiable(
            "a funder sees budgets only of people who consented, and only a council stores "
            "them: declare a client with role council (--council-client-id, --council-key)"
        )
    rng = _rng(context, "consent")
    area = context.capabilities.clients[helper].organisation
    funder = context.http.organisation(0)
    budgets = {}
    for consent in (True, False):
        owner = store(
            context, _consenting(rng, area, funder, consent), client_index=helper, what="a person"
        )
        budgets[consent] = _budget(context, helper, owner, rng)
    _hidden(context, f"/v1/budgets/{budgets[False]}", "a budget without consent", "SDS-SEC-025")
    what = "a budget whose person consented to this funder"
    read = _shown(context, f"/v1/budgets/{budgets[True]}", what, "SDS-SEC-025")
    leaked = sorted({"lines", "allocations", "flags"} & set(read.json()))
    if leaked or set(read.json().get("totals", {})) - {"gross", "net"}:
        raise Failure(
            "the funder received more than the budget totals: "
            f"{leaked or 'totals beyond gross and net'}",
            requirements=("SDS-SEC-022",),
        )
    return "a funder reads a budget's totals only, and only while the person's consent is in force"


def boundary_checks() -> list[Check]:
    """One check per role's own rule; each is not applicable to the other roles."""
    table = [
        (
            "council",
            "A council's boundaries",
            ("SDS-SEC-020", "SDS-SEC-023"),
            _check_council,
            _FEATURES,
        ),
        (
            "health-board",
            "An NHS board's boundaries",
            ("SDS-SEC-020", "SDS-SEC-024"),
            _check_board,
            _FEATURES,
        ),
        (
            "funder",
            "A funder's boundaries",
            ("SDS-SEC-020", "SDS-SEC-025"),
            _check_funder,
            _FEATURES,
        ),
    ]
    checks = [
        Check(
            id=f"security.{role}-boundaries",
            title=title,
            group=GROUP,
            requirements=requirements,
            run=run,
            features=features,
            roles=frozenset({role}),
            role_note=f"it checks what a {role} itself may write and read",
        )
        for role, title, requirements, run, features in table
    ]
    checks.append(
        Check(
            id="security.funder-consent",
            title="A funder sees budget totals only with the person's consent",
            group=GROUP,
            requirements=("SDS-SEC-022", "SDS-SEC-025"),
            run=_check_funder_consent,
            features=_FEATURES | {"budget-compute"},
            roles=frozenset({"funder"}),
            role_note="it checks what a funder itself may read",
        )
    )
    return checks
