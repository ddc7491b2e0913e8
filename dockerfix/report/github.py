"""GitHub Actions workflow commands: annotations on the changed lines."""

from __future__ import annotations

from dockerfix.fixes import codes
from dockerfix.report.model import FileReport


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
            secret = fix.code == codes.SECRET_IN_CONTEXT  # a warning, whatever its tier
            level = "notice" if fix.tier == "display-only" and not secret else "warning"
            title = _escape_property(fix.code)
            message = _escape_data(fix.message)
            lines.append(f"::{level} file={path},line={fix.line},title={title}::{message}")
    return "".join(line + "\n" for line in lines)
