"""Read `.dockerignore` files and decide which build-context paths they exclude, as BuildKit does.

The rules follow BuildKit's reader and matcher rather than `.gitignore`:

* Reading: a line starting with `#` is a comment; other lines are trimmed (Go's notion of
  whitespace), blank ones skipped; `!` marks an exception; each pattern is cleaned like Go's
  `filepath.Clean` and loses one leading `/`, so every pattern is anchored at the context root.
* Matching: `*`, `?`, `[...]` and `\\` escapes as in `filepath.Match`, plus `**` for any number of
  path segments. BuildKit turns each pattern into a regular expression; a few corners of that
  translation differ from `filepath.Match` (a bare `^` anchors, `\\d` is a digit class, `[*]` is
  not a literal star) and are reproduced here on purpose: the point is to predict the real build.
* The last matching pattern wins, and a pattern that matches a directory also matches everything
  below it. The per-pattern "did a parent directory match" state is carried down the tree exactly
  as the context walker carries it, including its habit of not evaluating a pattern whose outcome
  cannot change the current answer.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import field
from pathlib import Path
from typing import Literal

from dockerfix.records import dataclass

__all__ = [
    "ContextListing",
    "IgnoreError",
    "IgnoreFile",
    "IgnoreLine",
    "IgnorePattern",
    "MatchState",
    "find_dockerignore",
    "parse_dockerignore",
    "walk_context",
]

# Go's strings.TrimSpace trims unicode.IsSpace characters; Python's str.strip also trims
# U+001C..U+001F, which Go keeps, so the set is spelled out.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BOM = "\ufeff"
# bufio.Scanner's default limit: a longer line makes BuildKit's reader fail.
_MAX_LINE_BYTES = 64 * 1024 - 1
# Characters that stop the walker from pruning an excluded directory when they appear in an
# exception pattern (the walker cannot tell what such a pattern might re-include).
_WILDCARD_CHARS = frozenset("*[]?^\\")
# Regex metacharacters BuildKit escapes. Its table is meant to hold `.+()|{}$` too, but it is
# a byte bitmap that drops every character from 64 up, so `|`, `{` and `}` reach the regular
# expression unescaped and work as alternation and repetition there.
_ESCAPED_META = frozenset(".+()$")

PatternKind = Literal["exact", "prefix", "suffix", "regexp"]
LineKind = Literal["pattern", "comment", "blank"]
MatchState = tuple[bool, ...]
"""Per-pattern "this pattern matched the directory or one of its parents" flags."""


# `IgnoreFile.matches` keeps at most this many answers.
_MAX_STATES = 50_000


@dataclass(frozen=True)
class IgnoreLine:
    """One physical line of the file, with its byte span so edits can leave it untouched."""

    number: int
    offset: int
    end: int
    text: str
    kind: LineKind
    pattern: str | None = None


@dataclass(frozen=True)
class IgnoreError:
    """A problem BuildKit would refuse the build for; the offending pattern is ignored here."""

    line: int
    pattern: str
    message: str


@dataclass(frozen=True)
class IgnorePattern:
    """A compiled pattern: `pattern` is the cleaned text without its leading `!`."""

    line: int
    pattern: str
    exception: bool
    kind: PatternKind
    regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches_path(self, path: str) -> bool:
        """Whether this one pattern matches `path` itself (no parent-directory rule)."""
        if self.kind == "exact":
            return path == self.pattern
        if self.kind == "prefix":
            return path.startswith(self.pattern[:-2])
        if self.kind == "suffix":
            suffix = self.pattern[2:]
            # `**/foo` also matches a top-level `foo`.
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        assert self.regex is not None
        # Go's MatchString searches; with an unescaped `|` the match need not start at 0.
        return self.regex.search(path) is not None

    @property
    def prune_prefix(self) -> str:
        """The pattern minus a trailing `/**` or `/*`, as the walker compares it to directories."""
        text = self.pattern
        text = text.removesuffix("/**")
        return text.removesuffix("/*")


@dataclass(frozen=True)
class ContextListing:
    """What a build would send: included files, their size, and what was left out."""

    included: tuple[str, ...]
    total_bytes: int
    excluded: tuple[str, ...]
    pruned_dirs: tuple[str, ...]


@dataclass(frozen=True)
class IgnoreFile:
    """A parsed `.dockerignore`: its original lines, its patterns and any errors."""

    text: str
    lines: tuple[IgnoreLine, ...]
    patterns: tuple[IgnorePattern, ...]
    errors: tuple[IgnoreError, ...]
    # `matches`' answers for the paths and folders asked so far: a path's answer depends on
    # its folders' only, and planning asks about the same folders for thousands of files.
    _states: dict[str, tuple[bool, MatchState]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # The same for the folders asked about, without `!` patterns (the quick pattern decides).
    _excluded_dirs: dict[str, bool] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # Without `!` patterns: one expression matching wherever any pattern does (built once).
    _any: list[re.Pattern[str] | None] = field(
        default_factory=list, init=False, compare=False, repr=False
    )

    @property
    def has_exceptions(self) -> bool:
        """Whether any `!` pattern exists (without one, an excluded directory is never entered)."""
        return any(p.exception for p in self.patterns)

    @property
    def byte_length(self) -> int:
        """Length of the file in bytes (UTF-8), i.e. the offset at which to append."""
        return _utf8_len(self.text)

    @property
    def ends_with_newline(self) -> bool:
        """Whether appending needs a newline first."""
        return self.text == "" or self.text.endswith("\n")

    @property
    def initial_state(self) -> MatchState:
        """The state to pass for entries at the context root."""
        return (False,) * len(self.patterns)

    def quick_pattern(self) -> re.Pattern[str] | None:
        """Without `!` patterns, one expression matching wherever any pattern does (None with
        an exception pattern or no patterns); built once."""
        if not self._any:
            self._any.append(_any_pattern(self.patterns))
        return self._any[0]

    def matches_with_parent(self, path: str, parent: MatchState) -> tuple[bool, MatchState]:
        """Decide one walk step: is `path` excluded, and what do its children inherit.

        `parent` is the state returned for the containing directory (`initial_state` at the root).
        """
        quick = self.quick_pattern()
        if quick is not None and not any(parent) and quick.search(path) is None:
            return False, parent  # no pattern matches it, nor any of its folders
        excluded = False
        state: list[bool] = []
        record = state.append
        for pattern, hit in zip(self.patterns, parent):
            if not hit:
                # Like the walker: a pattern that cannot change the answer so far is not
                # evaluated, and so does not record a match for the children either.
                if pattern.exception != excluded:
                    record(False)
                    continue
                hit = pattern.matches_path(path)
            record(hit)
            if hit:
                excluded = not pattern.exception
        return excluded, tuple(state)

    def matches(self, path: str) -> bool:
        """True when the context-relative slash path `path` is excluded from the build context."""
        cleaned = _clean(path).lstrip("/")
        if cleaned in ("", "."):
            return False
        if len(self._states) > _MAX_STATES or len(self._excluded_dirs) > _MAX_STATES:
            self._states.clear()
            self._excluded_dirs.clear()
        quick = self.quick_pattern()
        if quick is not None:
            return self._quick_matches(cleaned, quick)
        state = self.initial_state
        excluded = False
        prefix = ""
        for part in cleaned.split("/"):
            prefix = f"{prefix}/{part}" if prefix else part
            known = self._states.get(prefix)
            if known is None:
                known = self._states[prefix] = self.matches_with_parent(prefix, state)
            excluded, state = known
        return excluded

    def _quick_matches(self, path: str, quick: re.Pattern[str]) -> bool:
        """`matches` without `!` patterns: a pattern matches the path or one of its folders."""
        if quick.search(path) is not None:
            return True
        parent = path.rpartition("/")[0]
        if not parent:
            return False
        known = self._excluded_dirs.get(parent)
        if known is None:
            known = self._excluded_dirs[parent] = self._quick_matches(parent, quick)
        return known

    def excluded_files(self, paths: Iterable[str]) -> list[str]:
        """The members of `paths` that are excluded, in their given order."""
        return [p for p in paths if self.matches(p)]

    def can_prune(self, directory: str) -> bool:
        """Whether an excluded `directory` may be skipped without looking inside it.

        True unless some exception pattern might re-include something below it: one with a
        wildcard (before a trailing `/*` or `/**`), or one naming a path inside the directory.
        """
        exceptions = [p for p in self.patterns if p.exception]
        if any(_WILDCARD_CHARS.intersection(p.prune_prefix) for p in exceptions):
            return False
        below = directory + "/"
        return not any((p.prune_prefix + "/").startswith(below) for p in exceptions)


# --------------------------------------------------------------------------- reading


@functools.lru_cache(maxsize=32)
def parse_dockerignore(text: str) -> IgnoreFile:
    """Parse `.dockerignore` text the way BuildKit reads it; problems are recorded, not raised.

    The result is immutable, so one parse serves every caller with the same text (planning a
    block tries many candidate texts, several times each).
    """
    lines: list[IgnoreLine] = []
    patterns: list[IgnorePattern] = []
    errors: list[IgnoreError] = []
    for number, offset, end, raw in _physical_lines(text):
        body = raw[:-1] if raw.endswith("\r") else raw
        if number == 1:
            body = body.removeprefix(_BOM)
        if len(body.encode("utf-8", "surrogatepass")) > _MAX_LINE_BYTES:
            errors.append(IgnoreError(number, body[:40], "line is too long for BuildKit's reader"))
        pattern = _read_pattern(body)
        kind: LineKind = "comment" if body.startswith("#") else "pattern" if pattern else "blank"
        lines.append(
            IgnoreLine(
                number,
                offset,
                end,
                raw.removesuffix("\r"),
                kind,
                pattern if kind == "pattern" else None,
            )
        )
        if kind != "pattern" or pattern is None:
            continue
        compiled = _compile(number, pattern)
        if isinstance(compiled, IgnoreError):
            errors.append(compiled)
        else:
            patterns.append(compiled)
    return IgnoreFile(text, tuple(lines), tuple(patterns), tuple(errors))


def _physical_lines(text: str) -> Iterator[tuple[int, int, int, str]]:
    """Yield (number, start byte, end byte, line without its `\\n`); only `\\n` ends a line."""
    offset = 0
    number = 0
    start = 0
    while start < len(text):
        number += 1
        newline = text.find("\n", start)
        stop = len(text) if newline < 0 else newline + 1
        chunk = text[start:stop]
        size = _utf8_len(chunk)
        yield number, offset, offset + size, chunk.removesuffix("\n")
        offset += size
        start = stop


def _read_pattern(body: str) -> str | None:
    """One line as BuildKit's reader returns it (`!` kept in front), or None to skip it."""
    if body.startswith("#"):
        return None
    pattern = body.strip(_GO_SPACE)
    if not pattern:
        return None
    exception = pattern.startswith("!")
    if exception:
        pattern = pattern[1:].strip(_GO_SPACE)
    if pattern:
        pattern = _clean(pattern)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
    return "!" + pattern if exception else pattern


def _clean(path: str) -> str:
    """Go's `path.Clean`: drop empty and `.` segments, resolve `..` lexically."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(segment)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------- compiling


def _compile(line: int, read: str) -> IgnorePattern | IgnoreError:
    """Turn one reader pattern into a matcher, as the pattern matcher's constructor does."""
    # The matcher cleans again, `!` included: "!../../a" becomes the plain pattern "a".
    pattern = _clean(read.strip(_GO_SPACE))
    exception = pattern.startswith("!")
    if exception:
        if len(pattern) == 1:
            return IgnoreError(line, read, 'illegal exclusion pattern: "!"')
        pattern = pattern[1:]
    if not _valid_glob(pattern):
        return IgnoreError(line, read, "syntax error in pattern")
    kind, source = _docker_regex(pattern)
    regex = None
    if kind == "regexp":
        try:
            regex = _go_regex(source)
        except (ValueError, re.error) as exc:
            return IgnoreError(line, read, f"syntax error in pattern ({exc})")
    return IgnorePattern(line, pattern, exception, kind, regex)


def _any_pattern(patterns: Sequence[IgnorePattern]) -> re.Pattern[str] | None:
    """One expression that matches a path where some pattern's `matches_path` does; None
    with an exception pattern (the answer then depends on the order) or no patterns."""
    if not patterns or any(p.exception for p in patterns):
        return None
    parts = []
    for p in patterns:
        if p.kind == "exact":
            parts.append(f"\\A{re.escape(p.pattern)}\\Z")
        elif p.kind == "prefix":
            parts.append(f"\\A{re.escape(p.pattern[:-2])}")
        elif p.kind == "suffix":
            suffix = p.pattern[2:]
            parts.append(f"{re.escape(suffix)}\\Z")
            if suffix[:1] == "/":
                parts.append(f"\\A{re.escape(suffix[1:])}\\Z")
        elif p.regex is not None:
            parts.append(p.regex.pattern)
        else:
            return None
    try:
        return re.compile("|".join(f"(?:{part})" for part in parts), re.ASCII)
    except re.error:
        return None


@functools.lru_cache(maxsize=1024)
def _go_regex(source: str) -> re.Pattern[str]:
    """The Python regex of a Go regex source (compiled once: the same patterns recur in
    every planned block and every context)."""
    return re.compile(_GoRegex(source).translate(), re.ASCII)


def _valid_glob(pattern: str) -> bool:
    """The syntax check `filepath.Match` performs on every chunk of a pattern."""
    rest = pattern
    while rest:
        rest = rest.lstrip("*")
        chunk, rest = _scan_chunk(rest)
        if not _valid_chunk(chunk):
            return False
    return True


def _scan_chunk(pattern: str) -> tuple[str, str]:
    """Split off the text up to the next `*` that is not inside a `[...]`."""
    in_range = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1 if i + 1 < len(pattern) else 0
        elif char == "[":
            in_range = True
        elif char == "]":
            in_range = False
        elif char == "*" and not in_range:
            break
        i += 1
    return pattern[:i], pattern[i:]


def _valid_chunk(chunk: str) -> bool:
    i = 0
    while i < len(chunk):
        char = chunk[i]
        if char == "\\":
            if i + 1 >= len(chunk):
                return False
            i += 2
        elif char == "[":
            end = _class_end(chunk, i + 1)
            if end < 0:
                return False
            i = end
        else:
            i += 1
    return True


def _class_end(chunk: str, i: int) -> int:
    """Index after a valid `[...]` body starting at `i`, or -1 (ranges may run backwards)."""
    if chunk[i : i + 1] == "^":
        i += 1
    ranges = 0
    while True:
        if chunk[i : i + 1] == "]" and ranges:
            return i + 1
        i = _class_char(chunk, i)
        if i < 0:
            return -1
        if chunk[i] == "-":
            i = _class_char(chunk, i + 1)
            if i < 0:
                return -1
        ranges += 1


def _class_char(chunk: str, i: int) -> int:
    """Index after one class character at `i`, or -1; something must follow it."""
    if i >= len(chunk) or chunk[i] in "-]":
        return -1
    if chunk[i] == "\\":
        i += 1
        if i >= len(chunk):
            return -1
    return i + 1 if i + 1 < len(chunk) else -1


def _docker_regex(pattern: str) -> tuple[PatternKind, str]:
    """The match kind and Go regular expression BuildKit derives from a cleaned pattern."""
    out = ["^"]
    kind: PatternKind = "exact"
    # BuildKit reads the pattern with a scanner that drops a leading byte order mark.
    chars = pattern.removeprefix(_BOM)
    i = 0
    step = 0
    while i < len(chars):
        char = chars[i]
        i += 1
        if char == "*" and chars[i : i + 1] == "*":
            i += 1
            if chars[i : i + 1] == "/":
                i += 1
            if i >= len(chars):
                if kind == "exact":
                    kind = "prefix"
                else:
                    out.append(".*")
                    kind = "regexp"
            else:
                out.append("(.*/)?")
                kind = "regexp"
            if step == 0:
                kind = "suffix"
        elif char == "*":
            out.append("[^/]*")
            kind = "regexp"
        elif char == "?":
            out.append("[^/]")
            kind = "regexp"
        elif char in _ESCAPED_META:
            out.append("\\" + char)
        elif char == "\\":
            if i < len(chars):
                out.append("\\" + chars[i])
                i += 1
                kind = "regexp"
            else:
                out.append("\\")
        elif char in "[]":
            out.append(char)
            kind = "regexp"
        else:
            out.append(char)
        step += 1
    out.append("$")
    return kind, "".join(out)


# --------------------------------------------------------------------------- Go regexp


_Ranges = list[tuple[int, int]]
_MAX_RUNE = 0x10FFFF
_PERL_CLASSES: dict[str, tuple[_Ranges, bool]] = {
    "d": ([(0x30, 0x39)], False),
    "s": ([(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)], False),
    "w": ([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)], False),
}
_POSIX_CLASSES: dict[str, _Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_OCTAL_DIGITS = frozenset("01234567")
_CHAR_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
# Wrapped in groups because Go, unlike Python, accepts a repetition after an assertion.
_ASSERTIONS = {"A": r"(?:\A)", "z": r"(?:\Z)", "b": r"(?:\b)", "B": r"(?:\B)"}
_GO_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_MAX_REPEAT = 1000


class _GoRegex:
    """Translate the subset of Go (RE2, Perl flags) syntax that BuildKit can produce to Python."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0

    def translate(self) -> str:
        out: list[str] = []
        special = {
            "^": _ASSERTIONS["A"],
            "$": _ASSERTIONS["z"],
            ".": ".",
            "(": "(?:",
            ")": ")",
            "?": "?",
            "*": "*",
            "|": "|",
        }
        while self.pos < len(self.src):
            char = self.src[self.pos]
            self.pos += 1
            if char == "[":
                out.append(self._class())
            elif char == "\\":
                out.append(self._escape_outside())
            elif char == "{":
                out.append(self._repeat())
            else:
                out.append(special.get(char, re.escape(char)))
        return "".join(out)

    def _repeat(self) -> str:
        """`{n}`, `{n,}` or `{n,m}` repeat; any other brace is literal (Python reads `{,m}`)."""
        found = _GO_REPEAT.match(self.src, self.pos - 1)
        if found is None:
            return re.escape("{")
        low = int(found.group(1))
        high = low if found.group(2) is None else int(found.group(3) or -1)
        if low > _MAX_REPEAT or high > _MAX_REPEAT or 0 <= high < low:
            raise ValueError("invalid repeat count")
        self.pos = found.end()
        return found.group(0)

    def _escape_outside(self) -> str:
        char = self._next("trailing backslash")
        if char in _ASSERTIONS:
            return _ASSERTIONS[char]
        if char.lower() in _PERL_CLASSES:
            return _emit_class(_perl_ranges(char))
        return re.escape(self._escaped_literal(char))

    def _escaped_literal(self, char: str) -> str:
        if char.isascii() and not char.isalnum():
            return char
        if char in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[char]
        if char == "x":
            return self._hex_escape()
        if char in "01234567":
            return self._octal_escape(char)
        if char in "pPQ":
            # Unicode classes and \Q...\E quoting are valid in Go but not translated here.
            raise ValueError(f"escape \\{char} is not supported")
        raise ValueError(f"invalid escape \\{char}")

    def _hex_escape(self) -> str:
        if self.src.startswith("{", self.pos):
            close = self.src.find("}", self.pos)
            if close < 0:
                raise ValueError("invalid escape \\x")
            digits = self.src[self.pos + 1 : close]
            self.pos = close + 1
        else:
            digits = self.src[self.pos : self.pos + 2]
            self.pos += 2
            if len(digits) != 2:
                raise ValueError("invalid escape \\x")
        if not digits or any(d not in _HEX_DIGITS for d in digits) or int(digits, 16) > _MAX_RUNE:
            raise ValueError("invalid escape \\x")
        return chr(int(digits, 16))

    def _octal_escape(self, first: str) -> str:
        # A lone non-zero digit would be a back-reference, which Go rejects.
        if first != "0" and self.src[self.pos : self.pos + 1] not in _OCTAL_DIGITS:
            raise ValueError(f"invalid escape \\{first}")
        value = int(first)
        for _ in range(2):
            digit = self.src[self.pos : self.pos + 1]
            if digit == "" or digit not in _OCTAL_DIGITS:
                break
            value = value * 8 + int(digit)
            self.pos += 1
        return chr(value)

    def _next(self, problem: str) -> str:
        if self.pos >= len(self.src):
            raise ValueError(problem)
        char = self.src[self.pos]
        self.pos += 1
        return char

    def _class(self) -> str:
        negated = self.src.startswith("^", self.pos)
        if negated:
            self.pos += 1
        ranges: _Ranges = []
        first = True
        while first or self.src[self.pos : self.pos + 1] != "]":
            first = False
            ranges.extend(self._class_item())
        self.pos += 1
        return _emit_class(_complement(ranges) if negated else ranges)

    def _class_item(self) -> _Ranges:
        named = self._named_class()
        if named is not None:
            return named
        if self.src.startswith("\\", self.pos) and self.src[
            self.pos + 1 : self.pos + 2
        ].lower() in (_PERL_CLASSES):
            self.pos += 2
            return _perl_ranges(self.src[self.pos - 1])
        low = self._class_char()
        high = low
        if self.src[self.pos : self.pos + 1] == "-" and self.src[
            self.pos + 1 : self.pos + 2
        ] not in ("", "]"):
            self.pos += 1
            high = self._class_char()
            if high < low:
                raise ValueError("invalid character class range")
        return [(low, high)]

    def _named_class(self) -> _Ranges | None:
        if not self.src.startswith("[:", self.pos):
            return None
        close = self.src.find(":]", self.pos + 2)
        if close < 0:
            return None
        name = self.src[self.pos + 2 : close]
        negated = name.startswith("^")
        ranges = _POSIX_CLASSES.get(name.removeprefix("^"))
        if ranges is None:
            raise ValueError(f"invalid character class [:{name}:]")
        self.pos = close + 2
        return _complement(ranges) if negated else list(ranges)

    def _class_char(self) -> int:
        char = self._next("missing closing ]")
        if char == "\\":
            char = self._escaped_literal(self._next("trailing backslash"))
        return ord(char)


def _perl_ranges(letter: str) -> _Ranges:
    ranges, _ = _PERL_CLASSES[letter.lower()]
    return _complement(ranges) if letter.isupper() else list(ranges)


def _complement(ranges: _Ranges) -> _Ranges:
    result: _Ranges = []
    start = 0
    for low, high in sorted(ranges):
        if low > start:
            result.append((start, low - 1))
        start = max(start, high + 1)
    if start <= _MAX_RUNE:
        result.append((start, _MAX_RUNE))
    return result


def _emit_class(ranges: _Ranges) -> str:
    if not ranges:
        return "(?!)"
    if max(high for _, high in ranges) == _MAX_RUNE:
        # A class up to the last code point (`[^/]`) is written as the negation of what it
        # leaves out: the same characters, and far cheaper for `re` to compile.
        outside = _complement(ranges)
        return "[^" + _emit_ranges(outside) + "]" if outside else "(?s:.)"
    return "[" + _emit_ranges(ranges) + "]"


def _emit_ranges(ranges: _Ranges) -> str:
    return "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )


# --------------------------------------------------------------------------- the context


def find_dockerignore(dockerfile: Path, context: Path) -> Path | None:
    """The ignore file BuildKit uses: `<Dockerfile>.dockerignore` first, then the context's."""
    specific = dockerfile.with_name(dockerfile.name + ".dockerignore")
    if specific.is_file():
        return specific
    generic = context / ".dockerignore"
    return generic if generic.is_file() else None


def walk_context(root: Path, ignore: IgnoreFile, sizes: bool = True) -> ContextListing:
    """List the files a build with this ignore file would send, without following symlinks.

    An excluded directory is not entered when no exception pattern could re-include anything
    in it. Without ``sizes`` no file is stat'ed and `total_bytes` is 0.
    """
    included: list[str] = []
    excluded: list[str] = []
    pruned: list[str] = []
    total = 0
    # Without `!` patterns one expression says whether any pattern matches: most entries
    # of a folder no pattern matched are decided by it alone.
    quick = ignore.quick_pattern()
    none = not ignore.patterns
    step = ignore.matches_with_parent
    top = os.fspath(root)
    pending: list[tuple[str, MatchState]] = [("", ignore.initial_state)]
    while pending:
        directory, state = pending.pop()
        prefix = directory + "/" if directory else ""
        clear = none or (quick is not None and not any(state))
        for entry in _entries(f"{top}/{directory}" if directory else top):
            rel = prefix + entry.name
            if none or (clear and quick.search(rel) is None):  # type: ignore[union-attr]
                is_excluded, child_state = False, state
            else:
                is_excluded, child_state = step(rel, state)
            if entry.is_dir(follow_symlinks=False):
                if is_excluded and ignore.can_prune(rel):
                    pruned.append(rel)
                else:
                    pending.append((rel, child_state))
            elif is_excluded:
                excluded.append(rel)
            else:
                included.append(rel)
                if sizes:
                    total += entry.stat(follow_symlinks=False).st_size
    return ContextListing(
        tuple(sorted(included)), total, tuple(sorted(excluded)), tuple(sorted(pruned))
    )


def _entries(directory: str) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as iterator:
        return list(iterator)
