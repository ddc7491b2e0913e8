"""Character classes, trimming and JSON rules of BuildKit's Go parser, for exact agreement."""

from __future__ import annotations

import json
import re
from typing import Any

# Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property.
# Python's str.isspace() also accepts U+001C..U+001F, which Go does not.
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Bytes that unicode.IsSpace(rune(b)) accepts when Go code walks a string byte by byte.
GO_SPACE_BYTES = frozenset(b"\t\n\v\f\r \x85\xa0")

# regexp `[\t\v\f\r ]+` (BuildKit's reWhitespace)
RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")


def is_space(ch: str) -> bool:
    return ch in GO_SPACE


def trim_left_space(s: str) -> str:
    i = 0
    n = len(s)
    while i < n and s[i] in GO_SPACE:
        i += 1
    return s[i:] if i else s


def trim_right_space(s: str) -> str:
    j = len(s)
    while j > 0 and s[j - 1] in GO_SPACE:
        j -= 1
    return s[:j]


def trim_space(s: str) -> str:
    return trim_right_space(trim_left_space(s))


def trim_newline(s: str) -> str:
    """bytes.TrimRight(s, "\\r\\n")."""
    return s.rstrip("\r\n")


def is_comment(line: str) -> bool:
    stripped = trim_left_space(line)
    return stripped.startswith("#")


def split_whitespace(s: str, limit: int = -1) -> list[str]:
    """regexp.Split with BuildKit's whitespace pattern (n = -1 means all)."""
    if s == "":
        return [""]
    return RE_WHITESPACE.split(s, maxsplit=0 if limit < 0 else limit - 1)


class JSONNotArray(ValueError):
    """The text is not a JSON array (BuildKit falls back to shell form)."""


class JSONNotStringArray(ValueError):
    """A JSON array with a non-string element (BuildKit reports an error)."""


NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON literal {name}")


def _go_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def _go_int(text: str) -> Any:
    # Go decodes every JSON number into a float64: out-of-range integers fail.
    _go_float(text)
    return int(text)


_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_go_float, parse_int=_go_int
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json_array(rest: str, *, allow_trailing: bool = False) -> list[str]:
    """Decode an exec-form argument list as Go's encoding/json does.

    ``allow_trailing`` mirrors older BuildKit, which used a streaming decoder
    that ignored text after the first JSON value.
    """
    rest = trim_left_space(rest)
    if not rest.startswith("["):
        raise JSONNotArray("not a JSON array")
    try:
        if allow_trailing:
            value, _ = _DECODER.raw_decode(rest)
        else:
            value = _DECODER.decode(rest)
    except (ValueError, RecursionError) as exc:
        raise JSONNotArray(str(exc)) from None
    if not isinstance(value, list):  # pragma: no cover - guarded by the '[' check
        raise JSONNotArray("not a JSON array")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise JSONNotStringArray(NOT_STRING_ARRAY)
        # Go replaces unpaired surrogate escapes with U+FFFD.
        out.append(_LONE_SURROGATE.sub("\ufffd", item))
    return out
