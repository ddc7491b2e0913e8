"""The order search against brute force over every topological order of small stages."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockerfix.pipeline.order import (
    OrderProblem,
    _ancestors,
    _greedy,
    _more_ideals_than,
    _series_parts,
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


@st.composite
def twin_problems(draw: st.DrawFn, max_nodes: int = 8) -> OrderProblem:
    """Problems whose steps share a few sets of constraints: many twins and series cuts."""
    n = draw(st.integers(2, max_nodes))
    nodes = tuple(range(n))
    vol = {i: draw(st.sampled_from([0.0, 0.02, 0.1, 0.3, 0.9])) for i in nodes}
    cost = {i: draw(st.sampled_from([0.0, 0.2, 1.0, 20.0])) for i in nodes}
    hubs = sorted(draw(st.sets(st.integers(0, n - 1), max_size=2)))
    preds = {}
    for j in nodes:
        earlier = [h for h in hubs if h < j]
        preds[j] = frozenset(earlier[-1:] if draw(st.booleans()) else earlier)
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


@settings(max_examples=150, deadline=None)
@given(twin_problems())
def test_exact_search_finds_the_optimum_among_twins(problem: OrderProblem) -> None:
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


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(1, 300))
def test_state_limit_is_the_number_of_order_ideals(problem: OrderProblem, cap: int) -> None:
    # The exact search holds one state per order ideal (downward-closed set of steps).
    nodes = problem.nodes
    ideals = sum(
        1
        for size in range(len(nodes) + 1)
        for chosen in itertools.combinations(nodes, size)
        if all(problem.preds[n] <= set(chosen) for n in chosen)
    )
    ancestors = _ancestors(problem)
    assert _more_ideals_than(cap, ancestors, _series_parts(ancestors)) == (ideals > cap)


def _pairs(count: int) -> OrderProblem:
    """`COPY fI .` / `RUN pip install -r fI` pairs, the installs chained, then `COPY . .`."""
    nodes = tuple(range(2 * count + 1))
    vol = {n: 0.1 if n % 2 == 0 else 0.02 for n in nodes}
    cost = {n: 0.2 if n % 2 == 0 else 10.0 for n in nodes}
    vol[nodes[-1]], cost[nodes[-1]] = 0.9, 0.2
    preds = {
        n: frozenset({n - 1, n - 2} if n % 2 and n > 1 else {n - 1} if n % 2 else set())
        for n in nodes
    }
    return OrderProblem(nodes, vol, cost, preds)


def test_long_stage_with_nothing_to_gain_keeps_its_order() -> None:
    # 500 independent copies: far more order ideals than the exact search may hold, but no
    # copy is above an install it does not feed: the base order is the optimum, known as such
    # without counting the states.
    problem = _pairs(500)
    order, exact = best_order(problem)
    assert exact
    assert order == list(problem.nodes)


def test_long_stage_past_the_state_limit_gets_a_valid_greedy_order() -> None:
    # 80 independent steps (2**80 order ideals), volatile cheap ones first: the greedy order
    # puts the stable expensive ones first.
    nodes = tuple(range(80))
    vol = {n: 0.9 if n < 40 else 0.02 for n in nodes}
    cost = {n: 0.2 if n < 40 else 10.0 for n in nodes}
    problem = OrderProblem(nodes, vol, cost, {n: frozenset() for n in nodes})
    order, exact = best_order(problem)
    assert not exact
    assert is_linear_extension(order, problem)
    assert order == [*range(40, 80), *range(40)]
    assert expected_cost(order, problem) < expected_cost(problem.nodes, problem)


def test_long_stage_is_solved_part_by_part() -> None:
    # Each volatile copy may go below the install after it; each pair must precede the next.
    count = 300
    nodes = tuple(range(2 * count))
    vol = {n: 0.9 if n % 2 == 0 else 0.02 for n in nodes}
    cost = {n: 0.2 if n % 2 == 0 else 10.0 for n in nodes}
    preds = {n: frozenset(range(n - n % 2)) for n in nodes}
    problem = OrderProblem(nodes, vol, cost, preds)
    order, exact = best_order(problem)
    assert exact
    assert order == [n + 1 - 2 * (n % 2) for n in nodes]
    assert expected_cost(order, problem) < expected_cost(nodes, problem)


def test_independent_twins_follow_the_ratio_rule() -> None:
    # Without constraints the optimum is the order of vol / (cost × (1 - vol)), stable.
    nodes = tuple(range(16))
    vol = {n: [0.1, 0.3, 0.02, 0.9][n % 4] for n in nodes}
    cost = {n: [0.2, 1.0, 10.0, 0.2][n % 4] for n in nodes}
    problem = OrderProblem(nodes, vol, cost, dict.fromkeys(nodes, frozenset()))
    order, exact = best_order(problem)
    assert exact
    assert order == sorted(nodes, key=lambda n: vol[n] / (cost[n] * (1 - vol[n])))
