"""The library entry point: ``fix(text) -> Result`` runs the whole pipeline on one Dockerfile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dockerfix.syntax import Dockerfile, parse

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
    """What ``fix`` produced: the new text (equal to the input when nothing changed)."""

    original: str
    code: str
    fixes: tuple[Diagnostic, ...] = ()
    error: str | None = None
    edits: tuple[FileEdit, ...] = ()

    @property
    def changed(self) -> bool:
        return self.code != self.original


class DockerfileSyntaxError(ValueError):
    """BuildKit would reject this Dockerfile; dockerfix does not rewrite it."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def check_syntax(tree: Dockerfile) -> None:
    """Raise DockerfileSyntaxError for the first problem BuildKit would report.

    That includes unknown instructions: BuildKit parses them but refuses to build them.
    """
    from dockerfix.syntax.lineparse import KNOWN_INSTRUCTIONS

    if tree.errors:
        first = tree.errors[0]
        raise DockerfileSyntaxError(first.line, first.message)
    for ins in tree.instructions:
        if ins.cmd.lower() not in KNOWN_INSTRUCTIONS:
            name = ins.cmd or ins.original.strip() or "(empty)"
            raise DockerfileSyntaxError(ins.start_line, f"unknown instruction: {name}")


def fix(
    text: str,
    context: str | Path | None = None,
    *,
    unsafe_fixes: bool = False,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    use_git: bool = True,
    dockerfile_path: str | Path | None = None,
    edit_dockerignore: bool = False,
) -> Result:
    """Rewrite a Dockerfile for cache efficiency without changing the image it builds.

    ``context`` is the build context directory (the files ``COPY`` reads); without
    it, fixes that depend on which files exist are not applied.  ``dockerfile_path``
    (default: ``context/Dockerfile``) locates a ``<name>.dockerignore`` next to it.
    With ``edit_dockerignore``, ``Result.edits`` may hold a new ``.dockerignore`` that
    the Dockerfile rewrite relies on: write both, or neither.
    """
    tree = parse(text)
    check_syntax(tree)
    from dockerfix.engine import run_fixes

    return run_fixes(
        tree,
        context=Path(context) if context is not None else None,
        unsafe_fixes=unsafe_fixes,
        select=frozenset(select) if select is not None else None,
        ignore=frozenset(ignore or ()),
        use_git=use_git,
        dockerfile_path=Path(dockerfile_path) if dockerfile_path is not None else None,
        edit_dockerignore=edit_dockerignore,
    )
