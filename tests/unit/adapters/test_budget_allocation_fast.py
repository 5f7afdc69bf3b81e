"""The allocation's shortcut gives exactly the flow the network simplex gives, or stands aside.

``layered_flow`` skips networkx when the min-cost maximum flow is provably unique
(SDS-BUD-017). These tests pin that it can never change a result: on generated problems full
of ties and exact fits, whatever it returns equals :func:`solve` edge for edge, and on every
budget vector the engine gives the same budget with the shortcut and without it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.budget import allocation, compute_budget
from adapters.budget.allocation import layered_flow, network, solve

Problem = tuple[dict[str, int], dict[str, int], dict[str, list[str]], dict[str, int]]

VECTORS = sorted(
    (Path(__file__).resolve().parents[3] / "conformance" / "vectors" / "budget").glob("*.json")
)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Small problems whose amounts come from a few values, so ties and exact fits are common."""
    amounts = st.sampled_from([1, 2, 3, 5, 8, 10, 13])
    items = [f"i{n}" for n in range(draw(st.integers(1, 4)))]
    costs = {item: draw(amounts) for item in items}
    nets: dict[str, int] = {}
    ranks: dict[str, int] = {}
    edges: dict[str, list[str]] = {}
    for n in range(draw(st.integers(1, 6))):
        line = f"l{n}"
        nets[line] = draw(amounts)
        ranks[line] = draw(st.integers(1, 3))
        reached = [item for item in items if draw(st.integers(0, 2)) == 0]
        if reached:
            edges[line] = reached
    return nets, costs, edges, ranks


def _solved(problem: Problem) -> dict[str, dict[str, int]]:
    nets, costs, edges, ranks = problem
    return solve(
        network(nets, costs, edges, ranks), dearest=max(ranks.values()), supply=sum(nets.values())
    )


def _line_flows(problem: Problem, flow: dict[str, dict[str, int]]) -> dict[tuple[str, str], int]:
    _, _, edges, _ = problem
    return {
        (line, item): flow["L" + line]["I" + item]
        for line, items in edges.items()
        for item in items
    }


@settings(max_examples=400, deadline=None)
@given(problems())
def test_the_shortcut_equals_the_network_simplex_whenever_it_answers(problem: Problem) -> None:
    fast = layered_flow(*problem)
    if fast is not None:
        assert _line_flows(problem, fast) == _line_flows(problem, _solved(problem))


def test_the_shortcut_answers_when_each_line_has_one_open_item() -> None:
    # Access to Work (rank 1) fills the work item; the council line (rank 4) could fund work
    # too, but work is full by then, so it can only go to personal assistance.
    problem: Problem = (
        {"atw": 7, "council": 9},
        {"pa": 10, "work": 7},
        {"atw": ["work"], "council": ["pa", "work"]},
        {"atw": 1, "council": 4},
    )
    fast = layered_flow(*problem)
    assert fast is not None
    assert _line_flows(problem, fast) == {
        ("atw", "work"): 7,
        ("council", "pa"): 9,
        ("council", "work"): 0,
    }
    assert _line_flows(problem, fast) == _line_flows(problem, _solved(problem))


@pytest.mark.parametrize(
    "problem",
    [
        # One line with two items that both have room: how to split it is a tie.
        ({"council": 5}, {"pa": 4, "leisure": 4}, {"council": ["pa", "leisure"]}, {"council": 4}),
        # Two lines of one rank sharing an item too small for both: a tie between the lines.
        ({"a": 3, "b": 3}, {"pa": 4}, {"a": ["pa"], "b": ["pa"]}, {"a": 4, "b": 4}),
    ],
)
def test_the_shortcut_stands_aside_for_ties(problem: Problem) -> None:
    assert layered_flow(*problem) is None


def _budget(vector: dict[str, Any]) -> dict[str, Any]:
    budget = compute_budget(
        vector["plan"],
        vector["lines"],
        issued_at=datetime.fromisoformat(vector.get("issued_at", "2026-01-15T12:00:00Z")),
        assessment=vector.get("assessment"),
    )
    return {key: value for key, value in budget.items() if key != "id"}


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_every_vector_gives_the_same_budget_without_the_shortcut(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    if "error" in vector["expected"]:
        pytest.skip("an input error vector computes no allocation")
    fast = _budget(vector)
    monkeypatch.setattr(allocation, "layered_flow", lambda *problem: None)
    assert _budget(vector) == fast
