"""`file:line:col: CODE message` lines, for editors' problem matchers."""

from __future__ import annotations

from dockerfix.report.model import FileReport
from dockerfix.report.severity import severity


def render_gnu(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        if report.error:
            lines.append(f"{report.path}:{report.error_line}:1: error: {report.error}")
        for fix in report.fixes:
            lines.append(f"{report.path}:{fix.line}:1: {severity(fix)}: {fix.code} {fix.message}")
    return "".join(line + "\n" for line in lines)
