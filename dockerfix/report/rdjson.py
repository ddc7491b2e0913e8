"""reviewdog's Diagnostic JSON (rdjson): one diagnostic per changed file, with one suggestion.

A move shows up as a deletion in one place and an insertion in another; applying only one
of them could change the image.  So the suggestion replaces the whole span from the first
changed line to the last, and applying it applies the entire rewrite.
"""

from __future__ import annotations

import json
from typing import Any

from dockerfix.fixes import codes
from dockerfix.report.model import FileReport
from dockerfix.report.severity import severity


def _range(start: int, end: int) -> dict[str, Any]:
    # Lines start..end replaced whole: from column 1 of start to column 1 of end + 1.
    return {"start": {"line": start, "column": 1}, "end": {"line": end + 1, "column": 1}}


def _changed_span(report: FileReport) -> tuple[int, int, str] | None:
    """(first old line, last old line, new text) covering every change; end < start inserts."""
    import difflib

    old = report.original.splitlines(keepends=True)
    new = report.new.splitlines(keepends=True)
    changes = [
        op
        for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    if not changes:
        return None
    i1, j1 = changes[0][1], changes[0][3]
    i2, j2 = changes[-1][2], changes[-1][4]
    return i1 + 1, i2, "".join(new[j1:j2])


def render_rdjson(reports: list[FileReport]) -> str:
    diagnostics: list[dict[str, Any]] = []
    for report in reports:
        if report.error:
            diagnostics.append(
                {
                    "message": report.error,
                    "location": {
                        "path": report.path,
                        "range": {"start": {"line": report.error_line}},
                    },
                    "severity": "ERROR",
                }
            )
        span = _changed_span(report)
        if span is not None:
            start, end, text = span
            fixes = [f for f in report.fixes if f.applied]
            diagnostics.append(
                {
                    "message": "; ".join(f.message for f in fixes) or "cache-friendly order",
                    "location": {"path": report.path, "range": _range(start, end)},
                    "severity": "WARNING",
                    "code": {"value": fixes[0].code if fixes else codes.REORDER},
                    "suggestions": [{"range": _range(start, end), "text": text}],
                }
            )
        for fix in report.fixes:
            # Every finding the suggestion above does not carry: advice, and the fixes left
            # for --unsafe-fixes (DFX003, DFX007), at the severity every format gives them.
            if not fix.applied:
                diagnostics.append(
                    {
                        "message": fix.message,
                        "location": {"path": report.path, "range": {"start": {"line": fix.line}}},
                        "severity": "WARNING" if severity(fix) == "warning" else "INFO",
                        "code": {"value": fix.code},
                    }
                )
    doc = {"source": {"name": "dockerfix"}, "severity": "WARNING", "diagnostics": diagnostics}
    return json.dumps(doc, indent=2) + "\n"
