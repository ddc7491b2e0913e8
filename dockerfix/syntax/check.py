"""What BuildKit refuses: the first syntax problem of a tree, raised as an error."""

from __future__ import annotations

from dockerfix.diagnostics import DockerfileSyntaxError
from dockerfix.syntax.lineparse import KNOWN_INSTRUCTIONS
from dockerfix.syntax.nodes import Dockerfile


def check_syntax(tree: Dockerfile) -> None:
    """Raise DockerfileSyntaxError for the first problem BuildKit would report.

    That includes unknown instructions: BuildKit parses them but refuses to build them.
    """
    if tree.errors:
        first = tree.errors[0]
        raise DockerfileSyntaxError(first.line, first.message)
    for ins in tree.instructions:
        if ins.cmd.lower() not in KNOWN_INSTRUCTIONS:
            name = ins.cmd or ins.original.strip() or "(empty)"
            raise DockerfileSyntaxError(ins.start_line, f"unknown instruction: {name}")
