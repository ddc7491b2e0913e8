"""A cache of results for unchanged Dockerfiles and build contexts (editors, pre-commit).

The key covers everything a result depends on: dockerfix's version, the options, the
Dockerfile's text, and every entry of the build context (path, size, modification time),
the `.dockerignore` included, plus the commit git's HEAD points at (history decides
volatility).  Contexts larger than MAX_ENTRIES are not cached: walking them would cost more
than it saves.  Set DOCKERFIX_NO_CACHE=1 to disable; DOCKERFIX_CACHE_DIR moves it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dockerfix._version import __version__
from dockerfix.diagnostics import Diagnostic, FileEdit, Result
from dockerfix.integrations.gitrepo import find_git_dir, head_commit

MAX_ENTRIES = 20_000


def cache_dir() -> Path | None:
    if os.environ.get("DOCKERFIX_NO_CACHE"):
        return None
    base = os.environ.get("DOCKERFIX_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "dockerfix" / f"v{__version__}"


def _context_fingerprint(root: Path, digest: Any) -> bool:
    """Feed every context entry's path, size and mtime to ``digest``; False when too big."""
    count = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return False
        for entry in entries:
            count += 1
            if count > MAX_ENTRIES:
                return False
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                return False
            digest.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
            if entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                stack.append(Path(entry.path))
    return True


def key_for(
    text: str, context: Path | None, dockerfile: Path | None, settings_key: str
) -> str | None:
    """The cache key of a result, or None when the context is too large to fingerprint.

    `settings_key` is `Settings.key()` of the run: every option that changes the result.
    """
    import hashlib  # here: a run with the cache off never hashes

    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{settings_key}\0".encode())
    digest.update(text.encode("utf-8", "surrogatepass"))
    if dockerfile is not None:
        digest.update(str(Path(os.path.realpath(dockerfile))).encode())
        sibling = dockerfile.with_name(dockerfile.name + ".dockerignore")
        if sibling.exists():
            digest.update(sibling.read_bytes())
    if context is not None:
        digest.update(str(Path(os.path.realpath(context))).encode())
        if not _context_fingerprint(context, digest):
            return None
        git_dir = find_git_dir(context)  # history decides volatility: HEAD is part of the key
        if git_dir is not None:
            digest.update(head_commit(git_dir).encode())
    return digest.hexdigest()


def load(key: str) -> Result | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / key[:2] / key).read_text(encoding="utf-8"))
        return _result(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(key: str, result: Result) -> None:
    folder = cache_dir()
    if folder is None:
        return
    _write(folder / key[:2] / key, _data(result))


def _write(target: Path, data: Any) -> None:
    """Write `data` as JSON to `target` atomically; a failure leaves no file."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        return  # a cache that cannot be written is no cache, not an error


def _diag(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "message": d.message,
        "line": d.line,
        "tier": d.tier,
        "applied": d.applied,
        "reason": d.reason,
        "end_line": d.end_line,
    }


def _data(result: Result) -> dict[str, Any]:
    return {
        "original": result.original,
        "code": result.code,
        "fixes": [_diag(d) for d in result.fixes],
        "error": result.error,
        "edits": [
            {
                "path": str(e.path),
                "original": e.original,
                "new": e.new,
                "fixes": [_diag(d) for d in e.fixes],
            }
            for e in result.edits
        ],
    }


def _result(data: dict[str, Any]) -> Result:
    return Result(
        original=data["original"],
        code=data["code"],
        fixes=tuple(Diagnostic(**d) for d in data["fixes"]),
        error=data["error"],
        edits=tuple(
            FileEdit(
                Path(e["path"]), e["original"], e["new"], tuple(Diagnostic(**d) for d in e["fixes"])
            )
            for e in data["edits"]
        ),
    )


def history_key(git_dir: str, context: str, max_commits: int, head: str) -> str:
    """The cache key of the git history read for `context` at commit `head`."""
    import hashlib

    digest = hashlib.sha256(f"{__version__}\0history\0{git_dir}\0{context}\0".encode())
    digest.update(f"{max_commits}\0{head}".encode())
    return digest.hexdigest()


def load_history(key: str) -> list[frozenset[str]] | None:
    """The commits' file lists stored under `key` (newest first), or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / "history" / key).read_text(encoding="utf-8"))
        return [frozenset(str(name) for name in names) for names in data]
    except (OSError, ValueError, TypeError):
        return None


def store_history(key: str, changes: list[frozenset[str]]) -> None:
    """Keep the commits' file lists under `key`."""
    folder = cache_dir()
    if folder is None:
        return
    _write(folder / "history" / key, [sorted(names) for names in changes])
