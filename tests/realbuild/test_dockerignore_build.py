"""DFX004 for real: the planned `.dockerignore` stops a log edit from rerunning the install step.

The image built with the planned file equals the original except for the excluded junk, listed
exactly below.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dockerfix.fixes.dockerignore import HEADER, plan_dockerignore
from dockerfix.syntax import parse
from dockerfix.verify.engine import BuildahEngine, BuildResult
from dockerfix.verify.imagediff import diff_snapshots

RequireBase = Callable[[str], tuple[str, ...]]

DOCKERFILE = """\
FROM docker.io/library/busybox:latest
WORKDIR /app
COPY . .
RUN wc -l deps.txt > deps.count
CMD ["cat", "/app/deps.count"]
"""
INSTALL = "RUN wc -l deps.txt > deps.count"
CONTEXT = {
    "deps.txt": "alpha\nbeta\n",
    "main.sh": "echo hello\n",
    "app.log": "started\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/config": "[core]\n",
}
# Exactly what the image loses: the junk and nothing else.
EXCLUDED = ["/app/.git", "/app/.git/HEAD", "/app/.git/config", "/app/app.log"]


@pytest.fixture(scope="module")
def busybox(require_base: RequireBase) -> str:
    return require_base("busybox")[0]


def _build(engine: BuildahEngine, dockerfile: Path, context: Path, tag: str) -> BuildResult:
    result = engine.build(dockerfile, context, tag)
    assert result.ok, result.tail()
    return result


def _log_edit(context: Path, n: int) -> None:
    (context / "app.log").write_text(f"started\nrequest {n}\n")


def test_planned_dockerignore_keeps_install_cached(
    engine: BuildahEngine, busybox: str, tmp_path: Path
) -> None:
    context = tmp_path / "context"
    for rel, text in CONTEXT.items():
        (context / rel).parent.mkdir(parents=True, exist_ok=True)
        (context / rel).write_text(text)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(DOCKERFILE)

    _build(engine, dockerfile, context, "localhost/dfx004:before")
    _log_edit(context, 1)
    assert INSTALL in _build(engine, dockerfile, context, "localhost/dfx004:before-edit").executed
    original = engine.snapshot("localhost/dfx004:before-edit")

    plan = plan_dockerignore(parse(DOCKERFILE), context, dockerfile)
    assert plan.path == context / ".dockerignore"
    assert plan.new_text == f"{HEADER}\n.git\n**/*.log\n.dockerignore\n"
    plan.path.write_text(plan.new_text)

    _build(engine, dockerfile, context, "localhost/dfx004:after")
    _log_edit(context, 2)
    after = _build(engine, dockerfile, context, "localhost/dfx004:after-edit")
    assert INSTALL in after.cached
    assert after.executed == []

    diff = diff_snapshots(original, engine.snapshot("localhost/dfx004:after-edit"))
    assert diff.added == ()
    assert diff.changed == ()
    assert list(diff.removed) == EXCLUDED
