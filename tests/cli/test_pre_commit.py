"""The pre-commit hooks, run by the real pre-commit tool against this repository."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNOPTIMIZED = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
)
OPTIMIZED = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
    "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"
)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _hook(repo: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(repo.parent / "pre-commit-home"))
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hooks") / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "t")
    (repo / "requirements.txt").write_text("flask\n")
    (repo / "Dockerfile").write_text(UNOPTIMIZED)
    (repo / "notes.txt").write_text("not a Dockerfile\n")
    _git(repo, "add", ".")
    return repo


def test_check_hook_fails_without_changing_the_file(repo: Path) -> None:
    result = _hook(repo, "dockerfix-check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dockerfix (check)" in result.stdout and "- exit code: 1" in result.stdout
    assert (repo / "Dockerfile").read_text() == UNOPTIMIZED


def test_write_hook_rewrites_then_passes(repo: Path) -> None:
    first = _hook(repo, "dockerfix")
    assert first.returncode == 1  # a hook that modified files fails the run
    assert "- exit code: 1" in first.stdout, first.stdout  # dockerfix says so itself
    assert "- files were modified by this hook" in first.stdout, first.stdout
    assert "DFX002 copy requirements.txt" in first.stdout  # and shows what it did
    assert (repo / "Dockerfile").read_text() == OPTIMIZED
    _git(repo, "add", ".")
    second = _hook(repo, "dockerfix")
    assert second.returncode == 0, second.stdout + second.stderr
