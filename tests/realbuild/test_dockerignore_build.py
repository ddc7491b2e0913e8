"""DFX004 for real: the planned `.dockerignore` stops a log edit from rerunning the install step.

The image built with the planned file equals the original except for the excluded junk, listed
exactly below.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dockerfix.build.engine import BuildResult, Engine
from dockerfix.build.imagediff import diff_snapshots
from dockerfix.fixes.dockerignore import HEADER, plan_dockerignore
from dockerfix.syntax import parse

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


def _build(engine: Engine, dockerfile: Path, context: Path, tag: str) -> BuildResult:
    result = engine.build(dockerfile, context, tag)
    assert result.ok, result.tail()
    return result


def _log_edit(context: Path, n: int) -> None:
    (context / "app.log").write_text(f"started\nrequest {n}\n")


def test_planned_dockerignore_keeps_install_cached(
    engine: Engine, busybox: str, tmp_path: Path
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


# A Vite-like app in a git checkout: its build reads `.env`, as bundlers do.
VITE_DOCKERFILE = """\
FROM node:20
WORKDIR /app
COPY . .
RUN npm run build
CMD ["node", "dist/app.js"]
"""
VITE_CONTEXT = {
    "package.json": '{"name": "web", "version": "1.0.0", "scripts": {"build": "node build.js"}}\n',
    "build.js": (
        "const fs = require('fs');\n"
        "const env = Object.fromEntries(fs.readFileSync('.env', 'utf8').trim().split('\\n')"
        ".map((l) => l.split('=')));\n"
        "fs.mkdirSync('dist', { recursive: true });\n"
        "fs.writeFileSync('dist/app.js', `console.log(${JSON.stringify(env.VITE_API_URL)});\\n`);\n"
    ),
    ".env": "VITE_API_URL=http://api.example\n",
    "src/main.js": "export const x = 1;\n",
    "server.log": "started\n",
}


NPM_LOGS = "/root/.npm/_logs/"


def _checkout(root: Path, files: dict[str, str], dockerfile: str) -> Path:
    import subprocess

    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "Dockerfile").write_text(dockerfile)
    git = ["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "app"], check=True)
    return root


def _dockerfix(*args: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "dockerfix.cli", *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_safe_write_keeps_the_env_a_bundler_build_reads(
    engine: Engine, require_base: RequireBase, tmp_path: Path
) -> None:
    require_base("node")
    app = _checkout(tmp_path / "web", VITE_CONTEXT, VITE_DOCKERFILE)
    dockerfile = app / "Dockerfile"
    _build(engine, dockerfile, app, "localhost/vite:before")
    original = engine.snapshot("localhost/vite:before")
    assert original["/app/dist/app.js"].kind == "file"

    # Safe mode: nothing that a COPY sends may change, so no .dockerignore is written.
    stderr = _dockerfix("--write", str(app))
    assert not (app / ".dockerignore").exists(), stderr
    assert dockerfile.read_text() == VITE_DOCKERFILE
    _build(engine, dockerfile, app, "localhost/vite:safe")
    safe = diff_snapshots(original, engine.snapshot("localhost/vite:safe"))
    assert (safe.added, safe.removed, safe.changed) == ((), (), ())

    # Unsafe mode may exclude the log, never the `.env` (or `.git`) the build may read.
    stderr = _dockerfix("--write", "--unsafe-fixes", str(app))
    assert (app / ".dockerignore").read_text() == f"{HEADER}\n**/*.log\n.dockerignore\n"
    assert "leaves the image: `/app/server.log`" in stderr
    assert "`RUN npm run build` (line 4) may read it" in stderr
    _build(engine, dockerfile, app, "localhost/vite:unsafe")
    unsafe = engine.snapshot("localhost/vite:unsafe")
    diff = diff_snapshots(original, unsafe)
    # npm names its debug log after the time of the run: not a difference of the image.
    added, removed = (
        [p for p in ps if not p.startswith(NPM_LOGS)] for ps in (diff.added, diff.removed)
    )
    assert (added, diff.changed, removed) == ([], (), ["/app/server.log"])
    assert unsafe["/app/dist/app.js"].sha256 == original["/app/dist/app.js"].sha256
