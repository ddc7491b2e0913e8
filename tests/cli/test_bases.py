"""Base-image sharing advice over a repository (`dockerfix explain DIR`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockerfix.cli.main import main
from dockerfix.pipeline.bases import findings, split_reference


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("python:3.12-slim", ("python", "3.12-slim")),
        ("docker.io/library/python:3.11", ("python", "3.11")),
        ("python", ("python", "latest")),
        ("ghcr.io/org/img:1.2", ("ghcr.io/org/img", "1.2")),
        ("registry:5000/app", ("registry:5000/app", "latest")),
        ("python@sha256:abc", ("python", "sha256:abc")),
        ("localhost:5000/a/b:tag", ("localhost:5000/a/b", "tag")),
    ],
)
def test_split_reference(ref: str, expected: tuple[str, str]) -> None:
    assert split_reference(ref) == expected


def _repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_versions_and_common_first_stage(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {
            "a/Dockerfile": "FROM python:3.11-slim\nRUN apt-get update\nENV X=1\nCOPY . .\n",
            "b/Dockerfile": "FROM docker.io/library/python:3.12-slim\nRUN pip install x\nCOPY . .\n",
            "c/Dockerfile": "FROM python:3.11-slim AS base\nRUN apt-get update\nENV X=1\nCOPY y .\nFROM base\n",
        },
    )
    result = CliRunner().invoke(main, ["explain", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == (
        f"3 Dockerfile(s) under {tmp_path}; base images:\n"
        "  a/Dockerfile:1  python:3.11-slim\n"
        "  b/Dockerfile:1  python:3.12-slim\n"
        "  c/Dockerfile:1  python:3.11-slim\n"
        "advice (tags): python is used as 2 different versions: 3.11-slim (a/Dockerfile:1, "
        "c/Dockerfile:1); 3.12-slim (b/Dockerfile:1). One tag shares its layers between these "
        "images (check each one still works).\n"
        "advice (common-stage): 2 Dockerfiles start with the same 3 instructions "
        "(FROM python:3.11-slim …): a shared base image or stage would build them once.\n"
    )


def test_aligned_repository_gets_no_advice(tmp_path: Path) -> None:
    _repo(
        tmp_path,
        {
            "a/Dockerfile": "FROM node:20\nCOPY . .\n",
            "b/Dockerfile": "FROM node:20 AS build\nRUN npm ci\nFROM scratch\nCOPY --from=build /x /x\n",
        },
    )
    result = CliRunner().invoke(main, ["explain", str(tmp_path), "--format", "json"])
    data = json.loads(result.output)
    assert data["findings"] == []
    assert [(b["dockerfile"], b["image"], b["reference"]) for b in data["bases"]] == [
        ("a/Dockerfile", "node", "20"),
        ("b/Dockerfile", "node", "20"),
    ]


def test_findings_ignore_short_first_stages() -> None:
    assert findings([], {"a": ["FROM x", "RUN y"], "b": ["FROM x", "RUN y"]}) == []
