"""DFX007 prefetch-deps: download the dependencies in a step of their own before the sources.

A build command such as `go build` downloads what it needs as part of the build, so a broad
copy above it reruns the download on every source edit and no manifest split exists. With
`--unsafe-fixes` this fix copies the manifests first and adds a dependency-only RUN (`go mod
download`, `cargo fetch`, `mvn dependency:go-offline`, …) before the broad copy, or splits a
plain `install && build` chain around it. `ROWS` holds one entry per ecosystem.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule, short
from dockerfix.fixes.split_copy import SplitCandidate, find_split, manifest_copies
from dockerfix.model import shell
from dockerfix.model.constraints import conflicts
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import Effect, step_effect
from dockerfix.model.paths import PathSet, is_under, normalize
from dockerfix.model.runs import script_text
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.model.volatility import P_SOURCE
from dockerfix.pipeline.plan import PlannedRun
from dockerfix.syntax import parse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

RULE = rule(
    codes.PREFETCH,
    "prefetch-deps",
    "unsafe",
    "Download dependencies in a step of their own before the sources are copied.",
    """
## What it does
Finds a build command that downloads its dependencies itself (`go build`, `cargo build`,
`mvn package`, `./gradlew build`, `dotnet publish`, `poetry install`, `uv sync`, `pdm install`,
`composer install`, `mix deps.get && mix compile`) after a broad copy of the sources, copies
the manifests that exist in the build context before that copy and adds a dependency-only
step there (`go mod download`, `cargo fetch`, `mvn dependency:go-offline`, …). The original
command stays after the broad copy. A plain `install && build` chain (`npm ci && npm run build`,
`pip install -r requirements.txt && python setup.py build`) is split instead: the install runs
before the broad copy, the build after it. Applied only with `--unsafe-fixes`.

## Why
With `COPY . .` above `RUN go build`, every source edit downloads every module again; no
manifest copy can help, since the download is part of the build. With a dependency-only step
above the broad copy, only a manifest change reruns the download.

## Example
```dockerfile
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/server
```
becomes (with `--unsafe-fixes`)
```dockerfile
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app ./cmd/server
```
Per ecosystem:
- go: `go build|install|test|vet|generate` (or `make build` when the Makefile runs `go build`)
  → `COPY go.mod go.sum ./` + `RUN go mod download`; nothing when `vendor/` exists.
- cargo: `cargo build` or `cargo install --path .` of a single crate → `COPY Cargo.toml
  Cargo.lock ./` + `RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo fetch &&
  rm -rf src` (`touch src/lib.rs` for a library); a workspace is declined.
- maven: `mvn|./mvnw … package|install|verify` → every `pom.xml` (and `mvnw`, `.mvn/`) +
  `RUN mvn -B dependency:go-offline`.
- gradle: `./gradlew|gradle build|bootJar|assemble|installDist|shadowJar` → `gradlew`,
  `gradle/`, `settings.gradle[.kts]`, `build.gradle[.kts]`, `gradle.properties` + `RUN
  ./gradlew dependencies --no-daemon`.
- dotnet: `dotnet build|publish` without a restore before it → the solution, project files,
  `nuget.config`, `Directory.*.props`, `global.json` + `RUN dotnet restore <project>`.
- mix: `mix deps.get && mix compile` (or `mix release`) → `mix.exs`, `mix.lock`, `config/` +
  `RUN mix deps.get`.
- poetry, uv, pdm: `poetry install` → `RUN poetry install --no-root`, `uv sync` → `RUN uv sync
  --no-install-project`, `pdm install` → `RUN pdm install --no-self` (same other flags).
- composer: `composer install` → `RUN composer install --no-scripts --no-autoloader` (same other
  flags).
- npm, yarn, pnpm, bun, pip: `RUN <install> && <build>` → `RUN <install>` before the broad copy
  (after the manifests), `RUN <build>` after it.

## Fix safety
Unsafe: the added step is a command the original Dockerfile does not run, and it changes what
the image contains. The build that follows finds the dependencies already downloaded instead
of fetching them itself, and the dependency-only step may leave more behind than the build
would have:
- go: `go mod download` fetches every module of `go.mod`, also those no built package imports:
  `/go/pkg/mod` (GOMODCACHE) holds more.
- cargo: `cargo fetch` downloads the crates of every target and platform into
  `~/.cargo/registry`; the stub source is removed, its directory is created and deleted.
- maven: `dependency:go-offline` resolves every plugin and dependency of every scope: `~/.m2`
  holds more, and the resolution may differ from what `package` resolves. In a multi-module
  build whose modules depend on each other it may look for the sibling modules in a remote
  repository and fail: keep the original there with `# dockerfix: ignore[DFX007]`.
- gradle: `dependencies` resolves the root project's configurations and starts Gradle once more:
  `~/.gradle` holds more caches (and the wrapper distribution earlier).
- dotnet: `dotnet restore` writes `obj/` files and fills `~/.nuget/packages` before the sources
  arrive; the build's own restore then finds them up to date.
- mix: `mix deps.get` writes `deps/` before the sources; `config/` is copied early because
  `mix.exs` may read it.
- poetry, uv, pdm: the dependency-only install leaves the same environment except the project
  itself, which the original install adds later; caches may hold more.
- composer: `--no-scripts --no-autoloader` installs `vendor/` without running scripts; the
  original `composer install` then runs them with the sources present.
- npm, yarn, pnpm, bun, pip: the install no longer sees the sources (it reads only the manifests,
  which the classifier checks; lifecycle scripts reading sources decline), and the two RUNs make
  two layers instead of one.

The safe-mode check accepts the inserted RUN (and, for a split chain, the two RUNs replacing the
original) only as planned: in the original RUN's workdir, user and environment, after the
manifests it reads, with nothing it moves across conflicting with it; everything else is
verified as for every rewrite. Without `--unsafe-fixes` the finding is only reported.
""",
)

Mode = Literal["add", "split"]
# RUN flags a dependency step may carry over from the build (a cache mount shared by both).
_CARRIED_MOUNTS = ("type=cache", "type=secret", "type=ssh")
_NOT_APPLIED = (
    "it adds a command and changes what the image contains: applied only with --unsafe-fixes"
)


@dataclass(frozen=True)
class Project:
    """The files a broad copy puts in the build's working directory, as the build will see them."""

    files: Mapping[str, str]  # path relative to the working directory → context path
    ctx: BuildContext
    dirs: frozenset[str] = frozenset()

    @staticmethod
    def of(image_files: Mapping[str, str], workdir: str, ctx: BuildContext) -> Project:
        files = {
            posixpath.relpath(img, workdir): src
            for img, src in image_files.items()
            if is_under(img, workdir) and img != workdir
        }
        dirs = {posixpath.dirname(f) for f in files}
        for d in list(dirs):
            while d:
                dirs.add(d)
                d = posixpath.dirname(d)
        return Project(files, ctx, frozenset(dirs - {""}))

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
    if tool == "npm" and args[:1] in (["ci"], ["install"], ["i"]) and len(args) == 1:
        return "npm"
    if tool == "yarn" and (args == [] or args == ["install"]):
        return "yarn"
    if tool in ("pnpm", "bun") and args in (["install"], ["i"]):
        return tool
    return None


def _chain_planner(ecosystem: str) -> Planner:
    def plan(run: RunScript, project: Project) -> Outcome:
        commands = run.commands
        if len(commands) < 2 or _is_chain_install(commands[0]) != ecosystem:
            return None
        if run.chain is None or len(run.chain) != len(commands):
            return Declined(
                "the RUN is not a plain `&&` list (`;`, `||`, pipes, redirections or "
                "subshells): it cannot be cut in two RUNs"
            )
        stateful = next((c for c in commands if _tool(c) in _STATEFUL), None)
        if stateful is not None:
            return Declined(
                f"the chain runs `{stateful.source}`, which changes the shell state for the "
                "commands after it: it cannot be cut in two RUNs"
            )
        k = 0
        while k < len(commands) and _is_chain_install(commands[k]) is not None:
            k += 1
        if k == len(commands):
            return None  # only installs: split-copy's business
        return Prefetch(" && ".join(run.chain[:k]), rest=" && ".join(run.chain[k:]))

    return plan


def _not_first(commands: Sequence[Cmd], i: int) -> Declined | None:
    """A dependency step takes only the build command: what runs before it may be needed."""
    if i == 0:
        return None
    return Declined(
        f"`{commands[0].source}` runs before `{commands[i].source}` in the same RUN and the "
        "dependency step may need it: put the build command in a RUN of its own"
    )


# --- poetry, uv, pdm, composer, mix: the same install without the project ---------------------


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
            if _tool(cmd) not in tools or _positionals(cmd.argv[1:])[:1] != [sub]:
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
            return _not_first(run.commands, i) or Prefetch(
                _with_flags(cmd, cmd.argv.index(sub), flags)
            )
        return None

    return plan


def _is_mix_local(cmd: Cmd) -> bool:
    return _tool(cmd) == "mix" and cmd.argv[1:2] in (("local.hex",), ("local.rebar",))


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


def _plan_maven(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        if _tool(cmd) not in ("mvn", "mvnw") or not _MAVEN_GOALS & set(cmd.argv[1:]):
            continue
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if _has_flag(cmd.argv, "-f", "--file"):
            return Declined(f"`{cmd.source}` names another pom.xml (-f)")
        return _not_first(run.commands, i) or Prefetch(f"{cmd.raw[0]} -B dependency:go-offline")
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
        return _not_first(run.commands, i) or Prefetch(f"{cmd.raw[0]} dependencies --no-daemon")
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
        if "--no-restore" in cmd.argv or _runs_before(
            run.commands, i, lambda c: c.argv[:2] == ("dotnet", "restore")
        ):
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
        return _not_first(run.commands, i) or Prefetch(" ".join(words))
    return None


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


def _is_go_download(cmd: Cmd) -> bool:
    return _tool(cmd) == "go" and cmd.argv[1:3] == ("mod", "download")


def _plan_go(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        tool = _tool(cmd)
        if tool == "go" and len(cmd.argv) > 1 and cmd.argv[1] in _GO_BUILDS:
            pass
        elif tool == "make" and _positionals(cmd.argv[1:])[:1] == ["build"]:
            makefile = project.read("Makefile") or project.read("makefile") or ""
            if not re.search(r"\bgo\s+build\b", makefile):
                continue
        else:
            continue
        if _runs_before(run.commands, i, _is_go_download):
            return None
        if project.has_dir("vendor") or "-mod=vendor" in cmd.argv:
            return None  # the modules are vendored: nothing to download
        if cmd.moved:
            return Declined(_MOVED.format(cmd.source))
        if declined := _not_first(run.commands, i):
            return declined
        if _has_flag(cmd.argv, "-C", "-modfile"):
            return Declined(f"`{cmd.source}` reads its go.mod from elsewhere (-C/-modfile)")
        return Prefetch("go mod download")
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
        if declined := _not_first(run.commands, i):
            return declined
        if _has_flag(cmd.argv, "--manifest-path"):
            return Declined(f"`{cmd.source}` names another Cargo.toml (--manifest-path)")
        return _cargo_stub(project)
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
        return Declined(
            "Cargo.toml is a workspace: every member needs its manifest and a stub target, "
            "which dockerfix does not write; copy them and run `cargo fetch` yourself"
        )
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
        "`go build`, `go install`, `go test`, `go vet`, `go generate`; `make build` when the "
        "Makefile runs `go build`",
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
        "`uv sync` without `--no-install-project`",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"),
        (("pyproject.toml",),),
        "uv sync --no-install-project (same other flags)",
        "the dependency-only sync runs a command the Dockerfile did not; .venv is the same once "
        "the original sync adds the project, the uv cache may hold more",
        _variant_planner(("uv",), "sync", ("--no-install-project",), ("--no-install-project",)),
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
    _chain_row(
        "pip",
        "`pip install -r <requirements> && <build>`",
        ("the requirements files the install names (nested `-r`/`-c` included)",),
        "",
    ),
)


# --- planning --------------------------------------------------------------------------------


@dataclass
class PrefetchPlan:
    """DFX007's part of a stage plan: the new order, insertions, replacements and findings."""

    order: list[int]
    inserted: dict[int, str]
    replaced: dict[int, str] = field(default_factory=dict)
    planned: list[PlannedRun] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    prepared: set[int] = field(default_factory=set)  # the RUNs whose dependencies are prefetched


@dataclass(frozen=True)
class _Found:
    row: PrefetchRow
    run: Step
    broad: Step
    prefetch: Prefetch
    texts: tuple[str, ...]  # the manifest copies, then the dependency RUN
    replacement: str | None
    files: tuple[str, ...]  # the context paths copied


def plan_prefetches(
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    effects: Mapping[int, Effect],
    vol: Mapping[int, float],
    order: Sequence[int],
    inserted: Mapping[int, str],
    unsafe: bool,
    ignored: Callable[[int], bool] = lambda position: False,
) -> PrefetchPlan:
    """Each build that downloads its own dependencies after a broad copy: prefetched before the
    copy (with ``unsafe``), reported (without), or declined with the reason."""
    plan = PrefetchPlan(list(order), dict(inserted))
    if ctx is None:
        return plan
    done: set[tuple[int, str]] = set()
    for step in stage.steps:
        if step.keyword != "RUN" or ignored(step.position):
            continue
        outcome = _plan_run(model, stage, ctx, effects, vol, plan.order, step, done)
        if outcome is None:
            continue
        line = step.instruction.start_line
        head = f"`{short(step)}` downloads its dependencies again after every source edit"
        if isinstance(outcome, Declined):
            plan.diagnostics.append(
                Diagnostic(
                    codes.PREFETCH,
                    f"{head}; not prefetched: {outcome.reason}",
                    line,
                    "display-only",
                    reason=outcome.reason,
                )
            )
            continue
        done.add((outcome.broad.position, outcome.row.ecosystem))
        what = _describe(outcome)
        if not unsafe:
            plan.diagnostics.append(
                Diagnostic(
                    codes.PREFETCH,
                    f"{head}; --unsafe-fixes would {what}",
                    line,
                    "unsafe",
                    reason=_NOT_APPLIED,
                )
            )
            continue
        _apply(plan, outcome)
        plan.diagnostics.append(
            Diagnostic(
                codes.PREFETCH,
                f"{what[0].upper()}{what[1:]} so that source edits do not download the "
                f"{outcome.row.ecosystem} dependencies again",
                line,
                "unsafe",
                applied=True,
            )
        )
    return plan


def _apply(plan: PrefetchPlan, found: _Found) -> None:
    """Insert the manifest copies and the dependency RUN right before the broad copy."""
    next_id = min([0, *plan.inserted]) - 1
    at = plan.order.index(found.broad.position)
    for text in found.texts:
        plan.inserted[next_id] = text
        plan.order.insert(at, next_id)
        at += 1
        next_id -= 1
    run = found.run
    plan.prepared.add(run.position)
    if found.replacement is not None:
        plan.replaced[run.position] = found.replacement
    creates = tuple(normalize(c, run.state.workdir or "/") for c in found.prefetch.creates)
    plan.planned.append(
        PlannedRun(found.texts[-1], _norm(run.instruction.text), found.replacement, creates)
    )


def _describe(found: _Found) -> str:
    files = ", ".join(found.files)
    if found.replacement is not None:
        return (
            f"copy {files} first and run `{found.prefetch.command}` before "
            f"`{short(found.broad)}`, keeping `{found.prefetch.rest}` after it"
        )
    return f"copy {files} first and run `{found.prefetch.command}` before `{short(found.broad)}`"


def _plan_run(
    model: Model,
    stage: Stage,
    ctx: BuildContext,
    effects: Mapping[int, Effect],
    vol: Mapping[int, float],
    order: Sequence[int],
    run: Step,
    done: set[tuple[int, str]],
) -> _Found | Declined | None:
    text = script_text(run)
    if text is None or run.instruction.heredocs:
        return None
    if effects[run.position].kind == "run-install" and not effects[run.position].reads.everything:
        return None  # it reads only manifests: split-copy (DFX002) moves it as it is
    script = read_script(text)
    if script is None:
        return None
    broad = _broad_copy(stage, effects, vol, run)
    if broad is None:
        return None
    workdir = run.state.workdir
    copy = effects[broad.position].copy
    if copy is None or not copy.known:
        return None
    project = Project.of(copy.image_files(), workdir or "/", ctx)
    for row in ROWS:
        outcome = row.plan(script, project)
        if outcome is None:
            continue
        if isinstance(outcome, Declined):
            return outcome
        if (broad.position, row.ecosystem) in done or _prefetched(stage, effects, run, row):
            return None
        if workdir in (None, "/"):
            return Declined(
                "the build runs in / (no WORKDIR): dockerfix cannot tell project files from "
                "system files; set a WORKDIR"
            )
        for group in row.required:
            if not any(project.exists(m) for m in group):
                return Declined(
                    f"{' or '.join(group)} is not among the files `{short(broad)}` sends "
                    "(missing from the build context or excluded by .dockerignore)"
                )
        return _place(model, stage, ctx, effects, order, run, broad, row, outcome)
    return None


def _prefetched(stage: Stage, effects: Mapping[int, Effect], run: Step, row: PrefetchRow) -> bool:
    """An install of this ecosystem already runs before the build in this stage."""
    return any(
        s.position < run.position
        and effects[s.position].kind == "run-install"
        and row.ecosystem in effects[s.position].ecosystems
        for s in stage.steps
    )


def _broad_copy(
    stage: Stage, effects: Mapping[int, Effect], vol: Mapping[int, float], run: Step
) -> Step | None:
    """The nearest copy of the sources above ``run`` whose edits rerun it."""
    eff = effects[run.position]
    for earlier in reversed([s for s in stage.steps if s.position < run.position]):
        e = effects[earlier.position]
        if e.kind == "copy-context" and e.writes.overlaps(eff.reads):
            return earlier if vol[earlier.position] >= P_SOURCE else None
    return None


def _carried_flags(run: Step) -> list[str] | None:
    flags = []
    for flag in run.instruction.flags:
        if (
            flag.startswith("--mount=") and any(m in flag for m in _CARRIED_MOUNTS)
        ) or flag.startswith("--network="):
            flags.append(flag)
        else:
            return None
    return flags


def _place(
    model: Model,
    stage: Stage,
    ctx: BuildContext,
    effects: Mapping[int, Effect],
    order: Sequence[int],
    run: Step,
    broad: Step,
    row: PrefetchRow,
    prefetch: Prefetch,
) -> _Found | Declined:
    """The manifest copies and the dependency RUN, checked to run as the build would."""
    flags = _carried_flags(run)
    if flags is None:
        return Declined("the RUN has flags other than cache, secret or ssh mounts")
    keyword = run.instruction.cmd
    text = " ".join([keyword, *flags, prefetch.command])
    tree = parse(text + "\n")
    if tree.errors or len(tree.instructions) != 1:
        return Declined(f"`{prefetch.command}` does not parse as a RUN")
    step = Step(run.position, tree.instructions[0], run.stage, run.state)
    eff = step_effect(step, model, stage, ctx, effects)
    creates = {normalize(c, run.state.workdir or "/") for c in prefetch.creates}
    if creates:
        eff = without_scratch(eff, creates)
    broad_eff = effects[broad.position]
    split = find_split(broad, broad_eff, step, eff)
    if not isinstance(split, SplitCandidate):
        return Declined(split.reason)
    provided = {
        img: src for img, src in split.provided if not any(is_under(img, c) for c in creates)
    }
    state_problem = _state_change(run, broad)
    if state_problem:
        return Declined(state_problem)
    trimmed = replace(broad_eff, writes=_without(broad_eff.writes, set(provided)))
    if creates and _written_before(stage, effects, order, broad, creates):
        return Declined("files already in the image where the stub target would be created")
    start, end = order.index(broad.position), order.index(run.position)
    for node in order[start:end]:
        if node < 0:
            return Declined("a manifest copy dockerfix inserts runs between the copy and the RUN")
        crossed = trimmed if node == broad.position else effects[node]
        if conflicts(crossed, eff):
            other = next(s for s in stage.steps if s.position == node)
            return Declined(
                f"`{short(other)}` runs between `{short(broad)}` and the build and may change "
                "what the download reads or sees"
            )
    copies = manifest_copies(provided, broad, broad_eff)
    rest = None
    if prefetch.rest is not None:
        rest = " ".join([keyword, *flags, prefetch.rest])
    return _Found(row, run, broad, prefetch, (*copies, text), rest, tuple(provided.values()))


def _written_before(
    stage: Stage,
    effects: Mapping[int, Effect],
    order: Sequence[int],
    broad: Step,
    creates: set[str],
) -> bool:
    """Something before the broad copy wrote where the stub goes (its `rm -rf` would remove it)."""
    before = [effects[n] for n in order[: order.index(broad.position)] if n in effects]
    return any(
        e.writes.everything or any(is_under(p, c) for p in e.writes.paths for c in creates)
        for e in before
    )


def _state_change(run: Step, broad: Step) -> str | None:
    a, b = broad.state, run.state
    if (a.workdir, a.user, a.shell, dict(a.env)) != (b.workdir, b.user, b.shell, dict(b.env)):
        return (
            "a WORKDIR, USER, ENV or ARG between the copy and the build changes the state "
            "the download would run in"
        )
    return None


def without_scratch(effect: Effect, scratch: Sequence[str] | set[str]) -> Effect:
    """``effect`` without the reads and writes below folders the RUN creates and removes."""

    def keep(paths: PathSet) -> PathSet:
        kept = frozenset(p for p in paths.paths if not any(is_under(p, s) for s in scratch))
        return PathSet(kept, paths.everything, paths.outside)

    return replace(effect, reads=keep(effect.reads), writes=keep(effect.writes))


def _without(paths: PathSet, removed: set[str]) -> PathSet:
    return PathSet(
        frozenset(p for p in paths.paths if p not in removed), paths.everything, paths.outside
    )


def _norm(text: str) -> str:
    return text.rstrip("\r\n")


def split_run_text(original: str, install: str, rest: str) -> bool:
    """The two RUN texts run exactly the original's `&&` chain, in order, with its flags."""
    tree = parse(original + "\n")
    if tree.errors or len(tree.instructions) != 1:
        return False
    ins = tree.instructions[0]
    parts = chain_parts(ins.args) if not ins.json and not ins.heredocs else None
    if parts is None:
        return False
    pieces: list[list[str]] = []
    try:
        words = [shlex.split(p) for p in parts]
        for text in (install, rest):
            sub = parse(text + "\n")
            if sub.errors or len(sub.instructions) != 1 or sub.instructions[0].flags != ins.flags:
                return False
            chain = chain_parts(sub.instructions[0].args)
            if chain is None:
                return False
            pieces += [shlex.split(p) for p in chain]
    except ValueError:
        return False
    return pieces == words
