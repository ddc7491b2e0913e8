"""Table tests for mix: exact reads, declines with reasons."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "mix deps.get --only prod",
        {"mix.exs": "defmodule App.MixProject do\nend\n"},
        "install",
        "mix",
        ("mix.exs", "mix.lock", "config"),
        False,
        ("mix loads config/ before every task",),
    ),
    (
        "mix deps.get",
        {"mix.exs": 'defp deps, do: [{:lib, path: "../lib"}]\n'},
        "install",
        "mix",
        ("mix.exs", "mix.lock", "config"),
        True,
        (
            "mix.exs has a path dependency ../lib: mix reads that project",
            "mix loads config/ before every task",
        ),
    ),
    ("mix release", {}, "build", "mix", (), True, ("mix release compiles the project sources",)),
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
