"""Tests for the plumbing the handlers share: argument parsing."""

from __future__ import annotations

import pytest

from dockerfix.model.commands import parse_args


@pytest.mark.parametrize(
    ("argv", "with_value", "options", "positionals"),
    [
        (
            ["-fsSLo", "out", "url"],
            ("-o",),
            (("-f", ""), ("-s", ""), ("-S", ""), ("-L", ""), ("-o", "out")),
            ("url",),
        ),
        (["--target=/x", "a", "--", "-b"], ("--target",), (("--target", "/x"),), ("a", "-b")),
        (["-rreq.txt"], ("-r",), (("-r", "req.txt"),), ()),
    ],
)
def test_parse_args(
    argv: list[str],
    with_value: tuple[str, ...],
    options: tuple[tuple[str, str], ...],
    positionals: tuple[str, ...],
) -> None:
    parsed = parse_args(argv, with_value)
    assert (parsed.options, parsed.positionals) == (options, positionals)
