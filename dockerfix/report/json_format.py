"""Machine-readable JSON report (schema: docs/json-schema.json, versioned)."""

from __future__ import annotations

import json
from typing import Any

from dockerfix._version import __version__
from dockerfix.report.diff import unified_diff
from dockerfix.report.model import FileReport

SCHEMA_VERSION = 1


def report_dict(report: FileReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "changed": report.changed,
        "error": report.error,
        "fixes": [
            {
                "code": f.code,
                "message": f.message,
                "line": f.line,
                "tier": f.tier,
                "applied": f.applied,
                "reason": f.reason or None,
            }
            for f in report.fixes
        ],
        "diff": unified_diff(report.path, report.original, report.new) if report.changed else "",
    }


def render_json(reports: list[FileReport]) -> str:
    doc = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "dockerfix", "version": __version__},
        "files": [report_dict(r) for r in reports],
    }
    return json.dumps(doc, indent=2) + "\n"
