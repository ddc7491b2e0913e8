"""Build contexts from build commands in Makefiles and workflows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dockerfix.integrations.buildscripts import _build_args, script_contexts_above


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-f docker/Dockerfile .", ("docker/Dockerfile", ".")),
        ("--file=ci/app.Dockerfile --platform linux/amd64 -t x:1 ..", ("ci/app.Dockerfile", "..")),
        ("-t app:$(VERSION) $(if $(PUSH),--push) --build-arg A=$$B .", (None, ".")),
        (
            "--sbom=true --provenance=true -f docker/Dockerfile . # the image",
            ("docker/Dockerfile", "."),
        ),
    ],
)
def test_build_arguments(text: str, expected: tuple[str | None, str]) -> None:
    assert _build_args(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "-f docker/Dockerfile $(CONTEXT)",  # the context is a variable
        "-f $(DOCKERFILE) .",  # so is the file
        "-f - .",  # from stdin
        "https://github.com/a/b.git",  # a remote context
        "-t x",  # no context
        "a b",  # two
    ],
)
def test_build_arguments_that_say_nothing(text: str) -> None:
    assert _build_args(text) is None


def _repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "docker").mkdir()
    dockerfile = tmp_path / "docker" / "Dockerfile"
    dockerfile.write_text("FROM alpine\nCOPY . /src\n")
    return dockerfile


def test_makefile_in_a_folder_above(tmp_path: Path) -> None:
    dockerfile = _repo(tmp_path)
    (tmp_path / "Makefile").write_text(
        "build:\n\t@docker build -f docker/Dockerfile . && echo ok\n"
    )
    assert script_contexts_above([dockerfile]) == {dockerfile.resolve(): tmp_path.resolve()}


def test_workflow_run_step_in_its_working_directory(tmp_path: Path) -> None:
    dockerfile = _repo(tmp_path)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yaml").write_text(
        "jobs:\n  b:\n    steps:\n      - run: docker build -f Dockerfile ..\n"
        "        working-directory: docker\n"
    )
    assert script_contexts_above([dockerfile]) == {dockerfile.resolve(): tmp_path.resolve()}


def test_two_contexts_for_one_dockerfile_give_none(tmp_path: Path) -> None:
    dockerfile = _repo(tmp_path)
    (tmp_path / "Makefile").write_text(
        "a:\n\tdocker build -f docker/Dockerfile .\nb:\n\tdocker build -f docker/Dockerfile docker\n"
    )
    assert script_contexts_above([dockerfile]) == {}


def test_a_build_of_a_missing_file_or_folder_gives_none(tmp_path: Path) -> None:
    dockerfile = _repo(tmp_path)
    (tmp_path / "Makefile").write_text(
        "a:\n\tdocker build -f docker/Other.Dockerfile .\nb:\n\tdocker build -f docker/Dockerfile web\n"
    )
    assert script_contexts_above([dockerfile]) == {}


def test_a_workflow_without_a_build_gives_none(tmp_path: Path) -> None:
    dockerfile = _repo(tmp_path)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("jobs:\n  t:\n    steps:\n      - run: make test\n")
    assert script_contexts_above([dockerfile]) == {}
