"""Table tests for composer: exact reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "composer install --no-dev --no-scripts --no-autoloader",
        {
            "composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}, '
            '"scripts": {"post-install-cmd": ["@php artisan optimize"]}}'
        },
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        False,
        (),
    ),
    (
        "composer install --no-dev",
        {"composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}}'},
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        True,
        (
            "composer install generates the autoloader from src/: it reads them (use "
            "--no-autoloader, then dump-autoload)",
        ),
    ),
    (
        "composer install --no-autoloader",
        {"composer.json": '{"scripts": {"post-autoload-dump": "php artisan package:discover"}}'},
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        True,
        (
            "composer.json has a post-autoload-dump script: composer install runs it and it may read "
            "any file",
        ),
    ),
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
    (
        "composer install --no-scripts --no-autoloader",
        {"COMPOSER_HOME": "/tmp"},
        ("vendor", "/tmp"),
        False,
        True,
    ),
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
