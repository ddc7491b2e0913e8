"""--exit-non-zero-on-write: a commit hook that wrote (or created) a file fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

UNOPTIMIZED = 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "a.js"]\n'


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dockerfix.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"DOCKERFIX_NO_CACHE": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )


def _project(tmp_path: Path, node_modules: bool = False) -> Path:
    (tmp_path / "package.json").write_text('{"name": "a"}')
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "a.js").write_text("")
    if node_modules:
        (tmp_path / "node_modules" / "x").mkdir(parents=True)
        (tmp_path / "node_modules" / "x" / "index.js").write_text("")
    (tmp_path / "Dockerfile").write_text(UNOPTIMIZED)
    return tmp_path


def test_a_write_fails_the_run_then_the_next_run_passes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = _run(project, "--write", "--exit-non-zero-on-write", "Dockerfile")
    assert first.returncode == 1, first.stderr
    assert "1 file rewritten" in first.stderr
    assert "Dockerfile:3: DFX002 copy package.json, package-lock.json" in first.stderr
    second = _run(project, "--write", "--exit-non-zero-on-write", "Dockerfile")
    assert second.returncode == 0, second.stderr


def test_a_created_dockerignore_fails_the_run(tmp_path: Path) -> None:
    project = _project(tmp_path, node_modules=True)
    result = _run(project, "--write", "--unsafe-fixes", "--exit-non-zero-on-write", "Dockerfile")
    assert result.returncode == 1, result.stderr
    assert "node_modules" in (project / ".dockerignore").read_text().splitlines()


def test_without_the_flag_a_write_exits_0(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _run(project, "--write", "Dockerfile").returncode == 0
    assert (project / "Dockerfile").read_text() != UNOPTIMIZED
