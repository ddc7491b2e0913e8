"""Run the enabled fixes over a parsed Dockerfile and return the verified result."""

from __future__ import annotations

from pathlib import Path

from dockerfix.api import Result
from dockerfix.syntax import Dockerfile


def run_fixes(
    tree: Dockerfile,
    *,
    context: Path | None,
    unsafe_fixes: bool,
    select: frozenset[str] | None,
    ignore: frozenset[str],
    use_git: bool,
) -> Result:
    # No fix is registered yet: every Dockerfile comes back unchanged.
    return Result(original=tree.code, code=tree.code)
