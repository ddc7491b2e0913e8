"""`dockerfix verify` with real builds: a correct rewrite passes, wrong rewrites are caught."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockerfix.build.engine import Engine
from dockerfix.cli.main import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realbuild"


def _digest_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _verify(engine: Engine, case: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main,
        [
            "verify",
            str(FIXTURES / case / "Dockerfile"),
            "--context",
            str(FIXTURES / case / "context"),
            "--engine",
            "docker",
            *args,
        ],
        env={"DOCKER_HOST": engine.where()},
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("case", "base", "edited", "install"),
    [
        ("bb-reorder", "busybox", "README.md", "RUN mkdir -p /opt/data && sleep 2"),
        ("pip-app", "python", "app/__main__.py", "RUN pip install"),
    ],
)
def test_a_correct_rewrite_is_equivalent_and_saves_the_install(
    case: str,
    base: str,
    edited: str,
    install: str,
    engine: Engine,
    require_base: Callable[[str], tuple[str, ...]],
) -> None:
    require_base(base)
    before = _digest_tree(FIXTURES / case)
    code, out, err = _verify(engine, case, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["equivalent"], report["differing_paths"], report["config_differences"]) == (
        True,
        [],
        [],
    )
    rebuild = report["rebuild"]
    assert rebuild["edited"] == edited
    assert [s for s in rebuild["original"]["executed"] if s.startswith(install)] != []
    assert [s for s in rebuild["rewritten"]["cached"] if s.startswith(install)] != []
    assert rebuild["rewritten"]["wall_seconds"] < rebuild["original"]["wall_seconds"]
    # The user's files are never touched: verify works on a copy.
    assert _digest_tree(FIXTURES / case) == before


@pytest.mark.parametrize(
    ("wrong", "differing"),
    [
        # The RUN that writes conf/app.conf now runs after the COPY that should overwrite it.
        ("wrong-overwrite.Dockerfile", "~ /app/conf/app.conf (size, sha256)"),
        # The RUN that lists the sources now runs before the COPY that brings them.
        ("wrong-reads.Dockerfile", "~ /opt/listing.txt (size, sha256)"),
    ],
)
def test_a_wrong_rewrite_is_caught(
    wrong: str,
    differing: str,
    engine: Engine,
    require_base: Callable[[str], tuple[str, ...]],
) -> None:
    require_base("busybox")
    against = str(FIXTURES / "bb-overwrite" / wrong)
    code, out, _ = _verify(engine, "bb-overwrite", "--against", against)
    assert code == 1
    lines = out.splitlines()
    assert lines[1].startswith("DIFFERENT: ")
    assert lines[2:4] == ["differing paths:", f"  {differing}"]


def test_a_missing_base_image_is_refused_with_a_hint(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "app.sh").write_text("echo hi\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.19\nWORKDIR /app\nCOPY . .\nRUN sleep 1\n")
    result = CliRunner().invoke(
        main,
        ["verify", str(dockerfile), "--engine", "docker", "--base-images"],
        env={"DOCKER_HOST": engine.where()},
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "dockerfix: error: base image docker.io/library/alpine:3.19 is not in the image store"
    )
    assert result.stderr.count("\n") == 1


def test_an_original_that_does_not_build_is_bad_input(
    engine: Engine, require_base: Callable[[str], tuple[str, ...]], tmp_path: Path
) -> None:
    require_base("busybox")
    (tmp_path / "app.sh").write_text("echo hi\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM busybox\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /opt && exit 3\n")
    result = CliRunner().invoke(
        main, ["verify", str(dockerfile), "--engine", "docker"], env={"DOCKER_HOST": engine.where()}
    )
    assert result.exit_code == 2
    *progress, error = result.stderr.splitlines()
    assert progress == ["dockerfix: building the original Dockerfile (1/5)"]
    assert error == (
        "dockerfix: error: the original Dockerfile does not build: "
        "executor failed running [/bin/sh -c mkdir -p /opt && exit 3]: exit code: 3"
    )
