"""How serious a finding is, in one place: every format and the language server agree."""

from __future__ import annotations

from typing import Literal

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes

Severity = Literal["warning", "note"]


def severity(finding: Diagnostic) -> Severity:
    """A secret in the build context is a warning whatever its tier; other advice a note;
    every fix (applied or declined, safe or unsafe) a warning."""
    if finding.code == codes.SECRET_IN_CONTEXT:
        return "warning"
    return "note" if finding.tier == "display-only" else "warning"
