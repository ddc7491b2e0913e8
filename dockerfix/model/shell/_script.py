"""The result of the shell analysis: words, redirections, simple commands and the script."""

from __future__ import annotations

from dockerfix.records import dataclass


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
    # The branches of `if`s and `case`s it runs in: (statement's offset, branch number). Two
    # commands in other branches of one statement never both run.
    branch: tuple[tuple[int, int], ...] = ()

    def exclusive(self, other: Command) -> bool:
        """One of the two runs only when the other does not (other branches of one `if`)."""
        mine = dict(self.branch)
        return any(mine.get(at, number) != number for at, number in other.branch)


@dataclass(frozen=True)
class Script:
    """Everything the analysis learned about one piece of shell text."""

    commands: tuple[Command, ...]
    variables_read: frozenset[str]
    variables_set: frozenset[str]
    exported: frozenset[str]
    set_options: frozenset[str]
    opaque: tuple[str, ...]
