"""Finding a folder's git repository and HEAD without running git; reading its history once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dockerfix.integrations.gitrepo import find_git_dir, head_commit
from dockerfix.model import volatility


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


def _commit(repo: Path, name: str) -> None:
    (repo / name).write_text(name, encoding="utf-8")
    _git(repo, "add", name)
    _git(
        repo, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "-m", name
    )


def test_packed_branch_gives_its_commit(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    _commit(tmp_path, "a.txt")
    _git(tmp_path, "pack-refs", "--all")
    assert not (tmp_path / ".git" / "refs" / "heads" / "main").exists()
    assert head_commit(tmp_path / ".git") == _git(tmp_path, "rev-parse", "HEAD")


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every git log the history loader starts."""
    reads: list[Path] = []
    real = volatility._start_log

    def start(context: Path, max_commits: int) -> subprocess.Popen[str] | None:
        reads.append(context)
        return real(context, max_commits)

    monkeypatch.setattr(volatility, "_start_log", start)
    monkeypatch.setattr(volatility, "_HISTORIES", {})
    monkeypatch.setattr(volatility, "_RUNNING", {})
    return reads


def test_history_is_read_once_per_context_in_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKERFIX_NO_CACHE", "1")
    _git(tmp_path, "init", "-q")
    _commit(tmp_path, "a.txt")
    _commit(tmp_path, "b.txt")
    reads = _counting_reads(monkeypatch)
    first = volatility.load_history(tmp_path)
    again = volatility.load_history(tmp_path)
    assert reads == [tmp_path]
    assert first is not None and first == again
    assert first.changes == (frozenset({"b.txt"}), frozenset({"a.txt"}))
    _commit(tmp_path, "c.txt")  # a long-lived process sees the new commit
    later = volatility.load_history(tmp_path)
    assert len(reads) == 2
    assert later is not None and later.commits == 3


def test_history_is_kept_in_the_cache_until_head_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCKERFIX_NO_CACHE", raising=False)
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _commit(repo, "a.txt")
    reads = _counting_reads(monkeypatch)
    first = volatility.load_history(repo)
    monkeypatch.setattr(volatility, "_HISTORIES", {})  # a new process
    assert volatility.load_history(repo) == first
    assert len(reads) == 1
    _commit(repo, "b.txt")
    monkeypatch.setattr(volatility, "_HISTORIES", {})
    moved = volatility.load_history(repo)
    assert len(reads) == 2
    assert moved is not None and moved.commits == 2


def test_history_started_ahead_is_the_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKERFIX_NO_CACHE", "1")
    _git(tmp_path, "init", "-q")
    _commit(tmp_path, "a.txt")
    reads = _counting_reads(monkeypatch)
    volatility.start_history(tmp_path)
    volatility.start_history(tmp_path)  # already running: no second git
    history = volatility.load_history(tmp_path)
    assert reads == [tmp_path]
    assert history is not None and history.changes == (frozenset({"a.txt"}),)
