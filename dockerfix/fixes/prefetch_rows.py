"""The ecosystems of DFX007: how each one's fused build is split into a dependency step.

One `PrefetchRow` per ecosystem: which commands build (and so download), which manifests the
download reads, and the dependency-only command to run before the sources are copied.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from dockerfix.model import shell
from dockerfix.model.commands.python import (
    PYPROJECT_REQUIREMENTS,
    SETUP_SNIPPET,
    pyproject_requirements,
    pyproject_snippet,
    setup_py_requirements,
)
from dockerfix.model.context import BuildContext

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

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
        commands.append(Cmd(argv, tuple(w.raw for w in cmd.argv), prefix, cmd.cwd != ()))
    return RunScript(tuple(commands), chain_parts(text))


# The value given to a word the analysis cannot know (`${ARGS}`, `$(git describe)`), followed
# by its source text: no flag or file name a row looks for.
UNKNOWN = "\x00"
# Commands that read no project file and leave nothing a dependency step needs.
_QUIET = frozenset({"[", "[[", "test", "true", ":", "echo", "printf"})


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
        whole = RunScript(tuple(_lenient(c) for c in commands), parts)
        out.append(Reached(whole, False, unknown, whole=True))
    for k, command in enumerate(commands):
        if command.nested or command.in_subshell or command.argv[0].value is None:
            continue
        before = [c for c in commands[:k] if not c.exclusive(command) and not _quiet(c)]
        cmds = tuple(_lenient(c) for c in (*before, command))
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
    """A test or a message that writes no file, or `set` of shell options."""
    if cmd.redirects or cmd.assignments:
        return False
    words = [w.value for w in cmd.argv]
    if words[0] == "set":
        # Error and trace options only (`set -a` would export the assignments after it).
        return all(w is not None and _SET_QUIET.fullmatch(w) for w in words[1:])
    return words[0] in _QUIET


def _lenient(cmd: shell.Command) -> Cmd:
    prefix = tuple(f"{name}={word.raw}" for name, word in cmd.assignments)
    argv = tuple(w.value if w.value is not None else UNKNOWN + w.raw for w in cmd.argv)
    return Cmd(argv, tuple(w.raw for w in cmd.argv), prefix, cmd.cwd != ())


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
    """A RUN that starts with `cd DIR` (a static folder below the WORKDIR) and changes folder
    no more: the folder, and the commands after the `cd` as they run from there."""
    folder = _leading_cd(run.commands)
    rest = run.commands[1:]
    if folder is None or folder.startswith("/") or ".." in folder.split("/"):
        return None
    if any(_tool(c) in ("cd", "pushd", "popd") for c in rest):
        return None
    moved = tuple(Cmd(c.argv, c.raw, c.prefix, False) for c in rest)
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


# --- poetry, uv, pdm, composer, mix: the same install without the project ---------------------


def _tool_at(cmd: Cmd, tools: tuple[str, ...]) -> int | None:
    """Where one of ``tools`` is in the command: first, or run by php (`php composer.phar`)."""
    if _tool(cmd) in tools:
        return 0
    if _tool(cmd) == "php" and len(cmd.argv) > 1 and posixpath.basename(cmd.argv[1]) in tools:
        return 1
    return None


def _variant_planner(
    tools: tuple[str, ...],
    sub: str,
    flags: tuple[str, ...],
    already: tuple[str, ...],
    then: tuple[str, ...] = (),
) -> Planner:
    """`tool sub …` → `tool sub <flags> …` before the copy, unless a flag in ``already`` is there.

    With ``then``, the install counts only when a later command of the RUN runs one of these
    subcommands of the same tool (`mix deps.get && mix compile`).
    """

    def plan(run: RunScript, project: Project) -> Outcome:
        for i, cmd in enumerate(run.commands):
            at = _tool_at(cmd, tools)
            if at is None or _positionals(cmd.argv[at + 1 :])[:1] != [sub]:
                continue
            if _has_flag(cmd.argv, *already):
                return None
            if then and not any(
                _tool(c) == _tool(cmd) and _positionals(c.argv[1:])[:1] in [[t] for t in then]
                for c in run.commands[i + 1 :]
            ):
                return None
            if cmd.moved:
                return Declined(_MOVED.format(cmd.source))
            return _lead(run, i, _with_flags(cmd, cmd.argv.index(sub), flags))
        return None

    return plan


# `.`, `./` or `.[extra,…]`: the project at the working directory, with its extras.
_PROJECT_TARGET = re.compile(r"\./?(?:\[([A-Za-z0-9_.,\- ]+)\])?\Z")
# uv pip install options that take a value (the value is never the project target).
_UV_PIP_VALUE = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "--override",
        "-i",
        "--index-url",
        "--extra-index-url",
        "--index",
        "--default-index",
        "-f",
        "--find-links",
        "-p",
        "--python",
        "--target",
        "--prefix",
        "--extra",
        "--group",
        "-P",
        "--upgrade-package",
        "--python-version",
        "--python-platform",
        "--cache-dir",
        "--index-strategy",
        "--resolution",
        "--prerelease",
        "--exclude-newer",
        "--link-mode",
        "--keyring-provider",
        "--config-file",
    }
)


def _plan_uv_project(run: RunScript, project: Project) -> Outcome:
    """`uv pip install .` (or `.[extras]`, `-e .`): uv installs the dependencies pyproject.toml
    lists with `uv pip install -r pyproject.toml`, without building the project."""
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) != "uv" or cmd.argv[1:3] != ("pip", "install"):
            continue
        kept: list[str] = []
        extras: list[str] = []
        found = False
        words, raws = cmd.argv[3:], cmd.raw[3:]
        j = 0
        while j < len(words):
            word = words[j]
            match = _PROJECT_TARGET.match(words[j + 1]) if j + 1 < len(words) else None
            if word in ("-e", "--editable") and match:
                found, extras = True, [*extras, *(match.group(1) or "").split(",")]
                j += 2
                continue
            if word in _UV_PIP_VALUE and j + 1 < len(words):
                kept += [raws[j], raws[j + 1]]
                j += 2
                continue
            match = _PROJECT_TARGET.match(word)
            if match and not word.startswith("-"):
                found, extras = True, [*extras, *(match.group(1) or "").split(",")]
            else:
                kept.append(raws[j])
            j += 1
        if not found:
            continue
        if "--no-deps" in words:
            return None  # it installs the project alone: nothing to download first
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        text = project.read("pyproject.toml")
        if text is None:
            return Declined(
                "pyproject.toml is not among the files the copy sends: the dependencies are "
                "known only once the project is built"
            )
        try:
            table = tomllib.loads(text).get("project")
        except tomllib.TOMLDecodeError:
            return Declined("pyproject.toml does not parse")
        dynamic = table.get("dynamic", []) if isinstance(table, dict) else []
        if not isinstance(table, dict) or "dependencies" in dynamic:
            return Declined(
                "pyproject.toml does not list the dependencies itself ([project] "
                "dependencies, not dynamic): they are known only once the project is built"
            )
        if any(e.strip() for e in extras) and "optional-dependencies" in dynamic:
            return Declined("pyproject.toml declares its extras dynamic")
        words_out = [*cmd.prefix, *cmd.raw[:3], *kept, "-r", "pyproject.toml"]
        for extra in (e.strip() for e in extras):
            if extra:
                words_out += ["--extra", extra]
        return _lead(run, i, " ".join(words_out))
    return None


_UV_SYNC = _variant_planner(("uv",), "sync", ("--no-install-project",), ("--no-install-project",))


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


# A project target whose extras a variable names: `.[${EXTRAS}]`, `.[$EXTRAS]`.
ARG_EXTRAS = re.compile(r"\./?\[\$\{?[A-Za-z_][A-Za-z0-9_]*\}?\]")
# pip install options that take a value (the value is never the project target).
_PIP_INSTALL_VALUE = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--python-version",
        "--platform",
        "--implementation",
        "--abi",
        "--cache-dir",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--trusted-host",
        "--config-settings",
        "-C",
        "--global-option",
        "--no-binary",
        "--only-binary",
        "--log",
        "--proxy",
        "--timeout",
        "--retries",
        "--cert",
        "--client-cert",
        "--exists-action",
    }
)


def _plan_pip_project(run: RunScript, project: Project) -> Outcome:
    """`pip install .` (`.[extras]`, `-e .`) of a project whose pyproject.toml lists its
    dependencies: Python's TOML reader prints them as a requirements file, which the same pip
    installs before the sources arrive."""
    for i, cmd in enumerate(run.commands):
        found = _pip_install_at(cmd)
        if found is None:
            continue
        python, at = found
        kept: list[str] = []
        extras: list[str] = []
        unnamed: list[str] = []
        target = False
        words, raws = cmd.argv[at + 1 :], cmd.raw[at + 1 :]
        j = 0
        while j < len(words):
            word = words[j]
            value = words[j + 1] if j + 1 < len(words) else ""
            if word in ("-e", "--editable") and _PROJECT_TARGET.match(value):
                match = _PROJECT_TARGET.match(value)
                target, extras = (
                    True,
                    [*extras, *((match.group(1) or "").split(",") if match else [])],
                )
                j += 2
                continue
            if word in _PIP_INSTALL_VALUE and j + 1 < len(words):
                kept += [raws[j], raws[j + 1]]
                j += 2
                continue
            match = _PROJECT_TARGET.match(word)
            if match and not word.startswith("-"):
                target, extras = True, [*extras, *(match.group(1) or "").split(",")]
            elif ARG_EXTRAS.fullmatch(raws[j].strip("\"'")):
                # `.[${EXTRAS}]`: the extras a build argument names are installed later, by
                # the original install; the dependency step installs the others.
                target, unnamed = True, [*unnamed, raws[j]]
            elif word.startswith("-"):
                kept.append(raws[j])  # other requirements stay with the original install
            j += 1
        if not target:
            continue
        if "--no-deps" in words:
            return None  # it installs the project alone: nothing to download first
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if any(UNKNOWN in w for w, r in zip(words, raws, strict=True) if r not in unnamed):
            return Declined(f"`{cmd.source}` has words whose value dockerfix does not know")
        extras = [e.strip() for e in extras if e.strip()]
        found_deps = _project_dependencies(project, extras)
        if not isinstance(found_deps, str):
            return found_deps
        snippet = found_deps
        words_out = [*cmd.prefix, *cmd.raw[: at + 1], *kept, "-r", PYPROJECT_REQUIREMENTS]
        command = (
            f'{python} -c "{snippet}" > {PYPROJECT_REQUIREMENTS} && {" ".join(words_out)} '
            f"&& rm {PYPROJECT_REQUIREMENTS}"
        )
        return _lead(run, i, command)
    return None


def _project_dependencies(project: Project, extras: list[str]) -> str | Declined | None:
    """The `python -c` program that prints the dependencies of the project at the WORKDIR
    (from pyproject.toml's [project] table, or from setup.py's literal `install_requires`);
    None when it has none; the decline when they are known only once the project is built
    or the image's Python cannot run the program."""
    text = project.read("pyproject.toml")
    try:
        table = tomllib.loads(text).get("project") if text is not None else None
    except tomllib.TOMLDecodeError:
        return Declined("pyproject.toml does not parse")
    if isinstance(table, dict) and "dependencies" not in table.get("dynamic", []):
        listed = pyproject_requirements(text, extras)
        if listed is None:
            return Declined(
                "pyproject.toml does not list the extras it installs ("
                + ", ".join(extras)
                + ") in [project.optional-dependencies]: they are known only once the project "
                "is built"
            )
        if project.python is None:
            return Declined(
                "reading the dependencies from pyproject.toml needs Python 3.11 or later "
                "(tomllib), and dockerfix knows the Python version of official python images "
                "only: install the dependencies from a requirements file before the copy"
            )
        if project.python < (3, 11):
            major, minor = project.python
            return Declined(
                f"reading the dependencies from pyproject.toml needs Python 3.11 or later "
                f"(tomllib); the base image has Python {major}.{minor}"
            )
        return pyproject_snippet(extras) if listed.strip() else None
    listed = setup_py_requirements(project.read("setup.py"))
    if table is None and listed is not None and not project.exists("setup.cfg"):
        if extras:
            return Declined(
                f"setup.py's extras ({', '.join(extras)}) are not read by dockerfix: they are "
                "known only once the project is built"
            )
        if project.python is None or project.python < (3, 0):
            return Declined(
                "reading setup.py needs the image's Python 3, and dockerfix knows the Python "
                "version of official python images only"
            )
        return SETUP_SNIPPET if listed.strip() else None
    if isinstance(table, dict):
        return Declined(
            "pyproject.toml declares its dependencies dynamic: they are known only once the "
            "project is built"
        )
    if text is None and project.read("setup.py") is None:
        return Declined(
            "neither pyproject.toml nor setup.py is among the files the copy sends: the "
            "dependencies are known only once the project is built"
        )
    return Declined(
        "the project does not list its dependencies statically (pyproject.toml's [project] "
        "dependencies, not dynamic, or a literal `install_requires` list in setup.py without "
        "a setup.cfg): they are known only once the project is built"
    )


_PIP_CHAIN = _chain_planner("pip")


def _pip_planner(run: RunScript, project: Project) -> Outcome:
    """`pip install .` of a project that lists its dependencies, or `pip install -r … &&
    <build>`."""
    return _plan_pip_project(run, project) or _PIP_CHAIN(run, project)


def _uv_planner(run: RunScript, project: Project) -> Outcome:
    """`uv sync` without `--no-install-project`, or `uv pip install .`."""
    return _UV_SYNC(run, project) or _plan_uv_project(run, project)


def _is_mix_local(cmd: Cmd) -> bool:
    return _tool(cmd) == "mix" and cmd.argv[1:2] in (("local.hex",), ("local.rebar",))


# --- dart, flutter ----------------------------------------------------------------------------


def _is_pub_get(cmd: Cmd) -> bool:
    return _tool(cmd) in ("dart", "flutter") and cmd.argv[1:3] == ("pub", "get")


def _plan_dart(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        tool = _tool(cmd)
        if not (
            (tool == "flutter" and cmd.argv[1:2] == ("build",))
            or (tool == "dart" and cmd.argv[1:2] == ("compile",))
        ):
            continue
        if _runs_before(run.commands, i, _is_pub_get):
            return _split_leading(run, _is_pub_get)
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if _has_flag(cmd.argv, "--no-pub", "-C", "--directory"):
            return (
                None
                if "--no-pub" in cmd.argv
                else Declined(f"`{cmd.source}` builds a project in another directory (-C)")
            )
        return _lead(run, i, f"{tool} pub get")
    return None


def _plan_mix(run: RunScript, project: Project) -> Outcome:
    """`mix deps.get` chained before `mix compile` or `mix release`; the `mix local.hex` and
    `mix local.rebar` before it (deps.get needs them) go with it."""
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) != "mix" or cmd.argv[1:2] != ("deps.get",):
            continue
        later = run.commands[i + 1 :]
        if not any(
            _tool(c) == "mix" and c.argv[1:2] in (("compile",), ("release",)) for c in later
        ):
            return None
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if not all(_is_mix_local(c) for c in run.commands[:i]):
            return _not_first(run.commands, i)
        return Prefetch(" && ".join(c.source for c in run.commands[: i + 1]))
    return None


# --- maven, gradle, dotnet ----------------------------------------------------------------------

_MAVEN_GOALS = frozenset({"package", "install", "verify"})
_GRADLE_TASKS = frozenset({"build", "bootJar", "assemble", "installDist", "shadowJar"})


# sbt commands that resolve or inspect without compiling (the classifier's list).
_SBT_RESOLVE = frozenset({"update", "updateClassifiers", "updateSbtClassifiers", "reload"})


def _plan_sbt(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) != "sbt":
            continue
        names = [re.split(r"[/:]", c.split()[0])[-1] for c in _sbt_commands(cmd)]
        if not names or all(n in _SBT_RESOLVE for n in names):
            continue
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if any(a.startswith(("-sbt-dir", "--sbt-dir", "-ivy")) for a in cmd.argv):
            return Declined(f"`{cmd.source}` keeps its caches elsewhere (-sbt-dir/-ivy)")
        return _lead(run, i, "sbt update")
    return None


def _sbt_commands(cmd: Cmd) -> list[str]:
    """The sbt commands a command line runs (`sbt clean assembly`, `sbt "clean; stage"`)."""
    words = [w for w in cmd.argv[1:] if not w.startswith("-")]
    return [c.strip() for w in words for c in w.split(";") if c.strip()]


def is_wrapper_chmod(cmd: Cmd) -> bool:
    """`chmod +x mvnw` (or gradlew): makes the build tool's wrapper script executable."""
    return (
        _tool(cmd) == "chmod"
        and len(cmd.argv) == 3
        and cmd.argv[1] in ("+x", "u+x", "a+x", "755", "0755", "775", "0775")
        and posixpath.basename(cmd.argv[2]) in ("mvnw", "gradlew")
        and "/" not in cmd.argv[2].removeprefix("./")
    )


def _wrapper_step(run: RunScript, i: int, command: str) -> Outcome:
    """The dependency step for the build at ``i``; a `chmod +x` of the wrapper before it in
    the chain is kept in front (it changes a mode, which the broad copy puts back)."""
    chmods = [c for c in run.commands[:i] if is_wrapper_chmod(c)]
    if len(chmods) == i:
        return Prefetch(" && ".join([*(c.source for c in chmods), command]))
    return _lead(run, i, command)


def _plan_maven(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) not in ("mvn", "mvnw") or not _MAVEN_GOALS & set(cmd.argv[1:]):
            continue
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if _has_flag(cmd.argv, "-f", "--file"):
            return Declined(f"`{cmd.source}` names another pom.xml (-f)")
        return _wrapper_step(run, i, f"{cmd.raw[0]} -B dependency:go-offline")
    return None


def _plan_gradle(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        tasks = {a.rsplit(":", 1)[-1] for a in _positionals(cmd.argv[1:])}
        if _tool(cmd) not in ("gradle", "gradlew") or not _GRADLE_TASKS & tasks:
            continue
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if _has_flag(cmd.argv, "-p", "--project-dir", "-b", "--build-file"):
            return Declined(f"`{cmd.source}` builds a project in another directory (-p/-b)")
        return _wrapper_step(run, i, f"{cmd.raw[0]} dependencies --no-daemon")
    return None


_DOTNET_PROJECTS = (".sln", ".slnx", ".csproj", ".fsproj", ".vbproj")
_DOTNET_VALUE_FLAGS = frozenset(
    {
        "-c",
        "--configuration",
        "-o",
        "--output",
        "-f",
        "--framework",
        "-r",
        "--runtime",
        "-p",
        "--property",
        "-v",
        "--verbosity",
        "-a",
        "--arch",
        "--os",
    }
)


def _plan_dotnet(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) != "dotnet" or cmd.argv[1:2] not in (("build",), ("publish",)):
            continue
        if _runs_before(run.commands, i, _is_dotnet_restore):
            return _split_leading(run, _is_dotnet_restore)
        if "--no-restore" in cmd.argv:
            return None
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        named = _dotnet_project(cmd.argv[2:])
        if named is not None and not project.exists(posixpath.normpath(named)):
            return Declined(f"{named} is not among the files the copy sends")
        if named is None and not any(project.matching("*" + ext) for ext in _DOTNET_PROJECTS):
            return Declined("no solution or project file at the WORKDIR for `dotnet restore`")
        words = ["dotnet", "restore"]
        if named is not None:
            words.append(cmd.raw[cmd.argv.index(named)])
        runtime = _flag_value(cmd.argv, "-r") or _flag_value(cmd.argv, "--runtime")
        if runtime is not None:
            words += ["-r", shlex.quote(runtime)]
        return _lead(run, i, " ".join(words))
    return None


def _is_dotnet_restore(cmd: Cmd) -> bool:
    return _tool(cmd) == "dotnet" and cmd.argv[1:2] == ("restore",)


def _dotnet_project(args: Sequence[str]) -> str | None:
    """The project or solution a `dotnet build|publish` names (its first positional)."""
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word in _DOTNET_VALUE_FLAGS:
            skip = True
        elif not word.startswith("-"):
            return word if word.endswith(_DOTNET_PROJECTS) else None
    return None


# --- go --------------------------------------------------------------------------------------

_GO_BUILDS = frozenset({"build", "install", "test", "vet", "generate"})
# A Makefile that builds Go: `go build`, or through a variable (`$(GOCMD) build`).
_MAKE_GO_BUILD = re.compile(r"(?:\bgo|\$[({]GO\w*[)}])\s+(?:build|install)\b")


def _is_go_download(cmd: Cmd) -> bool:
    return _tool(cmd) == "go" and cmd.argv[1:3] == ("mod", "download")


def _plan_go(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        tool = _tool(cmd)
        if tool == "go" and len(cmd.argv) > 1 and cmd.argv[1] in _GO_BUILDS:
            pass
        elif tool == "make" and not _has_flag(cmd.argv, "-C", "-f", "--directory", "--file"):
            makefile = project.read("Makefile") or project.read("makefile") or ""
            if not _MAKE_GO_BUILD.search(makefile):
                continue
        else:
            continue
        if _runs_before(run.commands, i, _is_go_download):
            return _split_leading(run, _is_go_download)
        if project.has_dir("vendor") or "-mod=vendor" in cmd.argv:
            return None  # the modules are vendored: nothing to download
        gomod = project.read("go.mod")
        if gomod is not None and not re.search(r"^\s*require\b", gomod, re.MULTILINE):
            return None  # the standard library only: nothing to download
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if _has_flag(cmd.argv, "-C", "-modfile"):
            return Declined(f"`{cmd.source}` reads its go.mod from elsewhere (-C/-modfile)")
        return _lead(run, i, "go mod download")
    return None


# --- cargo -----------------------------------------------------------------------------------


def _plan_cargo(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) != "cargo" or len(cmd.argv) < 2:
            continue
        sub = cmd.argv[1]
        if sub == "install":
            path = _flag_value(cmd.argv, "--path")
            if path not in (".", "./"):
                continue
        elif sub != "build":
            continue
        if _runs_before(run.commands, i, lambda c: c.argv[:2] == ("cargo", "fetch")):
            return None
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if _has_flag(cmd.argv, "--manifest-path"):
            return Declined(f"`{cmd.source}` names another Cargo.toml (--manifest-path)")
        stub = _cargo_stub(project)
        if not isinstance(stub, Prefetch):
            return stub
        return _lead(run, i, stub.command, stub.creates)
    return None


def _flag_value(argv: Sequence[str], name: str) -> str | None:
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(name + "="):
            return word[len(name) + 1 :]
    return None


def _cargo_stub(project: Project) -> Outcome:
    text = project.read("Cargo.toml")
    if text is None:
        return None  # the required-manifest check explains it
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return Declined("Cargo.toml does not parse")
    if "workspace" in manifest:
        # No stubs for the members: the copies send each member's manifest and the target
        # files cargo reads to load it (src/lib.rs, src/main.rs, build.rs), as they are.
        return Prefetch("cargo fetch")
    for key, default in (("lib", "src/lib.rs"), ("bin", "src/main.rs")):
        targets = manifest.get(key)
        entries = targets if isinstance(targets, list) else [targets] if targets else []
        for entry in entries:
            if isinstance(entry, dict) and entry.get("path", default) != default:
                return Declined(f"a [{key}] target is not at {default}: the stub would not match")
    extra = [k for k in ("bench", "example", "test") if manifest.get(k)]
    if extra:
        return Declined(
            f"Cargo.toml declares [[{extra[0]}]] targets, which the stub does not create"
        )
    lib = "lib" in manifest or (project.exists("src/lib.rs") and not project.exists("src/main.rs"))
    binary = "bin" in manifest or project.exists("src/main.rs") or not lib
    steps = ["mkdir -p src"]
    if binary:
        steps.append("echo 'fn main() {}' > src/main.rs")
    if lib:
        steps.append("touch src/lib.rs")
    steps += ["cargo fetch", "rm -rf src"]
    return Prefetch(" && ".join(steps), creates=("src",))


# --- rows ------------------------------------------------------------------------------------


_CHAIN_UNSAFE = (
    "the two RUNs make two layers instead of one, and the install no longer sees the sources "
    "(dockerfix checks it reads only the manifests)"
)


def _chain_row(
    ecosystem: str, triggers: str, manifests: tuple[str, ...], required: str
) -> PrefetchRow:
    return PrefetchRow(
        ecosystem,
        triggers,
        manifests,
        ((required,),) if required else (),
        "the install part of the chain",
        _CHAIN_UNSAFE,
        _chain_planner(ecosystem),
        "split",
    )


ROWS: tuple[PrefetchRow, ...] = (
    PrefetchRow(
        "go",
        "`go build`, `go install`, `go test`, `go vet`, `go generate`; `make …` when the "
        "Makefile runs `go build` (or `$(GOCMD) build`)",
        ("go.mod", "go.sum", "go.work", "go.work.sum"),
        (("go.mod",),),
        "go mod download",
        "`go mod download` fetches every module go.mod names into GOMODCACHE (/go/pkg/mod), "
        "also modules no built package imports",
        _plan_go,
    ),
    PrefetchRow(
        "cargo",
        "`cargo build`, `cargo install --path .` of a single crate",
        ("Cargo.toml", "Cargo.lock"),
        (("Cargo.toml",),),
        "mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo fetch && rm -rf src",
        "`cargo fetch` downloads the crates of every target and platform into ~/.cargo; the "
        "stub source is created and removed",
        _plan_cargo,
    ),
    PrefetchRow(
        "poetry",
        "`poetry install` without `--no-root`",
        ("pyproject.toml", "poetry.lock", "poetry.toml"),
        (("pyproject.toml",),),
        "poetry install --no-root (same other flags)",
        "the dependency-only install runs a command the Dockerfile did not; the environment "
        "is the same once the original install adds the project, caches may hold more",
        _variant_planner(("poetry",), "install", ("--no-root",), ("--no-root", "--only-root")),
    ),
    PrefetchRow(
        "uv",
        "`uv sync` without `--no-install-project`; `uv pip install .` (`.[extras]`, `-e .`) "
        "of a project whose pyproject.toml lists its dependencies",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"),
        (("pyproject.toml",),),
        "uv sync --no-install-project (same other flags); uv pip install -r pyproject.toml "
        "(same other flags, each extra as --extra)",
        "the dependency-only sync runs a command the Dockerfile did not; .venv is the same once "
        "the original sync adds the project, the uv cache may hold more; `uv pip install -r "
        "pyproject.toml` resolves the dependencies without the project, which the original "
        "install then adds to them",
        _uv_planner,
    ),
    PrefetchRow(
        "pdm",
        "`pdm install` without `--no-self`",
        ("pyproject.toml", "pdm.lock", "pdm.toml"),
        (("pyproject.toml",),),
        "pdm install --no-self (same other flags)",
        "the dependency-only install runs a command the Dockerfile did not; the environment is "
        "the same once the original install adds the project, caches may hold more",
        _variant_planner(("pdm",), "install", ("--no-self",), ("--no-self",)),
    ),
    PrefetchRow(
        "composer",
        "`composer install` without `--no-scripts --no-autoloader`",
        ("composer.json", "composer.lock", "auth.json"),
        (("composer.json",),),
        "composer install --no-scripts --no-autoloader (same other flags)",
        "the first install skips scripts and the autoloader; the original install then runs "
        "them with the sources present, and the composer cache may hold more",
        _variant_planner(
            ("composer", "composer.phar"),
            "install",
            ("--no-scripts", "--no-autoloader"),
            (),
        ),
    ),
    PrefetchRow(
        "maven",
        "`mvn …` or `./mvnw …` running `package`, `install` or `verify`",
        ("pom.xml (every module's, at its path)", "mvnw", ".mvn/"),
        (("pom.xml",),),
        "mvn -B dependency:go-offline (./mvnw with the wrapper)",
        "`dependency:go-offline` resolves every plugin and dependency of every scope into ~/.m2, "
        "more than `package` may need",
        _plan_maven,
    ),
    PrefetchRow(
        "gradle",
        "`./gradlew` or `gradle` running `build`, `bootJar`, `assemble`, `installDist`, "
        "`shadowJar`",
        (
            "gradlew",
            "gradle/",
            "settings.gradle[.kts]",
            "build.gradle[.kts]",
            "gradle.properties",
            "buildSrc/",
        ),
        (("settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts"),),
        "./gradlew dependencies --no-daemon (gradle without the wrapper)",
        "`dependencies` starts Gradle once more and fills ~/.gradle (caches, the wrapper "
        "distribution) before the sources arrive",
        _plan_gradle,
    ),
    PrefetchRow(
        "sbt",
        "`sbt` running a command that compiles (`assembly`, `stage`, `compile`, `package`, …)",
        ("build.sbt", "*.sbt", "project/", ".sbtopts", ".jvmopts"),
        (("build.sbt",),),
        "sbt update",
        "`sbt update` starts sbt once more and fills ~/.ivy2, ~/.sbt and the coursier cache "
        "(and project/target) before the sources arrive",
        _plan_sbt,
    ),
    PrefetchRow(
        "dotnet",
        "`dotnet build` or `dotnet publish` without a restore before it",
        (
            "*.sln",
            "every *.csproj / *.fsproj at its path",
            "nuget.config",
            "Directory.Build.props",
            "Directory.Packages.props",
            "global.json",
        ),
        (),
        "dotnet restore <the project or solution the build names>",
        "`dotnet restore` writes obj/ files and fills ~/.nuget/packages before the sources "
        "arrive; the build's own restore then finds them up to date",
        _plan_dotnet,
    ),
    PrefetchRow(
        "dart",
        "`flutter build …`, `dart compile …` without a `pub get` before them",
        ("pubspec.yaml", "pubspec.lock", "pubspec_overrides.yaml"),
        (("pubspec.yaml",),),
        "flutter pub get (dart pub get for `dart compile`)",
        "`pub get` writes .dart_tool/ and fills the pub cache before the sources arrive; run "
        "by flutter it finds no platform folders yet, so it writes no plugin files into them "
        "(the build writes those it needs)",
        _plan_dart,
    ),
    PrefetchRow(
        "mix",
        "`mix deps.get && mix compile` or `mix deps.get && mix release` in one RUN",
        ("mix.exs", "mix.lock", "config/"),
        (("mix.exs",),),
        "mix deps.get (with the `mix local.hex`/`mix local.rebar` before it)",
        "`mix deps.get` writes deps/ and ~/.hex before the sources arrive; config/ is copied "
        "early because mix.exs may read it",
        _plan_mix,
    ),
    _chain_row(
        "npm",
        "`npm ci && <build>`, `npm install && <build>`",
        ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
        "package.json",
    ),
    _chain_row(
        "yarn",
        "`yarn install && <build>`, `yarn && <build>`",
        ("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".yarn/releases", ".npmrc"),
        "package.json",
    ),
    _chain_row(
        "pnpm",
        "`pnpm install && <build>`",
        ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"),
        "package.json",
    ),
    _chain_row(
        "bun",
        "`bun install && <build>`",
        ("package.json", "bun.lock", "bun.lockb", "bunfig.toml"),
        "package.json",
    ),
    replace(
        _chain_row(
            "pip",
            "`pip install -r <requirements> && <build>`; `pip install .` (`.[extras]`, `-e .`) "
            "of a project whose pyproject.toml lists its dependencies (on a python:3.11 or "
            "later image), or whose setup.py passes a literal `install_requires` list",
            (
                "the requirements files the install names (nested `-r`/`-c` included); "
                "pyproject.toml or setup.py",
            ),
            "",
        ),
        prefetch="the install part of the chain; for `pip install .`, `python -c <print "
        "the dependencies pyproject.toml or setup.py lists> > /tmp/project-requirements.txt "
        "&& pip install -r /tmp/project-requirements.txt`",
        unsafe=_CHAIN_UNSAFE + "; for `pip install .`, the dependencies are installed "
        "before the project, which then resolves against them: the versions picked stay "
        "until pyproject.toml changes, and pip marks them as requested (a REQUESTED file in "
        "each .dist-info, listed in its RECORD)",
        plan=_pip_planner,
    ),
)


# --- planning --------------------------------------------------------------------------------
