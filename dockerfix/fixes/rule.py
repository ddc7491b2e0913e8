"""The rule type every fix module exports as its documentation, and shared message helpers."""

from __future__ import annotations

from dockerfix.diagnostics import Tier
from dockerfix.model.stages import Step
from dockerfix.records import dataclass


@dataclass(frozen=True)
class Rule:
    """One fix code: its name, tier, one-line summary and doc page (What / Why / Example / Fix
    safety)."""

    code: str
    name: str
    tier: Tier
    summary: str
    doc: str


def rule(code: str, name: str, tier: Tier, summary: str, doc: str) -> Rule:
    """A rule with its doc text trimmed to start at its first heading."""
    return Rule(code, name, tier, summary, doc.strip() + "\n")


def short(step: Step) -> str:
    """The step's instruction on one line, shortened for a message."""
    text = " ".join(step.instruction.original.split())
    return text if len(text) <= 60 else text[:57] + "..."
