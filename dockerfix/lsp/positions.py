"""Text positions as the protocol counts them, and the smallest edit from one text to another."""

from __future__ import annotations

import re

from lsprotocol import types

# The protocol's line breaks: "\r\n", "\n" and "\r".
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A line with its break, or the last line without one.
_LINE_WITH_BREAK = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """The document's lines without their line breaks (a final break gives an empty last line)."""
    return _LINE_BREAK.split(text)


def units(text: str, encoding: str) -> int:
    """How many code units of the negotiated position encoding `text` is."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def column_of(line: str, character: int, encoding: str) -> int:
    """The index in `line` of a position's `character` (clamped to the line's end)."""
    count = 0
    for index, char in enumerate(line):
        if count >= character:
            return index
        count += units(char, encoding)
    return len(line)


def line_range(text: str, first: int, last: int, encoding: str) -> types.Range:
    """Lines `first`..`last` (1-based, inclusive) from the start of the first to the end of
    the last, clamped to the document."""
    lines = split_lines(text)
    start = min(max(first, 1), len(lines)) - 1
    end = min(max(last, first, 1), len(lines)) - 1
    return types.Range(types.Position(start, 0), types.Position(end, units(lines[end], encoding)))


def minimal_edit(old: str, new: str, encoding: str) -> types.TextEdit:
    """One edit that turns `old` into `new`: the lines both share at the start and at the end
    stay, the lines between are replaced."""
    a = _LINE_WITH_BREAK.findall(old)
    b = _LINE_WITH_BREAK.findall(new)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    start = _position_after(a[:head], encoding)
    end = _position_after(a[: len(a) - tail], encoding)
    return types.TextEdit(types.Range(start, end), "".join(b[head : len(b) - tail]))


def _position_after(lines: list[str], encoding: str) -> types.Position:
    """The position just after `lines` (each with its line break but maybe the last)."""
    text = "".join(lines)
    broken = split_lines(text)
    return types.Position(len(broken) - 1, units(broken[-1], encoding))
