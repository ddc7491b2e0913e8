"""Argument lists of builtins and wrappers, read the way the shell reads them.

Which program a wrapper runs, how a shell gets its script, what `set` turns on and which
variables `read` and its kin assign.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from dockerfix.model.shell._words import _NAME

_SET_LETTERS: Final = {
    "allexport": "a", "braceexpand": "B", "errexit": "e", "errtrace": "E", "functrace": "T",
    "hashall": "h", "histexpand": "H", "keyword": "k", "monitor": "m", "noclobber": "C",
    "noexec": "n", "noglob": "f", "notify": "b", "nounset": "u", "onecmd": "t",
    "physical": "P", "privileged": "p", "verbose": "v", "xtrace": "x",
}  # fmt: skip


_WRAPPERS: Final = frozenset({"exec", "nohup", "command", "env", "sudo", "time", "nice"})
_WRAPPER_ARGS: Final = {"sudo": "ugCDhprRTU", "env": "uCS", "nice": "n", "exec": "a"}


def _unwrap(values: Sequence[str | None]) -> int | None:
    """Index of the program a command line runs after wrappers like `exec`, `env`, `sudo`;
    None when it only asks about a command (`command -v`)."""
    i = 0
    while i < len(values) and values[i] in _WRAPPERS:
        wrapper = str(values[i])
        i += 1
        while i < len(values):
            value = values[i]
            if value is None:
                return i
            if wrapper == "command" and value in ("-v", "-V"):
                return None
            if wrapper == "env" and "=" in value and not value.startswith("-"):
                i += 1
            elif value == "--":
                i += 1
                break
            elif value.startswith("-") and len(value) > 1:
                i += 2 if value[-1] in _WRAPPER_ARGS.get(wrapper, "") and len(value) == 2 else 1
            else:
                break
    return i if i < len(values) else None


def _shell_mode(values: Sequence[str | None], i: int) -> tuple[str, int]:
    """How a shell gets its script: ('c', index of the -c string), ('stdin', -1), or
    ('file', index of the script operand)."""
    command_string = False
    while i < len(values):
        value = values[i]
        if value in ("--", "-"):
            i += 1
            break
        if value is None or value[:1] not in ("-", "+") or len(value) < 2:
            break
        if value in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if not value.startswith("--"):
            command_string = command_string or "c" in value[1:]
            if value.endswith("s"):
                return "stdin", -1
        i += 1
    if command_string:
        return "c", i
    if i < len(values):
        return "file", i
    return "stdin", -1


def _operands(values: Sequence[str | None], letters: str) -> list[str | None]:
    """Arguments after leading flags made of the given letters (and `--`)."""
    i = 0
    while i < len(values):
        value = values[i]
        if value == "--":
            i += 1
            break
        if value is None or len(value) < 2 or value[0] != "-" or not set(value[1:]) <= set(letters):
            break
        i += 1
    return list(values[i:])


def _set_options(values: Sequence[str | None]) -> set[str]:
    """Options `set` turns on: letters as they are, `-o name` as its letter when it has one."""
    enabled: set[str] = set()
    i = 0
    while i < len(values):
        value = values[i]
        i += 1
        if value is None or value in ("-", "--") or value[:1] not in ("-", "+"):
            break
        if value[0] == "+":
            i += 1 if "o" in value else 0
            continue
        for letter in value[1:]:
            if letter == "o":
                name = values[i] if i < len(values) else None
                i += 1
                if name is not None:
                    enabled.add(_SET_LETTERS.get(name, name))
            else:
                enabled.add(letter)
    return enabled


_READ_ARGS: Final = {
    "read": "adinNptu",
    "mapfile": "dnOsuCc",
    "readarray": "dnOsuCc",
    "printf": "v",
    "getopts": "",
}


def _read_names(values: Sequence[str | None]) -> list[str]:
    """The variables `read`, `mapfile`, `printf -v` and `getopts` assign."""
    command = str(values[0])
    takes_arg = _READ_ARGS[command]
    names: list[str] = []
    operands: list[str] = []
    i = 1
    while i < len(values):
        value = values[i]
        i += 1
        if value is None:
            continue
        if not (value.startswith("-") and len(value) > 1) or operands:
            operands.append(value)
            continue
        for position, letter in enumerate(value[1:], start=2):
            if letter in takes_arg:
                argument = value[position:] or (values[i] if i < len(values) else None)
                i += 0 if value[position:] else 1
                if letter in ("a", "v") and argument:
                    names.append(argument)
                break
    names.extend(_operand_names(command, operands))
    return [n for n in names if _NAME.fullmatch(n)]


def _operand_names(command: str, operands: list[str]) -> list[str]:
    if command == "read":
        return operands or ["REPLY"]
    if command in ("mapfile", "readarray"):
        return operands[-1:] or ["MAPFILE"]
    if command == "getopts":
        return operands[1:2]
    return []
