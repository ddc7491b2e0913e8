"""Output formats: one thin module each over one report type."""

from __future__ import annotations

from dataclasses import dataclass, field

from dockerfix.diagnostics import Diagnostic

FORMATS = ("diff", "json", "sarif", "rdjson", "github", "gnu")


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
    path: str, original: str, new: str, fixes: tuple[Diagnostic, ...], error: str | None = None
) -> FileReport:
    return FileReport(path, original, new, fixes, error, hunks(original, new))


def render(fmt: str, reports: list[FileReport]) -> str:
    if fmt == "json":
        from dockerfix.report.json_format import render_json

        return render_json(reports)
    if fmt == "sarif":
        from dockerfix.report.sarif import render_sarif

        return render_sarif(reports)
    if fmt == "rdjson":
        from dockerfix.report.rdjson import render_rdjson

        return render_rdjson(reports)
    if fmt == "github":
        from dockerfix.report.github import render_github

        return render_github(reports)
    if fmt == "gnu":
        from dockerfix.report.gnu import render_gnu

        return render_gnu(reports)
    from dockerfix.report.diff import render_diff

    return render_diff(reports)
