"""Find Dockerfiles under the paths given on the command line."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

NAME_PATTERNS = (
    "Dockerfile",
    "dockerfile",
    "Containerfile",
    "*.Dockerfile",
    "*.dockerfile",
    "Dockerfile.*",
    "Containerfile.*",
)
# Never searched: VCS data, dependency and build output folders.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "vendor",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "target",
        "dist",
        "build",
    }
)
# Files named like Dockerfiles that are not Dockerfiles.
SKIP_SUFFIXES = (".dockerignore", ".md", ".txt", ".orig", ".rej", ".bak", ".swp", "~")


def is_dockerfile_name(name: str) -> bool:
    if name.endswith(SKIP_SUFFIXES):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in NAME_PATTERNS)


def discover(paths: Iterable[Path], exclude: Iterable[str] = ()) -> Iterator[Path]:
    """Yield Dockerfiles: explicit files as given, directories searched recursively."""
    excludes = tuple(exclude)
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir() and not _looks_like_file_arg(path):
            for found in _not_git_ignored(path, list(_walk(path, excludes))):
                if found not in seen:
                    seen.add(found)
                    yield found
        elif path not in seen:
            seen.add(path)
            yield path


def _not_git_ignored(root: Path, found: list[Path]) -> list[Path]:
    """Drop files that .gitignore ignores, when ``root`` is inside a git work tree."""
    if not found:
        return found
    import subprocess

    try:
        result = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--stdin", "-z"],
            input="\0".join(str(p.relative_to(root)) for p in found) + "\0",
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return found
    if result.returncode not in (0, 1):  # 128: not a git repository
        return found
    ignored = {root / p for p in result.stdout.split("\0") if p}
    return [p for p in found if p not in ignored]


def _looks_like_file_arg(path: Path) -> bool:
    # A directory named like a Dockerfile was most likely meant as a file:
    # report it as bad input instead of searching inside it.
    return is_dockerfile_name(path.name) and not path.name.startswith("Dockerfile.d")


def _walk(root: Path, excludes: tuple[str, ...]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not _excluded(os.path.join(rel_dir, d), excludes)
        )
        for name in sorted(filenames):
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if is_dockerfile_name(name) and not _excluded(rel, excludes):
                yield Path(dirpath) / name


def _excluded(rel: str, excludes: tuple[str, ...]) -> bool:
    rel = os.path.normpath(rel)
    return any(
        fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(os.path.basename(rel), pat)
        for pat in excludes
    )
