"""Output formats: one thin module each over one report type."""

from __future__ import annotations

from dockerfix.report.model import FileReport, Hunk, hunks, make_report

__all__ = ["FORMATS", "FileReport", "Hunk", "hunks", "make_report", "render"]

FORMATS = ("diff", "json", "sarif", "rdjson", "github", "gnu")


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
