"""Expand ``$VAR`` references in instruction arguments as BuildKit does, tracking what was read."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dockerfix.records import dataclass

# ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}, $NAME
_REF = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+?])?(?P<word>[^}]*)\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class Expansion:
    """The expanded text (None when a value is unknown) and every variable name read."""

    value: str | None
    names: frozenset[str]


def referenced_names(text: str) -> frozenset[str]:
    """Names of variables referenced in ``text`` (including inside defaults)."""
    names = set()
    for match in _REF.finditer(text):
        names.add(match.group("braced") or match.group("plain"))
        word = match.group("word")
        if word:
            names |= referenced_names(word)
    return frozenset(names)


def expand(
    text: str, env: Mapping[str, str | None], escape: str = "\\", *, missing_unknown: bool = True
) -> Expansion:
    """Expand variables in a Dockerfile word.

    ``env`` maps known names to values; ``None`` means declared but unknown
    (an ``ARG`` without a default): any expansion that needs it is unknown.
    An escaped ``$`` stays literal.  A name not in ``env`` may come from the
    base image, so it is unknown too unless ``missing_unknown`` is false.
    """
    names: set[str] = set()
    unknown = False
    out: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == escape and pos + 1 < len(text):
            out.append(text[pos + 1])
            pos += 2
            continue
        if ch == "$":
            match = _REF.match(text, pos)
            if match:
                value, used, is_unknown = _resolve(match, env, escape, missing_unknown)
                names |= used
                unknown = unknown or is_unknown
                out.append(value)
                pos = match.end()
                continue
        out.append(ch)
        pos += 1
    return Expansion(None if unknown else "".join(out), frozenset(names))


def _resolve(
    match: re.Match[str], env: Mapping[str, str | None], escape: str, missing_unknown: bool
) -> tuple[str, set[str], bool]:
    name = match.group("braced") or match.group("plain")
    used = {name}
    op = match.group("op")
    present = name in env
    value = env.get(name)
    unknown = (present and value is None) or (not present and missing_unknown)
    if op is None:
        return value or "", used, unknown
    word = expand(match.group("word") or "", env, escape, missing_unknown=missing_unknown)
    used |= word.names
    if unknown:
        return "", used, True
    is_set = present if not op.startswith(":") else bool(value)
    if op.endswith("-"):
        if is_set:
            return value or "", used, False
        return word.value or "", used, word.value is None
    if op.endswith("+"):
        if is_set:
            return word.value or "", used, word.value is None
        return "", used, False
    # `?`: fails the build when unset; the value is what it is.
    return value or "", used, False


def unquote(text: str) -> str | None:
    """`text` with its shell quotes removed, as BuildKit's word processing removes them
    (`WORKDIR "/src/My App"` is `/src/My App`); None for an unbalanced quote."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch in "\"'":
            end = text.find(ch, pos + 1)
            if end < 0:
                return None
            out.append(text[pos + 1 : end])
            pos = end + 1
        else:
            out.append(ch)
            pos += 1
    return "".join(out)


def expand_word(text: str, env: Mapping[str, str | None], escape: str = "\\") -> str | None:
    """One word of a COPY/ADD/WORKDIR/USER instruction as the build sees it: variables
    expanded, quotes removed. None when unknown (a `$` inside single quotes stays literal
    in BuildKit, which this does not model, so it is unknown too)."""
    if "'" in text and "$" in text:
        return None
    value = expand(text, env, escape).value
    if value is None:
        return None
    return unquote(value) if ("'" in value or '"' in value) else value
