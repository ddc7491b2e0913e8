"""Choose the step order with the lowest expected rebuild cost that the constraints allow.

The objective, Σ cost(i) × P(some step at or before i is invalidated), has the classic
exchange property: two adjacent independent steps a, b are best as a, b exactly when
vol(a) / (cost(a) × (1 − vol(a))) ≤ vol(b) / (cost(b) × (1 − vol(b))) — the ratio rule. So:

- when no step may move before an earlier independent step of higher ratio, the base order
  is optimal and no search runs (any other order sorts back to it by swaps that never cost);
- where every step before a point must precede every step after it, the stage splits there
  (series decomposition): each part's best order is independent of the others';
- the exact search over order ideals runs only on the parts where some step can gain.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Mapping, Sequence

from dockerfix.records import dataclass

# Exact search over the order ideals of one part stops here and the greedy order is used.
MAX_STATES = 100_000


@dataclass(frozen=True)
class OrderProblem:
    """Nodes in their base order, each with volatility and cost, and must-precede edges."""

    nodes: tuple[int, ...]
    volatility: Mapping[int, float]
    cost: Mapping[int, float]
    preds: Mapping[int, frozenset[int]]


def expected_cost(order: Sequence[int], problem: OrderProblem) -> float:
    """Σ cost(i) × P(some step at or before i is invalidated)."""
    survive = 1.0
    total = 0.0
    for node in order:
        survive *= 1.0 - problem.volatility[node]
        total += problem.cost[node] * (1.0 - survive)
    return total


def is_linear_extension(order: Sequence[int], problem: OrderProblem) -> bool:
    """Every node once, each after all its must-precede nodes."""
    seen: set[int] = set()
    for node in order:
        if not problem.preds[node] <= seen:
            return False
        seen.add(node)
    return len(seen) == len(problem.nodes)


def best_order(problem: OrderProblem) -> tuple[list[int], bool]:
    """The cheapest order (ties: fewest inversions against the base order), and whether exact."""
    nodes = problem.nodes
    if not is_linear_extension(nodes, problem):
        return _search(problem)
    ancestors = _ancestors(problem)
    parts = _series_parts(ancestors)
    ratio = [_ratio(problem, node) for node in nodes]
    # No order is cheaper than the base one. When the greedy order is the base order too,
    # that is the answer however many states the search would have: no need to count them.
    gain = any(_can_gain(ancestors, ratio, start, end) for start, end in parts)
    if not gain and _greedy(problem) == list(nodes):
        return list(nodes), True
    # Past MAX_STATES order ideals of the whole stage the greedy order stands, as it always
    # has: the rewrites of such stages stay what they were.
    if _more_ideals_than(MAX_STATES, ancestors, parts):
        return _greedy(problem), False
    order: list[int] = []
    for start, end in parts:
        part = list(nodes[start:end])
        if _can_gain(ancestors, ratio, start, end):
            part = _exact(_chain_twins(_restrict(problem, part))) or _greedy(problem)
        order.extend(part)
    return order, True


def _search(problem: OrderProblem) -> tuple[list[int], bool]:
    """The exact search, or the greedy order when it would hold too many states."""
    exact = _exact(problem)
    if exact is not None:
        return exact, True
    return _greedy(problem), False


def _more_ideals_than(cap: int, ancestors: Sequence[int], parts: Sequence[tuple[int, int]]) -> bool:
    """The stage has more than `cap` order ideals (the states of the exact search).

    Parts in series add their counts (less the empty ideal they share). Within a part, an
    antichain of k steps alone gives 2**k ideals, and a cover by chains at most the product
    of (length + 1); the ideals are counted only when those bounds leave it open.
    """
    low = high = 1
    for start, end in parts:
        low += (1 << min(_antichain(ancestors, start, end), cap.bit_length())) - 1
        high += _chain_bound(ancestors, start, end, cap) - 1
    if low > cap:
        return True
    if high <= cap:
        return False
    total = 1
    for start, end in parts:
        part = ((1 << end) - 1) ^ ((1 << start) - 1)
        total += _count_ideals(ancestors, part, cap - total + 1) - 1
        if total > cap:
            return True
    return False


def _antichain(ancestors: Sequence[int], start: int, end: int) -> int:
    """The size of an antichain of the part: its minimal or its maximal steps."""
    part = ((1 << end) - 1) ^ ((1 << start) - 1)
    minimal = sum(1 for i in range(start, end) if not ancestors[i] & part)
    below = 0
    for i in range(start, end):
        below |= ancestors[i]
    return max(minimal, end - start - (below & part).bit_count())


def _chain_bound(ancestors: Sequence[int], start: int, end: int, cap: int) -> int:
    """An upper bound of the part's ideals (at most just past `cap`): the product of
    (length + 1) over a cover by chains, built first-fit in base order."""
    chains: list[list[int]] = []
    for i in range(start, end):
        for chain in chains:
            if ancestors[i] >> chain[-1] & 1:
                chain.append(i)
                break
        else:
            chains.append([i])
    bound = 1
    for chain in chains:
        bound *= len(chain) + 1
        if bound > cap:
            return cap + 1
    return bound


def _count_ideals(ancestors: Sequence[int], part: int, cap: int) -> int:
    """How many order ideals the steps of mask `part` have, counted up to just past `cap`."""
    seen = 1
    layer = {0}
    while layer:
        grown: set[int] = set()
        for mask in layer:
            free = part & ~mask
            while free:
                bit = free & -free
                free ^= bit
                if not ancestors[bit.bit_length() - 1] & part & ~mask:
                    grown.add(mask | bit)
        seen += len(grown)
        if seen > cap:
            return seen
        layer = grown
    return seen


def _ratio(problem: OrderProblem, node: int) -> float:
    """The ratio rule's key (lower goes first); NaN for a step no swap can gain or lose by."""
    vol = problem.volatility[node]
    weight = problem.cost[node] * (1.0 - vol)
    if weight > 0:
        return vol / weight
    return math.inf if vol > 0 else math.nan


def _ancestors(problem: OrderProblem) -> list[int]:
    """For each node (by base index) the bit mask of every node that must precede it."""
    index = {n: i for i, n in enumerate(problem.nodes)}
    masks: list[int] = []
    for node in problem.nodes:
        mask = 0
        for pred in problem.preds[node]:
            i = index[pred]
            mask |= masks[i] | (1 << i)
        masks.append(mask)
    return masks


def _can_gain(ancestors: Sequence[int], ratio: Sequence[float], start: int, end: int) -> bool:
    """Some step of base[start:end] has an earlier independent step of the part with a higher
    ratio: only then can an order other than the base one be cheaper."""
    ranked = sorted(
        (i for i in range(start, end) if not math.isnan(ratio[i])), key=lambda i: -ratio[i]
    )
    higher = 0  # the nodes seen so far whose ratio is above the current one's
    pending = 0  # the nodes seen so far with the current ratio
    for pos, i in enumerate(ranked):
        if pos and ratio[i] != ratio[ranked[pos - 1]]:
            higher |= pending
            pending = 0
        pending |= 1 << i
        earlier = ((1 << i) - 1) ^ ((1 << start) - 1)
        if earlier & higher & ~ancestors[i]:
            return True
    return False


def _series_parts(ancestors: Sequence[int]) -> list[tuple[int, int]]:
    """Cut the base order where every step before the cut must precede every step after it."""
    n = len(ancestors)
    # How long a base prefix each node must follow entirely (its mask's trailing ones).
    prefix = [(~mask & (mask + 1)).bit_length() - 1 for mask in ancestors]
    cuts: list[int] = []
    lowest = n
    for k in range(n - 1, 0, -1):
        lowest = min(lowest, prefix[k])
        if lowest >= k:
            cuts.append(k)
    bounds = [0, *reversed(cuts), n]
    return list(itertools.pairwise(bounds))


def _chain_twins(problem: OrderProblem) -> OrderProblem:
    """Order each set of twins (steps with the same steps before and after them) as every
    cheapest order with the fewest inversions has them: by ratio, ties in base order.

    Two twins x, y and the steps B between them permute freely as three blocks; the ratio
    rule sorts blocks, so y before x is either dearer or, at equal ratios, as cheap with more
    inversions. A step no swap changes (no cost, no volatility) is only ordered among its
    kind, by base order.
    """
    nodes = problem.nodes
    ancestors = _ancestors(problem)
    descendants = [0] * len(nodes)
    for i in range(len(nodes) - 1, -1, -1):
        mask = ancestors[i]
        while mask:
            bit = mask & -mask
            mask ^= bit
            descendants[bit.bit_length() - 1] |= (1 << i) | descendants[i]
    groups: dict[tuple[int, int, bool], list[int]] = {}
    for i, node in enumerate(nodes):
        null = math.isnan(_ratio(problem, node))
        groups.setdefault((ancestors[i], descendants[i], null), []).append(i)
    preds = {node: set(problem.preds[node]) for node in nodes}
    for (_, _, null), members in groups.items():
        ranked = members if null else sorted(members, key=lambda i: _ratio(problem, nodes[i]))
        for first, then in itertools.pairwise(ranked):
            preds[nodes[then]].add(nodes[first])
    return OrderProblem(
        nodes, problem.volatility, problem.cost, {n: frozenset(p) for n, p in preds.items()}
    )


def _restrict(problem: OrderProblem, part: Sequence[int]) -> OrderProblem:
    """The sub-problem of the nodes in `part` (their constraints among themselves)."""
    keep = frozenset(part)
    return OrderProblem(
        tuple(part),
        problem.volatility,
        problem.cost,
        {n: problem.preds[n] & keep for n in part},
    )


def _exact(problem: OrderProblem) -> list[int] | None:
    """Dynamic programming over the order ideals; None past MAX_STATES."""
    nodes = problem.nodes
    index = {n: i for i, n in enumerate(nodes)}
    n = len(nodes)
    full = (1 << n) - 1
    pred_mask = [sum(1 << index[p] for p in problem.preds[node]) for node in nodes]
    factor = [1.0 - problem.volatility[node] for node in nodes]
    cost = [problem.cost[node] for node in nodes]
    # best[mask] = (cost, rounded cost, inversions, survive, previous mask, last node index)
    best: dict[int, tuple[float, float, int, float, int, int]] = {0: (0.0, 0.0, 0, 1.0, -1, -1)}
    frontier = [0]
    for _ in range(n):
        nxt: dict[int, tuple[float, float, int, float, int, int]] = {}
        for mask in frontier:
            c0, _, inv0, surv0, _, _ = best[mask]
            free = full & ~mask
            while free:
                bit = free & -free
                free ^= bit
                i = bit.bit_length() - 1
                if pred_mask[i] & ~mask:
                    continue
                surv = surv0 * factor[i]
                c = c0 + cost[i] * (1.0 - surv)
                rounded = round(c, 9)
                inv = inv0 + (mask >> (i + 1)).bit_count()
                new = mask | bit
                cur = nxt.get(new)
                if cur is None or (rounded, inv) < (cur[1], cur[2]):
                    nxt[new] = (c, rounded, inv, surv, mask, i)
        best.update(nxt)
        if len(best) > MAX_STATES:
            return None
        frontier = list(nxt)
    if full not in best:
        return None
    order: list[int] = []
    mask = full
    while mask:
        *_, prev, last = best[mask]
        order.append(nodes[last])
        mask = prev
    order.reverse()
    return order


def _greedy(problem: OrderProblem) -> list[int]:
    """Place the least volatile available step first (ties: base order)."""
    rank = {n: (round(problem.volatility[n], 6), i) for i, n in enumerate(problem.nodes)}
    # Kahn's algorithm with the ready steps in a heap: each step is placed once all its
    # predecessors are, the least (volatility, base position) first.
    waiting = {n: len(problem.preds[n]) for n in problem.nodes}
    after: dict[int, list[int]] = {n: [] for n in problem.nodes}
    for n in problem.nodes:
        for p in problem.preds[n]:
            after[p].append(n)
    ready = [(rank[n], n) for n in problem.nodes if not waiting[n]]
    heapq.heapify(ready)
    placed: list[int] = []
    while ready:
        _, choice = heapq.heappop(ready)
        placed.append(choice)
        for n in after[choice]:
            waiting[n] -= 1
            if not waiting[n]:
                heapq.heappush(ready, (rank[n], n))
    if len(placed) != len(problem.nodes):
        raise ValueError("the order constraints have a cycle")
    return placed
