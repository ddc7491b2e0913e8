"""Table tests for mix: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

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


test_classify = classify_test(CASES)
