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
    import tomli as tomllib

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
        kind="unknown", reads_all=True, writes_all=True, network=True, cost=10.0,
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
            kind=kind, ecosystem=eco, reads=tuple(self.paths), reads_all=self.all,
            writes=_unique(writes), network=network, cost=cost, reasons=tuple(self.reasons),
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
    word: str, args: Sequence[str], i: int, takes: frozenset[str],
    options: list[tuple[str, str]],
) -> int:
    for pos, char in enumerate(word[1:], start=1):
        flag = "-" + char
        if flag in takes:
            rest = word[pos + 1:]
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
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


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
    kind: Kind, eco: str | None = None, *, reads: Iterable[str] = (),
    writes: Iterable[str] = (), network: bool = False, cost: float = 0.0,
) -> CommandEffect:
    return CommandEffect(
        kind=kind, ecosystem=eco, reads=_unique(norm(p) for p in reads),
        writes=_unique(writes), network=network, cost=cost,
    )


def _build_all(eco: str | None, reason: str, writes: Iterable[str] = (".",), *,
               cost: float = 20.0, network: bool = True) -> CommandEffect:
    return CommandEffect(
        kind="build", ecosystem=eco, reads_all=True, writes=_unique(writes), network=network,
        cost=cost, reasons=(reason,),
    )


def _merge(effects: Sequence[CommandEffect], eco: str | None) -> CommandEffect:
    """One effect for a tool invocation that runs several steps (`mix do a, b`)."""
    order: tuple[Kind, ...] = ("build", "install", "download", "filesystem", "noop")
    kinds = [e.kind for e in effects]
    kind = next((k for k in order if k in kinds), "noop")
    return CommandEffect(
        kind=kind, ecosystem=eco,
        reads=_unique(p for e in effects for p in e.reads),
        reads_all=any(e.reads_all for e in effects),
        writes=_unique(p for e in effects for p in e.writes),
        writes_all=any(e.writes_all for e in effects),
        network=any(e.network for e in effects),
        cost=sum(e.cost for e in effects),
        reasons=_unique(r for e in effects for r in e.reasons),
    )



# --- system package managers ------------------------------------------------------------------

_APT_VALUE = ("-o", "--option", "-t", "--target-release", "-c", "--config-file", "-a",
              "--host-architecture")
_APT_INSTALL = frozenset({"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade",
                          "build-dep", "satisfy"})
_APT_REMOVE = frozenset({"remove", "purge", "autoremove", "autopurge"})
_APT_QUERY = frozenset({"policy", "show", "search", "list", "depends", "rdepends", "madison",
                        "showpkg", "check", "changelog"})


def _local_packages(words: Iterable[str], suffix: str) -> list[str]:
    return [w for w in words if _is_local_path(w) or w.endswith(suffix)]


def _apt(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _APT_VALUE)
    if not parsed.positionals:
        return _simple("noop", "apt")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    configs = parsed.values("-c", "--config-file")
    if sub == "update":
        return _simple("system-packages", "apt", reads=configs, writes=("/var/lib/apt/lists",),
                       network=True, cost=10.0)
    if sub in _APT_INSTALL:
        return _simple("system-packages", "apt", reads=[*configs, *_local_packages(rest, ".deb")],
                       writes=SYSTEM_WRITES, network=True, cost=30.0)
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
        return _simple("system-packages", "apt", reads=parsed.positionals,
                       writes=SYSTEM_WRITES, cost=10.0)
    if parsed.has("--add-architecture"):
        return _simple("system-packages", "apt", writes=("/var/lib/dpkg",), cost=0.1)
    if parsed.has("-l", "--list", "-s", "--status", "-L", "--listfiles",
                  "--print-architecture", "--print-foreign-architectures", "-S", "--search"):
        return _simple("noop", "apt")
    return unknown_effect(args, "this dpkg action is not one dockerfix knows")


_APK_VALUE = ("-X", "--repository", "-t", "--virtual", "-p", "--root", "--keys-dir", "--arch",
              "--cache-dir", "--repositories-file", "--wait")


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
        return _simple("system-packages", "apk", reads=[*repos, *_local_packages(rest, ".apk")],
                       writes=(*SYSTEM_WRITES, *index), network=network, cost=10.0)
    if sub == "update":
        return _simple("system-packages", "apk", reads=repos, writes=("/var/cache/apk",),
                       network=network, cost=3.0)
    if sub in ("del", "delete"):
        return _simple("system-packages", "apk", writes=SYSTEM_WRITES, cost=2.0)
    if sub == "cache":
        return _simple("system-packages", "apk", writes=("/var/cache/apk",), cost=0.5)
    if sub in ("info", "search", "list", "policy", "version", "stats", "dot"):
        return _simple("noop", "apk")
    return unknown_effect(args, f"`apk {sub}` is not an apk command dockerfix knows")


_DNF_VALUE = ("--setopt", "--enablerepo", "--disablerepo", "--installroot", "-x", "--exclude",
              "--releasever", "-c", "--config", "--repo", "--repoid", "--forcearch",
              "--nogpgcheck-for", "--security-severity", "--advisory", "--color", "-d",
              "--debuglevel", "-e", "--errorlevel")
_DNF_INSTALL = frozenset({"install", "in", "reinstall", "update", "upgrade", "up", "groupinstall",
                          "localinstall", "distro-sync", "downgrade", "builddep", "group",
                          "module", "upgrade-minimal", "swap"})
_DNF_REMOVE = frozenset({"remove", "erase", "rm", "autoremove", "groupremove"})


def _dnf(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    eco = "dnf" if prog in ("dnf", "microdnf", "tdnf", "dnf5") else "yum"
    parsed = parse_args(args, _DNF_VALUE)
    if not parsed.positionals:
        return _simple("noop", eco)
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    cache = (f"/var/cache/{eco}",)
    if sub in _DNF_INSTALL:
        return _simple("system-packages", eco, reads=_local_packages(rest, ".rpm"),
                       writes=(*SYSTEM_WRITES,), network=True, cost=30.0)
    if sub in _DNF_REMOVE:
        return _simple("system-packages", eco, writes=SYSTEM_WRITES, cost=5.0)
    if sub == "clean":
        return _simple("system-packages", eco, writes=cache, cost=0.5)
    if sub == "makecache":
        return _simple("system-packages", eco, writes=cache, network=True, cost=5.0)
    if sub == "config-manager":
        return _simple("system-packages", eco, writes=("/etc/yum.repos.d",), network=True,
                       cost=1.0)
    if sub in ("info", "list", "search", "repolist", "provides", "repoquery", "check-update"):
        return _simple("noop", eco)
    return unknown_effect(args, f"`{prog} {sub}` is not a {eco} command dockerfix knows")


_ZYPPER_VALUE = ("-t", "--type", "--from", "-r", "--repo", "-R", "--root", "--releasever",
                 "-p", "--plus-repo")
_ZYPPER_SUB = {
    "install": "install", "in": "install", "update": "install", "up": "install",
    "dist-upgrade": "install", "dup": "install", "patch": "install", "source-install": "install",
    "si": "install", "remove": "remove", "rm": "remove", "refresh": "refresh", "ref": "refresh",
    "clean": "clean", "cc": "clean", "addrepo": "repo", "ar": "repo", "removerepo": "repo",
    "rr": "repo", "search": "query", "se": "query", "info": "query", "if": "query",
    "repos": "query", "lr": "query",
}


def _zypper(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _ZYPPER_VALUE)
    if not parsed.positionals:
        return _simple("noop", "zypper")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    action = _ZYPPER_SUB.get(sub)
    if action == "install":
        return _simple("system-packages", "zypper", reads=_local_packages(rest, ".rpm"),
                       writes=SYSTEM_WRITES, network=True, cost=30.0)
    if action == "remove":
        return _simple("system-packages", "zypper", writes=SYSTEM_WRITES, cost=5.0)
    if action == "refresh":
        return _simple("system-packages", "zypper", writes=("/var/cache/zypp",), network=True,
                       cost=5.0)
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
    return _simple("filesystem", reads=refs, writes=[norm(p) for p in parsed.positionals],
                   cost=0.1)


def _chmod(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    # Modes like `-x` or `-w` look like options; chmod only has a few real ones.
    words = [w for w in args if w not in ("-R", "--recursive", "-v", "-c", "-f", "--verbose",
                                          "--changes", "--silent", "--quiet")]
    refs = [w.partition("=")[2] for w in words if w.startswith("--reference=")]
    operands = [w for w in words if not w.startswith("--")]
    paths = operands if refs else operands[1:]
    return _simple("filesystem", reads=[*refs, *paths], writes=[norm(p) for p in paths],
                   cost=0.1)


def _chown(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("--from",))
    refs = [v for n, v in parsed.options if n == "--reference"]
    operands = list(parsed.positionals)
    owner = "" if refs or not operands else operands[0]
    paths = operands if refs else operands[1:]
    # A name (not a number) is looked up in the user and group databases.
    by_name = any(part and not part.isdigit() for part in re.split(r"[:.]", owner))
    databases = ("/etc/passwd", "/etc/group") if by_name else ()
    return _simple("filesystem", reads=[*refs, *databases, *paths],
                   writes=[norm(p) for p in paths], cost=0.1)


_USER_READS = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/login.defs",
               "/etc/default/useradd", "/etc/adduser.conf", "/etc/skel")
_USER_WRITES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/subuid",
                "/etc/subgid", "/var/log/lastlog", "/var/log/faillog")
_USERADD_VALUE = ("-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home-dir", "--home",
                  "-s", "--shell", "-c", "--comment", "-k", "--skel", "-b", "--base-dir", "-e",
                  "--expiredate", "-f", "--inactive", "-K", "--key", "-p", "--password",
                  "--gecos", "--ingroup", "-h", "--firstuid", "--lastuid", "-Z", "-l", "--login",
                  "--add-extra-groups", "-a", "--append-to")


def _useradd(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    value_opts = tuple(o for o in _USERADD_VALUE if not (prog == "adduser" and o == "-g")) + (
        ("-g",) if prog == "adduser" else ())
    parsed = parse_args(args, value_opts)
    writes = list(_USER_WRITES)
    name = parsed.positionals[0] if parsed.positionals else ""
    creates_group_only = prog in ("groupadd", "addgroup", "groupmod", "groupdel")
    no_home = parsed.has("-M", "--no-create-home", "-H", "--system", "-r") and not parsed.has(
        "-m", "--create-home")
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
    return _simple("filesystem", reads=() if symbolic else targets, writes=(norm(link),),
                   cost=0.1)


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
    has_expression = any(w in ("-e", "-f", "--expression", "--file") or w.startswith(
        ("--expression=", "--file=")) for w in rest)
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
    long_value = ("--file", "--directory", "--files-from", "--exclude-from", "--transform",
                  "--exclude", "--owner", "--group", "--mode", "--strip-components")
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


_GIT_CLONE_VALUE = ("-b", "--branch", "--depth", "-o", "--origin", "-c", "--config",
                    "--reference", "--separate-git-dir", "-j", "--jobs", "--filter",
                    "--shallow-since", "--shallow-exclude", "-u", "--upload-pack", "--template")


def _git(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    global_opts = parse_args(args, ("-C", "-c", "--git-dir", "--work-tree"),
                             stop_at_positional=True)
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
        return _simple("filesystem", "git", reads=(join(base, ".git"),),
                       writes=(join(base, ".git/config"),), cost=0.1)
    if sub in ("--version", "version", "help", "status", "log", "rev-parse", "describe"):
        return _simple("noop", "git", reads=(join(base, ".git"),))
    return unknown_effect(args, f"`git {sub}` may touch the whole work tree")


def _repo_dir(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail[:-4] if tail.endswith(".git") else tail


_CURL_VALUE = ("-o", "--output", "-H", "--header", "-d", "--data", "--data-raw",
               "--data-binary", "--data-urlencode", "-u", "--user", "-X", "--request", "-A",
               "--user-agent", "-e", "--referer", "-m", "--max-time", "--retry",
               "--retry-delay", "--retry-max-time", "--connect-timeout", "-w", "--write-out",
               "--cacert", "--capath", "-E", "--cert", "--key", "-K", "--config", "-T",
               "--upload-file", "-F", "--form", "-b", "--cookie", "-c", "--cookie-jar", "-x",
               "--proxy", "-r", "--range", "--output-dir", "-z", "--time-cond", "--resolve",
               "--limit-rate", "--proto", "--proto-redir", "-C", "--continue-at", "--url", "-Y",
               "-y", "-U", "--proxy-user", "--interface", "--max-filesize", "--tls-max",
               "--ciphers", "--dns-servers", "--oauth2-bearer", "-Q", "--quote")


def _curl(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CURL_VALUE)
    urls = [*parsed.positionals, *parsed.values("--url")]
    folder = parsed.last("--output-dir") or ""
    writes = [join(folder or ".", out) for out in parsed.values("-o", "--output") if out != "-"]
    if parsed.has("-O", "--remote-name", "--remote-name-all"):
        writes += [join(folder or ".", _url_file(u)) for u in urls[len(writes):]]
    data_files = [v[1:] for v in parsed.values("-d", "--data", "--data-binary",
                                               "--data-urlencode") if v.startswith("@")]
    forms = [v.split("@", 1)[1].split(";")[0] for v in parsed.values("-F", "--form") if "=@" in v]
    reads = [*parsed.values("-T", "--upload-file", "-K", "--config"), *data_files, *forms]
    return _simple("download", reads=[r for r in reads if r != "-"], writes=writes,
                   network=True, cost=2.0)


def _wget(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-O", "--output-document", "-P", "--directory-prefix", "--header",
                               "-U", "--user-agent", "-t", "--tries", "-T", "--timeout", "-i",
                               "--input-file", "-o", "--output-file", "-a", "--append-output",
                               "--user", "--password", "-e", "--execute", "--ca-certificate",
                               "-w", "--wait", "--limit-rate", "-Q", "--quota", "-l", "--level"))
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
    return _simple("download", reads=reads, writes=[*writes, *map(norm, logs)], network=True,
                   cost=2.0)


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


def _native_build(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    if prog in ("gcc", "g++", "cc", "c++", "clang", "clang++"):
        output = parse_args(args, ("-o", "-I", "-L", "-l", "-D", "-x", "-include")).last("-o")
        return _build_all(None, f"{prog} compiles sources and headers from the working directory",
                          (norm(output),) if output else (".",), cost=5.0, network=False)
    return CommandEffect(
        kind="build", reads_all=True, writes_all=True, network=True, cost=30.0,
        reasons=(f"{prog} runs build rules that may read and write any file",),
    )
