"""Fixtures of the language-server tests: build contexts copied from the fixture cases, a
server shared by a module's tests, and the command line to compare it with."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp.client import LspClient

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def copy_case(name: str, target: Path) -> Path:
    """The case's build context under `target`, with its Dockerfile in it; the Dockerfile."""
    shutil.copytree(CASES / name / "context", target, symlinks=True)
    dockerfile = target / "Dockerfile"
    shutil.copyfile(CASES / name / "Dockerfile", dockerfile)
    return dockerfile


def cli(cwd: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """`dockerfix ARGS` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "dockerfix.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def client(workspace: Path) -> Iterator[LspClient]:
    """One initialized server for the module's tests (each opens its own documents)."""
    server = LspClient(workspace)
    server.initialize(workspace)
    yield server
    server.close()
