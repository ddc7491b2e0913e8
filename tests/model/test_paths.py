"""Path-set overlap: the indexed check of big sets against the pair-by-pair rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dockerfix.model.constraints import ConflictIndex
from dockerfix.model.effect import Effect
from dockerfix.model.paths import PathSet, paths_overlap, touches_outside

SEGMENTS = st.sampled_from(["app", "src", "usr", "lib", "a.txt", "*.txt", "py*", "**", ""])
PATHS = st.lists(SEGMENTS, min_size=0, max_size=4).map(lambda s: "/" + "/".join(s))


def pairwise(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(paths_overlap(p, q) for p in a for q in b)


@settings(max_examples=100, deadline=None)
@given(st.frozensets(PATHS, max_size=30), st.frozensets(PATHS, max_size=30))
def test_big_sets_overlap_as_pair_by_pair(a: frozenset[str], b: frozenset[str]) -> None:
    assert PathSet(a).overlaps(PathSet(b)) == pairwise(a, b)


@settings(max_examples=100, deadline=None)
@given(st.frozensets(PATHS, max_size=40), st.frozensets(PATHS, min_size=1, max_size=3))
def test_big_sets_reach_outside_roots_as_path_by_path(
    paths: frozenset[str], roots: frozenset[str]
) -> None:
    everywhere_else = PathSet(outside=roots)
    expected = any(touches_outside(p, roots) for p in paths)
    assert PathSet(paths).overlaps(everywhere_else) == expected
    assert everywhere_else.overlaps(PathSet(paths)) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.frozensets(PATHS, max_size=12), min_size=1, max_size=12), st.data())
def test_conflict_index_misses_no_overlap(sets: list[frozenset[str]], data: st.DataObject) -> None:
    # Each step writes one of the sets; a later reader of `wanted` must find every writer
    # whose paths overlap it among the index's candidates.
    index = ConflictIndex()
    for node, paths in enumerate(sets):
        index.add(node, Effect(kind="run-known", writes=PathSet(paths)))
    wanted = data.draw(st.frozensets(PATHS.filter(lambda p: "*" not in p), max_size=8))
    found = index.candidates(Effect(kind="copy-context", reads=PathSet(wanted)))
    assert found is not None
    assert {n for n, paths in enumerate(sets) if pairwise(paths, wanted)} <= found


def named_pairwise(paths: frozenset[str], path: str, skip: str | None) -> bool:
    import fnmatch

    from dockerfix.model.paths import is_under

    return any(
        p == path or fnmatch.fnmatchcase(path, p) or (p != skip and is_under(path, p))
        for p in paths
    )


@settings(max_examples=300, deadline=None)
@given(
    st.frozensets(PATHS, max_size=6),
    PATHS,
    st.one_of(st.none(), st.just("/app"), PATHS),
)
def test_names_path_agrees_with_the_entry_by_entry_rule(
    paths: frozenset[str], path: str, skip: str | None
) -> None:
    from dockerfix.model.paths import names_path

    assert names_path(paths, path, skip) == named_pairwise(paths, path, skip)


def test_names_path_cases() -> None:
    from dockerfix.model.paths import names_path

    reads = frozenset({"/app/requirements.txt", "/app/req/*.txt", "/app/vendor"})
    assert names_path(reads, "/app/requirements.txt")
    assert names_path(reads, "/app/req/base.txt")
    assert names_path(reads, "/app/vendor/x/y.py")
    assert not names_path(reads, "/app/main.py")
    assert not names_path(frozenset({"/app"}), "/app/main.py", skip="/app")
    assert names_path(frozenset({"/app"}), "/app", skip="/app")
