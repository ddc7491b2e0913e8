"""Cut heredocs out of shell text before it is parsed, keeping byte offsets and line numbers.

tree-sitter-bash mis-parses the rest of a line that opens a heredoc (`cat <<EOF > f
&& x`), several heredocs on one line, and `<<<` after another redirection. Heredocs are
line-based, so they are cut out first: each operator becomes a plain `<` redirection of the
same length, and body lines become blanks, so byte offsets and line numbers stay the same.
"""

from __future__ import annotations

from typing import Final

from dockerfix.records import dataclass


@dataclass(frozen=True)
class _HereDoc:
    operator: str  # '<<', '<<-' or '<<<'
    body: str | None  # None for a here-string, whose text is the redirection's target word
    quoted: bool  # a quoted delimiter: the body is not expanded


@dataclass(frozen=True)
class _Masked:
    text: bytes
    heredocs: dict[int, _HereDoc]  # keyed by the byte offset of the `<` left in place
    problems: tuple[str, ...]


_WORD_END: Final = frozenset(" \t\n;&|<>()")
_COMMENT_AFTER: Final = frozenset(" \t\n;&|()")


class _HeredocMasker:
    """Find heredoc operators outside quotes, comments and arithmetic; blank out their bodies."""

    def __init__(self, source: bytes) -> None:
        self.text = source.decode("latin-1")  # one char per byte keeps offsets as byte offsets
        self.out = list(self.text)
        self.pending: list[tuple[int, str, str, bool]] = []  # (offset, operator, delimiter, quoted)
        self.found: dict[int, _HereDoc] = {}
        self.problems: list[str] = []

    def run(self) -> _Masked:
        pos, end = 0, len(self.text)
        if "<<" not in self.text:
            return _Masked(self.text.encode("latin-1"), {}, ())
        while pos < end:
            pos = self._step(pos)
        if self.pending:  # an operator on the last line: its body is missing
            self._read_bodies(end)
        masked = "".join(self.out).encode("latin-1")
        return _Masked(masked, self.found, tuple(self.problems))

    def _step(self, i: int) -> int:
        t = self.text
        c = t[i]
        if c == "\\":
            return i + 2
        if c in "'\"":
            return self._skip_quoted(i + 1, c, escapes=c == '"')
        if t.startswith("$'", i):
            return self._skip_quoted(i + 2, "'", escapes=True)
        if c == "#" and (i == 0 or t[i - 1] in _COMMENT_AFTER):
            newline = t.find("\n", i)
            return len(t) if newline < 0 else newline
        if t.startswith("((", i):
            return self._skip_arithmetic(i)
        if t.startswith("<<<", i):
            self.out[i + 1 : i + 3] = "  "
            self.found[i] = _HereDoc("<<<", None, quoted=False)
            return i + 3
        if t.startswith("<<", i):
            return self._operator(i)
        if c == "\n" and self.pending:
            return self._read_bodies(i + 1)
        return i + 1

    def _skip_quoted(self, i: int, quote: str, *, escapes: bool) -> int:
        t = self.text
        while i < len(t):
            if escapes and t[i] == "\\":
                i += 2
            elif t[i] == quote:
                return i + 1
            else:
                i += 1
        return len(t)

    def _skip_arithmetic(self, i: int) -> int:
        depth = 0
        for j in range(i, len(self.text)):
            depth += {"(": 1, ")": -1}.get(self.text[j], 0)
            if depth == 0:
                return j + 1
        return len(self.text)

    def _operator(self, i: int) -> int:
        t = self.text
        operator = "<<-" if t.startswith("<<-", i) else "<<"
        j = i + len(operator)
        while j < len(t) and t[j] in " \t":
            j += 1
        delimiter, quoted, end = _read_delimiter(t, j)
        if not delimiter and not quoted:
            return i + len(operator)  # not a heredoc; the parser reports the syntax error
        self.out[i:end] = "<" + "h" * (end - i - 1)
        self.pending.append((i, operator, delimiter, quoted))
        return end

    def _read_bodies(self, pos: int) -> int:
        for offset, operator, delimiter, quoted in self.pending:
            body, pos = self._read_body(pos, delimiter, strip_tabs=operator == "<<-")
            text = body.encode("latin-1").decode("utf-8", "replace")
            self.found[offset] = _HereDoc(operator, text, quoted)
        self.pending.clear()
        return pos

    def _read_body(self, pos: int, delimiter: str, *, strip_tabs: bool) -> tuple[str, int]:
        t = self.text
        lines: list[str] = []
        while pos < len(t):
            newline = t.find("\n", pos)
            stop = len(t) if newline < 0 else newline
            line = t[pos:stop].lstrip("\t") if strip_tabs else t[pos:stop]
            self.out[pos:stop] = " " * (stop - pos)
            pos = stop + 1
            if line == delimiter:
                return "".join(lines), pos
            lines.append(line + "\n")
        self.problems.append(f"unterminated heredoc ({delimiter})")
        return "".join(lines), len(t)


def _read_delimiter(t: str, j: int) -> tuple[str, bool, int]:
    """The heredoc delimiter word starting at j: its quote-removed text, whether it was quoted,
    and where it ends."""
    chars: list[str] = []
    quoted = False
    while j < len(t) and t[j] not in _WORD_END:
        c = t[j]
        if c in "'\"":
            quoted = True
            close = t.find(c, j + 1)
            close = len(t) if close < 0 else close
            chars.append(t[j + 1 : close])
            j = close + 1
        elif c == "\\" and j + 1 < len(t):
            quoted = True
            chars.append(t[j + 1])
            j += 2
        else:
            chars.append(c)
            j += 1
    return "".join(chars), quoted, min(j, len(t))
