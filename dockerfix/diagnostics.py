"""The findings and results every part of dockerfix speaks: diagnostics, edits, results, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from dockerfix.records import dataclass

Tier = Literal["safe", "unsafe", "display-only"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a fix that was applied, one that was declined, or advice."""

    code: str
    message: str
    line: int
    tier: Tier
    applied: bool = False
    reason: str = ""
    end_line: int | None = None


@dataclass(frozen=True)
class FileEdit:
    """A change to another file than the Dockerfile (the .dockerignore)."""

    path: Path
    original: str | None  # None: the file does not exist yet
    new: str
    fixes: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Result:
    """What ``fix`` produced: the new text (equal to the input when nothing changed).

    ``error`` is set (with ``error_line``) when the file could not be analysed, e.g. a
    Dockerfile BuildKit would refuse; ``code`` is then the input, unchanged.
    """

    original: str
    code: str
    fixes: tuple[Diagnostic, ...] = ()
    error: str | None = None
    edits: tuple[FileEdit, ...] = ()
    error_line: int = 1

    @property
    def changed(self) -> bool:
        return self.code != self.original


class DockerfileSyntaxError(ValueError):
    """BuildKit would reject this Dockerfile; dockerfix does not rewrite it."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message
