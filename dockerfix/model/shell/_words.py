"""Quote removal: the static value of a shell word, its variables and whether it globs."""

from __future__ import annotations

import re
from dataclasses import field
from typing import Final

from dockerfix.model.shell._script import Word
from dockerfix.records import dataclass

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACE: Final = re.compile(r"\{[^{}]*(?:,|\.\.)[^{}]*\}")
_ANSI_SIMPLE: Final = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip
_ANSI_NUMERIC: Final = re.compile(
    r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})|c(.))"
)


def _ansi_c(body: str) -> str:
    """Decode the escapes of a $'…' string."""
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] != "\\" or i + 1 == len(body):
            out.append(body[i])
            i += 1
            continue
        simple = _ANSI_SIMPLE.get(body[i + 1])
        numeric = _ANSI_NUMERIC.match(body, i)
        if simple is not None:
            out.append(simple)
            i += 2
        elif numeric:
            out.append(_ansi_numeric(numeric))
            i = numeric.end()
        else:
            out.append(body[i : i + 2])
            i += 2
    return "".join(out)


def _ansi_numeric(match: re.Match[str]) -> str:
    octal, hex2, hex4, hex8, control = match.groups()
    if control is not None:
        return chr(ord(control.upper()) ^ 0x40)
    number = octal or hex2 or hex4 or hex8
    base = 8 if octal else 16
    try:
        return chr(int(number, base))
    except ValueError:
        return match.group(0)


def _unescape_double(text: str) -> str:
    """Inside double quotes a backslash only escapes $ ` " \\ and newline."""
    return re.sub(r'\\([$`"\\\n])', lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def _unescape_heredoc(text: str) -> str:
    """An unquoted heredoc body: backslash escapes $ ` \\ and newline (not ")."""
    return re.sub(r"\\([$`\\\n])", lambda m: "" if m.group(1) == "\n" else m.group(1), text)


@dataclass
class _WordAcc:
    """Collects one word's value while its parts are visited."""

    chars: list[str] = field(default_factory=list)
    shape: list[str] = field(default_factory=list)  # unquoted chars as is, quoted ones as 'q'
    dynamic: bool = False
    variables: list[str] = field(default_factory=list)

    def unquoted(self, text: str) -> None:
        self.chars.append(text)
        self.shape.append(text)

    def quoted(self, text: str) -> None:
        self.chars.append(text)
        self.shape.append("q" * len(text))

    def variable(self, name: str) -> None:
        # Positional and special parameters ($1, $@, $?) are not environment variables.
        if _NAME.fullmatch(name):
            self.variables.append(name)

    def started(self) -> bool:
        return bool(self.chars) or self.dynamic

    def word(self, raw: str) -> Word:
        shape = "".join(self.shape)
        brace = _BRACE.search(shape) is not None  # expands to several words
        value = None if self.dynamic or brace else "".join(self.chars)
        return Word(raw, value, tuple(dict.fromkeys(self.variables)), _has_glob(shape))


def _has_glob(shape: str) -> bool:
    if "*" in shape or "?" in shape:
        return True
    bracket = shape.find("[")
    return bracket >= 0 and shape.find("]", bracket + 2) >= 0
