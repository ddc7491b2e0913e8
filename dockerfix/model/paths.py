"""Sets of image filesystem paths, with the overlap test the dependency graph needs."""

from __future__ import annotations

import fnmatch
import functools
import posixpath
from collections.abc import Mapping

from dockerfix.records import dataclass

_GLOB_CHARS = frozenset("*?[")


def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, normalized image path; relative paths are taken from ``cwd``."""
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    norm = posixpath.normpath(path)
    return "/" if norm in ("//", ".") else norm


def glob_prefix(path: str) -> tuple[str, ...]:
    """Path segments up to the first glob segment (a glob may match anything below it)."""
    out = []
    for seg in path.strip("/").split("/"):
        if not seg:
            continue
        if _GLOB_CHARS & set(seg):
            break
        out.append(seg)
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _split(path: str) -> tuple[str, ...]:
    """The non-empty segments of a path."""
    return tuple(seg for seg in path.split("/") if seg)


@functools.lru_cache(maxsize=8192)
def plain_segments(path: str) -> tuple[str, ...] | None:
    """The segments of a path without glob characters; None for a glob."""
    if "*" in path or "?" in path or "[" in path:
        return None
    return _split(path)


def paths_overlap(a: str, b: str) -> bool:
    """True when one path is the other or lies below it.

    A glob segment of one path matches one segment of a concrete other path (`/app/*.sbt`
    does not reach `/app/.git/HEAD`); `**`, or globs on both sides, match conservatively.
    """
    plain_a, plain_b = plain_segments(a), plain_segments(b)
    if plain_a is not None and plain_b is not None:
        n = min(len(plain_a), len(plain_b))
        return plain_a[:n] == plain_b[:n]
    glob_a, glob_b = plain_a is None, plain_b is None
    if glob_a != glob_b:
        pattern, path = (a, b) if glob_a else (b, a)
        ps = [s for s in pattern.split("/") if s]
        qs = [s for s in path.split("/") if s]
        for p_seg, q_seg in zip(ps, qs):
            if "**" in p_seg:
                return True
            if not fnmatch.fnmatchcase(q_seg, p_seg):
                return False
        return True
    sa, sb = glob_prefix(a), glob_prefix(b)
    n = min(len(sa), len(sb))
    return sa[:n] == sb[:n]


def is_under(path: str, root: str) -> bool:
    """``path`` is ``root`` or certainly inside it (a glob segment could lead elsewhere)."""
    rp = _split(root)
    pp = _split(path)
    if len(pp) < len(rp):
        return False
    for p_seg, r_seg in zip(pp, rp):
        if _GLOB_CHARS & set(p_seg) or p_seg != r_seg:
            return False
    return True


def names_path(paths: frozenset[str], path: str, skip: str | None = None) -> bool:
    """Some entry of ``paths`` is ``path``, matches it as a glob, or is a folder it is
    certainly inside (`is_under`); ``skip`` counts only as the path itself or a glob."""
    exact, globs, roots = _name_index(paths, skip)
    if path in exact:
        return True
    segments = _split(path)
    for end in range(len(segments) + 1):
        if segments[:end] in roots:
            return True
        if end < len(segments) and _GLOB_CHARS & set(segments[end]):
            break
    return any(fnmatch.fnmatchcase(path, g) for g in globs)


@functools.lru_cache(maxsize=256)
def _name_index(
    paths: frozenset[str], skip: str | None
) -> tuple[frozenset[str], tuple[str, ...], frozenset[tuple[str, ...]]]:
    globs = tuple(p for p in paths if _GLOB_CHARS & set(p))
    return paths, globs, frozenset(_split(p) for p in paths if p != skip)


@dataclass(frozen=True)
class PathSet:
    """Paths touched by a step: explicit paths, optionally everything outside some roots.

    ``everything``: any path at all.  ``outside``: every path not under one of
    these roots (a package manager reads and writes system paths freely, but
    only named files of the project directory).
    """

    paths: frozenset[str] = frozenset()
    everything: bool = False
    outside: frozenset[str] | None = None

    @staticmethod
    def all() -> PathSet:
        return PathSet(everything=True)

    @staticmethod
    def of(*paths: str) -> PathSet:
        return PathSet(paths=frozenset(paths))

    @property
    def empty(self) -> bool:
        return not self.everything and not self.paths and self.outside is None

    def overlaps(self, other: PathSet) -> bool:
        """Some path of one set is, or lies below or above, a path of the other."""
        if self.empty or other.empty:
            return False
        if self.everything or other.everything:
            return True
        if self.outside is not None and other.outside is not None:
            return True
        if _explicit_overlap(self.paths, other.paths):
            return True
        if other.outside is not None and _any_outside(self.paths, other.outside):
            return True
        if self.outside is not None:
            return _any_outside(other.paths, self.outside)
        return False

    def describe(self, limit: int = 3) -> str:
        """The paths for a message: the first `limit`, then how many more."""
        if self.everything:
            return "any path"
        parts = sorted(self.paths)
        if len(parts) > limit:
            parts = [*parts[:limit], f"{len(parts) - limit} more"]
        if self.outside is not None:
            parts.append("anything outside " + ", ".join(sorted(self.outside)))
        return ", ".join(parts) if parts else "nothing"


def _explicit_overlap(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Some path of `mine` and some path of `theirs` overlap (`paths_overlap`)."""
    if len(mine) * len(theirs) <= 64:
        return any(paths_overlap(p, q) for p in mine for q in theirs)
    a, b = _path_index(mine), _path_index(theirs)
    # Plain paths overlap when one is a segment prefix of the other.
    if not a.full.isdisjoint(b.prefixes) or not b.full.isdisjoint(a.prefixes):
        return True
    if any(paths_overlap(p, q) for p in a.globs for q in theirs):
        return True
    return any(paths_overlap(p, q) for q in b.globs for p in a.plain)


@dataclass(frozen=True)
class _PathIndex:
    """A path set's plain paths as segment tuples, with every prefix of them; its globs."""

    plain: tuple[str, ...]
    full: frozenset[tuple[str, ...]]
    # Every prefix of the plain paths, with how many of them start with it.
    prefixes: Mapping[tuple[str, ...], int]
    globs: tuple[str, ...]


@functools.lru_cache(maxsize=32)
def _path_index(paths: frozenset[str]) -> _PathIndex:
    """The index `_explicit_overlap` uses for big path sets (built once per set)."""
    plain: list[str] = []
    full: set[tuple[str, ...]] = set()
    prefixes: dict[tuple[str, ...], int] = {}
    globs: list[str] = []
    for path in paths:
        segments = plain_segments(path)
        if segments is None:
            globs.append(path)
            continue
        plain.append(path)
        full.add(segments)
        for end in range(len(segments) + 1):
            prefixes[segments[:end]] = prefixes.get(segments[:end], 0) + 1
    return _PathIndex(tuple(plain), frozenset(full), prefixes, tuple(globs))


def _any_outside(paths: frozenset[str], roots: frozenset[str]) -> bool:
    """Some path of `paths` touches something outside every root (`touches_outside`)."""
    if len(paths) <= 16:
        return any(touches_outside(p, roots) for p in paths)
    index = _path_index(paths)
    if any(touches_outside(p, roots) for p in index.globs):
        return True
    # A plain path is under a root when the root's segments start it: count those under the
    # outermost roots (a root inside another adds nothing).
    inside = sum(index.prefixes.get(t, 0) for t in _outermost(roots))
    return inside < len(index.plain)


@functools.lru_cache(maxsize=64)
def _outermost(roots: frozenset[str]) -> frozenset[tuple[str, ...]]:
    """The roots (as segments) that lie inside no other root."""
    all_roots = {_split(root) for root in roots}
    return frozenset(t for t in all_roots if not any(t[:end] in all_roots for end in range(len(t))))


def touches_outside(path: str, roots: frozenset[str]) -> bool:
    """Does ``path`` (or anything below it) lie outside every root?"""
    return not under_any(path, roots)


def under_any(path: str, roots: frozenset[str]) -> bool:
    """``is_under(path, root)`` for some root of ``roots``."""
    if len(roots) <= 8:
        return any(is_under(path, root) for root in roots)
    # Many roots (the files a copy put in `/`, a broad copy's writes): look up each plain
    # prefix of the path.
    tops = _root_segments(roots)
    segments = _split(path)
    for end in range(len(segments) + 1):
        if end and _GLOB_CHARS & set(segments[end - 1]):
            break
        if segments[:end] in tops:
            return True
    return False


@functools.lru_cache(maxsize=4)
def _root_segments(roots: frozenset[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(_split(root) for root in roots)
