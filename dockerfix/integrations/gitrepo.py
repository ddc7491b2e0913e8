"""Find the git repository a folder belongs to, and its HEAD commit, without running git."""

from __future__ import annotations

from pathlib import Path


def find_git_dir(start: Path) -> Path | None:
    """The `.git` directory of the work tree holding ``start`` (a linked worktree's too)."""
    here = start.resolve()
    for folder in (here, *here.parents):
        marker = folder / ".git"
        if marker.is_dir():
            return marker
        if marker.is_file():  # a linked worktree or submodule: "gitdir: <path>"
            try:
                text = marker.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def head_commit(git_dir: Path) -> str:
    """What HEAD points at: a commit id, or the ref name when the branch is unborn."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head
        for root in _ref_roots(git_dir):
            ref = root / head[5:]
            if ref.is_file():
                return ref.read_text(encoding="utf-8").strip()
        for root in _ref_roots(git_dir):
            packed = _packed_ref(root, head[5:])
            if packed is not None:
                return packed
        return head
    except (OSError, UnicodeDecodeError):
        return ""


def is_commit_id(text: str) -> bool:
    """A full SHA-1 or SHA-256 commit id (not a ref name)."""
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _ref_roots(git_dir: Path) -> list[Path]:
    """Where refs live: the git dir, and a linked worktree's main repository ("commondir")."""
    common = git_dir / "commondir"
    roots = [git_dir]
    if common.is_file():
        roots.append((git_dir / common.read_text(encoding="utf-8").strip()).resolve())
    return roots


def _packed_ref(root: Path, name: str) -> str | None:
    """The commit `name` has in `root`'s packed-refs file, if it is listed there."""
    try:
        lines = (root / "packed-refs").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        commit, _, ref = line.partition(" ")
        if ref == name and is_commit_id(commit):
            return commit
    return None
