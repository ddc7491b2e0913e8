"""The lossless Dockerfile syntax tree: ``parse(text).code == text`` for every string."""

from dockerfix.syntax.nodes import (
    Directive,
    Dockerfile,
    Element,
    Heredoc,
    Instruction,
    SyntaxIssue,
    Trivia,
)
from dockerfix.syntax.parser import BUILDKIT_0_12, LATEST, Dialect, parse

__all__ = [
    "BUILDKIT_0_12",
    "LATEST",
    "Dialect",
    "Directive",
    "Dockerfile",
    "Element",
    "Heredoc",
    "Instruction",
    "SyntaxIssue",
    "Trivia",
    "parse",
]
