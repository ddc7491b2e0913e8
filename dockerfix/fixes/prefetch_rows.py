"""The ecosystems of DFX007: how each one's fused build is split into a dependency step.

One `PrefetchRow` per ecosystem: which commands build (and so download), which manifests the
download reads, and the dependency-only command to run before the sources are copied. The
RUN reading and the moves the rows share are in `prefetch_script`.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence
from dataclasses import replace

from dockerfix.fixes.prefetch_script import (
    _MOVED,
    UNKNOWN,
    Cmd,
    Declined,
    Outcome,
    Planner,
    Prefetch,
    PrefetchRow,
    Project,
    RunScript,
    _chain_planner,
    _flag_value,
    _has_flag,
    _lead,
    _not_first,
    _pip_install_at,
    _positionals,
    _runs_before,
    _split_leading,
    _tool,
    _with_flags,
)
from dockerfix.model.commands._base import load_toml
from dockerfix.model.commands.go import requires_modules
from dockerfix.model.commands.python import (
    PIP_VALUE,
    PYPROJECT_REQUIREMENTS,
    SETUP_SNIPPET,
    pyproject_requirements,
    pyproject_snippet,
    setup_py_requirements,
)

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
    folder_flags: tuple[str, ...] = (),
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
            found = _lead(run, i, _with_flags(cmd, cmd.argv.index(sub), flags))
            folder = next(
                (v for f in folder_flags if (v := _flag_value(cmd.argv, f)) is not None), None
            )
            if folder is not None and isinstance(found, Prefetch):
                # `composer install --working-dir=/opt/app`: its manifests are there.
                return replace(found, folder=folder)
            return found
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
        data = load_toml(text)
        if data is None:
            return Declined("pyproject.toml does not parse")
        table = data.get("project")
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


# A project target whose extras a variable names: `.[${EXTRAS}]`, `.[$EXTRAS]`.
ARG_EXTRAS = re.compile(r"\./?\[\$\{?[A-Za-z_][A-Za-z0-9_]*\}?\]")


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
            if word in PIP_VALUE and j + 1 < len(words):
                if word not in ("-e", "--editable"):  # another editable requirement stays
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
    data = load_toml(text)
    if text is not None and data is None:
        return Declined("pyproject.toml does not parse")
    table = data.get("project") if data is not None else None
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
# A Makefile or build script that builds Go: `go build`, or through a variable (`$(GOCMD)
# build`).
_GO_BUILD_TEXT = re.compile(r"(?:\bgo|\$[({]GO\w*[)}])\s+(?:build|install)\b")


def _is_go_download(cmd: Cmd) -> bool:
    return _tool(cmd) == "go" and cmd.argv[1:3] == ("mod", "download")


def _script_run(cmd: Cmd) -> str | None:
    """The project file a command runs as a shell script (`./build`, `scripts/build.sh`, `sh
    build.sh`), relative to the working directory; None for any other command."""
    argv = cmd.argv
    if len(argv) >= 2 and argv[0] in ("sh", "bash") and not argv[1].startswith("-"):
        path = argv[1]
    elif argv and "/" in argv[0] and not argv[0].startswith("/"):
        path = argv[0]
    else:
        return None
    return path[2:] if path.startswith("./") else path


def _plan_go(run: RunScript, project: Project) -> Outcome:
    for i, cmd in enumerate(run.commands):
        tool = _tool(cmd)
        if tool == "go" and len(cmd.argv) > 1 and cmd.argv[1] in _GO_BUILDS:
            pass
        else:
            # `make …` or `./build.sh`: the Makefile or the script runs `go build`.
            if tool == "make" and not _has_flag(cmd.argv, "-C", "-f", "--directory", "--file"):
                text = project.read("Makefile") or project.read("makefile")
            elif (script := _script_run(cmd)) is not None:
                text = project.read(script)
            else:
                continue
            if not _GO_BUILD_TEXT.search(text or ""):
                continue
        if _runs_before(run.commands, i, _is_go_download):
            return _split_leading(run, _is_go_download)
        if project.has_dir("vendor") or "-mod=vendor" in cmd.argv:
            return None  # the modules are vendored: nothing to download
        gomod = project.read("go.mod")
        if gomod is not None and not requires_modules(gomod):
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


def _cargo_stub(project: Project) -> Outcome:
    text = project.read("Cargo.toml")
    if text is None:
        return None  # the required-manifest check explains it
    manifest = load_toml(text)
    if manifest is None:
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
        "Makefile runs `go build` (or `$(GOCMD) build`), and a shell script of the project "
        "(`./build.sh`) that does",
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
            folder_flags=("--working-dir", "-d"),
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
