"""A RUN as DFX007's rows read it, and the moves they share.

The commands of a RUN (`read_script`, and command by command with `reached_commands` when
the whole cannot be read), the build context's files at the build's folder (`Project`), what a
row plans (`Prefetch`, `Declined`), and how a dependency step is cut from a RUN: alone, after
setup commands that lead it (`_lead`), or as the head of a plain `&&` chain.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from dockerfix.model import shell
from dockerfix.model.commands.files import WRITE_NOTHING
from dockerfix.model.context import BuildContext
from dockerfix.records import dataclass

Mode = Literal["add", "split"]
_PROJECTS: dict[tuple[int, str, int], tuple[Mapping[str, str], Project]] = {}


@dataclass(frozen=True)
class Project:
    """The files a broad copy puts in the build's working directory, as the build will see them."""

    files: Mapping[str, str]  # path relative to the working directory → context path
    ctx: BuildContext
    dirs: frozenset[str] = frozenset()
    python: tuple[int, int] | None = None  # the base image's Python version, when known

    @staticmethod
    def of(image_files: Mapping[str, str], workdir: str, ctx: BuildContext) -> Project:
        key = (id(image_files), workdir, id(ctx))
        made = _PROJECTS.get(key)
        if made is not None and made[0] is image_files and made[1].ctx is ctx:
            return made[1]
        prefix = workdir.rstrip("/") + "/"
        files = {
            img[len(prefix) :]: src for img, src in image_files.items() if img.startswith(prefix)
        }
        dirs: set[str] = set()
        for name in files:
            d = posixpath.dirname(name)
            while d and d not in dirs:
                dirs.add(d)
                d = posixpath.dirname(d)
        project = Project(files, ctx, frozenset(dirs))
        # The planner asks for the same copy's project once per way through a RUN: keep the
        # last few (with the mapping they were made from, so its id stays its own).
        _PROJECTS[key] = (image_files, project)
        while len(_PROJECTS) > 8:
            del _PROJECTS[next(iter(_PROJECTS))]
        return project

    def exists(self, rel: str) -> bool:
        return rel in self.files

    def has_dir(self, rel: str) -> bool:
        return rel.strip("/") in self.dirs

    def read(self, rel: str) -> str | None:
        src = self.files.get(rel)
        return self.ctx.read_text(src) if src is not None else None

    def matching(self, pattern: str) -> list[str]:
        regex = re.compile(
            "".join("[^/]*" if ch == "*" else re.escape(ch) for ch in pattern) + r"\Z"
        )
        return sorted(f for f in self.files if regex.match(f))


@dataclass(frozen=True)
class Cmd:
    """One simple command of a RUN: its static words, their source text, its `VAR=x` prefixes."""

    argv: tuple[str, ...]
    raw: tuple[str, ...]
    prefix: tuple[str, ...] = ()
    moved: bool = False  # runs after a `cd`
    # Runs whenever the RUN goes on past it: in no branch of an `if` or `case`, no loop, not
    # after `||`.
    always: bool = True

    @property
    def source(self) -> str:
        return " ".join((*self.prefix, *self.raw))


@dataclass(frozen=True)
class RunScript:
    """A shell-form RUN as the rows see it: its commands, and its `&&` parts when it is a plain
    chain (no `cd`, `;`, `||`, pipes, subshells or redirections)."""

    commands: tuple[Cmd, ...]
    chain: tuple[str, ...] | None


@dataclass(frozen=True)
class Prefetch:
    """What a row plans for one RUN: the dependency-only command (shell text), and for a split
    chain the text that stays after the copy. ``creates``: project folders the command creates
    for itself and removes again (cargo's stub target): neither read from nor left in the
    image."""

    command: str
    rest: str | None = None
    creates: tuple[str, ...] = ()
    # The folder a leading `cd` of the chain moves to (both RUNs start with that `cd`).
    folder: str | None = None
    # The dependency-only command added after the chain's leading setup commands, which move
    # with it: ``command`` is those commands, then this; ``rest`` the chain from the build on.
    added: str | None = None
    # The folder the dependency command runs in instead of the build's WORKDIR (go's module
    # root above a WORKDIR that only the copy creates).
    cwd: str | None = None


@dataclass(frozen=True)
class Declined:
    reason: str
    # The copy sends none of the manifests the row needs: another copy above may.
    missing: bool = False


Outcome = Prefetch | Declined | None
Planner = Callable[[RunScript, Project], Outcome]


@dataclass(frozen=True)
class PrefetchRow:
    """One ecosystem: what triggers it, the manifests it copies, the dependency-only command.

    ``required``: groups of manifests of which at least one must be copied; the others are
    copied when they exist (the classifier names what the dependency command reads).
    """

    ecosystem: str
    triggers: str
    manifests: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]
    prefetch: str
    unsafe: str
    plan: Planner
    mode: Mode = "add"


# --- RUN scripts -----------------------------------------------------------------------------


_BRACED_NAME = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def chain_parts(text: str) -> tuple[str, ...] | None:
    """The parts of a plain `a && b && c` list, or None when the text is anything else."""
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == "\\":
            if i + 1 >= len(text):
                return None
            current.extend(text[i : i + 2])
            i += 1
        elif text.startswith("&&", i):
            parts.append("".join(current).strip())
            current = []
            i += 1
        elif (braced := _BRACED_NAME.match(text, i)) is not None:
            current.append(braced.group(0))  # `${NAME}`: a word, not a brace group
            i = braced.end() - 1
        elif ch in ";|&()<>`{}\n#" or text.startswith("$(", i):
            return None
        else:
            current.append(ch)
        i += 1
    if quote:
        return None
    parts.append("".join(current).strip())
    return tuple(parts) if all(parts) else None


def read_script(text: str) -> RunScript | None:
    """The commands of a RUN's shell text, or None when the shell analysis cannot see them all."""
    script = shell.analyze(text)
    if script.opaque:
        return None
    commands = []
    for cmd in script.commands:
        if cmd.in_subshell or any(w.value is None for w in cmd.argv):
            return None
        if not cmd.argv:
            continue
        prefix = tuple(f"{name}={word.raw}" for name, word in cmd.assignments)
        argv = tuple(w.value or "" for w in cmd.argv)
        raw = tuple(w.raw for w in cmd.argv)
        commands.append(Cmd(argv, raw, prefix, cmd.cwd != (), _always(cmd, text)))
    return RunScript(tuple(commands), chain_parts(text))


def _always(cmd: shell.Command, text: str) -> bool:
    return not cmd.branch and not (cmd.conditional and _BRANCHING.search(text) is not None)


# The value given to a word the analysis cannot know (`${ARGS}`, `$(git describe)`), followed
# by its source text: no flag or file name a row looks for.
UNKNOWN = "\x00"
# Commands that leave nothing a dependency step needs: tests, messages and listings (`[ -f
# x ]`, `echo`, `uname -m`), every command that writes no file except those that end the
# shell or move it (`exit`, `false`, `cd`).
_QUIET = WRITE_NOTHING - {"cd", "exit", "false"}
# Queries of a package manager that print and change nothing.
_QUERIES = frozenset({("apk", "--print-arch"), ("dpkg", "--print-architecture")})


@dataclass(frozen=True)
class Reached:
    """A command of a RUN that `read_script` cannot take whole (an `if`, a `$(…)`, a word
    whose value is not known), as a script of the commands that may run before it on its way
    there and then itself; `conditional` when it runs only on some paths of the RUN."""

    script: RunScript
    conditional: bool
    unknown: tuple[str, ...]  # the source text of its words dockerfix cannot know
    # The whole RUN, a plain `&&` chain whose only trouble is words dockerfix cannot know:
    # every command, its chain parts, and the unknown words of them all.
    whole: bool = False


def reached_commands(text: str) -> list[Reached]:
    """Each command of the RUN's own shell with the commands before it on its way: those in
    other branches of an `if` left out, and tests and messages (`[ … ]`, `echo`)."""
    script = shell.analyze(text)
    if script.opaque:
        return []
    commands = [c for c in script.commands if c.argv]
    out: list[Reached] = []
    parts = chain_parts(text)
    if (
        parts is not None
        and len(parts) == len(script.commands) == len(commands)
        and not any(c.nested or c.in_subshell or c.argv[0].value is None for c in commands)
    ):
        unknown = tuple(w.raw for c in commands for w in c.argv if w.value is None)
        whole = RunScript(tuple(_lenient(c, text) for c in commands), parts)
        out.append(Reached(whole, False, unknown, whole=True))
    for k, command in enumerate(commands):
        if command.nested or command.in_subshell or command.argv[0].value is None:
            continue
        before = [c for c in commands[:k] if not c.exclusive(command) and not _quiet(c)]
        cmds = tuple(_lenient(c, text) for c in (*before, command))
        unknown = tuple(w.raw for w in command.argv if w.value is None)
        # Not reached on every way through: in a branch, or after a `case`, `||` or a loop
        # test (after `&&` it runs whenever the RUN succeeds).
        conditional = bool(command.branch) or (
            command.conditional and _BRANCHING.search(text) is not None
        )
        out.append(Reached(RunScript(cmds, None), conditional, unknown))
    return out


_SET_QUIET = re.compile(r"[-+][euxvo]+|pipefail|errexit|nounset|xtrace")
_BRANCHING = re.compile(r"\bcase\b|\|\||\bwhile\b|\buntil\b")


def _quiet(cmd: shell.Command) -> bool:
    """A test, a message or a query that writes no file, or `set` of shell options."""
    if cmd.redirects or cmd.assignments:
        return False
    words = [w.value for w in cmd.argv]
    if words[0] == "set":
        # Error and trace options only (`set -a` would export the assignments after it).
        return all(w is not None and _SET_QUIET.fullmatch(w) for w in words[1:])
    return words[0] in _QUIET or tuple(words) in _QUERIES


def _lenient(cmd: shell.Command, text: str) -> Cmd:
    prefix = tuple(f"{name}={word.raw}" for name, word in cmd.assignments)
    argv = tuple(w.value if w.value is not None else UNKNOWN + w.raw for w in cmd.argv)
    return Cmd(argv, tuple(w.raw for w in cmd.argv), prefix, cmd.cwd != (), _always(cmd, text))


def _positionals(argv: Sequence[str]) -> list[str]:
    return [a for a in argv if not a.startswith("-")]


def _has_flag(argv: Sequence[str], *names: str) -> bool:
    return any(a in names or any(a.startswith(n + "=") for n in names) for a in argv)


def _with_flags(cmd: Cmd, sub_index: int, flags: Sequence[str]) -> str:
    """The command's text with ``flags`` added right after its subcommand."""
    raw = list(cmd.raw)
    missing = [f for f in flags if f not in cmd.argv]
    words = [*cmd.prefix, *raw[: sub_index + 1], *missing, *raw[sub_index + 1 :]]
    return " ".join(words)


def _tool(cmd: Cmd) -> str:
    return posixpath.basename(cmd.argv[0]) if cmd.argv else ""


def _runs_before(commands: Sequence[Cmd], index: int, test: Callable[[Cmd], bool]) -> bool:
    return any(test(c) for c in commands[:index])


_MOVED = "`{}` runs in a directory a `cd` chose: its manifests are not the ones at the WORKDIR"


# --- npm, yarn, pnpm, bun, pip: a plain `install && build` chain -------------------------------

# Commands that change the shell's state for the commands after them: a chain holding one
# cannot be cut in two RUNs.
_STATEFUL = frozenset(
    {"cd", "pushd", "popd", "export", "set", "unset", "source", ".", "umask", "alias", "shopt"}
)


def _is_chain_install(cmd: Cmd) -> str | None:
    """The ecosystem of a dependency install that may start a chain, or None."""
    tool, args = _tool(cmd), _positionals(cmd.argv[1:])
    if tool == "python" and cmd.argv[1:3] == ("-m", "pip"):
        tool, args = "pip", _positionals(cmd.argv[3:])
    if tool in ("pip", "pip3"):
        return "pip" if args[:1] == ["install"] else None
    if tool == "npm" and args[:1] in (["ci"], ["install"], ["i"]):
        prefix = _flag_value(cmd.argv, "--prefix")
        if len(args) == 1 or (prefix is not None and args[1:] == [prefix]):
            return "npm"
    if tool == "yarn" and (args == [] or args == ["install"]):
        return "yarn"
    if tool in ("pnpm", "bun") and args in (["install"], ["i"]):
        return tool
    return None


# Packages that are the installers themselves: `pip install uv` sets up the package manager.
_PYTHON_TOOLS = frozenset({"pip", "setuptools", "wheel", "uv", "poetry", "pdm", "pipenv"})


def _is_tool_setup(cmd: Cmd) -> bool:
    """A command that installs the package manager itself and reads no project file
    (`corepack enable`, `npm i -g pnpm`, `pip install --upgrade pip`): it may lead a chain."""
    tool, args = _tool(cmd), _positionals(cmd.argv[1:])
    if tool == "corepack":
        return args[:1] in (["enable"], ["prepare"], ["install"]) and "install" not in args[1:]
    if tool == "npm" and args[:1] in (["i"], ["install"]):
        return _has_flag(cmd.argv, "-g", "--global") and len(args) > 1
    if tool == "yarn":
        return args[:2] == ["global", "add"]
    if re.fullmatch(r"python(?:3(?:\.\d+)?)?", tool) and cmd.argv[1:3] == ("-m", "venv"):
        # `python -m venv /venv`: a new environment, no project file read.
        return args[:1] == ["venv"] and len(args) == 2 and not args[1].startswith(UNKNOWN)
    pip = _pip_install_at(cmd)
    if pip is not None:
        words = cmd.argv[pip[1] + 1 :]
        names = [a.split("=")[0].split("<")[0].split(">")[0] for a in _positionals(words)]
        flags_ok = all(
            a in ("-U", "--upgrade", "-q", "--quiet", "--no-cache-dir") or not a.startswith("-")
            for a in words
        )
        return bool(names) and flags_ok and set(names) <= _PYTHON_TOOLS
    return False


def _chain_planner(ecosystem: str) -> Planner:
    def plan(run: RunScript, project: Project) -> Outcome:
        commands = run.commands
        folder = _leading_cd(commands)
        cd_first = folder is not None
        first = 1 if cd_first else 0
        if folder is None and commands:
            folder = _flag_value(commands[0].argv, "--prefix")  # `npm ci --prefix web && …`
        while first < len(commands) and _is_tool_setup(commands[first]):
            first += 1
        if len(commands) - first < 2 or _is_chain_install(commands[first]) != ecosystem:
            return None
        if run.chain is None or len(run.chain) != len(commands):
            return Declined(
                "the RUN is not a plain `&&` list (`;`, `||`, pipes, redirections or "
                "subshells): it cannot be cut in two RUNs"
            )
        stateful = next((c for c in commands[1 if folder else 0 :] if _tool(c) in _STATEFUL), None)
        if stateful is not None:
            return Declined(
                f"the chain runs `{stateful.source}`, which changes the shell state for the "
                "commands after it: it cannot be cut in two RUNs"
            )
        k = first
        while k < len(commands) and _is_chain_install(commands[k]) is not None:
            k += 1
        if k == len(commands):
            return None  # only installs: split-copy's business
        rest = (run.chain[0], *run.chain[k:]) if cd_first else run.chain[k:]
        return Prefetch(" && ".join(run.chain[:k]), rest=" && ".join(rest), folder=folder)

    return plan


def after_leading_cd(run: RunScript) -> tuple[str, RunScript] | None:
    """A RUN that starts with `cd DIR` (a static folder below the WORKDIR, or an absolute
    one) and changes folder no more: the folder, and the commands after the `cd` as they run
    from there."""
    folder = _leading_cd(run.commands)
    rest = run.commands[1:]
    if folder is None or ".." in folder.split("/"):
        return None
    if any(_tool(c) in ("cd", "pushd", "popd") for c in rest):
        return None
    moved = tuple(Cmd(c.argv, c.raw, c.prefix, False, c.always) for c in rest)
    return folder, RunScript(moved, None)


def _leading_cd(commands: Sequence[Cmd]) -> str | None:
    """The folder of a `cd DIR` that starts the chain (both halves of a split repeat it)."""
    if commands and _tool(commands[0]) == "cd" and len(commands[0].argv) == 2:
        folder = commands[0].argv[1]
        if folder not in ("-", "~") and not folder.startswith("~") and "$" not in folder:
            return folder
    return None


def _split_leading(run: RunScript, leading: Callable[[Cmd], bool]) -> Outcome:
    """A plain chain that starts with dependency-only commands (`dotnet restore && dotnet
    publish`): those run before the broad copy, the rest after it."""
    k = 0
    while k < len(run.commands) and leading(run.commands[k]):
        k += 1
    if k == 0 or k == len(run.commands):
        return None
    if run.chain is None or len(run.chain) != len(run.commands):
        return Declined(
            "the RUN is not a plain `&&` list (`;`, `||`, pipes, redirections or "
            "subshells): it cannot be cut in two RUNs"
        )
    if any(c.moved for c in run.commands[:k]):
        return Declined(_MOVED.format(run.commands[0].source))
    return Prefetch(" && ".join(run.chain[:k]), rest=" && ".join(run.chain[k:]))


def _not_first(commands: Sequence[Cmd], i: int) -> Declined | None:
    """A dependency step takes only the build command: what runs before it may be needed."""
    if i == 0:
        return None
    return Declined(
        f"`{commands[0].source}` runs before `{commands[i].source}` in the same RUN and the "
        "dependency step may need it: put the build command in a RUN of its own"
    )


def _lead(run: RunScript, i: int, command: str, creates: tuple[str, ...] = ()) -> Outcome:
    """The dependency step for the build at ``i``. Alone when the build starts the RUN; after
    the setup commands before it (system packages, the package manager itself: they read no
    project file), which then move with it, the chain from the build on staying after the
    copy (`apk add git && make build` → `apk add git && go mod download`, `make build`)."""
    if i == 0:
        return Prefetch(command, creates=creates)
    setup = run.commands[:i]
    if all(_is_export(c) for c in setup):
        # `export COMPOSER_HOME=/composer && composer install`: the dependency step sets the
        # same variables first; the original RUN stays as it is.
        return Prefetch(" && ".join([*(c.source for c in setup), command]), creates=creates)
    if not all(_is_tool_setup(c) or _is_system_setup(c) for c in setup):
        return _not_first(run.commands, i)
    if run.chain is None or len(run.chain) != len(run.commands):
        return Declined(
            f"`{run.commands[0].source}` runs before `{run.commands[i].source}` in a RUN that "
            "is not a plain `&&` list: it cannot be cut in two RUNs"
        )
    if any(c.moved for c in setup):
        return Declined(_MOVED.format(setup[0].source))
    return Prefetch(
        " && ".join([*run.chain[:i], command]),
        rest=" && ".join(run.chain[i:]),
        creates=creates,
        added=command,
    )


def _is_export(cmd: Cmd) -> bool:
    """`export NAME=value` with static values only, run on every way through the RUN."""
    return (
        _tool(cmd) == "export"
        and cmd.always
        and len(cmd.argv) > 1
        and all(
            re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=[^$`]*", word) and "$" not in raw
            for word, raw in zip(cmd.argv[1:], cmd.raw[1:])
        )
    )


# System package commands that read no project file: `apk add x`, `apt-get update`,
# `apt-get install -y x`, and the cleanup of their indexes.
_SYSTEM_SUBCOMMANDS = {
    "apk": frozenset({"add", "update", "upgrade"}),
    "apt-get": frozenset({"update", "install", "upgrade", "clean"}),
    "apt": frozenset({"update", "install", "upgrade", "clean"}),
    "dnf": frozenset({"install", "makecache", "clean", "upgrade"}),
    "microdnf": frozenset({"install", "clean", "upgrade"}),
    "yum": frozenset({"install", "makecache", "clean", "update"}),
}
_PACKAGE_INDEXES = ("/var/lib/apt/lists/*", "/var/cache/apk/*", "/var/cache/apt/*")


def _is_system_setup(cmd: Cmd) -> bool:
    tool, words = _tool(cmd), _positionals(cmd.argv[1:])
    if tool == "rm":
        return bool(words) and all(w in _PACKAGE_INDEXES for w in words)
    subs = _SYSTEM_SUBCOMMANDS.get(tool)
    if subs is None or not words or words[0] not in subs:
        return False
    if _has_flag(cmd.argv, "--root", "-p", "--installroot", "-c", "--config-file"):
        return False
    # A local package file (`apk add ./x.apk`, `apt-get install ./x.deb`) is a project file.
    return not any("/" in w or w.endswith((".apk", ".deb", ".rpm")) for w in words[1:])


def _pip_install_at(cmd: Cmd) -> tuple[str, int] | None:
    """The interpreter of a `pip install` (`python` for `pip`, `/venv/bin/python3` for
    `/venv/bin/pip3`, itself for `python -m pip`) and the index of `install` in its words."""
    tool = _tool(cmd)
    if re.fullmatch(r"python(?:3(?:\.\d+)?)?", tool) and cmd.argv[1:4] == ("-m", "pip", "install"):
        return cmd.raw[0], 3
    found = re.fullmatch(r"pip(3(?:\.\d+)?)?", tool)
    if found and cmd.argv[1:2] == ("install",):
        folder = posixpath.dirname(cmd.raw[0])
        return posixpath.join(folder, "python" + (found.group(1) or "")), 1
    return None


def _flag_value(argv: Sequence[str], name: str) -> str | None:
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(name + "="):
            return word[len(name) + 1 :]
    return None
