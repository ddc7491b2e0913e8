"""SARIF 2.1.0 log with one rule per fix code and the rewrite as fixes[].artifactChanges."""

from __future__ import annotations

import json
from typing import Any

from dockerfix._version import __version__
from dockerfix.fixes.registry import rules
from dockerfix.report.model import FileReport, Hunk
from dockerfix.report.severity import severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _replacement(hunk: Hunk) -> dict[str, Any]:
    if hunk.end >= hunk.start:
        region = {
            "startLine": hunk.start,
            "endLine": hunk.end + 1,
            "startColumn": 1,
            "endColumn": 1,
        }
    else:
        region = {"startLine": hunk.start, "startColumn": 1, "endLine": hunk.start, "endColumn": 1}
    return {"deletedRegion": region, "insertedContent": {"text": hunk.new}}


def _hunks_by_fix(report: FileReport) -> dict[int, list[Hunk]]:
    """Each hunk of the rewrite given to the applied finding nearest to it (by index into
    ``report.fixes``): every result carries its own part, and all parts make the rewrite."""
    applied = [i for i, fix in enumerate(report.fixes) if fix.applied]
    out: dict[int, list[Hunk]] = {}
    if not applied:
        return out
    for hunk in report.hunks:
        last = max(hunk.end, hunk.start)

        def distance(i: int, hunk: Hunk = hunk, last: int = last) -> int:
            line = report.fixes[i].line
            return (
                0 if hunk.start <= line <= last else min(abs(line - hunk.start), abs(line - last))
            )

        out.setdefault(min(applied, key=distance), []).append(hunk)
    return out


def _rule(code: str) -> dict[str, Any]:
    rule = rules().get(code)
    summary = rule.summary if rule else code
    doc = rule.doc if rule else ""
    return {
        "id": code,
        "name": rule.name if rule else code,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": doc, "markdown": doc},
        "properties": {"tier": rule.tier if rule else "display-only"},
    }


def render_sarif(reports: list[FileReport]) -> str:
    results: list[dict[str, Any]] = []
    used = sorted({f.code for r in reports for f in r.fixes})
    for report in reports:
        parts = _hunks_by_fix(report)
        for index, fix in enumerate(report.fixes):
            result: dict[str, Any] = {
                "ruleId": fix.code,
                "level": severity(fix),
                "message": {"text": fix.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": report.path},
                            "region": {"startLine": fix.line},
                        }
                    }
                ],
            }
            if index in parts:
                change = {
                    "artifactLocation": {"uri": report.path},
                    "replacements": [_replacement(h) for h in parts[index]],
                }
                result["fixes"] = [
                    {"description": {"text": fix.message}, "artifactChanges": [change]}
                ]
            results.append(result)
    # A file dockerfix could not read as a Dockerfile is a notification of the run.
    notifications = [
        {
            "level": "error",
            "message": {"text": report.error},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": report.path},
                        "region": {"startLine": report.error_line},
                    }
                }
            ],
        }
        for report in reports
        if report.error
    ]
    rules = [_rule(code) for code in used]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dockerfix",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/dockerfix/",
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
