"""Helpers shared by the command-handler tests: run one shell command line through `classify`."""

from __future__ import annotations

import re
import shlex

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
