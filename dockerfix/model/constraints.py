"""The dependency graph of a stage: an edge a→b when step a must stay before step b."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from dockerfix.model.effects import ALL_VARS, Effect
from dockerfix.model.paths import (
    PathSet,
    glob_prefix,
    is_under,
    plain_segments,
    touches_outside,
)
from dockerfix.model.stages import Step
from dockerfix.syntax.lineparse import parse_words

if TYPE_CHECKING:  # networkx is imported only when a graph is built
    import networkx as nx


# Metadata and state instructions keep their relative order in every rewrite: the planner
# orders them so, and the safe-mode check refuses a rewrite that does not.
_METADATA = frozenset(
    {
        "CMD",
        "ENTRYPOINT",
        "LABEL",
        "EXPOSE",
        "VOLUME",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "ONBUILD",
        "MAINTAINER",
        "USER",
        "WORKDIR",
        "SHELL",
        "ENV",
        "ARG",
    }
)


def is_metadata(step: Step, relaxed: frozenset[str] = frozenset()) -> bool:
    """Instructions whose relative order the safe-mode check keeps (metadata and state)."""
    if step.keyword not in _METADATA:
        return False
    if step.keyword == "ARG" and relaxed:
        names = {w.partition("=")[0] for w in parse_words(step.instruction.args, "\\")}
        return not names <= relaxed
    return True


def _vars_overlap(a: frozenset[str], b: frozenset[str]) -> set[str]:
    if not a or not b:
        return set()
    if a == ALL_VARS:
        return set(b) if b != ALL_VARS else {"*"}
    if b == ALL_VARS:
        return set(a)
    return set(a & b)


def relax(first: Effect, second: Effect, names: frozenset[str]) -> tuple[Effect, Effect]:
    """Pretend a RUN reads only the variables it names, against writes of ``names``.

    A process sees the whole environment, so this is what makes a move *unsafe*:
    it is used only for build-stamp ARGs, and only with --unsafe-fixes.
    """
    if not names:
        return first, second
    if first.kind == "env" and first.writes_vars <= names and second.named_vars is not None:
        return first, replace(second, reads_vars=second.named_vars)
    if second.kind == "env" and second.writes_vars <= names and first.named_vars is not None:
        return replace(first, reads_vars=first.named_vars), second
    return first, second


def conflicts(
    first: Effect, second: Effect, relaxed: frozenset[str] = frozenset(), folders: bool = True
) -> list[str]:
    """Resources on which ``first`` (earlier) and ``second`` (later) conflict (RAW, WAR, WAW).

    With ``folders`` (the default), a folder ``second`` needs (`Effect.needs_dirs`) that
    ``first`` may create, or a folder ``first`` needs that ``second`` may remove, conflicts;
    without it the caller checks those itself, knowing which other steps create the folder
    (`creates_folder`, `folder_needs`)."""
    first, second = relax(first, second, relaxed)
    found: list[str] = []
    if folders:
        found.extend("folder: " + d for d in folder_needs(first, second))
    if _commuting_writes(first, second):
        pass
    elif first.writes.overlaps(second.reads):
        found.append("files: " + first.writes.describe())
    elif first.reads.overlaps(second.writes) and not _output_only(first, second):
        found.append("files: " + second.writes.describe())
    elif first.writes.overlaps(second.writes):
        found.append("files: " + first.writes.describe())
    names = (
        _vars_overlap(first.writes_vars, second.reads_vars)
        | _vars_overlap(first.reads_vars, second.writes_vars)
        | _vars_overlap(first.writes_vars, second.writes_vars)
    )
    if names:
        found.append("variables: " + ", ".join(sorted(names)))
    state = (
        (first.writes_state & second.reads_state)
        | (first.reads_state & second.writes_state)
        | (first.writes_state & second.writes_state)
    )
    if state:
        found.append("state: " + ", ".join(sorted(state)))
    return found


def creates_folder(effect: Effect, folder: str) -> bool:
    """``effect`` may create image folder ``folder``: it writes it, or something inside it or
    above it (a WORKDIR creates only its own folder and those above it)."""
    if effect.dir_only:
        return effect.writes.everything or any(is_under(w, folder) for w in effect.writes.paths)
    return effect.writes.overlaps(PathSet.of(folder))


def folder_needs(first: Effect, second: Effect) -> list[str]:
    """The folders that keep ``second`` after ``first`` (earlier): one ``second`` `cd`s into
    that ``first`` may create, or one ``first`` `cd`s into that ``second``, a RUN, may
    remove (it writes the folder or one above it; a COPY or WORKDIR removes nothing)."""
    return sorted(d for d in second.needs_dirs if creates_folder(first, d)) + removes_needed(
        first, second
    )


def removes_needed(first: Effect, second: Effect) -> list[str]:
    """The folders ``first`` `cd`s into that ``second`` (later), a RUN, may remove."""
    if not first.needs_dirs or not second.kind.startswith("run-"):
        return []
    return sorted(d for d in first.needs_dirs if _may_remove(second.writes, d))


def _may_remove(writes: PathSet, folder: str) -> bool:
    if writes.everything:
        return True
    if writes.outside is not None and touches_outside(folder, writes.outside):
        return True
    return any(is_under(folder, w) for w in writes.paths)


def _output_only(first: Effect, second: Effect) -> bool:
    """``first`` only prints what ``second`` later changes: a COPY or a dependency install
    adds and rewrites files but removes none, so every path ``first`` names still exists
    after it, and ``first`` leaves the same (empty) layer before it or after it."""
    return first.prints_only and second.kind in ("copy-context", "run-install")


def _commuting_writes(first: Effect, second: Effect) -> bool:
    """Two steps whose file writes give the same image in either order.

    A WORKDIR only creates its directory; a COPY without `--chown`/`--chmod` creates missing
    directories as root and never changes an existing one, so the two commute when the
    WORKDIR also runs as root. Two copies of the same build-context files to the same image
    paths with the same flags write the same bytes in either order. Reads still count.
    """
    if first.reads.overlaps(second.writes) or first.writes.overlaps(second.reads):
        return False
    pair = {first.kind, second.kind}
    if first.dir_only or second.dir_only:
        other = second if first.dir_only else first
        return (
            first.root_dirs
            and second.root_dirs
            and other.kind == "copy-context"
            and not (first.dir_only and second.dir_only)
        )
    if pair == {"copy-context"} and first.copy is not None and second.copy is not None:
        a, b = first.copy, second.copy
        if not (a.known and b.known) or a.flags != b.flags:
            return False
        common = set(a.image_files()) & set(b.image_files())
        return all(a.image_files()[p] == b.image_files()[p] for p in common) and bool(common)
    return False


def must_precede(
    order: Sequence[int], effects: Mapping[int, Effect]
) -> dict[tuple[int, int], list[str]]:
    """All ordering constraints between steps given in their current order."""
    edges: dict[tuple[int, int], list[str]] = {}
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            why = conflicts(effects[a], effects[b])
            if why:
                edges[(a, b)] = why
    return edges


def to_networkx(
    edges: Mapping[tuple[int, int], list[str]], nodes: Sequence[int]
) -> nx.DiGraph[int]:
    """The constraints as a networkx DiGraph (edge attribute ``resources``)."""
    import networkx as nx

    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for (a, b), why in edges.items():
        graph.add_edge(a, b, resources=why)
    return graph


class ConflictIndex:
    """The steps added so far, indexed by what they read and write, so a later step finds
    the few that may conflict with it without a check against every one.

    `candidates` is a superset of the steps `conflicts` would report; None when the step
    touches too much to narrow (any path, paths outside some roots, variables or state it
    writes): then every earlier step is a candidate.
    """

    def __init__(self) -> None:
        self._writes = _PathIndex()
        self._reads = _PathIndex()
        self._var_writers: dict[str, set[int]] = {}
        self._all_var_writers: set[int] = set()
        self._state_writers: dict[str, set[int]] = {}

    def add(self, node: int, effect: Effect) -> None:
        """Index `node`, whose effect is `effect`."""
        self._writes.add(node, effect.writes)
        self._reads.add(node, effect.reads)
        if effect.needs_dirs:  # a later RUN may remove one
            self._reads.add(node, PathSet(effect.needs_dirs))
        if effect.writes_vars == ALL_VARS:
            self._all_var_writers.add(node)
        for name in effect.writes_vars:
            self._var_writers.setdefault(name, set()).add(node)
        for name in effect.writes_state:
            self._state_writers.setdefault(name, set()).add(node)

    def candidates(self, effect: Effect) -> set[int] | None:
        """The indexed steps that may conflict with a later step of effect `effect`."""
        if effect.writes_vars or effect.writes_state:
            return None
        found = self._writes.hits(effect.reads)
        more = self._writes.hits(effect.writes)
        also = self._reads.hits(effect.writes)
        creators = self._writes.hits(PathSet(effect.needs_dirs))
        if found is None or more is None or also is None or creators is None:
            return None
        found |= more | also | creators
        if effect.reads_vars == ALL_VARS:
            found.update(*self._var_writers.values())
        elif effect.reads_vars:
            for name in effect.reads_vars:
                found |= self._var_writers.get(name, set())
        if effect.reads_vars:
            found |= self._all_var_writers
        for name in effect.reads_state:
            found |= self._state_writers.get(name, set())
        return found


class _PathIndex:
    """Steps by the image paths of one of their path sets (a trie of path segments)."""

    def __init__(self) -> None:
        self._at: dict[tuple[str, ...], set[int]] = {}
        self._under: dict[tuple[str, ...], set[int]] = {}
        self._anywhere: set[int] = set()
        self._outside: dict[frozenset[str], set[int]] = {}

    def add(self, node: int, paths: PathSet) -> None:
        """Index `node` under each of `paths`."""
        if paths.everything:
            self._anywhere.add(node)
            return
        if paths.outside is not None:
            self._outside.setdefault(paths.outside, set()).add(node)
        for path in paths.paths:
            # A glob overlaps only the paths on the way to, or below, its folders before the
            # first glob segment: it is indexed as that folder.
            segments = glob_prefix(path)
            self._at.setdefault(segments, set()).add(node)
            for end in range(len(segments) + 1):
                self._under.setdefault(segments[:end], set()).add(node)

    def hits(self, paths: PathSet) -> set[int] | None:
        """The indexed steps whose paths may overlap `paths`; None when it cannot narrow."""
        if paths.empty:
            return set()
        if paths.everything or paths.outside is not None:
            return None
        found = set(self._anywhere)
        for path in paths.paths:
            segments = plain_segments(path)
            if segments is None:
                return None
            for end in range(len(segments) + 1):
                found |= self._at.get(segments[:end], set())
            found |= self._under.get(segments, set())
            for roots, nodes in self._outside.items():
                if touches_outside(path, roots):
                    found |= nodes
        return found
