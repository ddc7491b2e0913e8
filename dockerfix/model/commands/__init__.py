"""Classify one static simple command of a RUN script by what it reads, writes and costs.

The shell analysis hands over one simple command at a time (its argv already static, its
`VAR=x` prefixes merged into `env`). `classify` answers which build-context files the command
reads (relative to its working directory, or absolute), which image paths it writes, whether it
needs the network and roughly how expensive it is. Anything it does not recognise reads and
writes everything, so callers may always trust a narrow answer.

Conventions of the answer:
- `reads` may name files that do not exist: they are what the command reads *if present*, so a
  caller copies only those that exist in the context. Entries may be glob patterns
  (`packages/*/package.json`, `*.cabal`; `*` never crosses `/`) or directories (`.mvn`).
- A manifest whose content decides how much an install reads (package.json scripts, nested
  `-r` in requirements, `gemspec` in a Gemfile, path dependencies …) is read through
  `read_file`; when that file is unknown the answer widens to `reads_all` with a reason.
- `reasons` hold plain facts for "why" messages; a reason is present whenever `reads_all` is.

The handlers live in one module per family (system, files, fetch, python, node, …), each
registered for its program names with `@handles`; the plumbing they share is in `_base`. A
family module also holds its ecosystem rows (`ECOSYSTEMS`): the manifests its installs read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

# Importing the family modules registers their handlers.
from dockerfix.model.commands import (  # noqa: F401
    dart,
    dotnet,
    elixir,
    fetch,
    files,
    go,
    haskell,
    jvm,
    node,
    php,
    python,
    r,
    ruby,
    rust,
    swift,
    system,
)
from dockerfix.model.commands._base import (
    NOOP,
    SYSTEM_WRITES,
    Args,
    CommandEffect,
    Ecosystem,
    FileReader,
    Handler,
    Kind,
    PathGlobber,
    _Ctx,
    glob_regex,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import HANDLERS, handles

__all__ = [
    "ECOSYSTEMS",
    "HANDLERS",
    "NOOP",
    "SYSTEM_WRITES",
    "Args",
    "CommandEffect",
    "Ecosystem",
    "FileReader",
    "Handler",
    "Kind",
    "PathGlobber",
    "classify",
    "glob_regex",
    "handles",
    "join",
    "norm",
    "parse_args",
    "program_name",
    "unknown_effect",
]


# Every family's ecosystem rows, family by family: the table `model.ecosystems` works on, the
# order its documentation and detection follow.
ECOSYSTEMS: tuple[Ecosystem, ...] = (
    *python.ECOSYSTEMS,
    *node.ECOSYSTEMS,
    *go.ECOSYSTEMS,
    *rust.ECOSYSTEMS,
    *jvm.ECOSYSTEMS,
    *ruby.ECOSYSTEMS,
    *php.ECOSYSTEMS,
    *elixir.ECOSYSTEMS,
    *dotnet.ECOSYSTEMS,
    *swift.ECOSYSTEMS,
    *dart.ECOSYSTEMS,
    *haskell.ECOSYSTEMS,
    *r.ECOSYSTEMS,
)


def _no_file(path: str) -> str | None:
    return None


_NO_ENV: Mapping[str, str] = MappingProxyType({})


class _WatchedEnv(dict[str, str]):
    """An environment in which the values of ``unknown`` names are not known (they read as
    unset): a handler that looks one up, or looks at every name, is noted in ``noted``."""

    def __init__(self, items: Mapping[str, str], unknown: frozenset[str], noted: set[str]):
        super().__init__(items)
        self._unknown, self._noted = unknown, noted

    def _look(self, key: object) -> None:
        if key in self._unknown:
            self._noted.add(str(key))

    def get(self, key: str, default: Any = None) -> Any:
        self._look(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self._look(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._look(key)
        return super().__contains__(key)

    def _all(self) -> None:
        self._noted.update(self._unknown)

    def __iter__(self) -> Iterator[str]:
        self._all()
        return super().__iter__()

    def keys(self) -> Any:
        self._all()
        return super().keys()

    def items(self) -> Any:
        self._all()
        return super().items()

    def values(self) -> Any:
        self._all()
        return super().values()


def classify(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] = _NO_ENV,
    read_file: FileReader = _no_file,
    glob: PathGlobber | None = None,
    unknown: frozenset[str] = frozenset(),
    noted: set[str] | None = None,
) -> CommandEffect:
    """Classify one static simple command.

    Wrappers that only change how a command runs (`sudo`, `env`, `nice` …) are dropped, the
    program's name is normalised (`program_name`) and the handler registered for it answers;
    a program without one reads and writes everything.

    `glob` is optional: without it, workspace members given by pattern cannot be inspected
    and the answer declines (reads_all) where their content matters. `unknown` are
    variables the command line sets to values not known; the handler's looking at one is
    added to `noted`.
    """
    args, full_env = _unwrap(list(argv), dict(env))
    if not args:
        return NOOP
    if unknown and noted is not None:
        # `X=$UNSET cmd`: the answer holds unless the handler looks at X.
        full_env = _WatchedEnv(full_env, unknown, noted)
    ctx = _Ctx(full_env, read_file, glob)
    prog = program_name(args[0])
    handler = HANDLERS.get(prog)
    if handler is None:
        return unknown_effect(args, f"`{prog}` is not a command dockerfix knows")
    return handler(ctx, prog, args[1:])


# tonistiigi/xx's cross-compilation wrappers: the same tool, for the target platform.
_XX_WRAPPERS = {"xx-apk": "apk", "xx-apt-get": "apt-get", "xx-apt": "apt", "xx-go": "go"}


def program_name(word: str) -> str:
    """The normalised name of a program: its basename, versions of pip/python folded."""
    name = posixpath.basename(word)
    match = re.fullmatch(r"(pip|python|pydoc)(\d+(\.\d+)?)?", name)
    if match:
        return match.group(1)
    return _XX_WRAPPERS.get(name, name)


_WRAPPER_VALUE_OPTS = {
    "sudo": ("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"),
    "nice": ("-n", "--adjustment"),
    "timeout": ("-s", "--signal", "-k", "--kill-after"),
    "stdbuf": ("-i", "-o", "-e"),
    "time": ("-f", "--format", "-o", "--output"),
}


def _unwrap(argv: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Drop wrappers that only change how a command runs (sudo, env, nice, exec …)."""
    for _ in range(8):
        if not argv:
            break
        prog = posixpath.basename(argv[0])
        if prog == "env":
            argv = _strip_env(argv[1:], env)
        elif prog in ("exec", "nohup", "command") and argv[1:2] != ["-v"]:
            argv = argv[1:]
        elif prog in ("gosu", "su-exec") and len(argv) > 2:
            argv = argv[2:]
        elif prog in _WRAPPER_VALUE_OPTS:
            parsed = parse_args(argv[1:], _WRAPPER_VALUE_OPTS[prog], stop_at_positional=True)
            rest = list(parsed.positionals)
            argv = rest[1:] if prog == "timeout" else rest
        else:
            break
    return argv, env


def _strip_env(args: list[str], env: dict[str, str]) -> list[str]:
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("-i", "--ignore-environment"):
            env.clear()
        elif word in ("-u", "--unset") and i + 1 < len(args):
            env.pop(args[i + 1], None)
            i += 1
        elif "=" in word and not word.startswith("-"):
            name, _, value = word.partition("=")
            env[name] = value
        else:
            break
        i += 1
    return args[i:]
