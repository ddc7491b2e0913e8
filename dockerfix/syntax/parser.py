"""Turn Dockerfile text into a lossless syntax tree, reading it exactly as BuildKit does."""

from __future__ import annotations

import re

import dockerfix.syntax.shellwords as shellwords
from dockerfix.records import dataclass
from dockerfix.syntax.gocompat import is_comment, trim_left_space, trim_newline
from dockerfix.syntax.lineparse import ParsedLine, parse_line
from dockerfix.syntax.nodes import (
    Directive,
    Dockerfile,
    Element,
    Heredoc,
    Instruction,
    SyntaxIssue,
    Trivia,
)

# bufio.Scanner's default limit: a longer physical line makes BuildKit fail.
MAX_LINE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Dialect:
    """Version-dependent parsing rules; ``LATEST`` is what current BuildKit does."""

    name: str
    check_directive: bool
    modern_lexer: bool
    json_trailing_data: bool
    backslash_in_flags: bool = False


LATEST = Dialect("latest", check_directive=True, modern_lexer=True, json_trailing_data=False)
# BuildKit v0.12: no `# check=` directive, no blanks after `<<`, a streaming JSON
# decoder that ignores trailing text, an older word lexer, and a backslash as
# the escape character inside --flags whatever the escape directive says.
BUILDKIT_0_12 = Dialect(
    "v0.12",
    check_directive=False,
    modern_lexer=False,
    json_trailing_data=True,
    backslash_in_flags=True,
)

_DIRECTIVE_BODY = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_HEREDOC_WORD = re.compile(r"([0-9]*)<<(-?)([^<]*)\Z")
_HEREDOC_WORD_SPACE = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_HEREDOC_COMMANDS = frozenset({"add", "copy", "run"})


def split_lines(text: str) -> list[str]:
    """Split on LF only, keeping line endings (a CR alone is not a line break)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


class _DirectiveReader:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.done = False
        self.seen: set[str] = set()
        self.escape = "\\"

    def read(self, line: str) -> tuple[Directive | None, str | None]:
        """Directive found on this (left-trimmed) line, and an error message if any."""
        if self.done:
            return None, None
        if not line.startswith("#"):
            self.done = True
            return None, None
        body = line[1:]
        body = trim_left_space(body) if self.dialect.modern_lexer else body.lstrip("\t\n\f\r ")
        match = _DIRECTIVE_BODY.match(body)
        valid = (
            {"syntax", "escape", "check"} if self.dialect.check_directive else {"syntax", "escape"}
        )
        if not match or match.group(1).lower() not in valid:
            self.done = True
            return None, None
        name, value = match.group(1).lower(), match.group(2)
        if name in self.seen:
            return None, f"only one {name} parser directive can be used"
        self.seen.add(name)
        if name == "escape":
            if value not in ("`", "\\"):
                return None, f"invalid escape token '{value}' does not match ` or \\"
            self.escape = value
        return Directive(name, value, 0), None


def _continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit's trimContinuationCharacter: (line without the escape, ends here?)."""
    stripped = line.rstrip(" \t")
    if not stripped.endswith(escape):
        return line, True
    before = stripped[:-1]
    if before == "":
        return "", False
    if before.endswith(escape):
        return line, True
    return before, False


def heredocs_in_line(line: str, modern: bool) -> list[Heredoc]:
    """Heredoc words of a joined instruction line; raises ValueError as BuildKit errors."""
    options = shellwords.LexOptions(raw_quotes=True, raw_escapes=True, modern=modern)
    try:
        words = shellwords.process_words(line, options)
    except shellwords.LexError:
        return []
    docs = []
    for word in words:
        doc = parse_heredoc_word(word, modern)
        if doc is not None:
            docs.append(doc)
    return docs


def parse_heredoc_word(word: str, modern: bool = True) -> Heredoc | None:
    pattern = _HEREDOC_WORD_SPACE if modern else _HEREDOC_WORD
    match = pattern.match(word)
    if not match:
        return None
    fd_text, chomp, rest = match.groups()
    if not rest:
        return None
    cooked = shellwords.process_words(rest, shellwords.LexOptions(modern=modern))
    if len(cooked) != 1:
        return None
    raw = shellwords.process_words(rest, shellwords.LexOptions(raw_quotes=True, modern=modern))
    if len(raw) != len(cooked):
        raise shellwords.LexError(
            f"internal lexing of heredoc produced inconsistent results: {rest}"
        )
    name = cooked[0]
    quotes_cooked = name.count("'") + name.count('"')
    quotes_raw = raw[0].count("'") + raw[0].count('"')
    fd = min(int(fd_text), 2**63 - 1) if fd_text else 0
    return Heredoc(name, fd, "", quotes_cooked == quotes_raw, chomp == "-")


class _Parser:
    def __init__(self, text: str, dialect: Dialect) -> None:
        self.dialect = dialect
        self.bom = text.startswith("\ufeff")
        self.lines = split_lines(text[1:] if self.bom else text)
        self.elements: list[Element] = []
        self.pending: list[Trivia] = []
        self.errors: list[SyntaxIssue] = []
        self.warnings: list[SyntaxIssue] = []
        self.directives: list[Directive] = []
        self.reader = _DirectiveReader(dialect)
        self.limit = self._scan_limit()

    def _scan_limit(self) -> int:
        """Index of the first line BuildKit's scanner cannot read (too long), or len(lines)."""
        for index, line in enumerate(self.lines):
            size = len(line.encode("utf-8", "surrogatepass")) + (
                3 if index == 0 and self.bom else 0
            )
            if size > MAX_LINE_BYTES:
                self.errors.append(
                    SyntaxIssue(
                        index + 1,
                        f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES - 1}",
                    )
                )
                return index
        return len(self.lines)

    def parse(self) -> Dockerfile:
        i = 0
        while i < self.limit:
            i = self._element(i)
        self._flush_pending()
        if self.limit < len(self.lines):
            self.elements.append(
                Trivia("unparsed", "".join(self.lines[self.limit :]), self.limit + 1)
            )
        if not any(isinstance(e, Instruction) for e in self.elements):
            self.errors.insert(0, SyntaxIssue(len(self.lines), "file with no instructions"))
        return Dockerfile(
            elements=tuple(self.elements),
            bom=self.bom,
            escape=self.reader.escape,
            directives=tuple(self.directives),
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
        )

    def _flush_pending(self) -> None:
        self.elements.extend(self.pending)
        self.pending = []

    def _element(self, i: int) -> int:
        raw = self.lines[i]
        lineno = i + 1
        stripped = trim_left_space(trim_newline(raw))
        comment = is_comment(raw)
        directive, error = self.reader.read(stripped)
        if error:
            self.errors.append(SyntaxIssue(lineno, error))
        if directive is not None or error:
            if directive is not None:
                self.directives.append(Directive(directive.name, directive.value, lineno))
            self._flush_pending()
            self.elements.append(Trivia("directive", raw, lineno))
            return i + 1
        content = "" if comment else stripped
        first, end = _continuation(content, self.reader.escape)
        if end and first == "":
            if comment:
                self.pending.append(Trivia("comment", raw, lineno))
            else:
                self._flush_pending()
                self.elements.append(Trivia("blank", raw, lineno))
            return i + 1
        return self._instruction(i, first, end)

    def _instruction(self, start: int, first: str, end: bool) -> int:
        escape = self.reader.escape
        parts = [first]
        j = start + 1
        empty_continuation = False
        while not end and j < self.limit:
            raw = self.lines[j]
            j += 1
            if is_comment(raw):
                continue
            body = trim_newline(raw)
            if trim_left_space(body) == "":
                empty_continuation = True
                continue
            body, end = _continuation(body, escape)
            parts.append(body)
        line = "".join(parts)
        parsed = parse_line(
            line,
            escape,
            json_trailing=self.dialect.json_trailing_data,
            flag_escape="\\" if self.dialect.backslash_in_flags else None,
        )
        if empty_continuation:
            self.warnings.append(SyntaxIssue(j, "Empty continuation line found in: " + line))
        heredocs: list[Heredoc] = []
        error = parsed.error
        target = parsed.effective
        if (
            error is None
            and target.cmd.lower() in _HEREDOC_COMMANDS
            and not target.json
            and "<<" in line
        ):
            try:
                found = heredocs_in_line(line, self.dialect.modern_lexer)
            except shellwords.LexError as exc:
                found = []
                error = f"failed to process heredoc: {exc}"
            for doc in found:
                j, doc, ok = self._read_heredoc(j, doc)
                heredocs.append(doc)
                if not ok:
                    error = "unterminated heredoc"
                    break
        if error:
            self.errors.append(SyntaxIssue(start + 1, error))
        instruction = _make_instruction(
            "".join(self.lines[start:j]), parsed, line, start + 1, j, tuple(heredocs), error
        )
        instruction = instruction.with_changes(leading=tuple(self.pending))
        self.pending = []
        self.elements.append(instruction)
        return j

    def _read_heredoc(self, j: int, doc: Heredoc) -> tuple[int, Heredoc, bool]:
        content: list[str] = []
        while j < self.limit:
            raw = self.lines[j]
            j += 1
            candidate = trim_newline(raw)
            if doc.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == doc.name:
                return j, _with_content(doc, content), True
            content.append(raw)
        return j, _with_content(doc, content), False


def _with_content(doc: Heredoc, content: list[str]) -> Heredoc:
    return Heredoc(doc.name, doc.file_descriptor, "".join(content), doc.expand, doc.chomp)


def _make_instruction(
    text: str,
    parsed: ParsedLine,
    line: str,
    start: int,
    end: int,
    heredocs: tuple[Heredoc, ...],
    error: str | None,
) -> Instruction:
    sub = parsed.sub
    return Instruction(
        text=text,
        cmd=parsed.cmd,
        sub_cmd=sub.cmd if sub is not None else None,
        json=parsed.json,
        original=line,
        start_line=start,
        end_line=end,
        flags=parsed.flags,
        value=parsed.value if error is None or heredocs else (),
        heredocs=heredocs,
        args=parsed.args,
        sub_flags=sub.flags if sub is not None else (),
        error=error,
    )


def parse(text: str, *, dialect: Dialect = LATEST) -> Dockerfile:
    """Parse Dockerfile text.  Never raises on bad input: problems land in ``.errors``."""
    return _Parser(text, dialect).parse()
