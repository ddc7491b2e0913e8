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
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, Protocol

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

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


def _no_file(path: str) -> str | None:
    return None


_NO_ENV: Mapping[str, str] = MappingProxyType({})
NOOP = CommandEffect(kind="noop")

SYSTEM_WRITES = ("/etc", "/usr", "/var", "/opt", "/bin", "/sbin", "/lib", "/lib64")
_GLOB_CHARS = re.compile(r"[*?\[]")


def classify(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] = _NO_ENV,
    read_file: FileReader = _no_file,
    glob: PathGlobber | None = None,
) -> CommandEffect:
    """Classify one static simple command.

    `glob` is optional: without it, workspace members given by pattern cannot be inspected
    and the answer declines (reads_all) where their content matters.
    """
    args, full_env = _unwrap(list(argv), dict(env))
    if not args:
        return NOOP
    ctx = _Ctx(full_env, read_file, glob)
    prog = program_name(args[0])
    handler = _HANDLERS.get(prog)
    if handler is None:
        return unknown_effect(args, f"`{prog}` is not a command dockerfix knows")
    return handler(ctx, prog, args[1:])


def program_name(word: str) -> str:
    """The normalised name of a program: its basename, versions of pip/python folded."""
    name = posixpath.basename(word)
    match = re.fullmatch(r"(pip|python|pydoc)(\d+(\.\d+)?)?", name)
    if match:
        return match.group(1)
    return name


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


# --- plumbing ---------------------------------------------------------------------------------


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
        self.note(reason)

    def effect(
        self, kind: Kind, eco: str | None, writes: Iterable[str], *, network: bool, cost: float
    ) -> CommandEffect:
        return CommandEffect(
            kind=kind,
            ecosystem=eco,
            reads=tuple(self.paths),
            reads_all=self.all,
            writes=_unique(writes),
            network=network,
            cost=cost,
            reasons=tuple(self.reasons),
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


def _load_json(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _load_toml(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
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


# --- system package managers ------------------------------------------------------------------

_APT_VALUE = (
    "-o",
    "--option",
    "-t",
    "--target-release",
    "-c",
    "--config-file",
    "-a",
    "--host-architecture",
)
_APT_INSTALL = frozenset(
    {"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "satisfy"}
)
_APT_REMOVE = frozenset({"remove", "purge", "autoremove", "autopurge"})
_APT_QUERY = frozenset(
    {
        "policy",
        "show",
        "search",
        "list",
        "depends",
        "rdepends",
        "madison",
        "showpkg",
        "check",
        "changelog",
    }
)


def _local_packages(words: Iterable[str], suffix: str) -> list[str]:
    return [w for w in words if _is_local_path(w) or w.endswith(suffix)]


def _apt(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _APT_VALUE)
    if not parsed.positionals:
        return _simple("noop", "apt")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    configs = parsed.values("-c", "--config-file")
    if sub == "update":
        return _simple(
            "system-packages",
            "apt",
            reads=configs,
            writes=("/var/lib/apt/lists",),
            network=True,
            cost=10.0,
        )
    if sub in _APT_INSTALL:
        return _simple(
            "system-packages",
            "apt",
            reads=[*configs, *_local_packages(rest, ".deb")],
            writes=SYSTEM_WRITES,
            network=True,
            cost=30.0,
        )
    if sub in _APT_REMOVE:
        return _simple("system-packages", "apt", writes=SYSTEM_WRITES, cost=5.0)
    if sub in ("clean", "autoclean"):
        return _simple("system-packages", "apt", writes=("/var/cache/apt",), cost=0.5)
    if sub in ("source", "download"):
        return _simple("download", "apt", writes=(".",), network=True, cost=5.0)
    if sub in _APT_QUERY:
        return _simple("noop", "apt")
    return unknown_effect(args, f"`{prog} {sub}` is not an apt command dockerfix knows")


def _dpkg(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args)
    if parsed.has("-i", "--install"):
        return _simple(
            "system-packages", "apt", reads=parsed.positionals, writes=SYSTEM_WRITES, cost=10.0
        )
    if parsed.has("--add-architecture"):
        return _simple("system-packages", "apt", writes=("/var/lib/dpkg",), cost=0.1)
    if parsed.has(
        "-l",
        "--list",
        "-s",
        "--status",
        "-L",
        "--listfiles",
        "--print-architecture",
        "--print-foreign-architectures",
        "-S",
        "--search",
    ):
        return _simple("noop", "apt")
    return unknown_effect(args, "this dpkg action is not one dockerfix knows")


_APK_VALUE = (
    "-X",
    "--repository",
    "-t",
    "--virtual",
    "-p",
    "--root",
    "--keys-dir",
    "--arch",
    "--cache-dir",
    "--repositories-file",
    "--wait",
)


def _apk(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _APK_VALUE)
    if not parsed.positionals:
        return _simple("noop", "apk")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    no_cache = parsed.has("--no-cache")
    index = () if no_cache else ("/var/cache/apk",)
    network = not parsed.has("--no-network")
    repos = parsed.values("--repositories-file")
    if sub in ("add", "upgrade", "fix"):
        return _simple(
            "system-packages",
            "apk",
            reads=[*repos, *_local_packages(rest, ".apk")],
            writes=(*SYSTEM_WRITES, *index),
            network=network,
            cost=10.0,
        )
    if sub == "update":
        return _simple(
            "system-packages",
            "apk",
            reads=repos,
            writes=("/var/cache/apk",),
            network=network,
            cost=3.0,
        )
    if sub in ("del", "delete"):
        return _simple("system-packages", "apk", writes=SYSTEM_WRITES, cost=2.0)
    if sub == "cache":
        return _simple("system-packages", "apk", writes=("/var/cache/apk",), cost=0.5)
    if sub in ("info", "search", "list", "policy", "version", "stats", "dot"):
        return _simple("noop", "apk")
    return unknown_effect(args, f"`apk {sub}` is not an apk command dockerfix knows")


_DNF_VALUE = (
    "--setopt",
    "--enablerepo",
    "--disablerepo",
    "--installroot",
    "-x",
    "--exclude",
    "--releasever",
    "-c",
    "--config",
    "--repo",
    "--repoid",
    "--forcearch",
    "--nogpgcheck-for",
    "--security-severity",
    "--advisory",
    "--color",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
)
_DNF_INSTALL = frozenset(
    {
        "install",
        "in",
        "reinstall",
        "update",
        "upgrade",
        "up",
        "groupinstall",
        "localinstall",
        "distro-sync",
        "downgrade",
        "builddep",
        "group",
        "module",
        "upgrade-minimal",
        "swap",
    }
)
_DNF_REMOVE = frozenset({"remove", "erase", "rm", "autoremove", "groupremove"})


def _dnf(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    eco = "dnf" if prog in ("dnf", "microdnf", "tdnf", "dnf5") else "yum"
    parsed = parse_args(args, _DNF_VALUE)
    if not parsed.positionals:
        return _simple("noop", eco)
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    cache = (f"/var/cache/{eco}",)
    if sub in _DNF_INSTALL:
        return _simple(
            "system-packages",
            eco,
            reads=_local_packages(rest, ".rpm"),
            writes=(*SYSTEM_WRITES,),
            network=True,
            cost=30.0,
        )
    if sub in _DNF_REMOVE:
        return _simple("system-packages", eco, writes=SYSTEM_WRITES, cost=5.0)
    if sub == "clean":
        return _simple("system-packages", eco, writes=cache, cost=0.5)
    if sub == "makecache":
        return _simple("system-packages", eco, writes=cache, network=True, cost=5.0)
    if sub == "config-manager":
        return _simple("system-packages", eco, writes=("/etc/yum.repos.d",), network=True, cost=1.0)
    if sub in ("info", "list", "search", "repolist", "provides", "repoquery", "check-update"):
        return _simple("noop", eco)
    return unknown_effect(args, f"`{prog} {sub}` is not a {eco} command dockerfix knows")


_ZYPPER_VALUE = (
    "-t",
    "--type",
    "--from",
    "-r",
    "--repo",
    "-R",
    "--root",
    "--releasever",
    "-p",
    "--plus-repo",
)
_ZYPPER_SUB = {
    "install": "install",
    "in": "install",
    "update": "install",
    "up": "install",
    "dist-upgrade": "install",
    "dup": "install",
    "patch": "install",
    "source-install": "install",
    "si": "install",
    "remove": "remove",
    "rm": "remove",
    "refresh": "refresh",
    "ref": "refresh",
    "clean": "clean",
    "cc": "clean",
    "addrepo": "repo",
    "ar": "repo",
    "removerepo": "repo",
    "rr": "repo",
    "search": "query",
    "se": "query",
    "info": "query",
    "if": "query",
    "repos": "query",
    "lr": "query",
}


def _zypper(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _ZYPPER_VALUE)
    if not parsed.positionals:
        return _simple("noop", "zypper")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    action = _ZYPPER_SUB.get(sub)
    if action == "install":
        return _simple(
            "system-packages",
            "zypper",
            reads=_local_packages(rest, ".rpm"),
            writes=SYSTEM_WRITES,
            network=True,
            cost=30.0,
        )
    if action == "remove":
        return _simple("system-packages", "zypper", writes=SYSTEM_WRITES, cost=5.0)
    if action == "refresh":
        return _simple(
            "system-packages", "zypper", writes=("/var/cache/zypp",), network=True, cost=5.0
        )
    if action == "clean":
        return _simple("system-packages", "zypper", writes=("/var/cache/zypp",), cost=0.5)
    if action == "repo":
        return _simple("system-packages", "zypper", writes=("/etc/zypp",), cost=0.1)
    if action == "query":
        return _simple("noop", "zypper")
    return unknown_effect(args, f"`zypper {sub}` is not a zypper command dockerfix knows")


def _system_tool(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """ldconfig, update-ca-certificates, locale-gen: rewrite system caches only."""
    return _simple("filesystem", None, writes=("/etc",), cost=0.5)


# --- files, users, downloads ------------------------------------------------------------------


def _rm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args)
    return _simple("filesystem", writes=[norm(p) for p in parsed.positionals], cost=0.1)


def _mkdir(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-m", "--mode", "-Z", "--context"))
    return _simple("filesystem", writes=[norm(p) for p in parsed.positionals], cost=0.1)


def _touch(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-d", "--date", "-t", "-r", "--reference"))
    refs = parsed.values("-r", "--reference")
    return _simple("filesystem", reads=refs, writes=[norm(p) for p in parsed.positionals], cost=0.1)


def _chmod(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    # Modes like `-x` or `-w` look like options; chmod only has a few real ones.
    words = [
        w
        for w in args
        if w
        not in (
            "-R",
            "--recursive",
            "-v",
            "-c",
            "-f",
            "--verbose",
            "--changes",
            "--silent",
            "--quiet",
        )
    ]
    refs = [w.partition("=")[2] for w in words if w.startswith("--reference=")]
    operands = [w for w in words if not w.startswith("--")]
    paths = operands if refs else operands[1:]
    return _simple("filesystem", reads=[*refs, *paths], writes=[norm(p) for p in paths], cost=0.1)


def _chown(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("--from",))
    refs = [v for n, v in parsed.options if n == "--reference"]
    operands = list(parsed.positionals)
    owner = "" if refs or not operands else operands[0]
    paths = operands if refs else operands[1:]
    # A name (not a number) is looked up in the user and group databases.
    by_name = any(part and not part.isdigit() for part in re.split(r"[:.]", owner))
    databases = ("/etc/passwd", "/etc/group") if by_name else ()
    return _simple(
        "filesystem", reads=[*refs, *databases, *paths], writes=[norm(p) for p in paths], cost=0.1
    )


_USER_READS = (
    "/etc/passwd",
    "/etc/group",
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/login.defs",
    "/etc/default/useradd",
    "/etc/adduser.conf",
    "/etc/skel",
)
_USER_WRITES = (
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/gshadow",
    "/etc/subuid",
    "/etc/subgid",
    "/var/log/lastlog",
    "/var/log/faillog",
)
_USERADD_VALUE = (
    "-u",
    "--uid",
    "-g",
    "--gid",
    "-G",
    "--groups",
    "-d",
    "--home-dir",
    "--home",
    "-s",
    "--shell",
    "-c",
    "--comment",
    "-k",
    "--skel",
    "-b",
    "--base-dir",
    "-e",
    "--expiredate",
    "-f",
    "--inactive",
    "-K",
    "--key",
    "-p",
    "--password",
    "--gecos",
    "--ingroup",
    "-h",
    "--firstuid",
    "--lastuid",
    "-Z",
    "-l",
    "--login",
    "--add-extra-groups",
    "-a",
    "--append-to",
)


def _useradd(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    value_opts = tuple(o for o in _USERADD_VALUE if not (prog == "adduser" and o == "-g")) + (
        ("-g",) if prog == "adduser" else ()
    )
    parsed = parse_args(args, value_opts)
    writes = list(_USER_WRITES)
    name = parsed.positionals[0] if parsed.positionals else ""
    creates_group_only = prog in ("groupadd", "addgroup", "groupmod", "groupdel")
    no_home = parsed.has("-M", "--no-create-home", "-H", "--system", "-r") and not parsed.has(
        "-m", "--create-home"
    )
    if prog in ("adduser", "useradd") and name and not no_home and not creates_group_only:
        home = parsed.last("-d", "--home-dir", "--home", "-h")
        base = parsed.last("-b", "--base-dir") or "/home"
        writes.append(home or f"{base}/{name}")
    return _simple("filesystem", reads=_USER_READS, writes=writes, cost=0.1)


def _ln(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-S", "--suffix", "-t", "--target-directory"))
    operands = list(parsed.positionals)
    directory = parsed.last("-t", "--target-directory")
    if directory:
        targets, link = operands, directory
    elif len(operands) == 1:
        targets, link = operands, posixpath.basename(operands[0].rstrip("/")) or "."
    else:
        targets, link = operands[:-1], operands[-1] if operands else "."
    symbolic = parsed.has("-s", "--symbolic")
    return _simple("filesystem", reads=() if symbolic else targets, writes=(norm(link),), cost=0.1)


def _copy_like(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-t", "--target-directory", "-S", "--suffix"))
    operands = list(parsed.positionals)
    directory = parsed.last("-t", "--target-directory")
    sources, dest = (operands, directory) if directory else (operands[:-1], operands[-1:])
    dests = [dest] if isinstance(dest, str) else dest
    acc = _Reads()
    for source in sources:
        if norm(source) in (".", "*", "./*"):
            acc.decline(f"`{prog} {source}` reads the whole working directory")
        else:
            acc.add(source)
    writes = [norm(d) for d in dests]
    if prog == "mv":
        writes = [norm(s) for s in sources] + writes
    return acc.effect("filesystem", None, writes, network=False, cost=0.5)


def _sed(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    in_place = False
    scripts: list[str] = []
    files: list[str] = []
    rest = list(args)
    has_expression = any(
        w in ("-e", "-f", "--expression", "--file") or w.startswith(("--expression=", "--file="))
        for w in rest
    )
    i = 0
    while i < len(rest):
        word = rest[i]
        i += 1
        if word.startswith("--in-place") or re.fullmatch(r"-[Enrsuz]*i.*", word):
            in_place = True
        elif word in ("-e", "--expression", "-f", "--file") and i < len(rest):
            if word in ("-f", "--file"):
                scripts.append(rest[i])
            i += 1
        elif word.startswith("-") and word != "-":
            continue
        elif not has_expression and not files and not scripts and word:
            scripts.append("")  # the inline script, not a file
            has_expression = True
        else:
            files.append(word)
    reads = [*(s for s in scripts if s), *files]
    if in_place:
        return _simple("filesystem", reads=reads, writes=[norm(f) for f in files], cost=0.1)
    return _simple("noop", reads=reads)


_TAR_VALUE_LETTERS = "fCTXbgHKLNV"


def _tar(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    words = list(args)
    if words and not words[0].startswith("-"):
        words[0] = "-" + words[0]  # old-style bundle: `tar xzf file`
    long_value = (
        "--file",
        "--directory",
        "--files-from",
        "--exclude-from",
        "--transform",
        "--exclude",
        "--owner",
        "--group",
        "--mode",
        "--strip-components",
    )
    parsed = parse_args(words, [*("-" + c for c in _TAR_VALUE_LETTERS), *long_value])
    archive = parsed.last("-f", "--file") or "-"
    target = parsed.last("-C", "--directory") or "."
    archive_reads = [] if archive == "-" else [archive]
    if parsed.has("-x", "--extract", "--get"):
        return _simple("filesystem", reads=archive_reads, writes=(norm(target),), cost=2.0)
    if parsed.has("-c", "--create", "-r", "--append", "-u", "--update"):
        sources = [join(target, p) for p in parsed.positionals]
        writes = () if archive == "-" else (norm(archive),)
        return _simple("filesystem", reads=sources, writes=writes, cost=2.0)
    if parsed.has("-t", "--list"):
        return _simple("noop", reads=archive_reads)
    return unknown_effect(args, "this tar invocation has no mode dockerfix knows")


def _unzip(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    words = list(args)
    if "-x" in words:
        words = words[: words.index("-x")]  # the rest are exclusion patterns
    parsed = parse_args(words, ("-d", "-P"))
    if not parsed.positionals:
        return _simple("noop")
    target = parsed.last("-d") or "."
    if parsed.has("-l", "-t", "-v", "-Z"):
        return _simple("noop", reads=parsed.positionals[:1])
    return _simple("filesystem", reads=parsed.positionals[:1], writes=(norm(target),), cost=2.0)


_GIT_CLONE_VALUE = (
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "--separate-git-dir",
    "-j",
    "--jobs",
    "--filter",
    "--shallow-since",
    "--shallow-exclude",
    "-u",
    "--upload-pack",
    "--template",
)


def _git(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    global_opts = parse_args(
        args, ("-C", "-c", "--git-dir", "--work-tree"), stop_at_positional=True
    )
    if not global_opts.positionals:
        return _simple("noop")
    base = global_opts.last("-C") or "."
    sub, rest = global_opts.positionals[0], list(global_opts.positionals[1:])
    if sub == "clone":
        parsed = parse_args(rest, _GIT_CLONE_VALUE)
        if not parsed.positionals:
            return unknown_effect(args, "git clone without a repository")
        url = parsed.positionals[0]
        dest = parsed.positionals[1] if len(parsed.positionals) > 1 else _repo_dir(url)
        return _simple("download", "git", writes=(join(base, dest),), network=True, cost=5.0)
    if sub == "config":
        parsed = parse_args(rest, ("-f", "--file"))
        if parsed.has("--global"):
            return _simple("filesystem", "git", writes=(f"{ctx.home}/.gitconfig",), cost=0.1)
        if parsed.has("--system"):
            return _simple("filesystem", "git", writes=("/etc/gitconfig",), cost=0.1)
        return _simple(
            "filesystem",
            "git",
            reads=(join(base, ".git"),),
            writes=(join(base, ".git/config"),),
            cost=0.1,
        )
    if sub in ("--version", "version", "help", "status", "log", "rev-parse", "describe"):
        return _simple("noop", "git", reads=(join(base, ".git"),))
    return unknown_effect(args, f"`git {sub}` may touch the whole work tree")


def _repo_dir(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail[:-4] if tail.endswith(".git") else tail


_CURL_VALUE = (
    "-o",
    "--output",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "-u",
    "--user",
    "-X",
    "--request",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-m",
    "--max-time",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--cacert",
    "--capath",
    "-E",
    "--cert",
    "--key",
    "-K",
    "--config",
    "-T",
    "--upload-file",
    "-F",
    "--form",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-x",
    "--proxy",
    "-r",
    "--range",
    "--output-dir",
    "-z",
    "--time-cond",
    "--resolve",
    "--limit-rate",
    "--proto",
    "--proto-redir",
    "-C",
    "--continue-at",
    "--url",
    "-Y",
    "-y",
    "-U",
    "--proxy-user",
    "--interface",
    "--max-filesize",
    "--tls-max",
    "--ciphers",
    "--dns-servers",
    "--oauth2-bearer",
    "-Q",
    "--quote",
)


def _curl(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CURL_VALUE)
    urls = [*parsed.positionals, *parsed.values("--url")]
    folder = parsed.last("--output-dir") or ""
    writes = [join(folder or ".", out) for out in parsed.values("-o", "--output") if out != "-"]
    if parsed.has("-O", "--remote-name", "--remote-name-all"):
        writes += [join(folder or ".", _url_file(u)) for u in urls[len(writes) :]]
    data_files = [
        v[1:]
        for v in parsed.values("-d", "--data", "--data-binary", "--data-urlencode")
        if v.startswith("@")
    ]
    forms = [v.split("@", 1)[1].split(";")[0] for v in parsed.values("-F", "--form") if "=@" in v]
    reads = [*parsed.values("-T", "--upload-file", "-K", "--config"), *data_files, *forms]
    return _simple(
        "download", reads=[r for r in reads if r != "-"], writes=writes, network=True, cost=2.0
    )


def _wget(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-O",
            "--output-document",
            "-P",
            "--directory-prefix",
            "--header",
            "-U",
            "--user-agent",
            "-t",
            "--tries",
            "-T",
            "--timeout",
            "-i",
            "--input-file",
            "-o",
            "--output-file",
            "-a",
            "--append-output",
            "--user",
            "--password",
            "-e",
            "--execute",
            "--ca-certificate",
            "-w",
            "--wait",
            "--limit-rate",
            "-Q",
            "--quota",
            "-l",
            "--level",
        ),
    )
    output = parsed.last("-O", "--output-document")
    prefix = parsed.last("-P", "--directory-prefix") or "."
    if output == "-":
        writes: list[str] = []
    elif output:
        writes = [norm(output)]
    else:
        writes = [join(prefix, _url_file(u) or "index.html") for u in parsed.positionals]
    logs = parsed.values("-o", "--output-file", "-a", "--append-output")
    reads = parsed.values("-i", "--input-file")
    return _simple(
        "download", reads=reads, writes=[*writes, *map(norm, logs)], network=True, cost=2.0
    )


def _url_file(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    return path.rsplit("/", 1)[-1]


def _reads_operands(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """cat, head, grep …: output only; they read their file operands."""
    if prog in ("grep", "egrep", "fgrep"):
        parsed = parse_args(args, ("-e", "-f", "-m", "-A", "-B", "-C", "--include", "--exclude"))
        files = parsed.positionals if parsed.has("-e", "-f") else parsed.positionals[1:]
    else:
        parsed = parse_args(args, ("-n", "-c", "--lines", "--bytes"))
        files = parsed.positionals
    return _simple("noop", reads=[f for f in files if f != "-"])


def _noop(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    return NOOP


def _inspects_paths(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """ls, stat, test -f …: they look at their operands (ls and du: the working directory
    when there is none), so a step that creates those paths must stay before them."""
    operands = [
        a for a in args if not a.startswith("-") and a not in ("]", "]]", "!", "=", "==", "!=")
    ]
    if not operands and prog in ("ls", "du", "tree"):
        operands = ["."]
    return _simple("noop", reads=operands)


def _native_build(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    if prog in ("gcc", "g++", "cc", "c++", "clang", "clang++"):
        output = parse_args(args, ("-o", "-I", "-L", "-l", "-D", "-x", "-include")).last("-o")
        return _build_all(
            None,
            f"{prog} compiles sources and headers from the working directory",
            (norm(output),) if output else (".",),
            cost=5.0,
            network=False,
        )
    return CommandEffect(
        kind="build",
        reads_all=True,
        writes_all=True,
        network=True,
        cost=30.0,
        reasons=(f"{prog} runs build rules that may read and write any file",),
    )


# --- Python -----------------------------------------------------------------------------------

_PIP_VALUE = (
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "--upgrade-strategy",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--trusted-host",
    "--cache-dir",
    "--log",
    "--timeout",
    "--retries",
    "--proxy",
    "--cert",
    "--client-cert",
    "--exists-action",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "--report",
    "--python",
    "--use-feature",
    "--use-deprecated",
    "--root-user-action",
    "--keyring-provider",
    "-d",
    "--dest",
    "-w",
    "--wheel-dir",
    "--build-option",
    "--group",
    "-p",
    "--python-platform",
    "--index-strategy",
    "--resolution",
    "--prerelease",
    "--exclude-newer",
    "-o",
    "--output-file",
    "--link-mode",
    "--extra",
    "--override",
)
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")


def _requirement_lines(text: str) -> list[str]:
    """Logical lines of a requirements file: continuations joined, comments dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    lines = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if line:
            lines.append(line)
    return lines


def _requirement_target(acc: _Reads, spec: str, source: str) -> None:
    """Record what installing one requirement specifier reads (local paths only)."""
    target = spec.split(";", 1)[0].strip()
    if " @ " in target or target.startswith("@"):
        target = target.split("@", 1)[1].strip()
    if target.startswith("file:"):
        target = re.sub(r"^file:(//)?", "", target)
    elif not _names_local_file(target):
        return
    if target.endswith(_ARCHIVES):
        acc.add(target)
        return
    acc.decline(f"{source} installs the local project {target}: building it may read any file")


def _names_local_file(target: str) -> bool:
    if "://" in target or target.startswith("git+"):
        return False
    return _is_local_path(target) or "/" in target or target.endswith(_ARCHIVES)


def _requirements_file(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    """Read a requirements/constraints file and everything it pulls in."""
    path = norm(path)
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell which files it includes")
        return
    base = posixpath.dirname(path)
    for line in _requirement_lines(text):
        _requirement_line(ctx, acc, line, base, path, seen)


_NESTED = ("-r", "--requirement", "-c", "--constraint")


def _requirement_line(
    ctx: _Ctx, acc: _Reads, line: str, base: str, path: str, seen: set[str]
) -> None:
    words = line.split()
    name, eq, value = words[0].partition("=")
    if not eq and len(words) > 1:
        value = words[1]
    if name.startswith(_NESTED) and not name.startswith("--"):
        name, value = name[:2], (name[2:] or value)  # `-rbase.txt`
    if name in _NESTED:
        if "://" not in value:
            acc.note(f"{path} includes {join(base, value)}")
            _requirements_file(ctx, acc, join(base, value), seen)
    elif name in ("-e", "--editable") or (name.startswith("-e") and not name.startswith("--")):
        _requirement_target(acc, value if name in ("-e", "--editable") else name[2:], path)
    elif name in ("-f", "--find-links") and _is_local_path(value):
        acc.add(join(base, value))
    elif not line.startswith("-"):
        _requirement_target(acc, line.split(" --", 1)[0], path)


def _site_packages(ctx: _Ctx) -> tuple[str, ...]:
    venv = ctx.env.get("VIRTUAL_ENV")
    if venv:
        return (venv,)
    return ("/usr/local/lib/python3*/site-packages", "/usr/local/bin")


def _pip_writes(ctx: _Ctx, parsed: Args) -> list[str]:
    target = parsed.last("-t", "--target") or ctx.env.get("PIP_TARGET")
    prefix = parsed.last("--prefix", "--root") or ctx.env.get("PIP_PREFIX")
    user = parsed.has("--user") or ctx.env.get("PIP_USER", "").lower() in ("1", "true", "yes")
    if target:
        writes = [target]
    elif prefix:
        writes = [prefix]
    elif user:
        writes = [f"{ctx.env.get('PYTHONUSERBASE') or ctx.home + '/.local'}"]
    else:
        writes = list(_site_packages(ctx))
    no_cache = parsed.has("--no-cache-dir", "--no-cache") or "PIP_NO_CACHE_DIR" in ctx.env
    if not no_cache:
        writes.append(parsed.last("--cache-dir") or f"{ctx.home}/.cache/pip")
    return writes


def _pip_sources(ctx: _Ctx, acc: _Reads, parsed: Args, tool: str) -> None:
    seen: set[str] = set()
    for path in parsed.values(*_NESTED):
        if "://" not in path:
            _requirements_file(ctx, acc, path, seen)
    for path in ctx.env.get("PIP_CONSTRAINT", "").split():
        _requirements_file(ctx, acc, path, seen)
    if "PIP_CONFIG_FILE" in ctx.env:
        acc.add(ctx.env["PIP_CONFIG_FILE"])
    for value in parsed.values("-f", "--find-links"):
        if _is_local_path(value):
            acc.add(value)
    for value in parsed.values("-e", "--editable"):
        _requirement_target(acc, value, f"{tool} -e {value}")
    for spec in parsed.positionals:
        _requirement_target(acc, spec, f"{tool} install {spec}")


def _pip(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _PIP_VALUE, stop_at_positional=True)
    if not parsed.positionals:
        return _simple("noop", "pip")
    sub, rest = parsed.positionals[0], list(parsed.positionals[1:])
    parsed = parse_args(rest, _PIP_VALUE)
    acc = _Reads()
    if sub in ("install", "uninstall", "download", "wheel"):
        _pip_sources(ctx, acc, parsed, "pip")
    if sub == "install":
        return acc.effect("install", "pip", _pip_writes(ctx, parsed), network=True, cost=20.0)
    if sub == "uninstall":
        return acc.effect("install", "pip", _site_packages(ctx), network=False, cost=2.0)
    if sub in ("download", "wheel"):
        folder = parsed.last("-d", "--dest", "-w", "--wheel-dir") or "."
        return acc.effect("download", "pip", [norm(folder)], network=True, cost=15.0)
    if sub == "config":
        where = "/etc/pip.conf" if parsed.has("--global") else f"{ctx.home}/.config/pip/pip.conf"
        return _simple("filesystem", "pip", writes=(where,), cost=0.1)
    if sub == "cache":
        return _simple("filesystem", "pip", writes=(f"{ctx.home}/.cache/pip",), cost=0.1)
    if sub in (
        "freeze",
        "list",
        "show",
        "check",
        "debug",
        "help",
        "--version",
        "-V",
        "index",
        "inspect",
        "hash",
    ):
        return _simple("noop", "pip")
    return unknown_effect(args, f"`pip {sub}` is not a pip command dockerfix knows")


def _pip_sync(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _PIP_VALUE)
    acc = _Reads()
    seen: set[str] = set()
    for path in parsed.positionals or ("requirements.txt",):
        _requirements_file(ctx, acc, path, seen)
    return acc.effect("install", "pip-tools", _site_packages(ctx), network=True, cost=20.0)


def _pip_compile(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _PIP_VALUE)
    inputs = list(parsed.positionals) or ["requirements.in"]
    output = parsed.last("-o", "--output-file") or "requirements.txt"
    acc = _Reads()
    seen: set[str] = set()
    for path in inputs:
        if path.endswith((".in", ".txt")):
            _requirements_file(ctx, acc, path, seen)
        else:
            acc.decline(f"pip-compile reads the project metadata of {path}: it may build it")
    return acc.effect("filesystem", "pip-tools", [norm(output)], network=True, cost=10.0)


def _pyproject(ctx: _Ctx, acc: _Reads, path: str = "pyproject.toml") -> dict[str, Any] | None:
    acc.add(path)
    data = _load_toml(ctx.text(path))
    if data is None:
        acc.decline(f"{path} is not known: cannot tell whether it declares local path dependencies")
    return data


def _pep508_local(acc: _Reads, deps: Iterable[str], source: str) -> None:
    for dep in deps:
        if "file:" in dep:
            acc.decline(
                f"{source} depends on a local path ({dep.strip()}): building it may read any file"
            )


def _poetry_path_deps(data: Mapping[str, Any]) -> list[str]:
    tables = [
        _table(data, "tool", "poetry", "dependencies"),
        _table(data, "tool", "poetry", "dev-dependencies"),
    ]
    tables += [
        _table(group, "dependencies")
        for group in _table(data, "tool", "poetry", "group").values()
        if isinstance(group, dict)
    ]
    found = []
    for table in tables:
        for spec in table.values():
            specs = spec if isinstance(spec, list) else [spec]
            found += [s["path"] for s in specs if isinstance(s, dict) and "path" in s]
    return found


def _poetry(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--only",
            "--with",
            "--without",
            "-E",
            "--extras",
            "-C",
            "--directory",
            "-P",
            "--project",
            "-f",
            "--format",
            "-o",
            "--output",
        ),
        stop_at_positional=True,
    )
    if not parsed.positionals:
        return _simple("noop", "poetry")
    sub, rest = (
        parsed.positionals[0],
        parse_args(
            parsed.positionals[1:],
            ("--only", "--with", "--without", "-E", "--extras", "-f", "--format", "-o", "--output"),
        ),
    )
    base = parsed.last("-C", "--directory", "-P", "--project") or rest.last("-C") or "."
    if sub in ("install", "sync"):
        return _poetry_install(ctx, rest, base)
    if sub == "config":
        local = rest.has("--local")
        config = ctx.env.get("POETRY_CONFIG_DIR", f"{ctx.home}/.config/pypoetry")
        where = join(base, "poetry.toml") if local else f"{config}/config.toml"
        return _simple("filesystem", "poetry", writes=(where,), cost=0.1)
    if sub in ("export", "lock", "check", "show"):
        acc = _Reads()
        acc.add(join(base, "pyproject.toml"), join(base, "poetry.lock"), join(base, "poetry.toml"))
        output = rest.last("-o", "--output")
        outputs = [norm(output)] if output else []
        writes = [join(base, "poetry.lock")] if sub == "lock" else outputs
        return acc.effect(
            "filesystem" if writes else "noop", "poetry", writes, network=sub == "lock", cost=1.0
        )
    if sub in ("build", "run"):
        return _build_all("poetry", f"poetry {sub} works on the project sources")
    if sub in ("--version", "-V", "about", "env", "help"):
        return _simple("noop", "poetry")
    return unknown_effect(args, f"`poetry {sub}` is not a poetry command dockerfix knows")


def _poetry_install(ctx: _Ctx, parsed: Args, base: str) -> CommandEffect:
    acc = _Reads()
    data = _pyproject(ctx, acc, join(base, "pyproject.toml"))
    acc.add(join(base, "poetry.lock"), join(base, "poetry.toml"))
    if data is not None:
        package_mode = _table(data, "tool", "poetry").get("package-mode", True)
        installs_root = not parsed.has("--no-root") and package_mode is not False
        if installs_root:
            acc.decline(
                "poetry install without --no-root installs the project itself: it may read any file"
            )
        if not parsed.has("--no-directory"):
            for path in _poetry_path_deps(data):
                acc.decline(f"pyproject.toml has a path dependency {path}: poetry builds it")
            _pep508_local(
                acc, _strings(_table(data, "project").get("dependencies")), "pyproject.toml"
            )
    env_create = ctx.env.get("POETRY_VIRTUALENVS_CREATE", "true").lower() not in ("false", "0")
    in_project = ctx.env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1")
    cache = ctx.env.get("POETRY_CACHE_DIR", f"{ctx.home}/.cache/pypoetry")
    venv = [join(base, ".venv")] if in_project or not env_create else []
    target = list(_site_packages(ctx)) if not env_create else venv
    return acc.effect("install", "poetry", [*target, cache], network=True, cost=20.0)


def _uv_sources_local(data: Mapping[str, Any]) -> list[str]:
    return [
        src["path"]
        for src in _table(data, "tool", "uv", "sources").values()
        if isinstance(src, dict) and "path" in src and not src.get("workspace")
    ]


def _uv_members(ctx: _Ctx, acc: _Reads, data: Mapping[str, Any], base: str) -> list[str]:
    workspace = _table(data, "tool", "uv", "workspace")
    members: list[str] = []
    for pattern in _strings(workspace.get("members")):
        found = ctx.expand(join(join(base, pattern), "pyproject.toml"))
        if found is None:
            acc.add(join(join(base, pattern), "pyproject.toml"))
            acc.decline(f"cannot list the uv workspace members {pattern}")
            continue
        excluded = [join(base, e) for e in _strings(workspace.get("exclude"))]
        members += [
            posixpath.dirname(f)
            for f in found
            if not any(_glob_match(e, posixpath.dirname(f)) for e in excluded)
        ]
    return members


def _uv_sync(ctx: _Ctx, parsed: Args, base: str) -> CommandEffect:
    acc = _Reads()
    data = _pyproject(ctx, acc, join(base, "pyproject.toml"))
    acc.add(join(base, "uv.lock"), join(base, ".python-version"), join(base, "uv.toml"))
    if data is not None:
        members = _uv_members(ctx, acc, data, base)
        for member in members:
            acc.add(join(member, "pyproject.toml"))
        skip_workspace = parsed.has("--no-install-workspace")
        is_package = "build-system" in data or _table(data, "tool", "uv").get("package") is True
        if is_package and not (skip_workspace or parsed.has("--no-install-project")):
            acc.decline(
                "uv sync without --no-install-project installs the project itself: it "
                "may read any file"
            )
        if members and not skip_workspace:
            acc.decline(
                "uv sync without --no-install-workspace installs the workspace members "
                f"({', '.join(members)}): it may read any of their files"
            )
        if not parsed.has("--no-install-local"):
            for path in _uv_sources_local(data):
                acc.decline(f"pyproject.toml has a path source {path}: uv builds it")
    venv = ctx.env.get("UV_PROJECT_ENVIRONMENT") or join(base, ".venv")
    cache = ctx.env.get("UV_CACHE_DIR", f"{ctx.home}/.cache/uv")
    return acc.effect(
        "install", "uv", [venv, cache], network=not parsed.has("--offline"), cost=10.0
    )


def _uv(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args, (*_PIP_VALUE, "--directory", "--project", "--package"), stop_at_positional=True
    )
    if not parsed.positionals:
        return _simple("noop", "uv")
    base = parsed.last("--directory", "--project") or "."
    sub, rest = parsed.positionals[0], list(parsed.positionals[1:])
    sub_args = parse_args(rest, (*_PIP_VALUE, "--directory", "--project", "--package"))
    base = sub_args.last("--directory", "--project") or base
    if sub == "sync":
        return _uv_sync(ctx, sub_args, base)
    if sub == "pip":
        return _uv_pip(ctx, rest)
    if sub == "venv":
        target = sub_args.positionals[0] if sub_args.positionals else ".venv"
        return _simple(
            "filesystem", "uv", reads=(".python-version",), writes=(norm(target),), cost=0.5
        )
    if sub in ("python", "tool"):
        return _simple("download", "uv", writes=(f"{ctx.home}/.local",), network=True, cost=5.0)
    if sub in ("lock", "export"):
        acc = _Reads()
        _pyproject(ctx, acc, join(base, "pyproject.toml"))
        acc.add(join(base, "uv.lock"))
        output = sub_args.last("-o", "--output-file")
        writes = [join(base, "uv.lock")] if sub == "lock" else ([norm(output)] if output else [])
        return acc.effect("filesystem", "uv", writes, network=sub == "lock", cost=1.0)
    if sub in ("run", "build"):
        return _build_all("uv", f"uv {sub} works on the project sources")
    if sub in ("--version", "version", "help", "cache"):
        return _simple("noop", "uv")
    return unknown_effect(args, f"`uv {sub}` is not a uv command dockerfix knows")


def _uv_pip(ctx: _Ctx, rest: list[str]) -> CommandEffect:
    parsed = parse_args(rest, _PIP_VALUE, stop_at_positional=True)
    if not parsed.positionals:
        return _simple("noop", "uv")
    sub = parsed.positionals[0]
    sub_args = parse_args(parsed.positionals[1:], _PIP_VALUE)
    acc = _Reads()
    seen: set[str] = set()
    requirement_files = [*sub_args.values(*_NESTED)]
    if sub == "sync":
        requirement_files += sub_args.positionals
    for path in requirement_files:
        if path.endswith((".toml", ".py", ".cfg")):
            _uv_project_requirements(ctx, acc, path)
        elif "://" not in path:
            _requirements_file(ctx, acc, path, seen)
    if sub == "install":
        for spec in sub_args.positionals:
            _requirement_target(acc, spec, f"uv pip install {spec}")
        for value in sub_args.values("-e", "--editable"):
            _requirement_target(acc, value, f"uv pip install -e {value}")
    if sub in ("install", "sync"):
        system = sub_args.has("--system") or "UV_SYSTEM_PYTHON" in ctx.env
        target = sub_args.last("-t", "--target", "--prefix")
        writes = (
            [target]
            if target
            else (list(_site_packages(ctx)) if system or "VIRTUAL_ENV" in ctx.env else [".venv"])
        )
        cache = ctx.env.get("UV_CACHE_DIR", f"{ctx.home}/.cache/uv")
        return acc.effect("install", "uv", [*writes, cache], network=True, cost=10.0)
    if sub == "compile":
        output = sub_args.last("-o", "--output-file")
        return acc.effect(
            "filesystem", "uv", [norm(output)] if output else [], network=True, cost=5.0
        )
    return unknown_effect(rest, f"`uv pip {sub}` is not a uv command dockerfix knows")


def _uv_project_requirements(ctx: _Ctx, acc: _Reads, path: str) -> None:
    if not path.endswith(".toml"):
        acc.add(path)
        acc.decline(
            f"reading requirements from {path} runs the project's build: it may read any file"
        )
        return
    data = _pyproject(ctx, acc, path)
    if data is not None:
        dynamic = _strings(_table(data, "project").get("dynamic"))
        if {"dependencies", "optional-dependencies"} & set(dynamic):
            acc.decline(f"{path} declares dynamic dependencies: uv builds the project to read them")
        _pep508_local(acc, _strings(_table(data, "project").get("dependencies")), path)


def _pipenv(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        ("--python", "--categories", "--extra-pip-args", "-r", "--requirements"),
        stop_at_positional=True,
    )
    if not parsed.positionals:
        return _simple("noop", "pipenv")
    sub = parsed.positionals[0]
    sub_args = parse_args(parsed.positionals[1:], ("--python", "--categories", "-r"))
    if sub not in ("install", "sync", "update", "lock", "requirements", "verify"):
        if sub == "run":
            return _build_all("pipenv", "pipenv run runs a project command")
        return unknown_effect(args, f"`pipenv {sub}` is not a pipenv command dockerfix knows")
    pipfile = ctx.env.get("PIPENV_PIPFILE", "Pipfile")
    acc = _Reads()
    acc.add(pipfile, f"{pipfile}.lock")
    data = _load_toml(ctx.text(pipfile))
    if data is None:
        acc.decline(f"{pipfile} is not known: cannot tell whether it installs local paths")
    else:
        for section in ("packages", "dev-packages"):
            for name, spec in _table(data, section).items():
                if isinstance(spec, dict) and ("path" in spec or "file" in spec):
                    where = spec.get("path") or spec.get("file")
                    acc.decline(f"{pipfile} installs {name} from the local path {where}")
    for spec in sub_args.positionals:
        _requirement_target(acc, spec, f"pipenv install {spec}")
    if sub in ("lock", "requirements", "verify"):
        writes = [f"{pipfile}.lock"] if sub == "lock" else []
        return acc.effect(
            "filesystem" if writes else "noop", "pipenv", writes, network=sub == "lock", cost=1.0
        )
    system = sub_args.has("--system") or "PIPENV_SYSTEM" in ctx.env
    venv = list(_site_packages(ctx)) if system else [f"{ctx.home}/.local/share/virtualenvs"]
    if ctx.env.get("PIPENV_VENV_IN_PROJECT"):
        venv = [".venv"]
    writes = [*venv, f"{ctx.home}/.cache/pipenv"]
    if sub_args.positionals or (sub == "install" and not sub_args.has("--deploy")):
        writes += [pipfile, f"{pipfile}.lock"]
    return acc.effect("install", "pipenv", writes, network=True, cost=20.0)


# pdm options that take a value, before and after the subcommand alike.
_PDM_VALUE = (
    "-p",
    "--project",
    "-G",
    "--group",
    "-L",
    "--lockfile",
    "-o",
    "--output",
    "-f",
    "--format",
)


def _pdm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        _PDM_VALUE,
        stop_at_positional=True,
    )
    if not parsed.positionals:
        return _simple("noop", "pdm")
    sub = parsed.positionals[0]
    sub_args = parse_args(
        parsed.positionals[1:],
        _PDM_VALUE,
    )
    base = sub_args.last("-p", "--project") or parsed.last("-p", "--project") or "."
    lock = sub_args.last("-L", "--lockfile") or "pdm.lock"
    if sub in ("build", "run"):
        return _build_all("pdm", f"pdm {sub} works on the project sources")
    if sub not in ("install", "sync", "export", "lock"):
        return unknown_effect(args, f"`pdm {sub}` is not a pdm command dockerfix knows")
    acc = _Reads()
    data = _pyproject(ctx, acc, join(base, "pyproject.toml"))
    acc.add(join(base, lock), join(base, "pdm.toml"), join(base, ".pdm-python"))
    if data is not None:
        _pep508_local(acc, _strings(_table(data, "project").get("dependencies")), "pyproject.toml")
        distribution = _table(data, "tool", "pdm").get("distribution", "build-system" in data)
        if sub in ("install", "sync") and distribution and not sub_args.has("--no-self"):
            acc.decline(
                f"pdm {sub} without --no-self installs the project itself: it may read any file"
            )
    if sub in ("export", "lock"):
        output = sub_args.last("-o", "--output")
        writes = [join(base, lock)] if sub == "lock" else ([norm(output)] if output else [])
        return acc.effect("filesystem", "pdm", writes, network=sub == "lock", cost=1.0)
    writes = [join(base, ".venv"), join(base, "__pypackages__"), f"{ctx.home}/.cache/pdm"]
    return acc.effect("install", "pdm", writes, network=True, cost=20.0)


def _python(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-m", "-W", "-X", "-c"), stop_at_positional=True)
    module = parsed.last("-m")
    if module is None:
        if parsed.positionals and parsed.positionals[0].endswith("setup.py"):
            return _build_all(
                "pip",
                "setup.py builds the project from its sources",
                writes=(".", *_site_packages(ctx)),
            )
        return unknown_effect(args, "a Python program may read and write any file")
    rest = list(parsed.positionals)
    if module == "pip":
        return _pip(ctx, "pip", rest)
    if module == "venv":
        venv = parse_args(rest, ("--prompt",))
        network = venv.has("--upgrade-deps")
        return _simple(
            "filesystem",
            "pip",
            writes=[norm(p) for p in venv.positionals],
            network=network,
            cost=1.0,
        )
    if module == "ensurepip":
        return _simple("install", "pip", writes=_site_packages(ctx), cost=2.0)
    tool = {
        "piptools": {"sync": "pip-sync", "compile": "pip-compile"}.get(rest[0] if rest else ""),
        "uv": "uv",
        "poetry": "poetry",
        "pipenv": "pipenv",
        "pdm": "pdm",
    }.get(module)
    if tool:
        return _HANDLERS[tool](ctx, tool, rest[1:] if module == "piptools" else rest)
    return unknown_effect(args, f"`python -m {module}` may read and write any file")


_CONDA_VALUE = (
    "-n",
    "--name",
    "-p",
    "--prefix",
    "-f",
    "--file",
    "-c",
    "--channel",
    "-r",
    "--root-prefix",
    "--platform",
    "--subdir",
    "--override-channels-with",
    "--solver",
    "--repodata-fn",
    "--experimental",
)


def _conda_root(ctx: _Ctx) -> str:
    return (
        ctx.env.get("MAMBA_ROOT_PREFIX")
        or ctx.env.get("CONDA_DIR")
        or ctx.env.get("CONDA_ROOT")
        or "/opt/conda"
    )


def _conda_env_file(ctx: _Ctx, acc: _Reads, path: str) -> None:
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(
            f"{path} is not known: cannot tell whether its pip section installs local paths"
        )
        return
    base = posixpath.dirname(norm(path))
    seen: set[str] = set()
    for raw in text.splitlines():
        item = re.match(r"\s*-\s+(.+?)\s*$", re.sub(r"\s#.*", "", raw))
        if not item:
            continue
        value = item.group(1).strip("'\"")
        if value.startswith(("-", ".", "/", "file:", "git+")) or (
            "/" in value and "::" not in value and ":" not in value.split("/")[0]
        ):
            _requirement_line(ctx, acc, value, base, path, seen)


def _conda(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CONDA_VALUE)
    words = list(parsed.positionals)
    eco = "conda"
    if not words:
        return _simple("noop", eco)
    sub = words[0]
    if sub == "env" and len(words) > 1:
        sub = "env " + words[1]
    root = _conda_root(ctx)
    prefix = parsed.last("-p", "--prefix")
    writes = [prefix or root, f"{ctx.home}/.conda"]
    if sub in ("env create", "env update", "create", "install", "update", "upgrade"):
        acc = _Reads()
        files = parsed.values("-f", "--file")
        if not files and sub in ("env create", "env update"):
            files = ["environment.yml"]
        for path in files:
            _conda_env_file(ctx, acc, path)
        return acc.effect("install", eco, writes, network=True, cost=40.0)
    if sub in ("remove", "uninstall", "env remove"):
        return _simple("install", eco, writes=writes, cost=5.0)
    if sub == "clean":
        return _simple("filesystem", eco, writes=(f"{root}/pkgs",), cost=1.0)
    if sub == "config":
        where = f"{root}/.condarc" if parsed.has("--system") else f"{ctx.home}/.condarc"
        return _simple("filesystem", eco, writes=(where,), cost=0.1)
    if sub in ("init", "shell"):
        return _simple("filesystem", eco, writes=(f"{ctx.home}/.bashrc",), cost=0.1)
    if sub in ("list", "info", "search", "env list", "--version", "activate", "deactivate"):
        return _simple("noop", eco)
    return unknown_effect(args, f"`{prog} {sub}` is not a conda command dockerfix knows")


# --- JavaScript -------------------------------------------------------------------------------

_NPM_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
)
_YARN_CLASSIC_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "prepare")
_YARN_BERRY_SCRIPTS = ("preinstall", "install", "postinstall")
_PNPM_SCRIPTS = (
    "pnpm:devPreinstall",
    "preinstall",
    "install",
    "postinstall",
    "preprepare",
    "prepare",
    "postprepare",
)
_BUN_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")


@dataclass(frozen=True)
class _NodeTool:
    """How one JavaScript package manager installs a project."""

    name: str
    eco: str
    configs: tuple[str, ...]
    scripts: tuple[str, ...]
    command: str


def _package_json(ctx: _Ctx, acc: _Reads, path: str, required: bool) -> dict[str, Any] | None:
    acc.add(path)
    data = _load_json(ctx.text(path))
    if data is None and required:
        acc.decline(f"{path} is not known: cannot tell its lifecycle scripts and workspaces")
    return data


def _check_scripts(acc: _Reads, tool: _NodeTool, path: str, data: Mapping[str, Any]) -> None:
    scripts = _table(data, "scripts")
    for name in tool.scripts:
        if name in scripts:
            acc.decline(
                f"{path} has a {name} script: {tool.command} runs it and it may read any file"
            )


def _workspace_patterns(data: Mapping[str, Any]) -> list[str]:
    field = data.get("workspaces")
    if isinstance(field, dict):
        field = field.get("packages")
    return _strings(field)


def _pnpm_workspace_patterns(text: str | None) -> list[str]:
    """The `packages:` list of pnpm-workspace.yaml (block or flow style)."""
    if text is None:
        return []
    patterns: list[str] = []
    inside = False
    for raw in text.splitlines():
        line = re.sub(r"\s#.*", "", raw).rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"packages\s*:", line):
            inline = line.split(":", 1)[1].strip()
            if inline.startswith("["):
                return [p.strip().strip("'\"") for p in inline.strip("[]").split(",") if p.strip()]
            inside = True
        elif inside and re.match(r"\s*-\s", line):
            patterns.append(line.split("-", 1)[1].strip().strip("'\""))
        elif inside and not line.startswith((" ", "\t")):
            inside = False
    return patterns


def _node_members(ctx: _Ctx, acc: _Reads, base: str, patterns: list[str]) -> list[str]:
    """Directories of workspace packages; declines when a pattern cannot be listed."""
    excluded = [join(base, p[1:]) for p in patterns if p.startswith("!")]
    members: list[str] = []
    for pattern in (p for p in patterns if not p.startswith("!")):
        manifest = join(join(base, pattern), "package.json")
        found = ctx.expand(manifest)
        if found is None:
            acc.add(manifest)
            acc.decline(
                f"cannot list the workspace packages {pattern}: their install scripts are unknown"
            )
            continue
        for path in found:
            member = posixpath.dirname(path)
            if not any(_glob_match(e, member) for e in excluded) and member not in members:
                members.append(member)
    return members


def _member_manifests(ctx: _Ctx, acc: _Reads, tool: _NodeTool, members: list[str]) -> None:
    for member in members:
        path = join(member, "package.json")
        data = _package_json(ctx, acc, path, required=True)
        if data is None:
            continue
        _check_scripts(acc, tool, path, data)
        bins = data.get("bin")
        # Linking a workspace package makes its bin files executable.
        for target in bins.values() if isinstance(bins, dict) else _strings(bins):
            if isinstance(target, str):
                acc.add(join(member, target))


def _node_project(ctx: _Ctx, acc: _Reads, tool: _NodeTool, base: str, scripts: bool) -> list[str]:
    """Read a project's manifests; returns the workspace member directories."""
    root = _package_json(ctx, acc, join(base, "package.json"), required=True)
    acc.add(*(join(base, c) for c in tool.configs))
    if root is None:
        return []
    patterns = _workspace_patterns(root)
    if tool.name == "pnpm":
        patterns = _pnpm_workspace_patterns(ctx.text(join(base, "pnpm-workspace.yaml")))
    members = _node_members(ctx, acc, base, patterns)
    if scripts:
        _check_scripts(acc, tool, join(base, "package.json"), root)
        if ctx.text(join(base, "binding.gyp")) is not None and tool.name != "yarn-berry":
            acc.decline(
                f"{join(base, 'binding.gyp')} exists: {tool.command} builds the native "
                "addon from the sources"
            )
        _member_manifests(ctx, acc, tool, members)
    else:
        acc.add(*(join(m, "package.json") for m in members))
    return members


def _node_local_specs(acc: _Reads, specs: Iterable[str], command: str) -> None:
    for spec in specs:
        target = spec.split("@", 1)[1] if spec.startswith(("file:", "link:")) else spec
        if (
            spec.startswith(("file:", "link:"))
            or _is_local_path(target)
            or target.endswith((".tgz", ".tar.gz"))
        ):
            path = re.sub(r"^(file|link):", "", spec)
            if path.endswith((".tgz", ".tar.gz")):
                acc.add(path)
            else:
                acc.decline(f"{command} {spec} installs a local folder: it may read any file")


_NPM_VALUE = (
    "--prefix",
    "-w",
    "--workspace",
    "--omit",
    "--include",
    "--registry",
    "--cache",
    "--loglevel",
    "--userconfig",
    "--tag",
    "--before",
    "--install-strategy",
    "--location",
    "-C",
    "--save-prefix",
    "--fetch-retries",
    "--fetch-timeout",
    "--maxsockets",
    "--network-concurrency",
    "--script-shell",
    "--only",
    "--also",
)
_NPM_INSTALL = frozenset(
    {
        "install",
        "i",
        "in",
        "ins",
        "inst",
        "insta",
        "instal",
        "isnt",
        "isnta",
        "isntal",
        "isntall",
        "add",
        "ci",
        "clean-install",
        "ic",
        "install-clean",
        "isntall-clean",
    }
)
_NPM_RUN = frozenset(
    {
        "run",
        "run-script",
        "rum",
        "urn",
        "test",
        "t",
        "tst",
        "start",
        "stop",
        "restart",
        "exec",
        "x",
        "rebuild",
        "rb",
        "pack",
        "publish",
        "explore",
        "build",
        "install-test",
        "it",
        "install-ci-test",
        "cit",
    }
)
_NPM_QUERY = frozenset(
    {
        "--version",
        "-v",
        "version",
        "help",
        "ls",
        "list",
        "la",
        "ll",
        "view",
        "info",
        "show",
        "v",
        "outdated",
        "whoami",
        "ping",
        "doctor",
        "root",
        "bin",
        "prefix",
        "explain",
        "why",
        "query",
        "fund",
        "search",
    }
)
_NPM = _NodeTool(
    "npm",
    "npm",
    ("package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
    _NPM_SCRIPTS,
    "npm install",
)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


def _npm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _NPM_VALUE)
    if not parsed.positionals:
        return _simple("noop", "npm")
    sub, specs = parsed.positionals[0], list(parsed.positionals[1:])
    base = parsed.last("--prefix", "-C") or "."
    if sub in _NPM_INSTALL:
        return _npm_install(ctx, parsed, sub, specs, base)
    if sub in _NPM_RUN:
        named = sub in ("run", "run-script", "rum", "urn") and bool(specs)
        label = f"{sub} {specs[0]}" if named else sub
        return _build_all(
            "npm",
            f"npm {label} runs the package.json script "
            f"{specs[0] if named else sub}: it may read any file",
            (norm(base),),
        )
    if sub == "prune":
        acc = _Reads()
        acc.add(join(base, "package.json"), join(base, "package-lock.json"))
        return acc.effect("install", "npm", [join(base, "node_modules")], network=False, cost=2.0)
    if sub == "cache":
        return _simple("filesystem", "npm", writes=(f"{ctx.home}/.npm",), cost=0.5)
    if sub in ("config", "set"):
        where = (
            "/usr/local/etc/npmrc"
            if parsed.has("-g", "--global") or parsed.last("--location") == "global"
            else f"{ctx.home}/.npmrc"
        )
        if parsed.last("--location") == "project":
            where = join(base, ".npmrc")
        return _simple("filesystem", "npm", writes=(where,), cost=0.1)
    if sub in _NPM_QUERY:
        return _simple("noop", "npm")
    return unknown_effect(args, f"`npm {sub}` is not an npm command dockerfix knows")


def _npm_install(ctx: _Ctx, parsed: Args, sub: str, specs: list[str], base: str) -> CommandEffect:
    acc = _Reads()
    global_prefix = ctx.env.get("NPM_CONFIG_PREFIX", "/usr/local")
    if parsed.has("-g", "--global") or _truthy(ctx.env.get("npm_config_global")):
        _node_local_specs(acc, specs, f"npm {sub}")
        return acc.effect(
            "install",
            "npm",
            [f"{global_prefix}/lib/node_modules", f"{global_prefix}/bin", f"{ctx.home}/.npm"],
            network=True,
            cost=5.0,
        )
    ignore = parsed.has("--ignore-scripts") or _truthy(ctx.env.get("npm_config_ignore_scripts"))
    members = _node_project(ctx, acc, _NPM, base, scripts=not ignore)
    _node_local_specs(acc, specs, f"npm {sub}")
    writes = [
        join(base, "node_modules"),
        *(join(m, "node_modules") for m in members),
        f"{ctx.home}/.npm",
    ]
    if sub not in ("ci", "clean-install", "ic", "install-clean", "isntall-clean"):
        writes += [join(base, "package-lock.json")]
    if specs:
        writes += [join(base, "package.json")]
    return acc.effect("install", "npm", writes, network=True, cost=20.0)


def _yarn_flavour(ctx: _Ctx, base: str) -> str:
    """`yarn-classic`, `yarn-berry`, or `yarn` when the files do not tell."""
    manager = (_load_json(ctx.text(join(base, "package.json"))) or {}).get("packageManager")
    if isinstance(manager, str) and manager.startswith("yarn@"):
        return "yarn-classic" if manager[5:].startswith("1.") else "yarn-berry"
    if ctx.text(join(base, ".yarnrc.yml")) is not None:
        return "yarn-berry"
    return "yarn"


_YARN_CLASSIC = _NodeTool(
    "yarn-classic",
    "yarn",
    ("yarn.lock", ".yarnrc", ".npmrc"),
    _YARN_CLASSIC_SCRIPTS,
    "yarn install",
)
_YARN_BERRY = _NodeTool(
    "yarn-berry",
    "yarn",
    ("yarn.lock", ".yarnrc.yml", ".yarn/releases", ".yarn/plugins", ".yarn/patches"),
    _YARN_BERRY_SCRIPTS,
    "yarn install",
)
_YARN_EITHER = _NodeTool(
    "yarn",
    "yarn",
    (*_YARN_CLASSIC.configs, *_YARN_BERRY.configs[1:]),
    _YARN_CLASSIC_SCRIPTS,
    "yarn install",
)
_YARN_VALUE = (
    "--cwd",
    "--network-timeout",
    "--cache-folder",
    "--modules-folder",
    "--mode",
    "--registry",
    "--mutex",
    "--global-folder",
    "--link-folder",
    "--network-concurrency",
)
_YARN_BUILTIN = frozenset(
    {
        "add",
        "remove",
        "upgrade",
        "up",
        "cache",
        "config",
        "global",
        "info",
        "init",
        "why",
        "workspaces",
        "workspace",
        "set",
        "dlx",
        "node",
        "exec",
        "run",
        "pack",
        "npm",
        "plugin",
        "constraints",
        "dedupe",
        "rebuild",
        "unplug",
        "bin",
        "explain",
        "patch",
        "import",
        "install",
        "version",
        "--version",
        "-v",
        "help",
        "list",
        "licenses",
        "outdated",
        "audit",
        "policies",
        "check",
        "link",
        "unlink",
        "login",
        "logout",
        "publish",
        "tag",
        "team",
        "owner",
        "autoclean",
        "generate-lock-entry",
        "create",
    }
)


def _yarn(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _YARN_VALUE)
    base = parsed.last("--cwd") or "."
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    if sub in ("install", "add") or words[:2] == ["workspaces", "focus"]:
        return _yarn_install(ctx, parsed, base, specs=words[1:] if sub == "add" else [])
    if sub == "global" and words[1:2] == ["add"]:
        acc = _Reads()
        _node_local_specs(acc, words[2:], "yarn global add")
        return acc.effect(
            "install",
            "yarn",
            [
                "/usr/local/share/.config/yarn/global",
                "/usr/local/bin",
                _yarn_cache(ctx, "yarn-classic"),
            ],
            network=True,
            cost=5.0,
        )
    if sub == "cache":
        return _simple(
            "filesystem", "yarn", writes=(_yarn_cache(ctx, _yarn_flavour(ctx, base)),), cost=0.5
        )
    if sub == "config":
        return _simple(
            "filesystem",
            "yarn",
            writes=(f"{ctx.home}/.yarnrc", join(base, ".yarnrc.yml")),
            cost=0.1,
        )
    if sub == "set" and words[1:2] == ["version"]:
        return _simple(
            "download",
            "yarn",
            reads=(join(base, "package.json"),),
            writes=(
                join(base, ".yarnrc.yml"),
                join(base, ".yarn/releases"),
                join(base, "package.json"),
            ),
            network=True,
            cost=2.0,
        )
    if sub in ("--version", "-v", "version", "help", "info", "why", "list", "licenses", "bin"):
        return _simple("noop", "yarn")
    if sub not in _YARN_BUILTIN or sub == "run":
        script = words[1] if sub == "run" and len(words) > 1 else sub
        return _build_all(
            "yarn",
            f"yarn {' '.join(words[:2]) if sub == 'run' else sub} runs the "
            f"package.json script {script}: it may read any file",
            (norm(base),),
        )
    return unknown_effect(args, f"`yarn {sub}` is not a yarn command dockerfix knows")


def _yarn_cache(ctx: _Ctx, flavour: str) -> str:
    if flavour == "yarn-classic":
        return ctx.env.get("YARN_CACHE_FOLDER", "/usr/local/share/.cache/yarn")
    return ctx.env.get("YARN_CACHE_FOLDER", ".yarn/cache")


def _yarn_install(ctx: _Ctx, parsed: Args, base: str, specs: list[str]) -> CommandEffect:
    flavour = _yarn_flavour(ctx, base)
    tool = {"yarn-classic": _YARN_CLASSIC, "yarn-berry": _YARN_BERRY}.get(flavour, _YARN_EITHER)
    ignore = (
        parsed.has("--ignore-scripts")
        or parsed.last("--mode") == "skip-build"
        or ctx.env.get("YARN_ENABLE_SCRIPTS", "").lower() in ("false", "0")
        or _truthy(ctx.env.get("YARN_IGNORE_SCRIPTS"))
    )
    acc = _Reads()
    members = _node_project(ctx, acc, tool, base, scripts=not ignore)
    _node_local_specs(acc, specs, "yarn add")
    writes = [join(base, "node_modules"), *(join(m, "node_modules") for m in members)]
    if flavour != "yarn-classic":
        writes += [
            join(base, p)
            for p in (
                ".yarn/cache",
                ".yarn/unplugged",
                ".yarn/install-state.gz",
                ".pnp.cjs",
                ".pnp.loader.mjs",
            )
        ]
    if flavour != "yarn-berry":
        writes.append(_yarn_cache(ctx, "yarn-classic"))
    if specs:
        writes += [join(base, "package.json"), join(base, "yarn.lock")]
    return acc.effect("install", "yarn", writes, network=True, cost=20.0)


_PNPM = _NodeTool(
    "pnpm",
    "pnpm",
    ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs", "patches"),
    _PNPM_SCRIPTS,
    "pnpm install",
)
_PNPM_VALUE = (
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--store-dir",
    "--virtual-store-dir",
    "--reporter",
    "--workspace-dir",
    "--loglevel",
    "--registry",
    "--node-linker",
    "--network-concurrency",
    "--child-concurrency",
    "--modules-dir",
)
_PNPM_QUERY = frozenset(
    {
        "--version",
        "-v",
        "help",
        "list",
        "ls",
        "ll",
        "la",
        "why",
        "outdated",
        "root",
        "bin",
        "licenses",
        "audit",
    }
)
_PNPM_TOOLING = frozenset(
    {
        "install",
        "i",
        "add",
        "fetch",
        "deploy",
        "prune",
        "store",
        "config",
        "env",
        "setup",
        "dlx",
        "exec",
        "create",
        "update",
        "up",
        "remove",
        "rm",
        "link",
        "unlink",
        "import",
        "rebuild",
        "rb",
        "patch",
        "patch-commit",
        "publish",
        "pack",
        "server",
        "self-update",
    }
)


def _pnpm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _PNPM_VALUE)
    base = parsed.last("--dir", "-C") or "."
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    store = parsed.last("--store-dir") or ctx.env.get(
        "npm_config_store_dir", f"{ctx.home}/.local/share/pnpm/store"
    )
    if sub == "fetch":
        acc = _Reads()
        # pnpm fetch ignores package.json: the lockfile alone names what to download.
        acc.add(*(join(base, p) for p in ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc")))
        return acc.effect("download", "pnpm", [store], network=True, cost=15.0)
    if sub in ("install", "i", "add"):
        acc = _Reads()
        ignore = parsed.has("--ignore-scripts") or _truthy(ctx.env.get("npm_config_ignore_scripts"))
        members = _node_project(ctx, acc, _PNPM, base, scripts=not ignore)
        if sub == "add":
            _node_local_specs(acc, words[1:], "pnpm add")
        writes = [join(base, "node_modules"), *(join(m, "node_modules") for m in members), store]
        return acc.effect("install", "pnpm", writes, network=not parsed.has("--offline"), cost=15.0)
    if sub == "store" or sub == "config":
        return _simple(
            "filesystem",
            "pnpm",
            writes=(store if sub == "store" else f"{ctx.home}/.config/pnpm/rc",),
            cost=0.5,
        )
    if sub in _PNPM_QUERY:
        return _simple("noop", "pnpm")
    if sub not in _PNPM_TOOLING or sub in ("run", "deploy", "exec", "dlx", "rebuild", "rb"):
        script = words[1] if sub == "run" and len(words) > 1 else sub
        return _build_all(
            "pnpm",
            f"pnpm {sub} runs the package.json script {script}: it may read any file"
            if sub not in ("deploy", "exec", "dlx", "rebuild", "rb")
            else f"pnpm {sub} works on the project sources",
            (norm(base),),
        )
    return unknown_effect(args, f"`pnpm {sub}` is not a pnpm command dockerfix knows")


_BUN = _NodeTool(
    "bun", "bun", ("bun.lock", "bun.lockb", "bunfig.toml", ".npmrc"), _BUN_SCRIPTS, "bun install"
)


def _bun(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        ("--cwd", "--cache-dir", "--registry", "-c", "--config", "--backend", "--omit", "--filter"),
    )
    base = parsed.last("--cwd") or "."
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    if sub in ("install", "i", "add", "a", "ci"):
        acc = _Reads()
        if parsed.has("-g", "--global"):
            _node_local_specs(acc, words[1:], f"bun {sub}")
            return acc.effect("install", "bun", [f"{ctx.home}/.bun"], network=True, cost=3.0)
        members = _node_project(ctx, acc, _BUN, base, scripts=not parsed.has("--ignore-scripts"))
        _node_local_specs(acc, words[1:], f"bun {sub}")
        cache = parsed.last("--cache-dir") or ctx.env.get(
            "BUN_INSTALL_CACHE_DIR", f"{ctx.home}/.bun/install/cache"
        )
        writes = [join(base, "node_modules"), *(join(m, "node_modules") for m in members), cache]
        return acc.effect("install", "bun", writes, network=True, cost=5.0)
    if sub in ("--version", "-v", "--revision", "pm", "help"):
        return _simple("noop", "bun")
    script = words[1] if sub == "run" and len(words) > 1 else sub
    return _build_all("bun", f"bun {sub} runs {script}: it may read any file", (norm(base),))


def _corepack(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("--install-directory",))
    sub = parsed.positionals[0] if parsed.positionals else ""
    if sub in ("enable", "disable"):
        folder = parsed.last("--install-directory") or "/usr/local/bin"
        return _simple("filesystem", "npm", writes=(folder,), cost=0.1)
    if sub in ("prepare", "install", "use", "up"):
        reads = () if len(parsed.positionals) > 1 else ("package.json",)
        return _simple(
            "download",
            "npm",
            reads=reads,
            writes=(f"{ctx.home}/.cache/node/corepack",),
            network=True,
            cost=2.0,
        )
    return unknown_effect(args, f"`corepack {sub}` is not a corepack command dockerfix knows")


def _npx(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    return _build_all("npm", f"{prog} runs a package binary in the project: it may read any file")


# --- Go and Rust ------------------------------------------------------------------------------


def _go_local_replacements(text: str) -> list[str]:
    """Directories that `replace … => ./dir` directives of a go.mod point at."""
    found = []
    for match in re.finditer(r"=>\s*(\S+)(\s+v\S+)?\s*$", text, re.MULTILINE):
        target = match.group(1)
        if _is_local_path(target):
            found.append(target)
    return found


def _go_module(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "go.mod")
    if path in seen:
        return
    seen.add(path)
    acc.add(path, join(folder, "go.sum"))
    text = ctx.text(path)
    if text is None:
        acc.decline(
            f"{path} is not known: cannot tell whether replace directives point at "
            "local directories"
        )
        return
    for target in _go_local_replacements(text):
        acc.note(f"{path} replaces a module with the local directory {target}")
        _go_module(ctx, acc, join(folder, target), seen)


def _go_manifests(ctx: _Ctx, acc: _Reads, base: str) -> None:
    seen: set[str] = set()
    work = None if ctx.env.get("GOWORK") == "off" else ctx.text(join(base, "go.work"))
    if work is not None:
        acc.add(join(base, "go.work"), join(base, "go.work.sum"))
        for match in re.finditer(r"^\s*(?:use\s+)?(\.{1,2}(?:/[^\s)]*)?)\s*$", work, re.MULTILINE):
            _go_module(ctx, acc, join(base, match.group(1)), seen)
        for target in _go_local_replacements(work):
            _go_module(ctx, acc, join(base, target), seen)
    _go_module(ctx, acc, base, seen)
    if work is None and ctx.env.get("GOWORK") != "off":
        acc.add(join(base, "go.work"), join(base, "go.work.sum"))


def _go(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-C",
            "-o",
            "-ldflags",
            "-gcflags",
            "-tags",
            "-mod",
            "-p",
            "-modfile",
            "-pkgdir",
            "-asmflags",
            "-buildmode",
            "-run",
            "-timeout",
            "-count",
            "-exec",
            "-overlay",
            "-pgo",
        ),
    )
    words = list(parsed.positionals)
    base = parsed.last("-C") or "."
    gopath = ctx.env.get("GOPATH", f"{ctx.home}/go")
    modcache = ctx.env.get("GOMODCACHE", f"{gopath}/pkg/mod")
    gocache = ctx.env.get("GOCACHE", f"{ctx.home}/.cache/go-build")
    if not words:
        return _simple("noop", "go")
    sub = " ".join(words[:2]) if words[0] in ("mod", "work") else words[0]
    if sub in ("mod download", "mod verify", "get"):
        acc = _Reads()
        _go_manifests(ctx, acc, base)
        if sub == "get":
            return acc.effect(
                "install",
                "go",
                [join(base, "go.mod"), join(base, "go.sum"), modcache],
                network=True,
                cost=10.0,
            )
        kind: Kind = "download" if sub == "mod download" else "noop"
        return acc.effect(
            kind,
            "go",
            [modcache] if kind == "download" else [],
            network=kind == "download",
            cost=15.0 if kind == "download" else 1.0,
        )
    if sub == "install" and words[1:] and all("@" in w for w in words[1:]):
        gobin = ctx.env.get("GOBIN", f"{gopath}/bin")
        return _simple("install", "go", writes=(gobin, modcache, gocache), network=True, cost=15.0)
    if sub in (
        "build",
        "install",
        "test",
        "run",
        "generate",
        "vet",
        "mod tidy",
        "mod vendor",
        "list",
        "work sync",
        "work vendor",
    ):
        output = parsed.last("-o")
        writes = [norm(output) if output else norm(base), modcache, gocache]
        if sub == "install":
            writes.append(ctx.env.get("GOBIN", f"{gopath}/bin"))
        return _build_all(
            "go", f"go {sub} reads the Go sources of the packages it loads", writes, cost=20.0
        )
    if sub in ("version", "env", "help", "doc") and "-w" not in args:
        return _simple("noop", "go")
    if sub == "env":
        return _simple("filesystem", "go", writes=(f"{ctx.home}/.config/go/env",), cost=0.1)
    return unknown_effect(args, f"`go {sub}` is not a go command dockerfix knows")


_CARGO_FILES = (
    "Cargo.lock",
    ".cargo/config.toml",
    ".cargo/config",
    "rust-toolchain.toml",
    "rust-toolchain",
)


def _cargo_targets(folder: str, data: Mapping[str, Any]) -> list[str]:
    """The target files cargo needs to exist before it can load a package manifest."""
    lib = _table(data, "lib").get("path")
    bins = [b.get("path") for b in data.get("bin", []) if isinstance(b, dict)]
    explicit = [p for p in [lib, *bins] if isinstance(p, str)]
    build = _table(data, "package").get("build")
    paths = explicit or ["src/main.rs", "src/lib.rs"]
    paths.append(build if isinstance(build, str) else "build.rs")
    return [join(folder, p) for p in paths]


def _cargo_path_deps(data: Mapping[str, Any]) -> list[str]:
    tables = [data.get(k) for k in ("dependencies", "dev-dependencies", "build-dependencies")]
    tables.append(_table(data, "workspace").get("dependencies"))
    tables += [
        t.get(k)
        for t in _table(data, "target").values()
        if isinstance(t, dict)
        for k in ("dependencies", "dev-dependencies", "build-dependencies")
    ]
    tables += list(_table(data, "patch").values())
    return [
        spec["path"]
        for table in tables
        if isinstance(table, dict)
        for spec in table.values()
        if isinstance(spec, dict) and "path" in spec
    ]


def _cargo_manifest(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "Cargo.toml")
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    data = _load_toml(ctx.text(path))
    if data is None:
        acc.decline(f"{path} is not known: cannot tell its workspace members and path dependencies")
        return
    if "package" in data:
        acc.add(*_cargo_targets(folder, data))
    for dep in _cargo_path_deps(data):
        _cargo_manifest(ctx, acc, join(folder, dep), seen)
    workspace = _table(data, "workspace")
    excluded = [join(folder, e) for e in _strings(workspace.get("exclude"))]
    for pattern in _strings(workspace.get("members")):
        found = ctx.expand(join(join(folder, pattern), "Cargo.toml"))
        if found is None:
            acc.add(join(join(folder, pattern), "Cargo.toml"))
            acc.decline(f"cannot list the cargo workspace members {pattern}")
            continue
        for manifest in found:
            member = posixpath.dirname(manifest)
            if not any(_glob_match(e, member) for e in excluded):
                _cargo_manifest(ctx, acc, member, seen)


_CARGO_VALUE = (
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--root",
    "--path",
    "--features",
    "-F",
    "--target",
    "-j",
    "--jobs",
    "--profile",
    "--bin",
    "--example",
    "--target-dir",
    "--manifest-path",
    "--config",
    "-Z",
    "--color",
    "-p",
    "--package",
    "--registry",
    "--index",
    "--message-format",
    "--recipe-path",
    "--bin",
    "--exclude",
    "--lockfile-path",
)


def _cargo(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CARGO_VALUE)
    words = list(parsed.positionals)
    home = ctx.env.get("CARGO_HOME", f"{ctx.home}/.cargo")
    manifest = parsed.last("--manifest-path")
    base = posixpath.dirname(norm(manifest)) if manifest else "."
    target = ctx.env.get("CARGO_TARGET_DIR") or parsed.last("--target-dir") or join(base, "target")
    if not words:
        return _simple("noop", "cargo")
    sub = words[0]
    if sub == "chef":
        return _cargo_chef(parsed, words[1:], home, target)
    if sub in ("fetch", "vendor", "generate-lockfile", "update", "metadata", "tree"):
        acc = _Reads()
        _cargo_manifest(ctx, acc, base, set())
        acc.add(*(join(base, p) for p in _CARGO_FILES))
        acc.note(
            "cargo loads every package's targets with its manifest: src/main.rs or "
            "src/lib.rs must exist (their content is not read)"
        )
        writes = {
            "fetch": [home],
            "vendor": [join(base, words[1] if len(words) > 1 else "vendor"), home],
            "generate-lockfile": [join(base, "Cargo.lock"), home],
            "update": [join(base, "Cargo.lock"), home],
        }.get(sub, [])
        kind: Kind = "filesystem" if writes else "noop"
        if sub in ("fetch", "vendor"):
            kind = "download"
        return acc.effect(kind, "cargo", writes, network=bool(writes), cost=20.0 if writes else 1.0)
    if sub == "install" and not parsed.has("--path") and words[1:]:
        root = parsed.last("--root") or home
        return _simple("install", "cargo", writes=(root, home), network=True, cost=30.0)
    if sub in (
        "build",
        "b",
        "check",
        "c",
        "test",
        "t",
        "run",
        "r",
        "bench",
        "doc",
        "d",
        "clippy",
        "rustc",
        "install",
        "fix",
        "publish",
        "package",
    ):
        return _build_all(
            "cargo", f"cargo {sub} compiles the crate sources", (target, home), cost=60.0
        )
    if sub in ("--version", "-V", "version", "help", "search", "locate-project"):
        return _simple("noop", "cargo")
    return unknown_effect(args, f"`cargo {sub}` is not a cargo command dockerfix knows")


def _cargo_chef(parsed: Args, words: list[str], home: str, target: str) -> CommandEffect:
    recipe = parsed.last("--recipe-path") or "recipe.json"
    if words[:1] == ["cook"]:
        # cook rebuilds a skeleton project from the recipe alone, then compiles dependencies.
        return _simple(
            "build", "cargo", reads=(recipe,), writes=(".", target, home), network=True, cost=60.0
        )
    if words[:1] == ["prepare"]:
        return _build_all(
            "cargo",
            "cargo chef prepare scans the whole project",
            (norm(recipe),),
            cost=1.0,
            network=False,
        )
    return unknown_effect(["cargo", "chef", *words], "this cargo chef command is not known")


def _rustup(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    home = ctx.env.get("RUSTUP_HOME", f"{ctx.home}/.rustup")
    cargo = ctx.env.get("CARGO_HOME", f"{ctx.home}/.cargo")
    reads = ("rust-toolchain.toml", "rust-toolchain") if args[:1] in (["show"], ["install"]) else ()
    return _simple("download", "cargo", reads=reads, writes=(home, cargo), network=True, cost=10.0)


# --- JVM --------------------------------------------------------------------------------------

_MVN_VALUE = (
    "-f",
    "--file",
    "-s",
    "--settings",
    "-gs",
    "--global-settings",
    "-t",
    "--toolchains",
    "-P",
    "--activate-profiles",
    "-pl",
    "--projects",
    "-rf",
    "--resume-from",
    "-T",
    "--threads",
    "-l",
    "--log-file",
    "-D",
    "--define",
    "-b",
    "--builder",
    "-gt",
    "--global-toolchains",
    "--color",
)
_MVN_RESOLVE = re.compile(
    r"(dependency|(org\.apache\.maven\.plugins:)?maven-dependency-plugin(:[^:]+)?)"
    r":(go-offline|resolve|resolve-plugins|sources|resolve-sources)"
    r"|(de\.qaware\.maven:)?go-offline-maven-plugin(:[^:]+)?:resolve-dependencies"
    r"|help:(evaluate|effective-pom|active-profiles|describe)"
)


def _mvn_args(args: list[str]) -> Args:
    # Maven's `-Dx=y`, `-pl a` and `-gs f` are multi-letter single-dash options.
    words: list[str] = []
    for word in args:
        if re.match(r"-D.", word):
            words += ["-D", word[2:]]
        elif re.fullmatch(r"-[a-z]{2,}", word) and word not in _MVN_VALUE:
            words.append("-" + word)  # `-ntp`, `-am`: flags, not bundles
        else:
            words.append(word)
    return parse_args(words, _MVN_VALUE)


def _pom(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell its modules and parent")
        return
    folder = posixpath.dirname(path)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    parent = re.search(r"<parent>(.*?)</parent>", text, re.DOTALL)
    if parent:
        relative = re.search(r"<relativePath\s*>\s*([^<]*?)\s*</relativePath>", parent.group(1))
        empty = re.search(r"<relativePath\s*/>", parent.group(1))
        target = relative.group(1) if relative else ("" if empty else "..")
        if target:
            acc.add(_pom_file(join(folder, target)))
    for module in re.findall(r"<module>\s*([^<]+?)\s*</module>", text):
        _pom(ctx, acc, _pom_file(join(folder, module)), seen)


def _pom_file(path: str) -> str:
    return path if path.endswith(".xml") else join(path, "pom.xml")


def _mvn(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = _mvn_args(args)
    goals = list(parsed.positionals)
    pom = parsed.last("-f", "--file") or "pom.xml"
    pom = _pom_file(pom)
    base = posixpath.dirname(pom)
    props = dict(d.partition("=")[::2] for d in parsed.values("-D", "--define"))
    repo = props.get("maven.repo.local") or f"{ctx.home}/.m2"
    if parsed.has("-v", "--version", "-h", "--help") and not goals:
        return _simple("noop", "maven")
    settings = parsed.values(
        "-s",
        "--settings",
        "-gs",
        "--global-settings",
        "-t",
        "--toolchains",
        "-gt",
        "--global-toolchains",
    )
    wrapper = (join(base, "mvnw"), join(base, ".mvn/wrapper")) if prog.startswith("mvnw") else ()
    if not goals or not all(_MVN_RESOLVE.fullmatch(g) for g in goals):
        phase = next((g for g in goals if not _MVN_RESOLVE.fullmatch(g)), "")
        return _build_all(
            "maven",
            f"mvn {phase} runs the build lifecycle: it reads the sources"
            if phase
            else "mvn without goals runs the project's default goal",
            (norm(base), repo),
            cost=60.0,
        )
    acc = _Reads()
    _pom(ctx, acc, pom, set())
    acc.add(join(base, ".mvn"), *wrapper, *settings)
    return acc.effect(
        "download", "maven", [repo], network=not parsed.has("-o", "--offline"), cost=40.0
    )


_GRADLE_VALUE = (
    "-p",
    "--project-dir",
    "-b",
    "--build-file",
    "-c",
    "--settings-file",
    "-g",
    "--gradle-user-home",
    "-x",
    "--exclude-task",
    "-I",
    "--init-script",
    "--console",
    "--warning-mode",
    "--max-workers",
    "--priority",
    "--project-cache-dir",
    "--include-build",
    "-M",
    "--write-verification-metadata",
    "--dependency-verification",
    "-F",
)
_GRADLE_SAFE_TASKS = frozenset(
    {
        "dependencies",
        "buildEnvironment",
        "help",
        "projects",
        "properties",
        "tasks",
        "javaToolchains",
        "outgoingVariants",
        "dependencyInsight",
        "androidDependencies",
    }
)


def _gradle_args(args: list[str]) -> Args:
    words: list[str] = []
    for word in args:
        if re.match(r"-[DP].", word):
            words += [word[:2], word[2:]]
        else:
            words.append(word)
    return parse_args(words, (*_GRADLE_VALUE, "-D", "-P"))


def _gradle_settings(ctx: _Ctx, acc: _Reads, base: str) -> None:
    for name in ("settings.gradle", "settings.gradle.kts"):
        text = ctx.text(join(base, name))
        if text is None:
            continue
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
        if re.search(
            r"projectDir\s*=|\beachDir\b|listFiles\(|\.forEach\b|\.each\b|\bfor\s*\(", code
        ):
            acc.decline(
                f"{join(base, name)} computes its project layout: the subprojects "
                "cannot be listed statically"
            )
        for statement in re.finditer(
            r"\b(include|includeFlat|includeBuild)\b\s*\(?([^\n)]*)", code
        ):
            for project in re.findall(r"[\"']([^\"']+)[\"']", statement.group(2)):
                _gradle_project(acc, base, statement.group(1), project)


def _gradle_project(acc: _Reads, base: str, how: str, project: str) -> None:
    if how == "includeBuild":
        acc.add(join(base, project))
        return
    folder = project.strip(":").replace(":", "/")
    folder = join("..", folder) if how == "includeFlat" else folder
    acc.add(
        *(
            join(join(base, folder), f)
            for f in ("build.gradle", "build.gradle.kts", "gradle.properties")
        )
    )


def _gradle(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = _gradle_args(args)
    base = parsed.last("-p", "--project-dir") or "."
    tasks = [t.rsplit(":", 1)[-1] for t in parsed.positionals]
    home = (
        parsed.last("-g", "--gradle-user-home")
        or ctx.env.get("GRADLE_USER_HOME")
        or f"{ctx.home}/.gradle"
    )
    writes = [home, join(base, ".gradle")]
    if parsed.has("-v", "--version", "-h", "--help", "-?") and not tasks:
        return _simple("noop", "gradle")
    dry_run = parsed.has("-m", "--dry-run")
    if tasks and not dry_run and not all(t in _GRADLE_SAFE_TASKS for t in tasks):
        task = next(t for t in parsed.positionals if t.rsplit(":", 1)[-1] not in _GRADLE_SAFE_TASKS)
        return _build_all(
            "gradle",
            f"gradle {task} compiles and packages the sources",
            (norm(base), *writes),
            cost=60.0,
        )
    acc = _Reads()
    acc.add(
        *(
            join(base, f)
            for f in (
                "settings.gradle",
                "settings.gradle.kts",
                "build.gradle",
                "build.gradle.kts",
                "gradle.properties",
                "gradle",
                "buildSrc",
            )
        )
    )
    if prog.startswith("gradlew"):
        acc.add(join(base, "gradlew"))
    acc.add(*parsed.values("-b", "--build-file", "-c", "--settings-file", "-I", "--init-script"))
    _gradle_settings(ctx, acc, base)
    for name in ("build.gradle", "build.gradle.kts"):
        for script in re.findall(
            r"apply\s*\(?\s*from\s*[:=]\s*[\"']([^\"']+)[\"']", ctx.text(join(base, name)) or ""
        ):
            if "://" not in script:
                acc.add(join(base, script))
    return acc.effect("download", "gradle", writes, network=not parsed.has("--offline"), cost=40.0)


_SBT_SAFE = frozenset(
    {
        "update",
        "updateClassifiers",
        "updateSbtClassifiers",
        "about",
        "sbtVersion",
        "projects",
        "exit",
        "reload",
        "evicted",
    }
)


def _sbt(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        [a for a in args if not re.match(r"-[DJX]", a)],
        (
            "-mem",
            "-sbt-version",
            "-java-home",
            "-sbt-dir",
            "-ivy",
            "--sbt-dir",
            "-jvm-debug",
            "--mem",
            "-sbt-jar",
        ),
    )
    commands = [c.strip() for word in parsed.positionals for c in word.split(";") if c.strip()]
    writes = [
        f"{ctx.home}/.ivy2",
        f"{ctx.home}/.sbt",
        f"{ctx.home}/.cache/coursier",
        "target",
        "project/target",
        "project/project",
    ]
    if not commands:
        return unknown_effect(args, "sbt without commands starts an interactive shell")
    names = [re.split(r"[/:]", c.split()[0])[-1] for c in commands]
    if not all(n in _SBT_SAFE for n in names):
        bad = next(c for c, n in zip(commands, names, strict=True) if n not in _SBT_SAFE)
        return _build_all("sbt", f"sbt {bad} compiles the sources", (".", *writes), cost=60.0)
    acc = _Reads()
    acc.add("build.sbt", "*.sbt", "project", ".sbtopts", ".jvmopts")
    text = ctx.text("build.sbt") or ""
    for folder in re.findall(r"\bfile\(\s*\"([^\"]+)\"\s*\)", text):
        if norm(folder).startswith(".."):
            acc.decline(f"build.sbt refers to a project outside the build directory: {folder}")
        acc.add(join(folder, "*.sbt"))
    return acc.effect("download", "sbt", writes, network=True, cost=60.0)


# --- Ruby, PHP, Elixir ------------------------------------------------------------------------


def _gemfile(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell whether it loads a gemspec or local gems")
        return
    folder = posixpath.dirname(path)
    for raw in text.splitlines():
        line = re.sub(r"#.*", "", raw).strip()
        if re.match(r"gemspec\b", line):
            acc.add(join(folder, "*.gemspec"))
            acc.decline(
                f"{path} has a gemspec line: bundler loads the *.gemspec, which usually "
                "reads lib/…/version.rb and lists files with git ls-files"
            )
        elif re.search(r"(\bpath:|:path\s*=>)|^path\b", line):
            acc.decline(
                f"{path} installs a gem from a local path ({line}): bundler reads its files"
            )
        match = re.match(r"eval_gemfile\s*\(?\s*[\"']([^\"']+)[\"']", line)
        if match:
            _gemfile(ctx, acc, join(folder, match.group(1)), seen)


def _bundle(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-j",
            "--jobs",
            "--retry",
            "--path",
            "--gemfile",
            "--without",
            "--with",
            "--binstubs",
            "--standalone",
            "--shebang",
            "--trust-policy",
            "--target-rbconfig",
        ),
    )
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    gem_home = ctx.env.get("BUNDLE_PATH") or ctx.env.get("GEM_HOME") or "/usr/local/bundle"
    app_config = ctx.env.get("BUNDLE_APP_CONFIG", ".bundle")
    if sub in ("install", "i", "update", "lock", "check", "cache", "package"):
        return _bundle_install(ctx, parsed, sub, gem_home, app_config)
    if sub == "config":
        local = parsed.has("--local") or not parsed.has("--global")
        where = join(app_config, "config") if local else f"{ctx.home}/.bundle/config"
        return _simple("filesystem", "bundler", writes=(where,), cost=0.1)
    if sub in ("exec", "binstubs", "exe"):
        return _build_all("bundler", f"bundle {sub} runs a program of the project")
    if sub in (
        "--version",
        "-v",
        "version",
        "help",
        "list",
        "info",
        "show",
        "outdated",
        "platform",
        "env",
        "doctor",
    ):
        return _simple("noop", "bundler")
    return unknown_effect(args, f"`bundle {sub}` is not a bundler command dockerfix knows")


def _bundle_install(
    ctx: _Ctx, parsed: Args, sub: str, gem_home: str, app_config: str
) -> CommandEffect:
    gemfile = parsed.last("--gemfile") or ctx.env.get("BUNDLE_GEMFILE") or "Gemfile"
    lock = "gems.locked" if gemfile.endswith("gems.rb") else f"{gemfile}.lock"
    acc = _Reads()
    _gemfile(ctx, acc, norm(gemfile), set())
    acc.add(lock, join(app_config, "config"))
    deployment = parsed.has("--deployment") or _truthy(ctx.env.get("BUNDLE_DEPLOYMENT"))
    target = parsed.last("--path") or ("vendor/bundle" if deployment else gem_home)
    writes = [target]
    if sub in ("update", "lock") or (
        sub == "install"
        and not parsed.has("--frozen", "--deployment")
        and not _truthy(ctx.env.get("BUNDLE_FROZEN"))
    ):
        writes.append(norm(lock))
    if sub in ("cache", "package"):
        writes.append("vendor/cache")
    # Bundler remembers these options by writing them to the app config.
    if parsed.has(
        "--path", "--deployment", "--without", "--with", "--frozen", "--binstubs", "--system"
    ):
        writes.append(join(app_config, "config"))
    kind: Kind = "noop" if sub == "check" else "install"
    return acc.effect(
        kind,
        "bundler",
        [] if kind == "noop" else writes,
        network=kind != "noop",
        cost=30.0 if kind == "install" else 1.0,
    )


def _gem(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-v",
            "--version",
            "-i",
            "--install-dir",
            "-n",
            "--bindir",
            "--source",
            "-s",
            "--platform",
            "-g",
            "--file",
            "--document",
        ),
    )
    words = list(parsed.positionals)
    sub = words[0] if words else ""
    gem_home = parsed.last("-i", "--install-dir") or ctx.env.get("GEM_HOME") or "/usr/local/bundle"
    if sub in ("install", "i", "update"):
        reads = [w for w in words[1:] if w.endswith(".gem")]
        reads += parsed.values("-g", "--file")
        writes = list(SYSTEM_WRITES) if parsed.has("--system") else [gem_home, "/usr/local/bin"]
        return _simple("install", "bundler", reads=reads, writes=writes, network=True, cost=10.0)
    if sub in ("uninstall", "cleanup"):
        return _simple("install", "bundler", writes=(gem_home,), cost=1.0)
    if sub == "sources":
        return _simple("filesystem", "bundler", writes=(f"{ctx.home}/.gemrc",), cost=0.1)
    if sub in ("list", "env", "help", "search", "which", "contents", "specification", "query") or (
        parsed.has("-v", "--version") and not words
    ):
        return _simple("noop", "bundler")
    return unknown_effect(args, f"`gem {sub}` is not a gem command dockerfix knows")


_COMPOSER_INSTALL_EVENTS = (
    "pre-install-cmd",
    "post-install-cmd",
    "pre-autoload-dump",
    "post-autoload-dump",
    "pre-package-install",
    "post-package-install",
    "pre-operations-exec",
    "pre-pool-create",
)
_COMPOSER_UPDATE_EVENTS = (
    "pre-update-cmd",
    "post-update-cmd",
    "pre-package-update",
    "post-package-update",
    "pre-dependencies-solving",
    "post-dependencies-solving",
)


def _composer_checks(
    acc: _Reads, data: Mapping[str, Any], parsed: Args, sub: str, path: str
) -> None:
    if not parsed.has("--no-scripts"):
        events = _COMPOSER_INSTALL_EVENTS + (_COMPOSER_UPDATE_EVENTS if sub != "install" else ())
        for event in events:
            if event in _table(data, "scripts"):
                acc.decline(
                    f"{path} has a {event} script: composer {sub} runs it and it may read any file"
                )
    if not parsed.has("--no-autoloader"):
        sections = ["autoload"] + ([] if parsed.has("--no-dev") else ["autoload-dev"])
        paths = [
            p
            for s in sections
            for kind in _table(data, s).values()
            for p in (kind.values() if isinstance(kind, dict) else _strings(kind))
            if isinstance(p, str)
        ]
        if paths:
            acc.decline(
                f"composer {sub} generates the autoloader from {', '.join(paths)}: it "
                "reads them (use --no-autoloader, then dump-autoload)"
            )
    repos = data.get("repositories")
    for repo in repos.values() if isinstance(repos, dict) else repos or []:
        if isinstance(repo, dict) and repo.get("type") == "path":
            acc.decline(f"{path} has a path repository {repo.get('url')}: composer reads it")


def _composer(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args, ("-d", "--working-dir", "--ignore-platform-req", "--prefer-install", "--audit-format")
    )
    words = list(parsed.positionals)
    sub = (
        {
            "i": "install",
            "u": "update",
            "upgrade": "update",
            "r": "require",
            "dumpautoload": "dump-autoload",
        }.get(words[0], words[0])
        if words
        else "list"
    )
    base = parsed.last("-d", "--working-dir") or "."
    home = ctx.env.get("COMPOSER_HOME", f"{ctx.home}/.composer")
    if words[:1] == ["global"]:
        return _simple("install", "composer", writes=(home,), network=True, cost=5.0)
    if sub in ("install", "update", "require", "remove"):
        name = ctx.env.get("COMPOSER", "composer.json")
        path = join(base, name)
        acc = _Reads()
        acc.add(
            path,
            join(base, name[:-5] + ".lock" if name.endswith(".json") else name + ".lock"),
            join(base, "auth.json"),
        )
        data = _load_json(ctx.text(path))
        if data is None:
            acc.decline(f"{path} is not known: cannot tell its scripts and autoload paths")
            data = {}
        _composer_checks(acc, data, parsed, sub, path)
        vendor = _table(data, "config").get("vendor-dir", "vendor")
        writes = [join(base, str(vendor)), home]
        if sub != "install":
            writes += [path, join(base, "composer.lock")]
        return acc.effect("install", "composer", writes, network=True, cost=20.0)
    if sub in ("dump-autoload", "run-script", "run", "exec", "create-project"):
        return _build_all(
            "composer",
            f"composer {sub} reads the project sources",
            (join(base, "vendor"),),
            cost=2.0,
            network=False,
        )
    if sub == "config":
        where = (
            f"{home}/config.json" if parsed.has("-g", "--global") else join(base, "composer.json")
        )
        return _simple("filesystem", "composer", writes=(where,), cost=0.1)
    if sub in ("clear-cache", "clearcache", "cc"):
        return _simple("filesystem", "composer", writes=(home,), cost=0.1)
    if sub in (
        "--version",
        "-V",
        "list",
        "diagnose",
        "validate",
        "show",
        "outdated",
        "check-platform-reqs",
        "licenses",
        "about",
        "help",
    ):
        return _simple("noop", "composer")
    return unknown_effect(args, f"`composer {sub}` is not a composer command dockerfix knows")


def _mix_project(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "mix.exs")
    if path in seen:
        return
    seen.add(path)
    acc.add(path, join(folder, "mix.lock"), join(folder, "config"))
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell its path dependencies and umbrella apps")
        return
    for dep in re.findall(r"\bpath:\s*\"([^\"]+)\"", text):
        acc.decline(f"{path} has a path dependency {dep}: mix reads that project")
    apps = re.search(r"apps_path:\s*\"([^\"]+)\"", text)
    if apps:
        found = ctx.expand(join(join(folder, apps.group(1)), "*/mix.exs"))
        if found is None:
            acc.add(join(join(folder, apps.group(1)), "*/mix.exs"))
            acc.decline(f"cannot list the umbrella apps under {apps.group(1)}")
        for manifest in found or ():
            acc.add(manifest, join(posixpath.dirname(manifest), "config"))


def _mix(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    words = list(args)
    if words[:1] == ["do"]:
        steps = [s.strip().split() for s in re.split(r"[,+]", " ".join(words[1:])) if s.strip()]
        return _merge([_mix(ctx, prog, step) for step in steps], "mix")
    sub = words[0] if words else "run"
    home = ctx.env.get("MIX_HOME", f"{ctx.home}/.mix")
    hex_home = ctx.env.get("HEX_HOME", f"{ctx.home}/.hex")
    build = ctx.env.get("MIX_BUILD_PATH", "_build")
    if sub in ("local.hex", "local.rebar", "archive.install"):
        return _simple("install", "mix", writes=(home, hex_home), network=True, cost=2.0)
    if sub in ("deps.get", "deps.compile", "deps.update", "deps.unlock"):
        acc = _Reads()
        _mix_project(ctx, acc, ".", set())
        acc.note("mix loads config/ before every task")
        writes = {
            "deps.get": ["deps", hex_home],
            "deps.compile": [build],
            "deps.update": ["deps", "mix.lock", hex_home],
            "deps.unlock": ["mix.lock"],
        }[sub]
        kind: Kind = "build" if sub == "deps.compile" else "install"
        return acc.effect(
            kind,
            "mix",
            writes,
            network=sub != "deps.compile",
            cost=30.0 if kind == "build" else 15.0,
        )
    if sub in ("--version", "-v", "help", "hex.info"):
        return _simple("noop", "mix")
    return _build_all("mix", f"mix {sub} compiles the project sources", (".", build), cost=30.0)


# --- .NET, Swift, Dart, Haskell, R ------------------------------------------------------------

_DOTNET_PROJECTS = ("*.sln", "*.slnx", "*.csproj", "*.fsproj", "*.vbproj")
_DOTNET_SHARED = (
    "global.json",
    "NuGet.config",
    "nuget.config",
    "NuGet.Config",
    "Directory.Build.props",
    "Directory.Build.targets",
    "Directory.Packages.props",
)


def _dotnet_references(path: str, text: str) -> list[str]:
    folder = posixpath.dirname(path)
    if path.endswith((".sln", ".slnx", ".slnf")):
        found = re.findall(r"Project\([^)]*\)\s*=\s*\"[^\"]*\",\s*\"([^\"]+proj)\"", text)
        found += re.findall(r"<Project\s+Path=\"([^\"]+proj)\"", text)
        found += re.findall(r"\"([^\"]+proj)\"", text) if path.endswith(".slnf") else []
    else:
        found = re.findall(
            r"<(?:ProjectReference|Import)\s+(?:Include|Project)=\"([^\"$]+)\"", text
        )
    return [join(folder, f.replace("\\", "/")) for f in found]


def _dotnet_project(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    folder = posixpath.dirname(path)
    acc.add(
        join(folder, "packages.lock.json"),
        *(join(folder, f) for f in _DOTNET_SHARED[4:] if folder not in ("", ".")),
    )
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell which projects it references")
        return
    for reference in _dotnet_references(path, text):
        _dotnet_project(ctx, acc, reference, seen)


def _dotnet(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    words = [w for w in args if not re.match(r"[-/]p:", w)]
    parsed = parse_args(
        words,
        (
            "-s",
            "--source",
            "--packages",
            "--configfile",
            "-r",
            "--runtime",
            "-v",
            "--verbosity",
            "-c",
            "--configuration",
            "-o",
            "--output",
            "-f",
            "--framework",
            "-a",
            "--arch",
            "--os",
            "--tool-path",
            "--version",
            "--lock-file-path",
        ),
    )
    positional = list(parsed.positionals)
    sub = positional[0] if positional else ""
    packages = parsed.last("--packages") or ctx.env.get(
        "NUGET_PACKAGES", f"{ctx.home}/.nuget/packages"
    )
    if sub == "restore":
        return _dotnet_restore(ctx, parsed, positional[1:], packages)
    if sub in ("build", "publish", "test", "run", "pack", "msbuild", "format"):
        output = parsed.last("-o", "--output")
        return _build_all(
            "dotnet",
            f"dotnet {sub} compiles the project sources",
            (".", *((norm(output),) if output else ()), packages),
            cost=40.0,
        )
    if sub == "tool" and positional[1:2] == ["restore"]:
        return _simple(
            "install",
            "dotnet",
            reads=(".config/dotnet-tools.json",),
            writes=(packages,),
            network=True,
            cost=5.0,
        )
    if sub == "tool" and positional[1:2] in (["install"], ["update"]):
        where = parsed.last("--tool-path") or f"{ctx.home}/.dotnet/tools"
        return _simple("install", "dotnet", writes=(where, packages), network=True, cost=5.0)
    if parsed.has("--info", "--version", "--list-sdks", "--list-runtimes") or sub in (
        "help",
        "--info",
    ):
        return _simple("noop", "dotnet")
    return unknown_effect(args, f"`dotnet {sub}` is not a dotnet command dockerfix knows")


def _dotnet_restore(ctx: _Ctx, parsed: Args, targets: list[str], packages: str) -> CommandEffect:
    acc = _Reads()
    acc.add(*_DOTNET_SHARED, *parsed.values("--configfile"))
    seen: set[str] = set()
    if targets:
        projects = [norm(t) for t in targets]
    else:
        listed = [ctx.expand(p) for p in _DOTNET_PROJECTS]
        if any(found is None for found in listed):
            acc.add(*_DOTNET_PROJECTS)
            acc.decline(
                "dotnet restore picks the project or solution file of the directory: "
                "they cannot be listed, so their references are unknown"
            )
            projects = []
        else:
            projects = [p for found in listed for p in found or ()]
            # Without an argument dotnet uses the solution if there is one.
            solutions = [p for p in projects if p.endswith((".sln", ".slnx"))]
            projects = solutions or projects
    for project in projects:
        _dotnet_project(ctx, acc, project, seen)
    writes = [
        packages,
        *(join(posixpath.dirname(p), "obj") for p in sorted(seen) if p.endswith("proj")),
    ]
    return acc.effect("install", "dotnet", writes, network=True, cost=20.0)


def _swift(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--package-path",
            "--scratch-path",
            "-c",
            "--configuration",
            "--build-path",
            "-Xswiftc",
            "-Xlinker",
            "--product",
            "--target",
        ),
    )
    words = list(parsed.positionals)
    base = parsed.last("--package-path") or "."
    scratch = parsed.last("--scratch-path", "--build-path") or join(base, ".build")
    if words[:1] == ["package"] and words[1:2] in (["resolve"], ["fetch"], ["update"]):
        acc = _Reads()
        manifest = join(base, "Package.swift")
        acc.add(manifest, join(base, "Package.resolved"), join(base, "Package@swift-*.swift"))
        text = ctx.text(manifest)
        if text is None:
            acc.decline(f"{manifest} is not known: cannot tell whether it has local packages")
        else:
            for path in re.findall(
                r"\.package\(\s*(?:name:\s*\"[^\"]*\",\s*)?path:\s*\"([^\"]+)\"", text
            ):
                acc.decline(f"{manifest} has a local package {path}: swift reads it")
        writes = [scratch] + ([join(base, "Package.resolved")] if words[1] == "update" else [])
        return acc.effect("download", "swift", writes, network=True, cost=20.0)
    if words[:1] in (["build"], ["test"], ["run"]) or words[:1] == ["package"]:
        return _build_all(
            "swift",
            f"swift {' '.join(words[:2])} compiles the package sources",
            (scratch,),
            cost=60.0,
        )
    if parsed.has("--version") or words[:1] == ["--version"]:
        return _simple("noop", "swift")
    return unknown_effect(
        args, f"`swift {' '.join(words[:2])}` is not a swift command dockerfix knows"
    )


def _pubspec_paths(text: str) -> tuple[list[str], list[str]]:
    """Local `path:` dependencies and `workspace:` members of a pubspec.yaml (line logic)."""
    paths = [
        m.strip().strip("'\"") for m in re.findall(r"^\s+path:\s*(.+?)\s*$", text, re.MULTILINE)
    ]
    members: list[str] = []
    block = re.search(r"^workspace:\s*\n((?:[ \t]+-.*\n?)+)", text, re.MULTILINE)
    if block:
        members = [m.strip().strip("'\"") for m in re.findall(r"-\s*(.+)", block.group(1))]
    return paths, members


def _pub_project(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "pubspec.yaml")
    if path in seen:
        return
    seen.add(path)
    acc.add(path, join(folder, "pubspec.lock"), join(folder, "pubspec_overrides.yaml"))
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell its path dependencies")
        return
    paths, members = _pubspec_paths(text)
    for dep in paths:
        acc.note(f"{path} has a path dependency {dep}: pub reads its pubspec.yaml")
        _pub_project(ctx, acc, join(folder, dep), seen)
    for member in members:
        _pub_project(ctx, acc, join(folder, member), seen)


def _dart(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-C", "--directory", "-t", "--target", "-o", "--output"))
    words = list(parsed.positionals)
    if prog == "pub":
        words = ["pub", *words]
    base = parsed.last("-C", "--directory") or "."
    cache = ctx.env.get("PUB_CACHE", f"{ctx.home}/.pub-cache")
    if words[:1] == ["pub"] and words[1:2] in (["get"], ["upgrade"], ["downgrade"]):
        if prog == "flutter":
            return _build_all(
                "dart",
                "flutter pub get also regenerates plugin files in the "
                "platform folders (android/, ios/ …): it may read any file",
                (join(base, ".dart_tool"), cache),
                cost=15.0,
            )
        acc = _Reads()
        _pub_project(ctx, acc, base, set())
        writes = [join(base, ".dart_tool"), cache]
        if words[1] != "get":
            writes.append(join(base, "pubspec.lock"))
        return acc.effect("install", "dart", writes, network=not parsed.has("--offline"), cost=15.0)
    if parsed.has("--version") or words[:1] in (["--version"], ["doctor"], ["config"]):
        return _simple("noop", "dart")
    return _build_all(
        "dart",
        f"{prog} {' '.join(words[:2])} works on the project sources",
        (".", cache),
        cost=30.0,
    )


def _cabal_packages(ctx: _Ctx, acc: _Reads, project: str) -> list[str]:
    text = ctx.text(project)
    if text is None:
        return ["."]
    block = re.search(r"^packages:\s*(.*(?:\n[ \t]+.*)*)", text, re.MULTILINE)
    if not block:
        return ["."]
    return [p.rstrip("/") for p in block.group(1).split()]


def _cabal(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--project-file",
            "-j",
            "--jobs",
            "--ghc-options",
            "--constraint",
            "-f",
            "--flags",
            "--builddir",
            "--index-state",
            "-w",
            "--with-compiler",
            "--installdir",
            "--install-method",
        ),
    )
    words = list(parsed.positionals)
    sub = (words[0] if words else "").removeprefix("v2-").removeprefix("new-")
    project = parsed.last("--project-file") or "cabal.project"
    homes = [
        f"{ctx.home}/.cabal",
        f"{ctx.home}/.cache/cabal",
        f"{ctx.home}/.local/state/cabal",
        f"{ctx.home}/.config/cabal",
    ]
    project_files = (project, f"{project}.local", f"{project}.freeze")
    if sub == "update":
        return _simple(
            "download", "cabal", reads=project_files, writes=homes, network=True, cost=10.0
        )
    only_deps = parsed.has("--only-dependencies", "--dependencies-only", "--only-deps")
    if sub in ("build", "install", "configure") and only_deps:
        acc = _Reads()
        acc.add(*project_files)
        for package in _cabal_packages(ctx, acc, project):
            acc.add(package if package.endswith(".cabal") else join(package, "*.cabal"))
        builddir = parsed.last("--builddir") or "dist-newstyle"
        return acc.effect("build", "cabal", [builddir, *homes], network=True, cost=60.0)
    if sub in ("build", "install", "run", "test", "bench", "configure", "haddock", "exec"):
        return _build_all(
            "cabal", f"cabal {sub} compiles the project sources", (".", *homes), cost=60.0
        )
    if sub in ("--version", "list", "info", "help", "outdated") or parsed.has("--version"):
        return _simple("noop", "cabal")
    return unknown_effect(args, f"`cabal {sub}` is not a cabal command dockerfix knows")


def _stack_packages(acc: _Reads, path: str, text: str) -> list[str]:
    packages: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = re.sub(r"\s#.*", "", raw).rstrip()
        if re.match(r"[A-Za-z-]+\s*:", line):
            section = line.split(":", 1)[0].strip()
            continue
        item = re.match(r"\s*-\s*(.+)", line)
        if not item:
            continue
        value = item.group(1).strip().strip("'\"")
        if section == "packages":
            packages.append(value)
        elif section == "extra-deps" and _is_local_path(value):
            acc.decline(f"{path} has a local extra-dep {value}: stack builds it")
    return packages or ["."]


def _stack(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--stack-yaml",
            "--resolver",
            "--snapshot",
            "--ghc-options",
            "--flag",
            "-j",
            "--jobs",
            "--stack-root",
            "--work-dir",
            "--local-bin-path",
            "--arch",
        ),
    )
    words = list(parsed.positionals)
    sub = words[0] if words else ""
    config = parsed.last("--stack-yaml") or ctx.env.get("STACK_YAML", "stack.yaml")
    root = parsed.last("--stack-root") or ctx.env.get("STACK_ROOT", f"{ctx.home}/.stack")
    if sub == "setup":
        return _simple(
            "download", "stack", reads=(config,), writes=(root,), network=True, cost=30.0
        )
    only_deps = parsed.has("--only-dependencies", "--dependencies-only", "--only-snapshot")
    if sub in ("build", "install", "test") and only_deps:
        acc = _Reads()
        acc.add(config, f"{config}.lock")
        text = ctx.text(config)
        if text is None:
            acc.decline(f"{config} is not known: cannot tell its packages")
            packages = ["."]
        else:
            packages = _stack_packages(acc, config, text)
        for package in packages:
            acc.add(join(package, "package.yaml"), join(package, "*.cabal"))
        # hpack turns each package.yaml into a .cabal file next to it.
        writes = [root, ".stack-work", *(join(p, "*.cabal") for p in packages)]
        return acc.effect("build", "stack", writes, network=True, cost=60.0)
    if sub in ("build", "install", "test", "bench", "exec", "run", "haddock"):
        return _build_all(
            "stack", f"stack {sub} compiles the project sources", (".", root), cost=60.0
        )
    if sub in ("--version", "path", "ls", "query", "ghc") or parsed.has("--version"):
        return _simple("noop", "stack")
    return unknown_effect(args, f"`stack {sub}` is not a stack command dockerfix knows")


_R_NEUTRAL = re.compile(
    r"(library|require|requireNamespace|options|Sys\.setenv|"
    r"renv::consent|message|print|cat|invisible)\s*\("
)
_R_REMOTE_INSTALL = re.compile(
    r"(install\.packages|(remotes|devtools)::install_(github|cran|version|bioc|url|git|gitlab|"
    r"bitbucket)|BiocManager::install|pak::(pkg_install|pak)|renv::install)\s*\("
)


def _r_expressions(args: list[str]) -> tuple[list[str], bool, bool]:
    """The `-e` expressions of an R/Rscript call, whether a profile is read, whether a file runs."""
    exprs: list[str] = []
    vanilla = False
    script = False
    i = 0
    while i < len(args):
        word = args[i]
        if word == "-e" and i + 1 < len(args):
            exprs.append(args[i + 1])
            i += 1
        elif word in ("--vanilla", "--no-init-file"):
            vanilla = True
        elif not word.startswith("-"):
            script = True
        i += 1
    return exprs, not vanilla, script


def _r_statements(exprs: list[str]) -> list[str]:
    statements: list[str] = []
    for expr in exprs:
        statements += [s.strip() for s in re.split(r"[;\n]", expr) if s.strip()]
    return statements


def _r_statement(acc: _Reads, statement: str, writes: list[str], library: str) -> bool:
    """Record one R statement; False when it is not one dockerfix knows."""
    restore = re.match(r"renv::restore\s*\((.*)\)", statement)
    if restore:
        lockfile = re.search(r"lockfile\s*=\s*[\"']([^\"']+)[\"']", restore.group(1))
        acc.add(
            lockfile.group(1) if lockfile else "renv.lock",
            "renv/activate.R",
            "renv/settings.json",
            "renv/settings.dcf",
        )
        writes += ["renv/library", "renv/staging"]
        return True
    if re.match(r"(remotes|devtools|pak)::(install_deps|local_install_deps)\s*\(", statement):
        acc.add("DESCRIPTION")
        writes.append(library)
        return True
    if re.match(r"(devtools::install|remotes::install_local|pak::local_install)\s*\(", statement):
        acc.decline(f"{statement} installs the local package: it may read any file")
        return True
    if _R_REMOTE_INSTALL.match(statement):
        writes.append(library)
        return True
    return bool(_R_NEUTRAL.match(statement))


def _r_profile(acc: _Reads, text: str | None) -> None:
    """R runs .Rprofile at startup: files it sources are read too."""
    for path in re.findall(r"source\(\s*[\"']([^\"']+)[\"']", text or ""):
        if path != "renv/activate.R":
            acc.decline(f".Rprofile sources {path} at startup: R runs it and it may read any file")


def _rscript(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    exprs, profile, script = _r_expressions(args)
    if script or not exprs:
        return unknown_effect(args, f"{prog} runs an R program that may read any file")
    library = ctx.env.get("R_LIBS_SITE") or ctx.env.get("R_LIBS") or "/usr/local/lib/R/site-library"
    acc = _Reads()
    if profile:
        acc.add(".Rprofile")
    writes: list[str] = [ctx.env.get("RENV_PATHS_CACHE", f"{ctx.home}/.cache/R")]
    for statement in _r_statements(exprs):
        if not _r_statement(acc, statement, writes, library):
            return unknown_effect(args, f"`{statement}` is R code dockerfix cannot follow")
    renv = any(p.startswith("renv") for p in acc.paths)
    if profile:
        _r_profile(acc, ctx.text(".Rprofile"))
    if profile and renv:
        acc.note(".Rprofile activates renv through renv/activate.R")
    return acc.effect("install", "renv" if renv else "r", writes, network=True, cost=60.0)


def _install2r(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-n",
            "--ncpus",
            "-r",
            "--repos",
            "-l",
            "--libloc",
            "-d",
            "--deps",
            "-t",
            "--type",
            "-m",
            "--method",
        ),
    )
    library = parsed.last("-l", "--libloc") or "/usr/local/lib/R/site-library"
    acc = _Reads()
    for package in parsed.positionals:
        if _is_local_path(package):
            acc.decline(f"{prog} {package} installs a local package: it may read any file")
    return acc.effect("install", "r", [library], network=True, cost=30.0)


# --- dispatch ---------------------------------------------------------------------------------


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


_NOOPS = (
    "true",
    "false",
    ":",
    "echo",
    "printf",
    "cd",
    "pwd",
    "exit",
    "set",
    "export",
    "unset",
    "sleep",
    "which",
    "type",
    "hash",
    "wait",
    "readonly",
    "local",
    "shopt",
    "umask",
    "ulimit",
    "trap",
    "id",
    "whoami",
    "uname",
    "nproc",
    "date",
    "return",
    "shift",
    "getent",
    "hostname",
    "arch",
    "df",
    "free",
)

# Commands whose output depends on which files exist (or on their metadata).
_INSPECTS = ("test", "[", "[[", "ls", "stat", "file", "du", "tree", "readlink", "realpath")

_HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(_NOOPS, _noop),
    **dict.fromkeys(_INSPECTS, _inspects_paths),
    **dict.fromkeys(
        (
            "cat",
            "head",
            "tail",
            "wc",
            "grep",
            "egrep",
            "fgrep",
            "sha256sum",
            "md5sum",
            "sha1sum",
            "sha512sum",
        ),
        _reads_operands,
    ),
    **dict.fromkeys(("apt-get", "apt", "aptitude"), _apt),
    "dpkg": _dpkg,
    "apk": _apk,
    **dict.fromkeys(("dnf", "dnf5", "yum", "microdnf", "tdnf"), _dnf),
    "zypper": _zypper,
    **dict.fromkeys(
        ("ldconfig", "update-ca-certificates", "locale-gen", "update-locale"), _system_tool
    ),
    "rm": _rm,
    "rmdir": _rm,
    "mkdir": _mkdir,
    "touch": _touch,
    "chmod": _chmod,
    "chown": _chown,
    "chgrp": _chown,
    **dict.fromkeys(
        (
            "useradd",
            "adduser",
            "groupadd",
            "addgroup",
            "usermod",
            "groupmod",
            "userdel",
            "groupdel",
            "deluser",
            "delgroup",
        ),
        _useradd,
    ),
    "ln": _ln,
    "cp": _copy_like,
    "mv": _copy_like,
    "install": _copy_like,
    "sed": _sed,
    "tar": _tar,
    "unzip": _unzip,
    "git": _git,
    "curl": _curl,
    "wget": _wget,
    **dict.fromkeys(
        (
            "make",
            "gmake",
            "cmake",
            "ninja",
            "meson",
            "configure",
            "scons",
            "autoreconf",
            "bazel",
            "gcc",
            "g++",
            "cc",
            "c++",
            "clang",
            "clang++",
        ),
        _native_build,
    ),
    "pip": _pip,
    "python": _python,
    "pip-sync": _pip_sync,
    "pip-compile": _pip_compile,
    "pipenv": _pipenv,
    "poetry": _poetry,
    "uv": _uv,
    "pdm": _pdm,
    **dict.fromkeys(("conda", "mamba", "micromamba"), _conda),
    "npm": _npm,
    "npx": _npx,
    "yarn": _yarn,
    "pnpm": _pnpm,
    "bun": _bun,
    "bunx": _npx,
    "corepack": _corepack,
    "go": _go,
    "cargo": _cargo,
    "rustup": _rustup,
    "mvn": _mvn,
    "mvnw": _mvn,
    "gradle": _gradle,
    "gradlew": _gradle,
    "sbt": _sbt,
    "bundle": _bundle,
    "bundler": _bundle,
    "gem": _gem,
    "composer": _composer,
    "mix": _mix,
    "dotnet": _dotnet,
    "swift": _swift,
    "dart": _dart,
    "flutter": _dart,
    "pub": _dart,
    "cabal": _cabal,
    "stack": _stack,
    "Rscript": _rscript,
    "R": _rscript,
    "install2.r": _install2r,
    "installGithub.r": _install2r,
}
