"""Helpers shared by the command-handler tests: run one shell command line through `classify`."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from dockerfix.model.commands import CommandEffect, classify, glob_regex


def _glob(files: dict[str, str]):  # type: ignore[no-untyped-def]
    def glob(pattern: str) -> list[str]:
        return sorted(f for f in files if re.fullmatch(glob_regex(pattern), f))

    return glob


def run(
    command: str, files: dict[str, str] | None = None, env: dict[str, str] | None = None
) -> CommandEffect:
    known = files or {}
    return classify(shlex.split(command), env=env or {}, read_file=known.get, glob=_glob(known))


def classify_test(cases: Sequence[tuple[Any, ...]]) -> Callable[..., None]:
    """A table test of `classify`: (command, files, kind, ecosystem, reads, reads_all, reasons)."""

    @pytest.mark.parametrize(
        ("command", "files", "kind", "eco", "reads", "reads_all", "reasons"),
        cases,
        ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(cases)],
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
        got = (effect.kind, effect.ecosystem, effect.reads, effect.reads_all, effect.reasons)
        assert got == (kind, eco, reads, reads_all, reasons)

    return test_classify


def writes_test(cases: Sequence[tuple[Any, ...]]) -> Callable[..., None]:
    """A table test of what a command writes: (command, env, writes, writes_all, network)."""

    @pytest.mark.parametrize(
        ("command", "env", "writes", "writes_all", "network"),
        cases,
        ids=[c[0][:40] for c in cases],
    )
    def test_writes(
        command: str, env: dict[str, str], writes: tuple[str, ...], writes_all: bool, network: bool
    ) -> None:
        effect = run(command, {"package.json": "{}"}, env)
        assert (effect.writes, effect.writes_all, effect.network) == (writes, writes_all, network)

    return test_writes
