"""Sets of image filesystem paths, with the overlap test the dependency graph needs."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass

_GLOB_CHARS = frozenset("*?[")


def normalize(path: str, cwd: str = "/") -> str:
    """An absolute, normalized image path; relative paths are taken from ``cwd``."""
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    norm = posixpath.normpath(path)
    return "/" if norm in ("//", ".") else norm


def _segments(path: str) -> tuple[str, ...]:
    """Path segments up to the first glob segment (a glob may match anything below it)."""
    out = []
    for seg in path.strip("/").split("/"):
        if not seg:
            continue
        if _GLOB_CHARS & set(seg):
            break
        out.append(seg)
    return tuple(out)


def paths_overlap(a: str, b: str) -> bool:
    """True when one path is the other or lies below it.

    A glob segment of one path matches one segment of a concrete other path (`/app/*.sbt`
    does not reach `/app/.git/HEAD`); `**`, or globs on both sides, match conservatively.
    """
    glob_a, glob_b = bool(_GLOB_CHARS & set(a)), bool(_GLOB_CHARS & set(b))
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
    sa, sb = _segments(a), _segments(b)
    n = min(len(sa), len(sb))
    return sa[:n] == sb[:n]


def is_under(path: str, root: str) -> bool:
    """``path`` is ``root`` or certainly inside it (a glob segment could lead elsewhere)."""
    rp = [s for s in root.split("/") if s]
    pp = [s for s in path.split("/") if s]
    if len(pp) < len(rp):
        return False
    for p_seg, r_seg in zip(pp, rp):
        if _GLOB_CHARS & set(p_seg) or p_seg != r_seg:
            return False
    return True


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
        if self.empty or other.empty:
            return False
        if self.everything or other.everything:
            return True
        if self.outside is not None and other.outside is not None:
            return True
        for p in self.paths:
            if any(paths_overlap(p, q) for q in other.paths):
                return True
            if other.outside is not None and _touches_outside(p, other.outside):
                return True
        if self.outside is not None:
            return any(_touches_outside(q, self.outside) for q in other.paths)
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


def _touches_outside(path: str, roots: frozenset[str]) -> bool:
    """Does ``path`` (or anything below it) lie outside every root?"""
    for root in roots:
        if is_under(path, root):
            return False
    return True
