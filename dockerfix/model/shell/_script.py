"""The result of the shell analysis: words, redirections, simple commands and the script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One shell word: its source text and, when it is static, its value after quote removal."""

    raw: str
    value: str | None
    variables: tuple[str, ...]
    glob: bool


@dataclass(frozen=True)
class Redirect:
    """A redirection attached to a command; heredocs carry their body instead of a target."""

    operator: str
    target: Word | None
    heredoc_body: str | None


@dataclass(frozen=True)
class Command:
    """A simple command that may run, with the context it runs in."""

    argv: tuple[Word, ...]
    assignments: tuple[tuple[str, Word], ...]
    cwd: tuple[str, ...] | None
    conditional: bool
    in_subshell: bool
    redirects: tuple[Redirect, ...]
    nested: bool


@dataclass(frozen=True)
class Script:
    """Everything the analysis learned about one piece of shell text."""

    commands: tuple[Command, ...]
    variables_read: frozenset[str]
    variables_set: frozenset[str]
    exported: frozenset[str]
    set_options: frozenset[str]
    opaque: tuple[str, ...]
