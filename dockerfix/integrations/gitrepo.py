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
    """What HEAD points at: a commit id, or the ref name when the ref is packed or unborn."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head
        # A linked worktree keeps its branches in the main repository ("commondir").
        common = git_dir / "commondir"
        roots = [git_dir]
        if common.is_file():
            roots.append((git_dir / common.read_text(encoding="utf-8").strip()).resolve())
        for root in roots:
            ref = root / head[5:]
            if ref.is_file():
                return ref.read_text(encoding="utf-8").strip()
        return head
    except (OSError, UnicodeDecodeError):
        return ""
