"""GitHub Actions workflow commands: annotations on the changed lines."""

from __future__ import annotations

from dockerfix.report.model import FileReport
from dockerfix.report.severity import severity


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        path = _escape_property(report.path)
        if report.error:
            lines.append(
                f"::error file={path},line={report.error_line}::{_escape_data(report.error)}"
            )
        for fix in report.fixes:
            level = "warning" if severity(fix) == "warning" else "notice"
            title = _escape_property(fix.code)
            message = _escape_data(fix.message)
            lines.append(f"::{level} file={path},line={fix.line},title={title}::{message}")
    return "".join(line + "\n" for line in lines)
