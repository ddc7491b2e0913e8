"""BuildKit's shell-word lexer, as far as the parser needs it to find heredoc words.

BuildKit splits an instruction line into words with its own shell-like lexer
(quotes, ``$`` expansions left unexpanded, escapes kept raw) and then looks
for words of the form ``<<[-]NAME``.  Errors make the line carry no heredocs,
so the lexer has to agree with BuildKit on what is an error, too.
"""

from __future__ import annotations

from dockerfix.records import dataclass
from dockerfix.syntax.gocompat import GO_SPACE

_EOF = ""


class LexError(ValueError):
    """The text is not a complete shell word list (unbalanced quote, bad ${...})."""


@dataclass(frozen=True)
class LexOptions:
    raw_quotes: bool = False
    raw_escapes: bool = False
    # Newer BuildKit: `<<` may be followed by blanks inside one word, nested
    # `${...}` share one word buffer, and `${v#p}`, `${v%p}`, `${v/p/r}` parse.
    modern: bool = True


class _Words:
    """Accumulates words; the buffer object may be shared between nested calls."""

    def __init__(self, buf: list[str]) -> None:
        self.buf = buf
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in GO_SPACE:
            if self.in_word and self.has_text():
                self.words.append("".join(self.buf))
                self.buf.clear()
                self.in_word = False
        else:
            self.add_raw_char(ch)

    def has_text(self) -> bool:
        return any(self.buf)

    def add_raw_char(self, ch: str) -> None:
        self.buf.append(ch)
        self.in_word = True

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def add_raw_string(self, text: str) -> None:
        self.buf.append(text)
        self.in_word = True

    def get_words(self) -> list[str]:
        if self.has_text():
            self.words.append("".join(self.buf))
            self.buf.clear()
            self.in_word = False
        return self.words


class _Lexer:
    def __init__(self, text: str, escape: str, options: LexOptions) -> None:
        self.text = text
        self.pos = 0
        self.escape = escape
        self.opts = options
        self.raw_escapes = options.raw_escapes
        self.shared_buf: list[str] = []

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else _EOF

    def next(self) -> str:
        if self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            return ch
        return _EOF

    def process_stop_on(self, stop: str, raw_escapes: bool | None = None) -> tuple[str, list[str]]:
        saved = self.raw_escapes
        if raw_escapes is not None:
            self.raw_escapes = raw_escapes
        try:
            return self._stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        if self.opts.modern:
            self.shared_buf.clear()
            words = _Words(self.shared_buf)
        else:
            words = _Words([])
        while self.peek() != _EOF:
            ch = self.peek()
            if stop and ch == stop:
                self.next()
                return "".join(result), words.get_words()
            special = self._special(ch)
            if special is not None:
                tmp = special()
                result.append(tmp)
                if ch == "$":
                    words.add_string(tmp)
                else:
                    words.add_raw_string(tmp)
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    words.add_raw_char(ch)
                    result.append(ch)
                ch = self.next()
                if ch == _EOF:
                    break
                words.add_raw_char(ch)
            else:
                words.add_char(ch)
            result.append(ch)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.get_words()

    def _special(self, ch: str):  # type: ignore[no-untyped-def]
        if ch == "$":
            return self.process_dollar
        if ch == "'":
            return self.process_single_quote
        if ch == '"':
            return self.process_double_quote
        if ch == "<" and self.opts.modern:
            return self.process_possible_heredoc
        return None

    def process_single_quote(self) -> str:
        out: list[str] = []
        ch = self.next()
        if self.opts.raw_quotes:
            out.append(ch)
        while True:
            ch = self.next()
            if ch == _EOF:
                raise LexError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            if ch == "'":
                if self.opts.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def process_double_quote(self) -> str:
        out: list[str] = []
        ch = self.next()
        if self.opts.raw_quotes:
            out.append(ch)
        while True:
            nxt = self.peek()
            if nxt == _EOF:
                raise LexError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if nxt == '"':
                ch = self.next()
                if self.opts.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if nxt == "$":
                out.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    out.append(ch)
                after = self.peek()
                if after == _EOF:
                    continue
                if after in ('"', "$", self.escape):
                    ch = self.next()
            out.append(ch)

    def process_name(self) -> str:
        name: list[str] = []
        while self.peek() != _EOF:
            ch = self.peek()
            if not name and ch.isdecimal():
                while self.peek() != _EOF and self.peek().isdecimal():
                    name.append(self.next())
                return "".join(name)
            if not name and ch in "@*#?-$!0":
                return self.next()
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            name.append(self.next())
        return "".join(name)

    def process_dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            name = self.process_name()
            return "$" + name if name else "$"
        self.next()
        if self.peek() == _EOF:
            raise LexError("syntax error: missing '}'")
        if self.peek() in ("{", "}", ":"):
            raise LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = self.next()
        chs = ch
        null_is_unset = False
        if ch == "}":
            return "${" + name + "}"
        if ch == ":":
            null_is_unset = True
            ch = self.next()
            chs += ch
        modifiers = "+-?#%" if self.opts.modern else "+-?"
        if null_is_unset or (ch != "" and ch in modifiers):
            raw = ch in ("#", "%") if ch else False
            if self.opts.modern and null_is_unset and raw:
                raise LexError(f"unsupported modifier ({chs}) in substitution")
            word = self._nested("}", raw if self.opts.modern else None, "syntax error: missing '}'")
            return "${" + name + chs + word + "}"
        if ch == "/" and self.opts.modern:
            if self.peek() == "/":
                self.next()
            pattern = self._nested("/", True, "syntax error: missing '/' in ${}")
            replacement = self._nested("}", True, "syntax error: missing '}'")
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        raise LexError(f"unsupported modifier ({chs}) in substitution")

    def _nested(self, stop: str, raw_escapes: bool | None, eof_message: str) -> str:
        try:
            word, _ = self.process_stop_on(stop, raw_escapes)
        except LexError:
            if self.peek() == _EOF:
                raise LexError(eof_message) from None
            raise
        return word

    def process_possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space: list[str] = []
        while self.peek() in ("\t", "\r", " ") and self.peek() != _EOF:
            space.append(self.next())
        return "<<" + "".join(space)


def process_words(text: str, options: LexOptions, escape: str = "\\") -> list[str]:
    """Split ``text`` into words as BuildKit's ``Lex.ProcessWords`` does (no variables set)."""
    lexer = _Lexer(text, escape, options)
    _, words = lexer.process_stop_on(_EOF)
    return words
