"""The build context: which files a build sends, after .dockerignore, and their contents."""

from __future__ import annotations

import bisect
import fnmatch
import functools
import posixpath
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path

from dockerfix.model.dockerignore import (
    IgnoreFile,
    find_dockerignore,
    parse_dockerignore,
    walk_context,
)
from dockerfix.records import dataclass

MAX_READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BuildContext:
    """A build context directory as the build sees it: ignored files are absent."""

    root: Path
    files: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    ignore: IgnoreFile | None = None
    ignore_path: Path | None = None
    _dirs: frozenset[str] = field(default=frozenset(), repr=False)

    @functools.cached_property
    def total_bytes(self) -> int:
        """The size of the files sent (read from the disk when first asked for)."""
        return files_size(self.root, self.files)

    @staticmethod
    def load(
        root: Path, dockerfile: Path | None = None, ignore_text: str | None = None
    ) -> BuildContext:
        """Walk ``root``; ``ignore_text`` stands in for the ignore file's content when given."""
        ignore_path = find_dockerignore(dockerfile or root / "Dockerfile", root)
        ignore = None
        if ignore_text is not None:
            ignore = parse_dockerignore(ignore_text)
        elif ignore_path is not None:
            ignore = parse_dockerignore(ignore_path.read_text(encoding="utf-8", errors="replace"))
        return BuildContext.walk(root, ignore, ignore_path)

    @staticmethod
    def walk(
        root: Path, ignore: IgnoreFile | None, ignore_path: Path | None = None
    ) -> BuildContext:
        """The context under ``root`` as a build with ``ignore`` sees it (all files if None)."""
        listing = walk_context(root, ignore or parse_dockerignore(""), sizes=False)
        files = listing.included  # sorted
        return BuildContext(
            root=root,
            files=files,
            excluded=listing.excluded,
            ignore=ignore,
            ignore_path=ignore_path,
            _dirs=_parent_dirs(files),
        )

    def exists(self, rel: str) -> bool:
        rel = clean(rel)
        return rel == "" or self.is_file(rel) or rel in self._dirs

    def is_file(self, rel: str) -> bool:
        rel = clean(rel)
        i = bisect.bisect_left(self.files, rel)
        return i < len(self.files) and self.files[i] == rel

    def is_dir(self, rel: str) -> bool:
        rel = clean(rel)
        return rel == "" or rel in self._dirs

    def files_under(self, rel: str) -> list[str]:
        """Files inside directory ``rel`` ('' is the whole context), relative to the context."""
        rel = clean(rel)
        if rel == "":
            return list(self.files)
        prefix = rel + "/"
        i = bisect.bisect_left(self.files, prefix)
        out = []
        while i < len(self.files) and self.files[i].startswith(prefix):
            out.append(self.files[i])
            i += 1
        return out

    def glob(self, pattern: str) -> list[str]:
        """Paths (files or directories) matching a COPY source pattern, segment by segment."""
        pattern = clean(pattern)
        depth = pattern.count("/") + 1
        candidates = {f for f in self.files if f.count("/") + 1 == depth}
        candidates |= {d for d in self._dirs if d.count("/") + 1 == depth}
        return sorted(c for c in candidates if _segment_match(c, pattern))

    def read_text(self, rel: str) -> str | None:
        if not self.is_file(rel):
            return None
        path = self.root / clean(rel)
        try:
            if path.is_symlink() or path.stat().st_size > MAX_READ_BYTES:
                return None
            return _decode(path.read_bytes())
        except (OSError, UnicodeDecodeError):
            return None


def files_size(root: Path, files: Iterable[str]) -> int:
    """The bytes of these files below ``root`` (not following symlinks; missing ones: 0)."""
    total = 0
    for rel in files:
        try:
            total += (root / rel).lstat().st_size
        except OSError:
            continue
    return total


def _decode(data: bytes) -> str:
    """A text file as the tools read it: UTF-8, or UTF-16 and UTF-8 with a byte-order mark
    (pip reads requirements files so; editors on Windows write them)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    return data.decode("utf-8")


def clean(rel: str) -> str:
    """A context-relative path as BuildKit cleans COPY sources ('/x', './x' and 'x' agree)."""
    norm = posixpath.normpath("/" + rel.replace("\\", "/")).lstrip("/")
    return "" if norm in (".", "") else norm


def _segment_match(path: str, pattern: str) -> bool:
    parts, pats = path.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pats))


def _parent_dirs(files: tuple[str, ...]) -> frozenset[str]:
    dirs: set[str] = set()
    for f in files:
        folder = f.rpartition("/")[0]
        while folder and folder not in dirs:
            dirs.add(folder)
            folder = folder.rpartition("/")[0]
    return frozenset(dirs)
