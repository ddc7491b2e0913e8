"""Table tests for bundler and gem: exact reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "bundle install --jobs 4",
        {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n"},
        "install",
        "bundler",
        ("Gemfile", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        False,
        (),
    ),
    (
        "bundle install",
        {"Gemfile": "source 'https://rubygems.org'\ngemspec\n"},
        "install",
        "bundler",
        ("Gemfile", "*.gemspec", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        True,
        (
            "Gemfile has a gemspec line: bundler loads the *.gemspec, which usually reads "
            "lib/…/version.rb and lists files with git ls-files",
        ),
    ),
    (
        "bundle install",
        {"Gemfile": "gem 'engine', path: 'engines/engine'\n"},
        "install",
        "bundler",
        ("Gemfile", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        True,
        (
            "Gemfile installs a gem from a local path (gem 'engine', path: 'engines/engine'): "
            "bundler reads its files",
        ),
    ),
    (
        "bundle install",
        {"Gemfile": "eval_gemfile 'Gemfile.shared'\n", "Gemfile.shared": "gem 'pg'\n"},
        "install",
        "bundler",
        ("Gemfile", "Gemfile.shared", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        False,
        (),
    ),
    ("gem install bundler -v 2.5.0 --no-document", {}, "install", "bundler", (), False, ()),
]


@pytest.mark.parametrize(
    ("command", "files", "kind", "eco", "reads", "reads_all", "reasons"),
    CASES,
    ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(CASES)],
)
def test_classify(
    command: str,
    files: dict[str, str],
    kind: str,
    eco: str | None,
    reads: tuple[str, ...],
    reads_all: bool,
    reasons: tuple[str, ...],
) -> None:
    effect = run(command, files)
    assert (effect.kind, effect.ecosystem, effect.reads, effect.reads_all, effect.reasons) == (
        kind,
        eco,
        reads,
        reads_all,
        reasons,
    )


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("bundle install --deployment", {}, ("vendor/bundle", ".bundle/config"), False, True),
]


@pytest.mark.parametrize(
    ("command", "env", "writes", "writes_all", "network"),
    WRITE_CASES,
    ids=[c[0][:40] for c in WRITE_CASES],
)
def test_writes(
    command: str, env: dict[str, str], writes: tuple[str, ...], writes_all: bool, network: bool
) -> None:
    effect = run(command, {"package.json": "{}"}, env)
    assert (effect.writes, effect.writes_all, effect.network) == (writes, writes_all, network)
