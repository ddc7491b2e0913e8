"""Hypothesis strategies that compose whole Dockerfile texts for the syntax tests.

`dockerfiles()` builds files the way people write them, then bends them: a BOM, parser directives
(sometimes misplaced so they are plain comments), every instruction with random keyword case, flags,
shell and JSON forms (valid and invalid JSON), continuations that use the *active* escape
character with comment and blank lines inside, heredocs, CRLF or mixed line endings, no final
newline, and a little junk. A few files are deliberately invalid (see `DELIBERATE_ERRORS`);
everything else is meant to be accepted by BuildKit v0.12 (the `dockerfile` package).

`any_text()` is the rough counterpart: Dockerfile-ish tokens mixed with arbitrary characters, for
properties that must hold for every string (round-tripping, never raising).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

__all__ = [
    "DELIBERATE_ERRORS",
    "GeneratedDockerfile",
    "any_text",
    "dockerfiles",
    "generated_dockerfiles",
]

BACKSLASH = "\\"
BACKTICK = "`"
BOM = "\ufeff"

# Kinds of deliberately invalid files; BuildKit rejects each of them.
DELIBERATE_ERRORS = (
    "unterminated_heredoc",
    "non_string_json",
    "missing_value",
    "duplicate_directive",
    "bad_escape_token",
    "no_instructions",
)


@dataclass(frozen=True)
class GeneratedDockerfile:
    """A generated text with what the generator meant by it."""

    text: str
    escape: str  # the escape character in force after the directive block
    deliberate_error: str | None  # one of DELIBERATE_ERRORS, or None


# --- word pools -------------------------------------------------------------------------------

IMAGES = (
    "alpine:3.20",
    "debian:bookworm-slim",
    "python:3.12-slim",
    "node:20-alpine",
    "golang:1.23",
    "scratch",
    "${BASE_IMAGE}",
    "$REGISTRY/app:${TAG:-latest}",
    "ghcr.io/org/img@sha256:2b7412e6465c3c7fc5bb21d3e6f1917c167358449fecac8176c6e496e5c1f05f",
    "mcr.microsoft.com/windows/servercore:ltsc2022",
    "build",
)
STAGES = ("build", "deps", "Builder", "runtime", "stage-1", "base")

# Shell commands as word lists: quoting, expansions, operators, escapes, odd whitespace.
SHELL_WORDS: tuple[tuple[str, ...], ...] = (
    ("apt-get", "update", "&&", "apt-get", "install", "-y", "--no-install-recommends", "curl"),
    ("pip", "install", "--no-cache-dir", "-r", "requirements.txt"),
    ("npm", "ci", "--omit=dev"),
    ("go", "mod", "download"),
    ("cargo", "build", "--release", "--locked"),
    ("bundle", "install", "--jobs=4"),
    ("echo", '"hello world"', ">", "/tmp/greeting"),
    ("echo", "'single $quoted'", "|", "tr", "a-z", "A-Z"),
    ("echo", "$HOME", "${PATH}", "${V:-default}", "${V:+alt}", "\\$literal"),
    ("set", "-eux;", "make", "-j$(nproc)"),
    ("cd", "/src", "&&", "./configure", "--prefix=/usr"),
    ("echo", "a\\ b", "c\\\\d"),
    ("printf", "'%s\\n'", "x"),
    ("echo", "`date`"),
    ("echo", "héllo", "✓", "日本語"),
    ("echo", "#", "not-a-comment"),
    ("echo", '"<<EOF"', "'<<-X'"),
    ("Write-Host", "C:\\app\\bin", ";", "exit", "0"),
    ("echo", "tab\there", "nbsp\u00a0here"),
    ("echo", "vt\x0bff\x0cnel\x85ls\u2028ps\u2029end"),
    ("true",),
)
JSON_STRINGS = (
    '"sh"',
    '"-c"',
    '"/bin/bash"',
    '"echo \\"quoted\\""',
    '"C:\\\\app"',
    '"caf\\u00e9"',
    '"with space"',
    '""',
    '"--flag=value"',
    '"$HOME"',
)
# Bracketed text that is not a JSON string array: BuildKit falls back to shell form.
NOT_JSON = ("[foo]", '["a", ]', "['a', 'b']", '[ "unclosed"', "[/data]", '["a" "b"]', "[")
PATHS = (
    "package.json",
    "package*.json",
    ".",
    "src/",
    "requirements.txt",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    '"dir with space/"',
    "$SRC_DIR",
    "*.csproj",
    "C:\\src\\app",
)
DESTS = ("/app/", ".", "./", "/usr/src/app", "$APP_HOME/", "C:\\app")
ENV_KEYS = ("A", "APP_HOME", "PATH", "NODE_ENV", "lower_case", "GRÜSSE", "X1")
ENV_VALUES = ("1", '"two words"', "'single quoted'", "a\\ b", "$PATH:/opt/bin", "", "${A:-b}", "ü")
LABEL_KEYS = ("maintainer", "org.opencontainers.image.title", '"quoted key"', "version")
FLAGS: dict[str, tuple[str, ...]] = {
    "FROM": ("--platform=$BUILDPLATFORM", "--platform=linux/amd64"),
    "RUN": (
        "--mount=type=cache,target=/root/.cache",
        "--mount=type=cache,id=npm,target=/root/.npm,sharing=locked",
        "--mount=type=bind,source=go.sum,target=go.sum",
        '--mount=type=secret,id="a b",required=true',
        "--mount=type=ssh",
        "--network=none",
        "--network=host",
        "--security=insecure",
    ),
    "COPY": (
        "--from=build",
        "--from=0",
        "--chown=1000:1000",
        "--chown=app",
        "--chmod=755",
        "--link",
        "--link=false",
        "--parents",
        "--exclude=*.md",
    ),
    "ADD": (
        "--chown=app:app",
        "--chmod=0644",
        "--link",
        "--keep-git-dir=true",
        "--checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d",
    ),
    "HEALTHCHECK": (
        "--interval=30s",
        "--timeout=3s",
        "--start-period=5s",
        "--start-interval=1s",
        "--retries=3",
    ),
}
COMMENTS = (
    "# install dependencies first",
    "#no space after the hash",
    "#",
    "    # indented comment",
    "\t# tab-indented comment",
    "# escape=`",
    "# syntax=docker/dockerfile:1",
    "# comment ending in an escape \\",
    "# comment ending in a backtick `",
    "# ünïcödé ☃",
)
UNKNOWN_KEYWORDS = ("COPPY", "INCLUDE", "FOO", "123", "RÜN", "RUN-x", 'CMD["a"]', "ÄÖÜ")
HEREDOC_NAMES = ("EOF", "EOT", "END", "FILE1", "SCRIPT", "x.txt", "CONF_1")
BODY_LINES = (
    "set -eux",
    "echo hello",
    "apt-get update",
    "# a comment inside a heredoc body",
    "",
    "    indented line",
    "\ttab-indented line",
    "\t\tEOF",
    "echo continued \\",
    "ends with a backtick `",
    "print('x')",
    "EOF2",
    "  EOF",
    "EOF ",
    "été ✓",
    '{"json": true}',
    "RUN not an instruction",
    "$HOME ${VAR}",
    "END_OF_IT",
)


# --- choices ----------------------------------------------------------------------------------

T = TypeVar("T")


class Chooser(Protocol):
    """Where the generator's decisions come from."""

    def one(self, options: Sequence[T]) -> T: ...

    def between(self, low: int, high: int) -> int: ...


@dataclass(frozen=True)
class _DrawChooser:
    """Every decision is a Hypothesis draw: slower, shrinks to the smallest detail."""

    draw: DrawFn

    def one(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))

    def between(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))


@dataclass(frozen=True)
class _SeededChooser:
    """Decisions from one drawn seed: one draw per item keeps 2,000 examples fast."""

    rng: random.Random

    def one(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def _chance(c: Chooser, percent: int) -> bool:
    """True with roughly `percent` % probability (False when shrunk)."""
    return c.between(0, 99) >= 100 - percent


_CASE_STYLES = (str.upper,) * 6 + (str.lower, str.lower, str.capitalize, None)


def _keyword(c: Chooser, word: str) -> str:
    """The keyword in upper, lower, title or random mixed case."""
    style = c.one(_CASE_STYLES)
    if style is not None:
        return style(word)
    mask = c.between(0, 2 ** len(word) - 1)
    return "".join(ch.upper() if mask >> i & 1 else ch.lower() for i, ch in enumerate(word))


def _pick(c: Chooser, pool: Sequence[str], min_size: int = 1, max_size: int = 3) -> list[str]:
    return [c.one(pool) for _ in range(c.between(min_size, max_size))]


def _flags(c: Chooser, instruction: str, max_size: int = 3) -> list[str]:
    pool = FLAGS.get(instruction, ())
    return _pick(c, pool, 0, max_size) if pool else []


def _shell_words(c: Chooser) -> list[str]:
    first = list(c.one(SHELL_WORDS))
    if _chance(c, 30):
        first += [c.one(("&&", ";", "||")), *c.one(SHELL_WORDS)]
    return first


def _json_array(c: Chooser) -> list[str]:
    """A valid JSON string array, as whitespace-separable tokens."""
    items = _pick(c, JSON_STRINGS, 0, 4)
    if not items:
        return [c.one(("[]", "[ ]"))]
    tokens = [item + "," for item in items[:-1]] + [items[-1]]
    if _chance(c, 30):
        return ["[", *tokens, "]"]
    tokens[0] = "[" + tokens[0]
    tokens[-1] += "]"
    return tokens


def _exec_or_shell(c: Chooser) -> list[str]:
    form = c.between(0, 9)
    if form <= 4:
        return _shell_words(c)
    if form <= 8:
        return _json_array(c)
    return [c.one(NOT_JSON)]


# --- continuation layout ----------------------------------------------------------------------


def _continuation_fillers(c: Chooser) -> list[str]:
    """Lines BuildKit skips inside a continuation: comments, empty and blank lines."""
    if not _chance(c, 35):
        return []
    pool = (*COMMENTS[:5], "", "   ", "\t")
    return _pick(c, pool, 1, 2)


_SEPARATORS_OR_BREAK = (" ", " ", " ", " ", " ", "  ", "\t", " \t", None)


def _layout(c: Chooser, tokens: Sequence[str], escape: str) -> list[str]:
    """Lay tokens out over physical lines, sometimes continued with the active escape char."""
    current = c.one(("", "", "", "", "", " ", "  ", "\t")) + tokens[0]
    lines: list[str] = []
    for token in tokens[1:]:
        # one draw per token: a separator, or None for a line continuation (about one in nine)
        separator = c.one(_SEPARATORS_OR_BREAK)
        if separator is not None:
            current += separator + token
            continue
        before = c.one((" ", " ", "  ", "\t", ""))
        if current.endswith(escape):
            before = " "  # `\\` at the end of a line is an escaped escape, not a continuation
        after = c.one(("", "", "", " ", "\t", " \t "))
        lines.append(current + before + escape + after)
        lines.extend(_continuation_fillers(c))
        indent = c.one(("    ", "  ", "\t", " "))
        if before and _chance(c, 20):
            indent = ""
        current = indent + token
    lines.append(current)
    return lines


# --- instructions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Instruction:
    tokens: tuple[str, ...]
    bodies: tuple[tuple[str, ...], ...] = ()  # heredoc bodies, terminator lines included


def _from(c: Chooser) -> _Instruction:
    tokens = [_keyword(c, "FROM"), *_flags(c, "FROM", 1), c.one(IMAGES)]
    if _chance(c, 50):
        tokens += [_keyword(c, "AS"), c.one(STAGES)]
    return _Instruction(tuple(tokens))


def _env(c: Chooser, escape: str) -> _Instruction:
    if _chance(c, 25):
        # legacy `ENV key value words...` form
        value = _pick(c, ("production", "-Xmx1g", "two", "words", "ü"), 1, 3)
        return _Instruction((_keyword(c, "ENV"), c.one(ENV_KEYS), *value))
    keys = _pick(c, ENV_KEYS, 1, 3)
    # an escaped blank keeps a value in one word only with the active escape char
    values = [v.replace("\\ ", escape + " ") for v in ENV_VALUES]
    pairs = [k + "=" + c.one(values) for k in keys]
    return _Instruction((_keyword(c, "ENV"), *pairs))


def _arg(c: Chooser) -> _Instruction:
    names = _pick(c, ("VERSION", "TARGETOS", "BASE_IMAGE", "TAG", "NODE_ENV"), 1, 2)
    words = [n + c.one(("", "=1.0", '="a b"', "=${X:-y}")) for n in names]
    return _Instruction((_keyword(c, "ARG"), *words))


def _copy(c: Chooser, keyword: str) -> _Instruction:
    head = [_keyword(c, keyword), *_flags(c, keyword)]
    if _chance(c, 15):
        sources = _pick(c, JSON_STRINGS[5:8], 1, 2)
        return _Instruction((*head, "[" + ", ".join([*sources, '"/app/"']) + "]"))
    return _Instruction((*head, *_pick(c, PATHS, 1, 3), c.one(DESTS)))


def _healthcheck(c: Chooser) -> _Instruction:
    keyword = _keyword(c, "HEALTHCHECK")
    if _chance(c, 25):
        return _Instruction((keyword, _keyword(c, "NONE")))
    rest = _exec_or_shell(c)
    return _Instruction((keyword, *_flags(c, "HEALTHCHECK"), _keyword(c, "CMD"), *rest))


def _simple(c: Chooser, keyword: str) -> _Instruction:
    """Instructions whose arguments are a few plain words."""
    pools: dict[str, tuple[str, ...]] = {
        "EXPOSE": ("80", "443/tcp", "53/udp", "8000-8010", "$PORT"),
        "WORKDIR": ("/app", "src", "$HOME/work", "C:\\app", "/path with space"),
        "USER": ("root", "1000", "1000:1000", "app:app", "$UID"),
        "STOPSIGNAL": ("SIGTERM", "SIGQUIT", "9"),
        "MAINTAINER": ("Jane", "Doe", "<jane@example.com>"),
        "LABEL": tuple(k + "=" + v for k in LABEL_KEYS for v in ENV_VALUES[:3]),
    }
    return _Instruction((_keyword(c, keyword), *_pick(c, pools[keyword], 1, 3)))


def _volume(c: Chooser) -> _Instruction:
    keyword = _keyword(c, "VOLUME")
    if _chance(c, 40):
        return _Instruction((keyword, '["/data",', '"/var/log"]'))
    return _Instruction((keyword, *_pick(c, ("/data", "/var/log", "/cache"), 1, 2)))


def _command(c: Chooser, keyword: str) -> _Instruction:
    """RUN, CMD, ENTRYPOINT and SHELL: shell form, exec form, or not-quite JSON."""
    flags = _flags(c, keyword) if keyword == "RUN" else []
    if keyword == "SHELL" and _chance(c, 80):
        shells = ('["/bin/bash", "-o", "pipefail", "-c"]', '["powershell", "-Command"]')
        return _Instruction((_keyword(c, keyword), c.one(shells)))
    return _Instruction((_keyword(c, keyword), *flags, *_exec_or_shell(c)))


def _unknown(c: Chooser) -> _Instruction:
    return _Instruction((c.one(UNKNOWN_KEYWORDS), *_shell_words(c)[:3]))


def _body(c: Chooser, name: str, chomp: bool) -> list[str]:
    """Heredoc body lines that cannot be mistaken for the terminator."""
    lines = _pick(c, BODY_LINES, 0, 4)
    return [ln for ln in lines if ln != name and not (chomp and ln.lstrip("\t") == name)]


def _heredoc_operator(c: Chooser, name: str) -> tuple[str, bool]:
    """An operator such as `<<EOF`, `3<<-"EOF"` or `<<E'O'F` whose terminator is `name`."""
    fd = c.one(("", "", "", "", "3"))
    chomp = _chance(c, 30)
    quote = c.between(0, 9)
    word = name
    if quote in (6, 7):
        word = f'"{name}"'
    elif quote == 8:
        word = f"'{name}'"
    elif quote == 9 and len(name) > 2:
        word = f"{name[0]}'{name[1:-1]}'{name[-1]}"
    return f"{fd}<<{'-' if chomp else ''}{word}", chomp


def _heredoc_instruction(c: Chooser, terminated: bool = True) -> _Instruction:
    """RUN/COPY/ADD (sometimes under ONBUILD) with one or two heredocs."""
    keyword = c.one(("RUN", "RUN", "RUN", "COPY", "ADD"))
    names = [c.one(HEREDOC_NAMES)]
    if _chance(c, 25):
        names.append(c.one([n for n in HEREDOC_NAMES if n != names[0]]))
    operators: list[str] = []
    bodies: list[tuple[str, ...]] = []
    for i, name in enumerate(names):
        operator, chomp = _heredoc_operator(c, name)
        operators.append(operator)
        terminator = c.one(("", "\t", "\t\t")) + name if chomp else name
        last = i == len(names) - 1
        end = [terminator] if terminated or not last else []
        bodies.append((*_body(c, name, chomp), *end))
    head = [_keyword(c, keyword), *_flags(c, keyword, 2)]
    if keyword != "RUN":
        return _Instruction((*head, *operators, c.one(DESTS)), tuple(bodies))
    prefix = c.one(((), ("cat",), ("python3",), ("bash", "-e")))
    suffix = c.one(((), (">", "/tmp/out"), ("&&", "echo", "done"), ("sh",)))
    middle = ["&&", "cat"] if len(operators) > 1 else []
    words = [*prefix, operators[0], *middle, *operators[1:], *suffix]
    if _chance(c, 10):
        head = [_keyword(c, "ONBUILD"), _keyword(c, keyword)]
    return _Instruction((*head, *words), tuple(bodies))


def _onbuild(c: Chooser, escape: str) -> _Instruction:
    makers: tuple[Callable[[], _Instruction], ...] = (
        lambda: _command(c, "RUN"),
        lambda: _command(c, "CMD"),
        lambda: _copy(c, "COPY"),
        lambda: _env(c, escape),
        lambda: _arg(c),
        lambda: _healthcheck(c),
        lambda: _simple(c, "WORKDIR"),
    )
    inner = c.one(makers)()
    return _Instruction((_keyword(c, "ONBUILD"), *inner.tokens))


def _instruction(c: Chooser, escape: str) -> _Instruction:
    choice = c.between(0, 23)
    if choice <= 4:
        return _command(c, "RUN")
    if choice <= 6:
        return _copy(c, c.one(("COPY", "COPY", "ADD")))
    if choice <= 8:
        return _heredoc_instruction(c)
    makers = {
        9: lambda: _env(c, escape),
        10: lambda: _simple(c, "LABEL"),
        11: lambda: _arg(c),
        12: lambda: _command(c, "CMD"),
        13: lambda: _command(c, "ENTRYPOINT"),
        14: lambda: _command(c, "SHELL"),
        15: lambda: _healthcheck(c),
        16: lambda: _onbuild(c, escape),
        17: lambda: _volume(c),
        18: lambda: _from(c),
        19: lambda: _unknown(c),
    }
    if choice in makers:
        return makers[choice]()
    return _simple(c, ("EXPOSE", "WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER")[choice - 20])


_TRAILING_BLANKS = ("",) * 17 + (" ", "\t", "  \t")


def _render(c: Chooser, ins: _Instruction, escape: str) -> list[str]:
    lines = _layout(c, ins.tokens, escape)
    lines[-1] += c.one(_TRAILING_BLANKS)
    for body in ins.bodies:
        lines.extend(body)
    return lines


# --- directives -------------------------------------------------------------------------------


def _directive(c: Chooser, key: str, value: str) -> str:
    """`# key=value` with the spellings BuildKit tolerates: case, blanks, no space after `#`."""
    lead = c.one(("# ", "# ", "# ", "#", "#   ", " # "))
    eq = c.one(("=", "=", "=", " = ", "= ", "\t=\t"))
    trail = c.one(("", "", "", " ", "\t"))
    spelled = key if _chance(c, 70) else _keyword(c, key)
    return lead + spelled + eq + value + trail


def _directives(c: Chooser, error: str | None) -> tuple[list[str], list[str], str]:
    """(lines before the first instruction, lines to put after it, active escape char)."""
    if error == "bad_escape_token":
        return [_directive(c, "escape", c.one(("x", "``", "\\\\")))], [], "\\"
    declared = c.one((None, None, BACKTICK, BACKTICK, BACKSLASH))
    lines: list[str] = []
    if _chance(c, 35):
        lines.append(_directive(c, "syntax", "docker/dockerfile:1"))
    if declared is not None:
        lines.insert(c.between(0, len(lines)), _directive(c, "escape", declared))
    if error == "duplicate_directive":
        lines += [_directive(c, "escape", "\\"), _directive(c, "escape", "\\")]
    if _chance(c, 20):
        # v0.12 does not know `check`; kept last, it cannot hide another directive
        lines.append(_directive(c, "check", "skip=JSONArgsRecommended"))
    escape = declared or BACKSLASH
    if lines and error is None and _chance(c, 15):
        # misplaced: after a comment, a blank line or the first instruction they are comments
        where = c.one(("comment", "blank", "instruction"))
        if where == "instruction":
            return [], lines, BACKSLASH
        lines.insert(0, "# build image" if where == "comment" else "")
        escape = BACKSLASH
    return lines, [], escape


# --- whole files ------------------------------------------------------------------------------


def _item(c: Chooser, escape: str) -> list[str]:
    """One top-level item: mostly instructions, some comments, blank lines and junk."""
    kind = c.between(0, 19)
    if kind <= 13:
        return _render(c, _instruction(c, escape), escape)
    if kind <= 15:
        return [c.one(COMMENTS)]
    if kind <= 17:
        return [c.one(("", "", "   ", "\t"))]
    junk = (escape, "echo a\rb", "\u00a0RUN nbsp-indented", "ÄÖÜ ☃ ünïcödé", "RUN echo\x0bvt")
    return [c.one(junk)]


def _deliberate_error_lines(c: Chooser, error: str | None, escape: str) -> list[str]:
    if error == "unterminated_heredoc":
        return _render(c, _heredoc_instruction(c, terminated=False), escape)
    if error == "non_string_json":
        return [_keyword(c, "CMD") + ' ["sleep", ' + c.one(("10", "true", "[]")) + "]"]
    if error == "missing_value":
        return [_keyword(c, c.one(("ENV", "LABEL"))) + " " + "NAME"]
    return []


def _body_lines(
    c: Chooser, escape: str, error: str | None, late: list[str], fine: bool
) -> list[str]:
    if error == "no_instructions":
        return _pick(c, (*COMMENTS[:4], "", "  "), 0, 4)

    def item_chooser() -> Chooser:
        return c if fine else _SeededChooser(random.Random(c.between(0, 2**32 - 1)))

    choosers = [item_chooser() for _ in range(c.between(0, 2))]
    items = [_render(ic, _arg(ic), escape) for ic in choosers]
    ic = item_chooser()
    items.append(_render(ic, _from(ic), escape))
    if late:
        items.append(late)
    items += [_item(item_chooser(), escape) for _ in range(c.between(0, 10))]
    # insert between items, never inside a heredoc body; an unterminated body must run to EOF
    position = len(items) if error == "unterminated_heredoc" else c.between(0, len(items))
    items.insert(position, _deliberate_error_lines(c, error, escape))
    lines = [line for item in items for line in item]
    if error is None and _chance(c, 10) and not _ends_in_heredoc(lines):
        lines[-1] += " " + escape  # continuation at end of file
        lines += _continuation_fillers(c)
    return lines


def _ends_in_heredoc(lines: list[str]) -> bool:
    return bool(lines) and lines[-1].lstrip("\t") in HEREDOC_NAMES


def _join(c: Chooser, lines: list[str]) -> str:
    """Join with LF, CRLF or a per-line mix, with or without a final newline."""
    mode = c.one(("lf", "lf", "lf", "lf", "crlf", "mixed"))
    if mode == "mixed":
        endings = [c.one(("\n", "\r\n")) for _ in lines]
    else:
        endings = ["\r\n" if mode == "crlf" else "\n"] * len(lines)
    text = "".join(line + end for line, end in zip(lines, endings, strict=True))
    if lines and _chance(c, 15):
        text = text[: -len(endings[-1])]
    return text


@st.composite
def generated_dockerfiles(
    draw: DrawFn, fine: bool = False, error: str | None = None
) -> GeneratedDockerfile:
    """Whole Dockerfiles with the generator's intent (escape char, deliberate error).

    File-level decisions (directives, which items, line endings, BOM) are always Hypothesis
    draws. With `fine=False` each item's details come from one drawn seed, which is several
    times faster; `fine=True` draws every detail, so failures shrink further. `error` (one of
    DELIBERATE_ERRORS) puts that error in every file; by default about one file in sixteen
    carries one.
    """
    c = _DrawChooser(draw)
    if error is None and _chance(c, 6):
        error = DELIBERATE_ERRORS[c.between(0, len(DELIBERATE_ERRORS) - 1)]
    head, late, escape = _directives(c, error)
    lines = head + _body_lines(c, escape, error, late, fine)
    text = _join(c, lines)
    if _chance(c, 10):
        text = BOM + text
    return GeneratedDockerfile(text=text, escape=escape, deliberate_error=error)


def dockerfiles(fine: bool = False) -> SearchStrategy[str]:
    """Whole Dockerfile texts (see the module docstring and `generated_dockerfiles`)."""
    return generated_dockerfiles(fine=fine).map(lambda generated: generated.text)


# --- arbitrary text ---------------------------------------------------------------------------

DOCKERFILE_TOKENS = (
    "FROM ",
    "RUN ",
    "COPY ",
    "from ",
    "onbuild ",
    "HEALTHCHECK NONE",
    " AS ",
    "CMD ",
    "ENV a=b ",
    "--from=x ",
    "--mount=type=cache,target=/c ",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "3<<EOF",
    "EOF",
    "\tEOF",
    "\\",
    "`",
    "\\\n",
    "`\r\n",
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=docker/dockerfile:1\n",
    "# comment\n",
    '["a", "b"]',
    "[",
    "]",
    '"',
    "'",
    "=",
    "#",
    "$",
    "${A:-b}",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    BOM,
    "\u2028",
    "\x0b",
    "\x0c",
    "\x85",
    "\u00a0",
)


def any_text() -> SearchStrategy[str]:
    """Dockerfile-ish tokens mixed with arbitrary characters (never lone surrogates)."""
    # codec="utf-8" leaves out lone surrogates: the text is always decoded from UTF-8 bytes
    chars = st.text(st.characters(codec="utf-8"), max_size=6)
    pieces = st.one_of(st.sampled_from(DOCKERFILE_TOKENS), chars)
    return st.lists(pieces, max_size=40).map("".join)
