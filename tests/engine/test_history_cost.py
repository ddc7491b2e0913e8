"""The change history prices a split: manifests that change in the same commits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from dockerfix.api import fix
from dockerfix.model.volatility import History

MEMBERS = ("a", "b", "c", "d", "e")
DOCKERFILE = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n"
SPLIT = (
    "FROM node:20\nWORKDIR /app\n"
    "COPY package.json package-lock.json ./\n"
    "COPY a/package.json ./a/\nCOPY b/package.json ./b/\nCOPY c/package.json ./c/\n"
    "COPY d/package.json ./d/\nCOPY e/package.json ./e/\n"
    "RUN npm ci\nCOPY . .\nRUN npm run build\n"
)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
    )


def _bump(repo: Path, version: int) -> None:
    for name in MEMBERS:
        (repo / name / "package.json").write_text(
            json.dumps({"name": name, "version": f"1.0.{version}"})
        )
    (repo / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "v": version}))


def _workspace(repo: Path, bumps: int) -> None:
    """A five-member npm workspace; `bumps` dependency bumps each edit the lock file and
    every member's package.json in one commit, and as many commits edit the sources."""
    (repo / "src").mkdir()
    for name in MEMBERS:
        (repo / name).mkdir()
    root = {"name": "root", "private": True, "workspaces": list(MEMBERS)}
    root["scripts"] = {"build": "node src/index.js"}  # type: ignore[assignment]
    (repo / "package.json").write_text(json.dumps(root))
    (repo / "Dockerfile").write_text(DOCKERFILE)
    (repo / "src" / "index.js").write_text("console.log(0)\n")
    _bump(repo, 0)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    for version in range(1, bumps + 1):
        _bump(repo, version)
        _git(repo, "commit", "-qam", f"bump {version}")
        (repo / "src" / "index.js").write_text(f"console.log({version})\n")
        _git(repo, "commit", "-qam", f"edit {version}")


def test_manifests_bumped_together_are_split(tmp_path: Path) -> None:
    # Half the commits bump every member at once: the manifest copies change in one commit
    # out of two together, not (as five independent chances) in nearly every commit.
    _workspace(tmp_path, 10)
    result = fix(DOCKERFILE, tmp_path)
    assert result.code == SPLIT


def test_in_turn_gives_the_union_of_commits() -> None:
    changes = (
        frozenset({"a", "b"}),
        frozenset({"a", "b"}),
        frozenset({"src"}),
        frozenset({"src"}),
    )
    history = History(4, {"a": 2, "b": 2, "src": 2}, changes)
    alone = [history.estimate(["a"], 0.2), history.estimate(["b"], 0.2)]
    first, second = history.in_turn([["a"], ["b"]], [0.2, 0.2])
    assert first == pytest.approx(alone[0])
    # b changes only when a does: given that a did not change, b does not either (the
    # prior's share aside).
    union = history.estimate(["a", "b"], 0.2)
    assert (1 - first) * (1 - second) == pytest.approx(1 - union)
    assert second == pytest.approx(0.0)


def test_in_turn_of_files_changed_apart_keeps_both_chances() -> None:
    changes = (frozenset({"a"}), frozenset({"b"}), frozenset({"src"}), frozenset({"src"}))
    history = History(4, {"a": 1, "b": 1, "src": 2}, changes)
    first, second = history.in_turn([["a"], ["b"]], [0.2, 0.2])
    union = history.estimate(["a", "b"], 0.2)
    assert (1 - first) * (1 - second) == pytest.approx(1 - union)
    assert second > 0.04  # b changes on its own too: not a share of a's commits


def test_in_turn_without_commit_lists_keeps_each_chance() -> None:
    history = History(4, {"a": 2, "b": 2})
    chances = history.in_turn([["a"], ["b"]], [0.3, 0.4])
    assert chances == [history.estimate(["a"], 0.3), history.estimate(["b"], 0.4)]


def test_a_copy_of_only_the_manifests_is_not_a_prefetch_decline(tmp_path: Path) -> None:
    # The manifests change in every commit, so their copy is volatile; but it sends nothing
    # the install does not read: there is nothing to prefetch and nothing to say.
    dockerfile = (
        "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n"
        "RUN poetry install --only main\n"
    )
    (tmp_path / "Dockerfile").write_text(dockerfile)
    _git(tmp_path, "init", "-q")
    for version in range(10):
        (tmp_path / "pyproject.toml").write_text(
            f"[tool.poetry]\nname = 'a'\nversion = '1.{version}'\n"
        )
        (tmp_path / "poetry.lock").write_text(f"# {version}\n")
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-qm", f"bump {version}")
    result = fix(dockerfile, tmp_path, unsafe_fixes=True)
    assert result.code == dockerfile
    assert [f.code for f in result.fixes if f.code in ("DFX002", "DFX007")] == []


SHOP = (
    "FROM node:20-alpine\n"
    "RUN npm install --global pnpm@9\n"
    "WORKDIR /srv\n"
    "COPY package.json ./\n"
    "COPY pnpm-lock.yaml ./\n"
    "COPY apps/api/package.json ./docker/api/package.json\n"
    "COPY . .\n"
    "RUN pnpm install\n"
    "RUN pnpm run build\n"
)
# Manifests that change in a third of the commits or fewer, beside sources.
SHOP_HISTORY = History(
    157, {"pnpm-lock.yaml": 52, "apps/api/package.json": 37, "package.json": 21, "src/a.js": 100}
)


def _shop(root: Path, prepare: bool) -> list[tuple[int, str]]:
    """The order plan_stage gives SHOP under SHOP_HISTORY, with the DFX001 findings."""
    from dockerfix.analysis import Analysis
    from dockerfix.pipeline.planner import plan_stage
    from dockerfix.syntax import parse

    (root / "apps" / "api").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "package.json").write_text('{"name": "shop", "private": true}\n')
    (root / "pnpm-workspace.yaml").write_text("packages:\n  - apps/*\n")
    api: dict[str, object] = {"name": "api", "version": "1.0.0"}
    if prepare:
        api["scripts"] = {"prepare": "tsc"}
    (root / "apps" / "api" / "package.json").write_text(json.dumps(api))
    (root / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    (root / "src" / "a.js").write_text("console.log(0)\n")
    (root / ".dockerignore").write_text("node_modules\n")
    analysis = Analysis(parse(SHOP), context_dir=root)
    stage = analysis.model.stages[0]
    plan = plan_stage(
        analysis.model, stage, analysis.context, SHOP_HISTORY, effects=analysis.effects(stage)
    )
    lines = {s.position: s.instruction.start_line for s in stage.steps}
    return [(lines[p], "") for p in plan.order] + [
        (d.line, d.message) for d in plan.diagnostics if d.code == "DFX001"
    ]


def test_manifest_copies_that_the_broad_copy_sends_again_stay_before_it(tmp_path: Path) -> None:
    # `COPY . .` sends package.json and pnpm-lock.yaml again: below it, their copies would
    # spare nothing (an edit of either reruns `COPY . .`), though the search, taking the copies'
    # changes as independent, once counted a gain and moved them below the build.
    assert _shop(tmp_path, prepare=True) == [(n, "") for n in range(2, 10)]


def test_resent_pairs_are_copies_whose_files_a_later_copy_sends(tmp_path: Path) -> None:
    from dockerfix.analysis import Analysis
    from dockerfix.pipeline.planner import _resent
    from dockerfix.syntax import parse

    _shop(tmp_path, prepare=False)
    for text, expected in (
        (SHOP, {(4, 7), (5, 7), (6, 7)}),  # `COPY . .` sends all three again
        (SHOP.replace("COPY . .", "COPY src ./src"), set()),  # it sends none of them
    ):
        analysis = Analysis(parse(text), context_dir=tmp_path)
        stage = analysis.model.stages[0]
        lines = {s.position: s.instruction.start_line for s in stage.steps}
        pairs = _resent([s.position for s in stage.steps], analysis.effects(stage))
        assert {(lines[a], lines[b]) for a, b in pairs} == expected
