"""networkx's network simplex, step for step, on plain integer lists.

The allocation (SDS-BUD-017) must give exactly the flow ``networkx.network_simplex`` gives,
ties included, because which line funds which item when several optima exist is part of the
budget every earlier release published (SDS-BUD-018). networkx spends most of its time on a
small allocation graph outside the pivots: dispatch, attribute lookups through graph views,
method calls per reduced cost, and a dict of dicts for the answer.

:func:`circulation` is a transcription of ``networkx/algorithms/flow/networksimplex.py``
(networkx 3.x, BSD-3-Clause, after Kiraly and Kovacs 2012) for the case the allocation uses:
a directed graph with every node demand zero and integer capacities and weights. It keeps
every choice networkx makes: the same node and edge numbering (the caller passes edges in
``DiGraph.edges`` order), the dummy root ``-1`` and the lists' lengths (so negative indexes
reach the same entries), the block size ``ceil(sqrt(edges))``, the first edge of lowest
reduced cost in each block, the leaving edge as the first minimum residual capacity walking
the cycle backwards, and the same tree updates. Only the bookkeeping moved: the lists are
local variables and the per-edge key functions are inlined. Same arithmetic in the same order
on the same integers gives the same pivots, so the same flow; ``tests/unit/adapters/
test_budget_simplex.py`` checks this against networkx itself on generated problems full of
ties.
"""

from __future__ import annotations

from itertools import pairwise
from math import ceil, sqrt

__all__ = ["circulation"]


def circulation(
    nodes: int, sources: list[int], targets: list[int], capacities: list[int], weights: list[int]
) -> list[int]:
    """The flow on each edge of a min-cost circulation (every demand zero) on ``nodes`` nodes.

    Edge ``k`` runs from node ``sources[k]`` to node ``targets[k]`` with an integer capacity
    and weight, in the order networkx would number them. Self loops and edges of capacity
    zero carry no flow, as in networkx.
    """
    kept = [k for k in range(len(sources)) if sources[k] != targets[k] and capacities[k] != 0]
    src = [sources[k] for k in kept]
    tgt = [targets[k] for k in kept]
    cap = [capacities[k] for k in kept]
    weight = [weights[k] for k in kept]
    if any(c < 0 for c in cap):
        raise ValueError("an edge has negative capacity")
    e = len(kept)
    n = nodes
    # With every demand zero, each node's dummy edge points at the root (networkx's rule for
    # demands that are not positive) and carries no flow at the start.
    src.extend(range(n))
    tgt.extend([-1] * n)
    faux_inf = 3 * max(sum(cap), sum(abs(w) for w in weight), 0) or 1
    weight.extend([faux_inf] * n)
    cap.extend([faux_inf] * n)
    flow = [0] * (e + n)
    potential = [faux_inf] * n
    parent: list[int | None] = [-1] * n
    parent.append(None)
    parent_edge: list[int | None] = list(range(e, e + n))
    size = [1] * n + [n + 1]
    next_dft = [*range(1, n), -1, 0]
    prev_dft = list(range(-1, n))
    last_dft = [*range(n), n - 1]

    def trace_path(p: int, w: int) -> tuple[list[int], list[int]]:
        path_nodes = [p]
        path_edges: list[int] = []
        while p != w:
            path_edges.append(parent_edge[p])  # type: ignore[arg-type]
            p = parent[p]  # type: ignore[assignment]
            path_nodes.append(p)
        return path_nodes, path_edges

    def find_cycle(i: int, p: int, q: int) -> tuple[list[int], list[int]]:
        # The apex: the lowest common ancestor of p and q in the spanning tree.
        a, b = p, q
        size_a, size_b = size[a], size[b]
        while True:
            while size_a < size_b:
                a = parent[a]  # type: ignore[assignment]
                size_a = size[a]
            while size_a > size_b:
                b = parent[b]  # type: ignore[assignment]
                size_b = size[b]
            if size_a == size_b:
                if a != b:
                    a = parent[a]  # type: ignore[assignment]
                    size_a = size[a]
                    b = parent[b]  # type: ignore[assignment]
                    size_b = size[b]
                else:
                    break
        cycle_nodes, cycle_edges = trace_path(p, a)
        cycle_nodes.reverse()
        cycle_edges.reverse()
        if cycle_edges != [i]:
            cycle_edges.append(i)
        back_nodes, back_edges = trace_path(q, a)
        del back_nodes[-1]
        cycle_nodes += back_nodes
        cycle_edges += back_edges
        return cycle_nodes, cycle_edges

    def remove_edge(s: int | None, t: int) -> None:
        size_t = size[t]
        prev_t = prev_dft[t]
        last_t = last_dft[t]
        next_last_t = next_dft[last_t]
        parent[t] = None
        parent_edge[t] = None
        next_dft[prev_t] = next_last_t
        prev_dft[next_last_t] = prev_t
        next_dft[last_t] = t
        prev_dft[t] = last_t
        while s is not None:
            size[s] -= size_t
            if last_dft[s] == last_t:
                last_dft[s] = prev_t
            s = parent[s]

    def make_root(q: int | None) -> None:
        ancestors = []
        while q is not None:
            ancestors.append(q)
            q = parent[q]
        ancestors.reverse()
        for p, q in pairwise(ancestors):
            size_p = size[p]
            last_p = last_dft[p]
            prev_q = prev_dft[q]
            last_q = last_dft[q]
            next_last_q = next_dft[last_q]
            parent[p] = q
            parent[q] = None
            parent_edge[p] = parent_edge[q]
            parent_edge[q] = None
            size[p] = size_p - size[q]
            size[q] = size_p
            next_dft[prev_q] = next_last_q
            prev_dft[next_last_q] = prev_q
            next_dft[last_q] = q
            prev_dft[q] = last_q
            if last_p == last_q:
                last_dft[p] = prev_q
                last_p = prev_q
            prev_dft[p] = last_q
            next_dft[last_q] = p
            next_dft[last_p] = q
            prev_dft[q] = last_p
            last_dft[q] = last_p

    def add_edge(i: int, p: int | None, q: int) -> None:
        last_p = last_dft[p]  # type: ignore[index]
        next_last_p = next_dft[last_p]
        size_q = size[q]
        last_q = last_dft[q]
        parent[q] = p
        parent_edge[q] = i
        next_dft[last_p] = q
        prev_dft[q] = last_p
        prev_dft[next_last_p] = last_q
        next_dft[last_q] = next_last_p
        while p is not None:
            size[p] += size_q
            if last_dft[p] == last_p:
                last_dft[p] = last_q
            p = parent[p]

    def update_potentials(i: int, p: int, q: int) -> None:
        if q == tgt[i]:
            d = potential[p] - weight[i] - potential[q]
        else:
            d = potential[p] + weight[i] - potential[q]
        last = last_dft[q]
        potential[q] += d
        while q != last:
            q = next_dft[q]
            potential[q] += d

    if e:
        # Dantzig's rule within blocks of edges, Bland's rule across blocks, as networkx.
        block = ceil(sqrt(e))
        blocks = (e + block - 1) // block
        misses = 0
        first = 0
        while misses < blocks:
            end = first + block
            if end <= e:
                candidates: list[int] | range = range(first, end)
            else:
                end -= e
                candidates = [*range(first, e), *range(end)]
            first = end
            i = -1
            c = 0
            for k in candidates:
                cost = weight[k] - potential[src[k]] + potential[tgt[k]]
                if flow[k] != 0:
                    cost = -cost
                if i < 0 or cost < c:
                    i, c = k, cost
            if c >= 0:
                misses += 1
                continue
            if flow[i] == 0:
                p, q = src[i], tgt[i]
            else:
                p, q = tgt[i], src[i]
            cycle_nodes, cycle_edges = find_cycle(i, p, q)
            # The leaving edge: the first least residual capacity walking the cycle backwards.
            j = s = -1
            least = 0
            for k, node in zip(reversed(cycle_edges), reversed(cycle_nodes), strict=False):
                room = cap[k] - flow[k] if src[k] == node else flow[k]
                if j < 0 or room < least:
                    j, s, least = k, node, room
            t = tgt[j] if src[j] == s else src[j]
            for k, node in zip(cycle_edges, cycle_nodes, strict=False):
                if src[k] == node:
                    flow[k] += least
                else:
                    flow[k] -= least
            if i != j:
                if parent[t] != s:
                    s, t = t, s
                if cycle_edges.index(i) > cycle_edges.index(j):
                    p, q = q, p
                remove_edge(s, t)
                make_root(q)
                add_edge(i, p, q)
                update_potentials(i, p, q)
            misses = 0
    if any(flow[k] != 0 for k in range(e, e + n)):
        raise ValueError("no flow satisfies all node demands")
    # networkx's test for an unbounded negative cycle (a flow reaching half its stand-in for
    # infinity) cannot fire here: capacities are finite, so no flow exceeds a third of it.
    result = [0] * len(sources)
    for position, k in enumerate(kept):
        result[k] = flow[position]
    return result
