"""The allocation solver: one network-simplex run gives networkx's min-cost maximum flow."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.budget.allocation import solve


@st.composite
def networks(draw: st.DrawFn) -> tuple[nx.DiGraph, int, int]:
    graph = nx.DiGraph()
    lines = draw(st.integers(1, 5))
    items = draw(st.integers(1, 5))
    supply = 0
    for line in range(lines):
        net = draw(st.integers(0, 10**12))
        supply += net
        graph.add_edge("source", f"L{line}", capacity=net, weight=0)
        rank = draw(st.integers(1, 5))
        for item in range(items):
            if draw(st.booleans()):
                graph.add_edge(f"L{line}", f"I{item}", capacity=net, weight=rank)
    for item in range(items):
        graph.add_edge(f"I{item}", "sink", capacity=draw(st.integers(0, 10**12)), weight=0)
    return graph, 5, supply


def _value(flow: dict[str, dict[str, int]]) -> int:
    return sum(flow["source"].values())


def _cost(graph: nx.DiGraph, flow: dict[str, dict[str, int]]) -> int:
    return sum(
        flow[u][v] * graph[u][v]["weight"]
        for u, v in graph.edges
        if not (u == "sink" and v == "source")
    )


@settings(max_examples=80, deadline=None)
@given(networks())
def test_solve_matches_networkx_max_flow_min_cost(case: tuple[nx.DiGraph, int, int]) -> None:
    graph, dearest, supply = case
    expected = nx.max_flow_min_cost(graph.copy(), "source", "sink")
    got = solve(graph.copy(), dearest=dearest, supply=supply)
    assert _value(got) == _value(expected)
    assert _cost(graph, got) == _cost(graph, expected)
