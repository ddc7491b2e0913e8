"""Compare dockerfix's tree with BuildKit's parser (the `dockerfile` package) field by field."""

from __future__ import annotations

from typing import Any

import dockerfile

from dockerfix.syntax import BUILDKIT_0_12, Dockerfile, Instruction, parse

# The `dockerfile` package embeds BuildKit v0.12; compare with that dialect.
ORACLE_DIALECT = BUILDKIT_0_12


class Incomparable(Exception):
    """BuildKit produced bytes that are not UTF-8 (it splits some fields byte by byte), so
    the binding cannot hand its answer to Python."""


def oracle(text: str) -> tuple[Any, ...] | str:
    """BuildKit's commands as plain tuples, or the error message."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return f"error: {exc}"
    except UnicodeDecodeError as exc:
        raise Incomparable(str(exc)) from None
    return tuple(
        (
            c.cmd,
            c.sub_cmd,
            c.json,
            c.original,
            c.start_line,
            c.end_line,
            c.flags,
            c.value,
            tuple((h.name, h.file_descriptor, h.content) for h in c.heredocs),
        )
        for c in commands
    )


def as_oracle_fields(ins: Instruction) -> tuple[Any, ...]:
    """Our instruction in the shape the binding reports (it drops ONBUILD heredocs)."""
    heredocs = () if ins.sub_cmd is not None else ins.heredocs
    original = ins.original
    if heredocs:
        original += "\n" + "".join(h.content + h.name + "\n" for h in heredocs)
    return (
        ins.cmd or None,
        ins.sub_cmd or None,
        ins.json,
        original or None,
        ins.start_line,
        ins.end_line,
        ins.flags,
        ins.value,
        tuple((h.name, h.file_descriptor, h.content) for h in heredocs),
    )


def ours(tree: Dockerfile) -> tuple[Any, ...] | str:
    if tree.errors:
        return "error"
    return tuple(as_oracle_fields(i) for i in tree.instructions)


def compare(text: str) -> tuple[Any, Any]:
    """(ours, BuildKit's), with errors reduced to the word 'error' on both sides."""
    expected = oracle(text)
    if isinstance(expected, str):
        expected = "error"
    return ours(parse(text, dialect=ORACLE_DIALECT)), expected
