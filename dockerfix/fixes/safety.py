"""DFX000 safety-check: the finding that a computed rewrite was withheld.

The check itself is `dockerfix.pipeline.safe_mode`; this module holds its rule and message.
"""

from __future__ import annotations

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule

RULE = rule(
    codes.SAFETY_CHECK,
    "safety-check",
    "display-only",
    "A rewrite was computed but not applied because re-verification failed.",
    """
## What it does
After every rewrite dockerfix parses the new text again, rebuilds its model of what each
step reads and writes, and checks that every original instruction is still there byte for
byte, that each one runs with the same environment, working directory, user and shell, that
metadata instructions keep their order, and that every ordering constraint of the original
still holds. If any check fails, nothing is written and this diagnostic says why.

## Why
A tool that rewrites build files must never change the image they build.

## Fix safety
Not a fix: it reports that a fix was withheld.
""",
)


def refused(problems: list[str]) -> Diagnostic:
    """The DFX000 finding for a rewrite the safety check refused."""
    return Diagnostic(
        codes.SAFETY_CHECK,
        "rewrite not applied: the safety check failed: " + problems[0],
        1,
        "display-only",
        reason="; ".join(problems),
    )
