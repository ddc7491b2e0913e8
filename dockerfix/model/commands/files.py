"""File, user and text utilities, archives, and the commands that only look or do nothing."""

from __future__ import annotations

import posixpath
import re

from dockerfix.model.commands._base import (
    NOOP,
    CommandEffect,
    _Ctx,
    _Reads,
    _simple,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles


@handles("rm", "rmdir")
def _rm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args)
    return _simple("filesystem", writes=[norm(p) for p in parsed.positionals], cost=0.1)


@handles("mkdir")
def _mkdir(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-m", "--mode", "-Z", "--context"))
    return _simple("filesystem", writes=[norm(p) for p in parsed.positionals], cost=0.1)


@handles("touch")
def _touch(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-d", "--date", "-t", "-r", "--reference"))
    refs = parsed.values("-r", "--reference")
    return _simple("filesystem", reads=refs, writes=[norm(p) for p in parsed.positionals], cost=0.1)


@handles("chmod")
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


@handles("chown", "chgrp")
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


@handles(
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


@handles("ln")
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


@handles("cp", "mv", "install")
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


@handles("sed")
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


@handles("tar")
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


@handles("unzip")
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


_READS_OPERANDS = (
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
)


@handles(*_READS_OPERANDS)
def _reads_operands(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """cat, head, grep …: output only; they read their file operands."""
    if prog in ("grep", "egrep", "fgrep"):
        parsed = parse_args(args, ("-e", "-f", "-m", "-A", "-B", "-C", "--include", "--exclude"))
        files = parsed.positionals if parsed.has("-e", "-f") else parsed.positionals[1:]
    else:
        parsed = parse_args(args, ("-n", "-c", "--lines", "--bytes"))
        files = parsed.positionals
    return _simple("noop", reads=[f for f in files if f != "-"])


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


@handles(*_NOOPS)
def _noop(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    return NOOP


# Commands whose output depends on which files exist (or on their metadata).
_INSPECTS = ("test", "[", "[[", "ls", "stat", "file", "du", "tree", "readlink", "realpath")


# test's operators on files: unary (`-f x`) and binary (`a -nt b`).
_FILE_TESTS = frozenset(
    {"-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-u", "-w", "-x"}
    | {"-G", "-L", "-N", "-O", "-S"}
)
_FILE_PAIRS = frozenset({"-nt", "-ot", "-ef"})


def _tested_paths(args: list[str]) -> list[str]:
    """The files a test looks at: the operands of its file operators (`[ -f x ]`, `[ a -nt
    b ]`); a string or number comparison (`[ "$MODE" = 1 ]`) looks at none."""
    words = [a for a in args if a not in ("]", "]]")]
    paths: list[str] = []
    for i, word in enumerate(words):
        if word in _FILE_TESTS and i + 1 < len(words) and words[i + 1] not in _FILE_TESTS:
            paths.append(words[i + 1])
        elif word in _FILE_PAIRS and 0 < i < len(words) - 1:
            paths += [words[i - 1], words[i + 1]]
    return paths


@handles(*_INSPECTS)
def _inspects_paths(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """ls, stat, test -f …: they look at their operands (ls and du: the working directory
    when there is none), so a step that creates those paths must stay before them."""
    if prog in ("test", "[", "[["):
        return _simple("noop", reads=_tested_paths(args))
    operands = [a for a in args if not a.startswith("-")]
    if not operands and prog in ("ls", "du", "tree"):
        operands = ["."]
    return _simple("noop", reads=operands)


# Commands that write nothing and fail only when a path they name (or their working
# directory) does not exist: what they read ends up in the build log, not in the image.
PRINTS = frozenset(
    {"echo", "printf", "pwd", "ls", "du", "tree", "cat", "head", "tail", "wc", "stat", "file"}
    | {"df", "free", "id", "whoami", "uname", "nproc", "date", "hostname", "arch", "true"}
    | {":", "cd"}
)
# Commands that write no file (a RUN of them only may fail, on what they find): the printing
# ones, those that look at their operands, and a few builtins.
WRITE_NOTHING = (
    PRINTS
    | frozenset(_READS_OPERANDS)
    | frozenset(_INSPECTS)
    | frozenset({"which", "type", "sleep", "false", "exit"})
)
# File tools whose effect is the paths they name, and nothing else.
EXACT = WRITE_NOTHING | frozenset(
    {"rm", "rmdir", "mkdir", "touch", "chmod", "chown", "chgrp", "ln", "cp", "mv"}
)
