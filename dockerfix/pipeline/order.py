"""Choose the step order with the lowest expected rebuild cost that the constraints allow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Exact search over the order ideals stops here and the greedy order is used instead.
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
    seen: set[int] = set()
    for node in order:
        if not problem.preds[node] <= seen:
            return False
        seen.add(node)
    return len(seen) == len(problem.nodes)


def best_order(problem: OrderProblem) -> tuple[list[int], bool]:
    """The cheapest order (ties: fewest inversions against the base order), and whether exact."""
    exact = _exact(problem)
    if exact is not None:
        return exact, True
    return _greedy(problem), False


def _exact(problem: OrderProblem) -> list[int] | None:
    nodes = problem.nodes
    index = {n: i for i, n in enumerate(nodes)}
    n = len(nodes)
    pred_mask = [sum(1 << index[p] for p in problem.preds[node]) for node in nodes]
    factor = [1.0 - problem.volatility[node] for node in nodes]
    cost = [problem.cost[node] for node in nodes]
    # best[mask] = (cost, inversions, survive, previous mask, last node index)
    best: dict[int, tuple[float, int, float, int, int]] = {0: (0.0, 0, 1.0, -1, -1)}
    frontier = [0]
    for _ in range(n):
        nxt: dict[int, tuple[float, int, float, int, int]] = {}
        for mask in frontier:
            c0, inv0, surv0, _, _ = best[mask]
            for i in range(n):
                bit = 1 << i
                if mask & bit or (pred_mask[i] & ~mask):
                    continue
                surv = surv0 * factor[i]
                c = c0 + cost[i] * (1.0 - surv)
                inv = inv0 + bin(mask >> (i + 1)).count("1")
                new = mask | bit
                key = (round(c, 9), inv)
                cur = nxt.get(new)
                if cur is None or key < (round(cur[0], 9), cur[1]):
                    nxt[new] = (c, inv, surv, mask, i)
        best.update(nxt)
        if len(best) > MAX_STATES:
            return None
        frontier = list(nxt)
    full = (1 << n) - 1
    if full not in best:
        return None
    order: list[int] = []
    mask = full
    while mask:
        _, _, _, prev, last = best[mask]
        order.append(nodes[last])
        mask = prev
    order.reverse()
    return order


def _greedy(problem: OrderProblem) -> list[int]:
    """Place the least volatile available step first (ties: base order)."""
    placed: list[int] = []
    done: set[int] = set()
    remaining = list(problem.nodes)
    while remaining:
        ready = [n for n in remaining if problem.preds[n] <= done]
        choice = min(ready, key=lambda n: (round(problem.volatility[n], 6), remaining.index(n)))
        placed.append(choice)
        done.add(choice)
        remaining.remove(choice)
    return placed
