"""The list-based network simplex gives networkx's flow edge for edge, ties included.

``adapters.budget.simplex.circulation`` transcribes ``networkx.network_simplex`` so the
allocation no longer pays for networkx's graph machinery (SDS-BUD-017); its contract is that
no budget changes (SDS-BUD-018). networkx stays the oracle: on generated allocation problems
full of ties, and on generated general graphs with negative cycles, both must agree on every
edge's flow, and every budget vector must come out the same through networkx.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.budget import allocation, compute_budget
from adapters.budget.allocation import network, solve, solve_numbered
from adapters.budget.simplex import circulation

Problem = tuple[dict[str, int], dict[str, int], dict[str, list[str]], dict[str, int]]

VECTORS = sorted(
    (Path(__file__).resolve().parents[3] / "conformance" / "vectors" / "budget").glob("*.json")
)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Allocation problems from a few amounts and ranks, so ties between optima are common."""
    amounts = st.sampled_from([1, 2, 3, 5, 8, 10, 13, 100])
    items = [f"i{n}" for n in range(draw(st.integers(1, 7)))]
    costs = {item: draw(amounts) for item in items}
    nets: dict[str, int] = {}
    ranks: dict[str, int] = {}
    edges: dict[str, list[str]] = {}
    for n in range(draw(st.integers(1, 9))):
        line = f"l{n}"
        nets[line] = draw(amounts)
        ranks[line] = draw(st.integers(1, 4))
        reached = draw(st.lists(st.sampled_from(items), unique=True))
        if reached:
            edges[line] = reached
    return nets, costs, edges, ranks


def _by_networkx(problem: Problem) -> dict[tuple[str, str], int]:
    nets, costs, edges, ranks = problem
    flow = solve(
        network(nets, costs, edges, ranks), dearest=max(ranks.values()), supply=sum(nets.values())
    )
    return {(line, item): flow["L" + line]["I" + item] for line in edges for item in edges[line]}


def _by_lists(problem: Problem) -> dict[tuple[str, str], int]:
    _, _, edges, _ = problem
    flow = solve_numbered(*problem)
    return {(line, item): flow["L" + line]["I" + item] for line in edges for item in edges[line]}


@settings(max_examples=500, deadline=None)
@given(problems())
def test_the_allocation_flow_is_networkx_flow_on_every_arc(problem: Problem) -> None:
    assert _by_lists(problem) == _by_networkx(problem)


def test_a_tie_is_broken_as_networkx_breaks_it() -> None:
    # One council line of 5p with two items of 4p each: any split of 5p is optimal, and the
    # answer must be networkx's own choice.
    problem: Problem = ({"c": 5}, {"pa": 4, "leisure": 4}, {"c": ["pa", "leisure"]}, {"c": 4})
    assert _by_lists(problem) == _by_networkx(problem)
    assert sum(_by_lists(problem).values()) == 5


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[int], list[int], list[int], list[int]]:
    """Small digraphs, self loops and zero capacities included, weights of either sign."""
    nodes = draw(st.integers(1, 7))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, nodes - 1), st.integers(0, nodes - 1)),
            unique=True,
            max_size=20,
        )
    )
    capacities = [draw(st.sampled_from([0, 1, 2, 3, 7, 50])) for _ in pairs]
    weights = [draw(st.integers(-6, 6)) for _ in pairs]
    return nodes, [a for a, _ in pairs], [b for _, b in pairs], capacities, weights


@settings(max_examples=500, deadline=None)
@given(graphs())
def test_any_circulation_is_networkx_circulation(
    graph: tuple[int, list[int], list[int], list[int], list[int]],
) -> None:
    nodes, sources, targets, capacities, weights = graph
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(nodes))
    for edge in zip(sources, targets, capacities, weights, strict=True):
        digraph.add_edge(edge[0], edge[1], capacity=edge[2], weight=edge[3])
    # Number the edges as networkx does: by tail in node order, then in the order added.
    ordered = [(a, b) for a, b in digraph.edges]
    data = {
        (a, b): (c, w) for a, b, c, w in zip(sources, targets, capacities, weights, strict=True)
    }
    flows = circulation(
        nodes,
        [a for a, _ in ordered],
        [b for _, b in ordered],
        [data[pair][0] for pair in ordered],
        [data[pair][1] for pair in ordered],
    )
    _, expected = nx.network_simplex(digraph)
    for (a, b), amount in zip(ordered, flows, strict=True):
        if a != b:
            assert amount == expected[a][b], (a, b)


def _budget(vector: dict[str, Any]) -> dict[str, Any]:
    budget = compute_budget(
        vector["plan"],
        vector["lines"],
        issued_at=datetime.fromisoformat(vector.get("issued_at", "2026-01-15T12:00:00Z")),
        assessment=vector.get("assessment"),
    )
    return {key: value for key, value in budget.items() if key != "id"}


def _through_networkx(*problem: Any) -> dict[str, dict[str, int]]:
    nets, costs, edges, ranks = problem
    return solve(
        network(nets, costs, edges, ranks), dearest=max(ranks.values()), supply=sum(nets.values())
    )


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_every_vector_gives_the_same_budget_through_networkx(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    if "error" in vector["expected"]:
        pytest.skip("an input error vector computes no allocation")
    monkeypatch.setattr(allocation, "layered_flow", lambda *problem: None)
    fast = _budget(vector)
    monkeypatch.setattr(allocation, "solve_numbered", _through_networkx)
    assert _budget(vector) == fast
