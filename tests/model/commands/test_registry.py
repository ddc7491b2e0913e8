"""Tests for the program registry: every program has one handler, from one family module."""

from __future__ import annotations

import pytest

from dockerfix.model.commands import HANDLERS, handles

FAMILIES = {
    "system",
    "files",
    "fetch",
    "python",
    "node",
    "go",
    "rust",
    "jvm",
    "ruby",
    "php",
    "elixir",
    "dotnet",
    "swift",
    "dart",
    "haskell",
    "r",
}


def test_every_family_registers_handlers() -> None:
    modules = {handler.__module__.rsplit(".", 1)[1] for handler in HANDLERS.values()}
    assert modules == FAMILIES
    assert (len(HANDLERS), len(set(HANDLERS.values()))) == (169, 59)


@pytest.mark.parametrize(
    ("program", "family"),
    [
        ("npm", "node"),
        ("bunx", "node"),
        ("apt-get", "system"),
        ("[", "files"),
        ("R", "r"),
        ("php", "php"),
        ("composer.phar", "php"),
    ],
)
def test_programs_map_to_their_family(program: str, family: str) -> None:
    assert HANDLERS[program].__module__ == f"dockerfix.model.commands.{family}"


def test_a_program_cannot_get_a_second_handler() -> None:
    with pytest.raises(ValueError, match="`npm` already has a handler"):
        handles("a-new-tool", "npm")(HANDLERS["true"])
    assert "a-new-tool" not in HANDLERS
