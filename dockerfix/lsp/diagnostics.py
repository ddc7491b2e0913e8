"""A document's findings as protocol diagnostics: one per finding, with its code, tier and
reason, and the severity every output format gives it."""

from __future__ import annotations

from lsprotocol import types

from dockerfix.diagnostics import Diagnostic
from dockerfix.lsp.document import DocumentRun
from dockerfix.lsp.positions import line_range
from dockerfix.report.severity import severity

SOURCE = "dockerfix"

_SEVERITY = {
    "warning": types.DiagnosticSeverity.Warning,
    "note": types.DiagnosticSeverity.Information,
}


def diagnostics_for(run: DocumentRun, encoding: str) -> list[types.Diagnostic]:
    """The error that stopped the analysis, or one diagnostic per finding."""
    if run.error is not None:
        return [
            types.Diagnostic(
                range=line_range(run.text, run.error_line, run.error_line, encoding),
                message=run.error,
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
            )
        ]
    assert run.result is not None
    return [_diagnostic(run.text, finding, encoding) for finding in run.result.fixes]


def _diagnostic(text: str, finding: Diagnostic, encoding: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=line_range(text, finding.line, finding.end_line or finding.line, encoding),
        message=message_of(finding),
        severity=_SEVERITY[severity(finding)],
        code=finding.code,
        source=SOURCE,
        data={"tier": finding.tier, "applied": finding.applied, "reason": finding.reason},
    )


def message_of(finding: Diagnostic) -> str:
    """The finding's message, its tier, and its reason when the message does not say it."""
    state = "fixable" if finding.applied else "not applied"
    if finding.tier == "display-only":
        state = "advice"
    text = f"{finding.message} [{finding.tier}; {state}]"
    if finding.reason and finding.reason not in finding.message:
        text += f"\n{finding.reason}"
    return text
