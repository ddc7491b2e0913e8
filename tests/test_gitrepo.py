"""Finding a folder's git repository and HEAD without running git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dockerfix.integrations.gitrepo import find_git_dir, head_commit


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_repository_above_a_subfolder(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(
        tmp_path,
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "user.name=t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "first",
    )
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    git_dir = find_git_dir(sub)
    assert git_dir == (tmp_path / ".git").resolve()
    assert head_commit(git_dir) == _git(tmp_path, "rev-parse", "HEAD")


def test_linked_worktree_points_at_its_own_git_dir(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(
        repo,
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "user.name=t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "first",
    )
    _git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    git_dir = find_git_dir(tmp_path / "wt")
    assert git_dir is not None and git_dir.name == "wt"
    assert head_commit(git_dir) == _git(repo, "rev-parse", "HEAD")


def test_no_repository(tmp_path: Path) -> None:
    assert find_git_dir(tmp_path) is None


def test_unborn_branch_gives_the_ref(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    assert head_commit(tmp_path / ".git") == "ref: refs/heads/main"
