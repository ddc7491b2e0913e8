"""The order search against brute force over every topological order of small stages."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockerfix.pipeline.order import (
    OrderProblem,
    _greedy,
    best_order,
    expected_cost,
    is_linear_extension,
)


@st.composite
def problems(draw: st.DrawFn, max_nodes: int = 8) -> OrderProblem:
    n = draw(st.integers(1, max_nodes))
    nodes = tuple(range(n))
    vol = {i: draw(st.sampled_from([0.005, 0.02, 0.1, 0.15, 0.3, 0.5, 0.9])) for i in nodes}
    cost = {i: draw(st.sampled_from([0.0, 0.1, 0.2, 1.0, 5.0, 20.0, 40.0])) for i in nodes}
    preds = {
        j: frozenset(i for i in range(j) if draw(st.booleans()) and draw(st.booleans()))
        for j in nodes
    }
    return OrderProblem(nodes, vol, cost, preds)


def brute_force(problem: OrderProblem) -> tuple[float, int]:
    """(best cost, fewest inversions among the best) over all linear extensions."""
    best: tuple[float, int] | None = None
    for perm in itertools.permutations(problem.nodes):
        if not is_linear_extension(perm, problem):
            continue
        inv = sum(1 for a, b in itertools.combinations(perm, 2) if a > b)
        key = (round(expected_cost(perm, problem), 9), inv)
        if best is None or key < best:
            best = key
    assert best is not None
    return best


@settings(max_examples=300, deadline=None)
@given(problems())
def test_exact_search_finds_the_optimum(problem: OrderProblem) -> None:
    order, exact = best_order(problem)
    assert exact
    assert is_linear_extension(order, problem)
    inv = sum(1 for a, b in itertools.combinations(order, 2) if a > b)
    assert (round(expected_cost(order, problem), 9), inv) == brute_force(problem)


@settings(max_examples=200, deadline=None)
@given(problems())
def test_greedy_order_is_valid(problem: OrderProblem) -> None:
    assert is_linear_extension(_greedy(problem), problem)


def test_no_gain_keeps_the_original_order() -> None:
    problem = OrderProblem(
        (0, 1, 2),
        {0: 0.005, 1: 0.005, 2: 0.005},
        {0: 0.0, 1: 0.0, 2: 0.0},
        {0: frozenset(), 1: frozenset(), 2: frozenset()},
    )
    assert best_order(problem) == ([0, 1, 2], True)


def test_volatile_copy_goes_after_an_independent_install() -> None:
    # 0: COPY . . (volatile, cheap); 1: RUN apt-get (stable, expensive); 2: CMD
    problem = OrderProblem(
        (0, 1, 2),
        {0: 0.9, 1: 0.02, 2: 0.005},
        {0: 0.2, 1: 30.0, 2: 0.0},
        {0: frozenset(), 1: frozenset(), 2: frozenset()},
    )
    order, _ = best_order(problem)
    assert order == [1, 0, 2]
    assert expected_cost(order, problem) < expected_cost([0, 1, 2], problem)


@pytest.mark.parametrize("n", [1, 5, 12])
def test_chain_has_one_order(n: int) -> None:
    nodes = tuple(range(n))
    problem = OrderProblem(
        nodes,
        dict.fromkeys(nodes, 0.5),
        dict.fromkeys(nodes, 1.0),
        {i: frozenset({i - 1}) if i else frozenset() for i in nodes},
    )
    assert best_order(problem)[0] == list(nodes)
