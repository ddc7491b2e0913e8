"""The one report type every format renders: a file's findings and its rewrite's hunks."""

from __future__ import annotations

from dataclasses import field

from dockerfix.diagnostics import Diagnostic
from dockerfix.records import dataclass


@dataclass(frozen=True)
class Hunk:
    """Lines ``start``..``end`` (1-based, inclusive; end = start - 1 for an insertion)."""

    start: int
    end: int
    old: str
    new: str


@dataclass(frozen=True)
class FileReport:
    """What dockerfix found for one file."""

    path: str
    original: str
    new: str
    fixes: tuple[Diagnostic, ...] = ()
    error: str | None = None
    hunks: tuple[Hunk, ...] = field(default=())
    error_line: int = 1

    @property
    def changed(self) -> bool:
        return self.new != self.original


def hunks(original: str, new: str) -> tuple[Hunk, ...]:
    import difflib

    a = original.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    out = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        out.append(Hunk(i1 + 1, i2, "".join(a[i1:i2]), "".join(b[j1:j2])))
    return tuple(out)


def make_report(
    path: str,
    original: str,
    new: str,
    fixes: tuple[Diagnostic, ...],
    error: str | None = None,
    error_line: int = 1,
) -> FileReport:
    return FileReport(path, original, new, fixes, error, hunks(original, new), error_line)
