"""bench/corpus_builds.py: the FROM → stand-in mapping and the table (no builds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "corpus_builds.py"
_SPEC = importlib.util.spec_from_file_location("corpus_builds", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
corpus_builds = importlib.util.module_from_spec(_SPEC)
sys.modules["corpus_builds"] = corpus_builds
_SPEC.loader.exec_module(corpus_builds)


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("python", "python"),
        ("python:3.8.5", "python"),
        ("python:3.11-slim", "python"),
        ("docker.io/library/python:3", "python"),
        ("docker.io/node:24-trixie-slim", "node"),
        ("node:lts-slim", "node"),
        ("debian:stable-slim", "debian"),
    ],
)
def test_stand_in_for(image: str, kind: str) -> None:
    assert corpus_builds.stand_in_for(image).kind == kind


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("oven/bun", "no stand-in for oven/bun"),
        ("ghcr.io/astral-sh/uv:python3.13", "no stand-in for ghcr.io/astral-sh/uv"),
        ("golang:1.15.2", "no stand-in for golang:1.15.2"),
        ("node:${NODE_VERSION}", "depends on a build ARG"),
        ("python@sha256:" + "0" * 64, "pinned by digest"),
    ],
)
def test_no_stand_in(image: str, reason: str) -> None:
    found = corpus_builds.stand_in_for(image)
    assert found.kind is None
    assert reason in found.reason


def test_plan_skips_stages_and_scratch() -> None:
    plan = corpus_builds.plan_build(
        "FROM python:3.11-slim AS base\nFROM base\nFROM scratch\nCOPY --from=base / /\n"
    )
    assert [s.image for s in plan.stand_ins] == ["python:3.11-slim"]
    assert plan.skip is None


def test_plan_skips_alpine_packages() -> None:
    plan = corpus_builds.plan_build("FROM node:20-alpine\nRUN apk add --no-cache git\n")
    assert plan.skip is not None and "apk" in plan.skip


def test_plan_names_the_missing_stand_in() -> None:
    plan = corpus_builds.plan_build("FROM golang:1.22 AS go\nFROM python:3\n")
    assert plan.skip is not None and "golang:1.22" in plan.skip


def test_format_table_pads_columns() -> None:
    rows = [
        corpus_builds.Outcome("a/b", "Dockerfile", "python→x", "yes", "yes", "reran / cached"),
        corpus_builds.Outcome("long/name", "docker/Dockerfile", "oven/bun→none", "skipped: x"),
    ]
    lines = corpus_builds.format_table(rows).splitlines()
    assert lines[0].split()[:2] == ["repo", "dockerfile"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].index("Dockerfile") == lines[3].index("docker/Dockerfile")
    assert lines[3].rstrip().endswith("-")


def test_resume_keeps_the_outcomes_worth_keeping(tmp_path: Path) -> None:
    import json
    from dataclasses import asdict

    outcome = corpus_builds.Outcome
    earlier = [
        outcome("a/ok", "Dockerfile", built="yes", equivalent="yes", diff="d1"),
        outcome("b/skip", "Dockerfile", built="skipped: no stand-in", diff="d2"),
        outcome("c/differs", "Dockerfile", built="yes", equivalent="no: ~ /x", diff="d3"),
        outcome("d/slow", "Dockerfile", built="no: over the time budget (240 s)", diff="d4"),
    ]
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps([asdict(o) for o in earlier]))
    kept = corpus_builds.earlier_outcomes(path)
    # Keyed by the diff too: a rewrite that changed since is built again.
    assert sorted(kept) == [("a/ok", "Dockerfile", "d1"), ("b/skip", "Dockerfile", "d2")]
    assert kept[("a/ok", "Dockerfile", "d1")] == earlier[0]
