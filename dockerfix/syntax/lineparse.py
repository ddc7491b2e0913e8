"""Argument parsing per instruction keyword, with BuildKit's rules for each one."""

from __future__ import annotations

from collections.abc import Callable

from dockerfix.records import dataclass
from dockerfix.syntax.gocompat import (
    GO_SPACE,
    GO_SPACE_BYTES,
    JSONNotArray,
    JSONNotStringArray,
    parse_json_array,
    split_whitespace,
    trim_space,
)


@dataclass(frozen=True)
class ParsedLine:
    """What BuildKit's ``newNodeFromLine`` makes of one joined instruction line."""

    cmd: str
    flags: tuple[str, ...]
    args: str
    value: tuple[str, ...]
    json: bool
    sub: ParsedLine | None = None
    error: str | None = None

    @property
    def effective(self) -> ParsedLine:
        """The instruction that carries heredocs and values (ONBUILD's trigger)."""
        return self.sub if self.sub is not None else self


class _LineError(ValueError):
    pass


def split_command(line: str, flag_escape: str) -> tuple[str, tuple[str, ...], str]:
    """Keyword, builder flags and the remaining argument text of a joined line."""
    parts = split_whitespace(trim_space(line), 2)
    flags: tuple[str, ...] = ()
    args = ""
    if len(parts) == 2:
        args, flags = extract_builder_flags(parts[1], flag_escape)
    return parts[0], flags, trim_space(args)


def extract_builder_flags(line: str, escape: str) -> tuple[str, tuple[str, ...]]:
    """Leading ``--flag`` words; BuildKit walks bytes here, not characters."""
    data = line.encode("utf-8", "surrogatepass")
    esc = ord(escape)
    words: list[str] = []
    word: list[str] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = 0
    blank_ok = False
    n = len(data)
    pos = 0
    while pos <= n:
        ch = data[pos] if pos < n else -1
        if phase == in_spaces:
            if pos == n:
                break
            if ch in GO_SPACE_BYTES:
                pos += 1
                continue
            if ch != 0x2D or pos + 1 == n or data[pos + 1] != 0x2D:
                return _decode(data[pos:]), tuple(words)
            phase = in_word
        if phase in (in_word, in_quote) and pos == n:
            text = "".join(word)
            if text != "--" and (blank_ok or text):
                words.append(text)
            break
        if phase == in_word:
            if ch in GO_SPACE_BYTES:
                text = "".join(word)
                phase = in_spaces
                if text == "--":
                    return _decode(data[pos:]), tuple(words)
                if blank_ok or text:
                    words.append(text)
                word.clear()
                blank_ok = False
                pos += 1
                continue
            if ch in (0x27, 0x22):
                quote = ch
                blank_ok = True
                phase = in_quote
                pos += 1
                continue
            if ch == esc:
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = data[pos]
            word.append(chr(ch))
            pos += 1
            continue
        # in_quote
        if ch == quote:
            phase = in_word
            pos += 1
            continue
        if ch == esc:
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            ch = data[pos]
        word.append(chr(ch))
        pos += 1
    return "", tuple(words)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def parse_words(rest: str, escape: str) -> list[str]:
    """Words of ENV/LABEL/ARG arguments; quotes and escapes are kept in the words."""
    words: list[str] = []
    word: list[str] = []
    in_spaces, in_word, in_quote = 0, 1, 2
    phase = in_spaces
    quote = ""
    blank_ok = False
    n = len(rest)
    pos = 0
    while pos <= n:
        ch = rest[pos] if pos < n else ""
        if phase == in_spaces:
            if pos == n:
                break
            if ch in GO_SPACE:
                pos += 1
                continue
            phase = in_word
        if phase in (in_word, in_quote) and pos == n:
            if blank_ok or word:
                words.append("".join(word))
            break
        if phase == in_word:
            if ch in GO_SPACE:
                phase = in_spaces
                if blank_ok or word:
                    words.append("".join(word))
                word.clear()
                blank_ok = False
                pos += 1
                continue
            if ch in ("'", '"'):
                quote = ch
                blank_ok = True
                phase = in_quote
            if ch == escape:
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        # in_quote
        if ch == quote:
            phase = in_word
        if ch == escape and quote != "'":
            if pos + 1 == n:
                phase = in_word
                pos += 1
                continue
            pos += 1
            word.append(ch)
            ch = rest[pos]
        word.append(ch)
        pos += 1
    return words


Values = tuple[tuple[str, ...], bool]


def _name_val(rest: str, key: str, escape: str) -> Values:
    words = parse_words(rest, escape)
    if not words:
        return (), False
    if "=" not in words[0]:
        parts = split_whitespace(rest, 2)
        if len(parts) < 2:
            raise _LineError(f"{key} must have two arguments")
        return (parts[0], parts[1]), False
    out: list[str] = []
    for word in words:
        if "=" not in word:
            raise _LineError(
                f'Syntax error - can\'t find = in "{word}". Must be of the form: name=value'
            )
        name, _, value = word.partition("=")
        out += (name, value)
    return tuple(out), False


def _env(rest: str, escape: str, _trail: bool) -> Values:
    return _name_val(rest, "ENV", escape)


def _label(rest: str, escape: str, _trail: bool) -> Values:
    return _name_val(rest, "LABEL", escape)


def _name_or_name_val(rest: str, escape: str, _trail: bool) -> Values:
    return tuple(parse_words(rest, escape)), False


def _whitespace_list(rest: str, _escape: str = "\\", _trail: bool = False) -> Values:
    if rest == "":
        return (), False
    return tuple(split_whitespace(rest)), False


def _string(rest: str, _escape: str, _trail: bool) -> Values:
    return ((rest,) if rest else ()), False


def _json(rest: str, trail: bool) -> tuple[str, ...]:
    try:
        return tuple(parse_json_array(rest, allow_trailing=trail))
    except JSONNotStringArray as exc:
        raise _LineError(str(exc)) from None


def _maybe_json(rest: str, _escape: str, trail: bool) -> Values:
    if rest == "":
        return (), False
    try:
        return _json(rest, trail), True
    except JSONNotArray:
        return (rest,), False


def _maybe_json_list(rest: str, escape: str, trail: bool) -> Values:
    try:
        return _json(rest, trail), True
    except JSONNotArray:
        return _whitespace_list(rest, escape)


def _health(rest: str, escape: str, trail: bool) -> Values:
    # BuildKit finds the type word byte by byte.
    data = rest.encode("utf-8", "surrogatepass")
    sep = 0
    while sep < len(data) and data[sep] not in GO_SPACE_BYTES:
        sep += 1
    nxt = sep
    while nxt < len(data) and data[nxt] in GO_SPACE_BYTES:
        nxt += 1
    if sep == 0:
        return (), False
    typ = _decode(data[:sep])
    values, is_json = _maybe_json(_decode(data[nxt:]), escape, trail)
    return (typ, *values), is_json


def _ignore(_rest: str, _escape: str, _trail: bool) -> Values:
    # Unknown instructions keep a single empty value node in BuildKit's tree.
    return ("",), False


_DISPATCH: dict[str, Callable[[str, str, bool], Values]] = {
    "add": _maybe_json_list,
    "arg": _name_or_name_val,
    "cmd": _maybe_json,
    "copy": _maybe_json_list,
    "entrypoint": _maybe_json,
    "env": _env,
    "expose": _whitespace_list,
    "from": _whitespace_list,
    "healthcheck": _health,
    "label": _label,
    "maintainer": _string,
    "run": _maybe_json,
    "shell": _maybe_json,
    "stopsignal": _string,
    "user": _string,
    "volume": _maybe_json_list,
    "workdir": _string,
}

KNOWN_INSTRUCTIONS = frozenset([*_DISPATCH, "onbuild"])


def parse_line(
    line: str, escape: str, *, json_trailing: bool = False, flag_escape: str | None = None
) -> ParsedLine:
    """Parse one joined instruction line (continuations already removed).

    ``flag_escape`` is the escape character inside ``--flag`` words: current
    BuildKit uses the file's escape character, v0.12 always used a backslash.
    """
    cmd, flags, args = split_command(line, flag_escape or escape)
    lower = cmd.lower()
    if lower == "onbuild":
        if args == "":
            return ParsedLine(cmd, flags, args, (), False)
        sub = parse_line(args, escape, json_trailing=json_trailing, flag_escape=flag_escape)
        # BuildKit reads the trigger's values from its node chain; a nested ONBUILD's
        # chain is a single empty holder node.
        value = ("",) if sub.cmd.lower() == "onbuild" and sub.args else sub.value
        is_json = False if sub.cmd.lower() == "onbuild" else sub.json
        return ParsedLine(cmd, flags, args, value, is_json, sub=sub, error=sub.error)
    handler = _DISPATCH.get(lower, _ignore)
    try:
        value, is_json = handler(args, escape, json_trailing)
    except _LineError as exc:
        return ParsedLine(cmd, flags, args, (), False, error=str(exc))
    return ParsedLine(cmd, flags, args, value, is_json)
