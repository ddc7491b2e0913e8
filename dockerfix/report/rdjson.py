"""reviewdog's Diagnostic JSON (rdjson): one diagnostic per changed hunk, with a suggestion."""

from __future__ import annotations

import json
from typing import Any

from dockerfix.report import FileReport, hunk_fixes


def _range(start: int, end: int) -> dict[str, Any]:
    # Lines start..end replaced whole: from column 1 of start to column 1 of end + 1.
    return {"start": {"line": start, "column": 1}, "end": {"line": end + 1, "column": 1}}


def render_rdjson(reports: list[FileReport]) -> str:
    diagnostics: list[dict[str, Any]] = []
    for report in reports:
        if report.error:
            diagnostics.append(
                {
                    "message": report.error,
                    "location": {"path": report.path, "range": {"start": {"line": 1}}},
                    "severity": "ERROR",
                }
            )
        for hunk in report.hunks:
            fixes = hunk_fixes(report, hunk)
            end = hunk.end if hunk.end >= hunk.start else hunk.start - 1
            diagnostics.append(
                {
                    "message": "; ".join(f.message for f in fixes) or "cache-friendly order",
                    "location": {"path": report.path, "range": _range(hunk.start, end)},
                    "severity": "WARNING",
                    "code": {"value": fixes[0].code if fixes else "DFX001"},
                    "suggestions": [{"range": _range(hunk.start, end), "text": hunk.new}],
                }
            )
        for fix in report.fixes:
            if fix.tier == "display-only":
                diagnostics.append(
                    {
                        "message": fix.message,
                        "location": {"path": report.path, "range": {"start": {"line": fix.line}}},
                        "severity": "INFO",
                        "code": {"value": fix.code},
                    }
                )
    doc = {"source": {"name": "dockerfix"}, "severity": "WARNING", "diagnostics": diagnostics}
    return json.dumps(doc, indent=2) + "\n"
