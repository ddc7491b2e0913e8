"""Immutable, lossless syntax-tree nodes: every byte of the source belongs to exactly one node."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field, replace
from typing import Literal

from dockerfix.records import dataclass

TriviaKind = Literal["comment", "blank", "directive", "unparsed"]


@dataclass(frozen=True)
class Heredoc:
    """A heredoc body attached to a RUN, COPY or ADD instruction."""

    name: str
    file_descriptor: int
    content: str
    expand: bool
    chomp: bool


@dataclass(frozen=True)
class SyntaxIssue:
    """A problem BuildKit would reject (error) or warn about (warning), with its 1-based line."""

    line: int
    message: str


@dataclass(frozen=True)
class Trivia:
    """A line that is not part of an instruction: comment, blank line or parser directive."""

    kind: TriviaKind
    text: str
    line: int

    @property
    def code(self) -> str:
        return self.text


@dataclass(frozen=True)
class Instruction:
    """One instruction with its attached comment block and its exact source text.

    ``text`` holds the physical lines of the instruction itself: the first line,
    continuation lines (including comment and blank lines inside the
    continuation) and heredoc bodies.  The remaining fields mean what the fields
    of BuildKit's parsed ``Command`` mean.
    """

    text: str
    cmd: str
    sub_cmd: str | None
    json: bool
    original: str
    start_line: int
    end_line: int
    flags: tuple[str, ...]
    value: tuple[str, ...]
    heredocs: tuple[Heredoc, ...] = ()
    leading: tuple[Trivia, ...] = ()
    args: str = ""
    sub_flags: tuple[str, ...] = ()
    error: str | None = None

    @property
    def keyword(self) -> str:
        """The instruction keyword in upper case (``RUN``); for ONBUILD, ``ONBUILD``."""
        return self.cmd.upper()

    @property
    def code(self) -> str:
        return "".join(t.text for t in self.leading) + self.text

    @property
    def line_ending(self) -> str:
        """The line ending of the instruction's last physical line ('' at end of file)."""
        if self.text.endswith("\r\n"):
            return "\r\n"
        if self.text.endswith("\n"):
            return "\n"
        return ""

    def with_changes(self, **changes: object) -> Instruction:
        return replace(self, **changes)  # type: ignore[arg-type]


Element = Trivia | Instruction


@dataclass(frozen=True)
class Directive:
    """A parser directive (``# syntax=``, ``# escape=``, ``# check=``)."""

    name: str
    value: str
    line: int


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile.  ``code`` gives back the exact text it was parsed from."""

    elements: tuple[Element, ...]
    bom: bool = False
    escape: str = "\\"
    directives: tuple[Directive, ...] = ()
    errors: tuple[SyntaxIssue, ...] = ()
    warnings: tuple[SyntaxIssue, ...] = field(default=())

    @property
    def code(self) -> str:
        body = "".join(e.code for e in self.elements)
        return "\ufeff" + body if self.bom else body

    @property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(e for e in self.elements if isinstance(e, Instruction))

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self.instructions)

    @property
    def ok(self) -> bool:
        """True when BuildKit would accept the file."""
        return not self.errors
