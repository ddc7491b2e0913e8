"""Plumbing shared by the command families.

The answer type (`CommandEffect`), the context a handler runs in, argument parsing, JSON and TOML
loaders, effect builders and merging, context globs, and the type of an ecosystem row.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, Protocol

from dockerfix.records import dataclass

Kind = Literal[
    "system-packages", "install", "build", "download", "filesystem", "metadata", "noop", "unknown"
]


class FileReader(Protocol):
    """Gives the text of a file relative to the command's cwd, or None when it is not known."""

    def __call__(self, path: str) -> str | None: ...


class PathGlobber(Protocol):
    """Lists the known files matching a cwd-relative glob, or None when the listing is unknown."""

    def __call__(self, pattern: str) -> Sequence[str] | None: ...


@dataclass(frozen=True)
class CommandEffect:
    """What one simple command reads, writes and costs."""

    kind: Kind
    ecosystem: str | None = None
    reads: tuple[str, ...] = ()
    reads_all: bool = False
    writes: tuple[str, ...] = ()
    writes_all: bool = False
    network: bool = False
    cost: float = 0.0
    reasons: tuple[str, ...] = ()
    # What the command reads if an assumption dockerfix cannot prove holds (a lifecycle script
    # that only installs Git hooks reads no other project file), and that assumption.
    assumed: CommandEffect | None = None
    assumption: str = ""
    # Its reads name every file it reads in the folders the build context was copied to, not
    # only in its working directory (`dotnet restore` follows project references across the
    # tree and looks for Directory.*.props upward).
    names_tree_reads: bool = False
    # Files of `reads` the command line names explicitly (`--configfile nuget.config`): the
    # command needs them, where the others are read when they exist.
    named: tuple[str, ...] = ()


NOOP = CommandEffect(kind="noop")

SYSTEM_WRITES = ("/etc", "/usr", "/var", "/opt", "/bin", "/sbin", "/lib", "/lib64")
_GLOB_CHARS = re.compile(r"[*?\[]")


def unknown_effect(argv: Sequence[str], reason: str) -> CommandEffect:
    """The answer for a command whose effects cannot be narrowed."""
    return CommandEffect(
        kind="unknown",
        reads_all=True,
        writes_all=True,
        network=True,
        cost=10.0,
        reasons=(reason,),
    )


@dataclass(frozen=True)
class _Ctx:
    env: Mapping[str, str]
    read_file: FileReader
    glob: PathGlobber | None

    @property
    def home(self) -> str:
        return self.env.get("HOME", "/root")

    def text(self, path: str) -> str | None:
        return self.read_file(norm(path))

    def expand(self, pattern: str) -> list[str] | None:
        """Known files matching a pattern; a literal path is returned as it is."""
        if not _GLOB_CHARS.search(pattern):
            return [norm(pattern)]
        if self.glob is None:
            return None
        found = self.glob(norm(pattern))
        return None if found is None else sorted(norm(p) for p in found)


Handler = Callable[[_Ctx, str, list[str]], CommandEffect]


def norm(path: str) -> str:
    """A path without `./` noise; `.` for the directory itself."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if path.startswith("/") else cleaned


def join(base: str, rel: str) -> str:
    """`rel` resolved against a cwd-relative directory `base`."""
    if rel.startswith("/") or base in ("", "."):
        return norm(rel)
    return norm(posixpath.join(base, rel))


class _Reads:
    """Collects the files a command reads and the reasons it may read more."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.reasons: list[str] = []
        self.all = False
        self.declined = False  # a reason to read everything that no assumption removes
        self.assumptions: list[str] = []
        self.named: list[str] = []

    def name(self, *paths: str) -> None:
        """Files the command line names: read, and needed."""
        self.add(*paths)
        self.named.extend(norm(p) for p in paths if norm(p) not in self.named)

    def add(self, *paths: str) -> None:
        for path in paths:
            cleaned = norm(path)
            if cleaned not in self.paths:
                self.paths.append(cleaned)

    def note(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)

    def decline(self, reason: str) -> None:
        self.all = True
        self.declined = True
        self.note(reason)

    def assume(self, reason: str) -> None:
        """May read more, for a reason the unsafe tier may set aside (see CommandEffect)."""
        self.all = True
        self.note(reason)
        if reason not in self.assumptions:
            self.assumptions.append(reason)

    def effect(
        self, kind: Kind, eco: str | None, writes: Iterable[str], *, network: bool, cost: float
    ) -> CommandEffect:
        narrowed = CommandEffect(
            kind=kind,
            ecosystem=eco,
            reads=tuple(self.paths),
            writes=_unique(writes),
            network=network,
            cost=cost,
            reasons=tuple(r for r in self.reasons if r not in self.assumptions),
            named=tuple(self.named),
        )
        if not self.all:
            return narrowed
        assumed = self.assumptions and not self.declined
        return replace(
            narrowed,
            reads_all=True,
            reasons=tuple(self.reasons),
            assumed=narrowed if assumed else None,
            assumption="; ".join(self.assumptions) if assumed else "",
        )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class Args:
    """Options and positional words of a command line."""

    options: tuple[tuple[str, str], ...]
    positionals: tuple[str, ...]

    def has(self, *names: str) -> bool:
        return any(name in names for name, _ in self.options)

    def values(self, *names: str) -> list[str]:
        return [value for name, value in self.options if name in names]

    def last(self, *names: str) -> str | None:
        found = self.values(*names)
        return found[-1] if found else None


def parse_args(
    args: Sequence[str], with_value: Iterable[str] = (), *, stop_at_positional: bool = False
) -> Args:
    """Split argv into options and positionals, GNU style (`--x=v`, `-xv`, bundled `-abc`)."""
    takes = frozenset(with_value)
    options: list[tuple[str, str]] = []
    positionals: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word == "--":
            positionals.extend(args[i:])
            break
        if word.startswith("--") or (word.startswith("-") and word in takes):
            name, eq, value = word.partition("=")
            if not eq and name in takes and i < len(args):
                value, i = args[i], i + 1
            options.append((name, value))
        elif word.startswith("-") and len(word) > 1:
            i = _short_bundle(word, args, i, takes, options)
        else:
            positionals.append(word)
            if stop_at_positional:
                positionals.extend(args[i:])
                break
    return Args(tuple(options), tuple(positionals))


def _short_bundle(
    word: str,
    args: Sequence[str],
    i: int,
    takes: frozenset[str],
    options: list[tuple[str, str]],
) -> int:
    for pos, char in enumerate(word[1:], start=1):
        flag = "-" + char
        if flag in takes:
            rest = word[pos + 1 :]
            if rest:
                options.append((flag, rest))
            elif i < len(args):
                options.append((flag, args[i]))
                i += 1
            else:
                options.append((flag, ""))
            return i
        options.append((flag, ""))
    return i


def _load_json(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def load_toml(text: str | None) -> dict[str, Any] | None:
    """The TOML document's table; None when there is no text or it does not parse."""
    if text is None:
        return None
    if sys.version_info >= (3, 11):  # imported here: most Dockerfiles read no TOML
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return data


def _table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """A nested TOML/JSON table, empty when any level is missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _is_local_path(word: str) -> bool:
    return word.startswith(("/", "./", "../", "~")) or word in (".", "..")


def _simple(
    kind: Kind,
    eco: str | None = None,
    *,
    reads: Iterable[str] = (),
    writes: Iterable[str] = (),
    network: bool = False,
    cost: float = 0.0,
) -> CommandEffect:
    return CommandEffect(
        kind=kind,
        ecosystem=eco,
        reads=_unique(norm(p) for p in reads),
        writes=_unique(writes),
        network=network,
        cost=cost,
    )


def _build_all(
    eco: str | None,
    reason: str,
    writes: Iterable[str] = (".",),
    *,
    cost: float = 20.0,
    network: bool = True,
) -> CommandEffect:
    return CommandEffect(
        kind="build",
        ecosystem=eco,
        reads_all=True,
        writes=_unique(writes),
        network=network,
        cost=cost,
        reasons=(reason,),
    )


def _merge(effects: Sequence[CommandEffect], eco: str | None) -> CommandEffect:
    """One effect for a tool invocation that runs several steps (`mix do a, b`)."""
    order: tuple[Kind, ...] = ("build", "install", "download", "filesystem", "noop")
    kinds = [e.kind for e in effects]
    kind: Kind = next((k for k in order if k in kinds), "noop")
    return CommandEffect(
        kind=kind,
        ecosystem=eco,
        reads=_unique(p for e in effects for p in e.reads),
        reads_all=any(e.reads_all for e in effects),
        writes=_unique(p for e in effects for p in e.writes),
        writes_all=any(e.writes_all for e in effects),
        network=any(e.network for e in effects),
        cost=sum(e.cost for e in effects),
        reasons=_unique(r for e in effects for r in e.reasons),
    )


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


def _glob_match(pattern: str, path: str) -> bool:
    """Match a path against a glob where `*` stays within one segment and `**/` spans many."""
    return re.fullmatch(glob_regex(pattern), path) is not None


def glob_regex(pattern: str) -> str:
    """The regular expression of a context glob (`*`, `?`, `[..]`, `**/`)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Ecosystem:
    """One package manager and the files its dependency install reads."""

    name: str
    manifests: tuple[str, ...]
    detect: tuple[str, ...]
    install_examples: tuple[str, ...]
    extra_reads: str
    unsafe_variant: str | None
    output_dirs: tuple[str, ...]
    # argv of the dependency-only install; `{each}` stands for each present file of `each_of`.
    dependency_install: tuple[str, ...] = ()
    each_of: tuple[str, ...] = ()
    # Ecosystems whose presence means this one's detection files belong to them instead.
    superseded_by: tuple[str, ...] = ()
    # Files that declare dependencies without the dependency-only install reading them (the input
    # of a lock step, a gemspec, setuptools metadata): not copied with the manifests, but edited
    # as rarely, so a step that copies only such files is as stable as one copying manifests.
    other_manifests: tuple[str, ...] = ()
