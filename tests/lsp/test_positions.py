"""Edits as the protocol counts positions: the smallest edit turns one text into the other."""

from __future__ import annotations

import pytest
from lsprotocol import types

from dockerfix.lsp.positions import column_of, line_range, minimal_edit, units
from tests.lsp.client import apply_edit

URI = "file:///Dockerfile"

EDITS = [
    ("a\nb\nc\n", "a\nx\nb\nc\n"),
    ("COPY . .\nRUN x\n", "RUN x\nCOPY . .\n"),
    ("a\r\nb", "a\r\nb\r\nc"),
    ("FROM a\nRUN b", "FROM a\n"),
    ("", "FROM a\n"),
    ("FROM a\n", ""),
    ("RUN echo 😀\nCOPY é .\n", "COPY é .\nRUN echo 😀\n"),
    ("x\ry\n", "y\rx\n"),
]


@pytest.mark.parametrize(("old", "new"), EDITS)
def test_the_edit_turns_the_old_text_into_the_new(old: str, new: str) -> None:
    edit = minimal_edit(old, new, types.PositionEncodingKind.Utf16)
    assert apply_edit(old, {"changes": {URI: [types_to_dict(edit)]}}, URI) == new


def test_the_edit_keeps_the_lines_both_texts_share() -> None:
    edit = minimal_edit("a\nb\nc\nd\n", "a\nc\nb\nd\n", types.PositionEncodingKind.Utf16)
    assert (edit.range.start.line, edit.range.end.line) == (1, 3)
    assert edit.new_text == "c\nb\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        (types.PositionEncodingKind.Utf16, 3),  # é one unit, 😀 a surrogate pair
        (types.PositionEncodingKind.Utf8, 6),  # two bytes and four
        (types.PositionEncodingKind.Utf32, 2),
    ],
)
def test_units_follow_the_negotiated_encoding(encoding: str, expected: int) -> None:
    assert units("é😀", encoding) == expected


def test_a_column_past_a_wide_character_counts_its_units() -> None:
    line = "RUN 😀 x"
    assert column_of(line, 7, types.PositionEncodingKind.Utf16) == 6  # 😀 is two units
    assert column_of(line, 99, types.PositionEncodingKind.Utf16) == len(line)


def test_a_line_range_is_clamped_to_the_document() -> None:
    found = line_range("FROM a\nRUN b", 2, 9, types.PositionEncodingKind.Utf16)
    assert (found.start.line, found.end.line, found.end.character) == (1, 1, 5)


def types_to_dict(edit: types.TextEdit) -> dict[str, object]:
    start, end = edit.range.start, edit.range.end
    return {
        "range": {
            "start": {"line": start.line, "character": start.character},
            "end": {"line": end.line, "character": end.character},
        },
        "newText": edit.new_text,
    }
