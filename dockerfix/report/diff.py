"""Unified diff of each changed file (the default output)."""

from __future__ import annotations

import difflib

from dockerfix.report.model import FileReport


def unified_diff(name: str, before: str, after: str, new_file: bool = False) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile="/dev/null" if new_file else f"a/{name}",
        tofile=f"b/{name}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def render_diff(reports: list[FileReport]) -> str:
    return "".join(unified_diff(r.path, r.original, r.new) for r in reports if r.changed)
