"""Allocation of funding lines to support items: a min-cost maximum flow.

The problem is a transportation problem (SDS-BUD-017). A source feeds each line up to its
net amount; a line reaches an item only when its purpose restriction admits the item's
category (the ``admits`` mapping of the ``purpose-restriction`` value set, SDS-BUD-020), their
days meet, a council line's SDS option is the item's option, and an NHS health-need line only
reaches items not marked as non-health; each item drains to the sink up to its planned cost.
``networkx.network_simplex`` (see :func:`solve`) finds the largest fundable amount and, among
the ways to fund it, the cheapest under costs that encode the default source order from the
``conventions`` rate table (SDS-BUD-015): restricted streams fund their own purpose first,
then the NHS share, then the council (funder of last resort for eligible needs, SDS-BUD-016),
then ILF as additional money. Capacities and costs are integers (pence), so the answer is exact.

The graph is built from lines and items sorted by id, so the same inputs in any order give
the same allocation (SDS-BUD-018). Each allocation names the rule that admitted it and each
unallocated remainder says why it could not be used (SDS-BUD-006).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import networkx as nx

from adapters.budget.inputs import ItemModel, LineModel
from adapters.budget.periods import Span
from adapters.budget.rates import table
from adapters.budget.splits import part_admits
from spec import valueset

__all__ = [
    "Allocation",
    "Leftover",
    "Offer",
    "admits",
    "allocate",
    "layered_flow",
    "network",
    "solve",
]

_SOURCE = "source"
_SINK = "sink"


@dataclass(frozen=True, slots=True)
class Offer:
    """Money a line can give: its net amount and the days it covers in the plan."""

    line: LineModel
    net: int
    span: Span


@dataclass(frozen=True, slots=True)
class Allocation:
    line: str
    item: str
    amount: int
    rule: str


@dataclass(frozen=True, slots=True)
class Leftover:
    line: str
    amount: int
    reason: str
    restricted: bool


@functools.cache
def _admitted(purpose: str) -> frozenset[str] | None:
    """Categories a purpose admits; ``None`` means every category."""
    code = valueset("purpose-restriction").get(purpose)
    if code is None:
        return frozenset()
    admits = code.mappings.get("admits", "")
    return None if admits.strip() == "*" else frozenset(admits.split())


def admits(line: LineModel, item: ItemModel, span: Span) -> bool:
    """Whether ``line`` (covering ``span``) may fund ``item`` (SDS-BUD-020)."""
    if item.part is not None:
        # A split names the stream paying its hours, which meets the restriction (SDS-BUD-041).
        if not part_admits(line, item):
            return False
    elif (allowed := _admitted(line.purpose)) is not None and item.category not in allowed:
        return False
    if not span.meets(item.span):
        return False
    if line.source == "council-social-care" and line.doc.get("sds_option") not in (
        None,
        item.sds_option,
    ):
        return False
    return not (line.purpose == "health-need" and item.health_need is False)


def _rank(line: LineModel, order: dict[str, int]) -> int:
    return int(order.get(line.purpose, max(order.values()) + 1))


def _rule(line: LineModel) -> str:
    if line.purpose == "any-eligible-need":
        return "SDS-BUD-016"
    return "SDS-BUD-020"


def allocate(
    offers: list[Offer], items: list[tuple[ItemModel, int]], plan: Span
) -> tuple[list[Allocation], list[Leftover], dict[str, int]]:
    """Allocations, leftovers per line and the amount funded per item."""
    offers = sorted((o for o in offers if o.net > 0), key=lambda o: o.line.id)
    needs = sorted(((i, c) for i, c in items if c > 0), key=lambda pair: pair[0].id)
    nets = {offer.line.id: offer.net for offer in offers}
    costs = {item.id: cost for item, cost in needs}
    # One source order (SDS-BUD-015) for the whole plan, read once: it is dated by the plan's start.
    order: dict[str, int] = table("conventions").at(plan.start, "source_order")
    ranks = {offer.line.id: _rank(offer.line, order) for offer in offers}
    edges: dict[str, list[str]] = {}
    for offer in offers:
        for item, _ in needs:
            if admits(offer.line, item, offer.span):
                edges.setdefault(offer.line.id, []).append(item.id)
    flow = layered_flow(nets, costs, edges, ranks) if edges else {}
    if flow is None:
        flow = solve(
            network(nets, costs, edges, ranks),
            dearest=max(ranks.values()),
            supply=sum(nets.values()),
        )
    allocations: list[Allocation] = []
    funded: dict[str, int] = {}
    leftovers: list[Leftover] = []
    for offer in offers:
        used = 0
        for item_id in edges.get(offer.line.id, []):
            amount = int(flow["L" + offer.line.id]["I" + item_id])
            if amount > 0:
                allocations.append(Allocation(offer.line.id, item_id, amount, _rule(offer.line)))
                funded[item_id] = funded.get(item_id, 0) + amount
                used += amount
        if used < offer.net:
            leftovers.append(_leftover(offer, offer.net - used, bool(edges.get(offer.line.id))))
    return allocations, leftovers, funded


def network(
    nets: dict[str, int],
    costs: dict[str, int],
    edges: dict[str, list[str]],
    ranks: dict[str, int],
) -> nx.DiGraph:
    """The flow network: source -> line (its net) -> admitted item (its rank) -> sink (cost).

    Lines and items are added in the order given (sorted by id, SDS-BUD-018).
    """
    graph = nx.DiGraph()
    graph.add_node(_SOURCE)
    graph.add_node(_SINK)
    for line_id, net in nets.items():
        graph.add_edge(_SOURCE, "L" + line_id, capacity=net, weight=0)
        for item_id in edges.get(line_id, []):
            graph.add_edge("L" + line_id, "I" + item_id, capacity=net, weight=ranks[line_id])
    for item_id, cost in costs.items():
        graph.add_edge("I" + item_id, _SINK, capacity=cost, weight=0)
    return graph


def layered_flow(
    nets: dict[str, int],
    costs: dict[str, int],
    edges: dict[str, list[str]],
    ranks: dict[str, int],
) -> dict[str, dict[str, int]] | None:
    """The optimal flow, found without a solver when it is provably the only one, else ``None``.

    Lines are taken in layers of equal rank, cheapest first (SDS-BUD-015). The shortcut holds
    while, at the start of its layer, each line can still reach at most one item with room
    left: the line then fills that item as far as it can, and lines of one layer sharing an
    item are all paid in full or there is only one of them. ``None`` (a line with two open
    items, or equal-rank lines sharing what is left of an item: a tie the network simplex
    breaks its own way) hands the problem to :func:`solve`.

    Why the result is the unique min-cost maximum flow, so exactly what :func:`solve` returns
    (SDS-BUD-017, SDS-BUD-018): number the layer in which each item became full (never, if it
    did not). A line puts money only on its one open item, and every other item it reaches
    was full before its layer. So along any residual path that leaves a line for an item it
    reaches and comes back from that item to a line paying into it, those layer numbers fall
    strictly after the first step. Hence no augmenting path reaches an item with room left
    (the flow is maximum), no path moves money from a line to a dearer-or-equal one except
    between lines of one layer sharing an item (excluded above), and no cycle among items
    alone exists: every residual cycle costs more than zero, so this optimum is the only one.
    """
    left = dict(costs)
    layers: dict[int, list[str]] = {}
    for line_id in nets:
        layers.setdefault(ranks[line_id], []).append(line_id)
    flow: dict[str, dict[str, int]] = {
        "L" + line_id: {"I" + item_id: 0 for item_id in targets}
        for line_id, targets in edges.items()
    }
    for rank in sorted(layers):
        claims: dict[str, list[str]] = {}
        for line_id in layers[rank]:
            open_items = [i for i in edges.get(line_id, []) if left[i] > 0]
            if len(open_items) > 1:
                return None
            if open_items:
                claims.setdefault(open_items[0], []).append(line_id)
        for item_id, claimants in claims.items():
            if len(claimants) > 1 and sum(nets[c] for c in claimants) > left[item_id]:
                return None
            for line_id in claimants:
                given = min(nets[line_id], left[item_id])
                flow["L" + line_id]["I" + item_id] = given
                left[item_id] -= given
    return flow


def solve(graph: nx.DiGraph, *, dearest: int, supply: int) -> dict[str, dict[str, int]]:
    """A min-cost maximum flow in one network-simplex run.

    A return arc from sink to source, costing one more than the dearest path, turns the
    problem into a min-cost circulation: every extra penny that reaches an item lowers the
    cost, so the cheapest circulation is a maximum flow, and among maximum flows the one that
    honours the source order. This gives the same optimum as ``nx.max_flow_min_cost`` with
    one solver call instead of two. ``graph`` runs from node ``source`` to node ``sink``;
    ``dearest`` is the highest arc cost on a path and ``supply`` bounds the flow.
    """
    graph.add_edge(_SINK, _SOURCE, capacity=supply, weight=-(dearest + 1))
    _, flow = nx.network_simplex(graph)
    result: dict[str, dict[str, int]] = flow
    return result


def _leftover(offer: Offer, amount: int, reachable: bool) -> Leftover:
    line = offer.line
    restricted = line.purpose != "any-eligible-need"
    if not reachable and line.hours is not None:
        reason = (
            "no support item the line may fund during its days: the hours of day it pays "
            "for lie outside its stream's hour splits (SDS-BUD-041) or the "
            f"'{line.purpose}' restriction admits none (SDS-BUD-020)"
        )
    elif not reachable:
        reason = (
            f"no support item in the plan that the '{line.purpose}' restriction admits "
            "during the line's days (SDS-BUD-020)"
        )
    else:
        reason = (
            "the support items it may fund are fully funded, by this line or by lines "
            "earlier in the source order (SDS-BUD-015)"
        )
    return Leftover(line.id, amount, reason, restricted)
