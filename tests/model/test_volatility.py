"""Manifest detection for volatility: the patterns come from the ecosystem rows, nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.model.ecosystems import ECOSYSTEMS, Ecosystem
from dockerfix.model.volatility import is_manifest, is_volatile_arg, manifest_patterns

# Files the ecosystem table named but the run-time list of manifests missed.
NEWLY_MANIFESTS = [
    "gems.rb",
    "gems.locked",
    ".bundle/config",
    "uv.toml",
    "pdm.toml",
    ".pdm-python",
    "project/plugins.sbt",
    "other.sbt",
    ".sbtopts",
    ".jvmopts",
    "bunfig.toml",
    ".pnpmfile.cjs",
    "rust-toolchain.toml",
    "rust-toolchain",
    ".cargo/config.toml",
    "mvnw",
    "gradlew",
    "auth.json",
    "App.slnx",
    "src/Directory.Build.targets",
    "src/Api/packages.lock.json",
    "NuGet.Config",
    "Package@swift-5.9.swift",
    "pubspec_overrides.yaml",
    "cabal.project.freeze",
    "cabal.project.local",
    "stack.yaml.lock",
    ".Rprofile",
    "renv/activate.R",
    "renv/settings.json",
]

# Manifests the run-time list had before; the rows hold them now (some as `other_manifests`).
STILL_MANIFESTS = [
    "requirements.txt",
    "requirements/base.txt",
    "requirements.in",
    "setup.cfg",
    "conda-lock.yml",
    "app.gemspec",
    "package.json",
    "web/package.json",
    "App.sln",
    "src/Api/Api.csproj",
    "Directory.Build.props",
    "src/Directory.Packages.props",
    "build.sbt",
    "app.cabal",
]

NOT_MANIFESTS = [
    "src/app.py",
    "README.md",
    "src/main.rs",
    "Dockerfile",
    # Folders a dependency install reads whole hold configuration and tooling, not manifests.
    "config/config.exs",
    "gradle/wrapper/gradle-wrapper.properties",
    ".yarn/releases/yarn-4.3.1.cjs",
    ".mvn/wrapper/maven-wrapper.properties",
    "project/build.properties",
    "patches/lodash.patch",
]


@pytest.mark.parametrize("path", NEWLY_MANIFESTS)
def test_files_named_by_the_table_are_manifests(path: str) -> None:
    assert is_manifest(path)


@pytest.mark.parametrize("path", STILL_MANIFESTS)
def test_earlier_manifests_stay_manifests(path: str) -> None:
    assert is_manifest(path)


@pytest.mark.parametrize("path", NOT_MANIFESTS)
def test_sources_and_folder_contents_are_not_manifests(path: str) -> None:
    assert not is_manifest(path)


def _example(pattern: str) -> str:
    """A file the pattern matches: `**/` as one folder, `*` as one name."""
    return pattern.replace("**/", "sub/").replace("*", "x")


@pytest.mark.parametrize("eco", ECOSYSTEMS, ids=[eco.name for eco in ECOSYSTEMS])
def test_every_file_pattern_of_a_row_is_a_manifest(eco: Ecosystem) -> None:
    files = [p for p in (*eco.manifests, *eco.other_manifests) if not p.endswith("/")]
    assert [_example(p) for p in files if not is_manifest(_example(p))] == []


def test_the_patterns_are_the_rows_file_patterns() -> None:
    from_rows = {
        p.removeprefix("**/")
        for eco in ECOSYSTEMS
        for p in (*eco.manifests, *eco.other_manifests)
        if not p.endswith("/")
    }
    assert set(manifest_patterns()) == from_rows
    assert len(manifest_patterns()) == len(from_rows)


@pytest.mark.parametrize(
    ("name", "stamp"),
    [
        ("GIT_COMMIT", True),
        ("VCS_REF", True),
        ("BUILD_DATE", True),
        ("BUILD_NUMBER", True),
        ("SOURCE_DATE_EPOCH", True),
        ("GITHUB_SHA", True),
        ("VERSION", True),
        ("APP_VERSION", True),
        # A dependency's pinned version, and names that merely contain a stamp word's letters.
        ("S6_VERSION", False),
        ("NODE_VERSION", False),
        ("PREFIX", False),
        ("SHARED_DIR", False),
        ("TARGETPLATFORM", False),
    ],
)
def test_build_stamp_names(name: str, stamp: bool) -> None:
    assert is_volatile_arg(name, has_default=False) is stamp
    assert is_volatile_arg(name, has_default=True) is False


def _copy_priors(tmp_path, text: str) -> list[float]:  # type: ignore[no-untyped-def]
    from dockerfix.analysis import Analysis
    from dockerfix.model.volatility import copy_prior
    from dockerfix.settings import Settings
    from dockerfix.syntax import parse

    for name in ("go.mod", "go.sum", "main.go", "nginx.conf", "app.py"):
        (tmp_path / name).write_text("x\n")
    analysis = Analysis(parse(text), Settings.make(), tmp_path, None)
    stage = analysis.model.stages[0]
    effects = analysis.effects(stage)
    return [copy_prior(effects[s.position]) for s in stage.steps if s.keyword == "COPY"]


def test_manifests_copied_with_a_program_source_change_as_sources(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dockerfix.model.volatility import P_CONFIG, P_MANIFEST, P_SOURCE

    priors = _copy_priors(
        tmp_path,
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY go.mod go.sum main.go ./\n"
        "COPY app.py .\nCOPY nginx.conf /etc/nginx/\n",
    )
    # A named source file alone (`COPY app.py .`, a crate's src/main.rs) stays configuration.
    assert priors == [P_MANIFEST, P_SOURCE, P_CONFIG, P_CONFIG]


def test_the_history_has_a_result_cache_key_only_with_the_cache_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from dockerfix.model.volatility import _where

    (tmp_path / "app.py").write_text("print(1)\n")
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCKERFIX_NO_CACHE", raising=False)
    found = _where(tmp_path, 300)
    assert found is not None and found[1] is not None and len(found[1]) == 64
    monkeypatch.setenv("DOCKERFIX_NO_CACHE", "1")
    off = _where(tmp_path, 300)
    assert off is not None and off[0] == found[0] and off[1] is None
