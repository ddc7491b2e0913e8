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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, replace

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.prefetch_checks import (
    PLATFORM_VARS,
    beside_system,
    env_difference,
    platform_only,
    same_state,
    without,
    without_scratch,
    wrapper_chmod_text,
)
from dockerfix.fixes.prefetch_rows import ARG_EXTRAS, ROWS, is_wrapper_chmod
from dockerfix.fixes.prefetch_script import (
    UNKNOWN,
    Declined,
    Prefetch,
    PrefetchRow,
    Project,
    Reached,
    RunScript,
    after_leading_cd,
    reached_commands,
    read_script,
)
from dockerfix.fixes.rule import rule, short
from dockerfix.fixes.split_copy import (
    ONLY_MANIFESTS,
    READS_NONE,
    SplitCandidate,
    find_split,
    lock_put_back,
    manifest_copies,
    only_manifests,
)
from dockerfix.model.base_images import python_version
from dockerfix.model.constraints import conflicts
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import Effect, step_effect
from dockerfix.model.paths import is_under, normalize
from dockerfix.model.runs import script_text
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.model.variables import referenced_names
from dockerfix.model.volatility import P_SPLIT, is_volatile_arg
from dockerfix.pipeline.plan import PlannedRun
from dockerfix.records import dataclass
from dockerfix.syntax import parse
from dockerfix.syntax.lineparse import parse_words

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
before the broad copy, the build after it. When the build follows setup commands in its RUN
(`apk add git && go build`, `apt-get install -y … && composer install`, `npm i -g pnpm && …`:
system packages and package managers, which read no project file), those move with the
dependency step (`apk add git && go mod download`) and the RUN keeps the build. Applied only
with `--unsafe-fixes`.

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
- go: `go build|install|test|vet|generate` (or `make …` when the Makefile runs `go build`,
  and `./build.sh` when that script of the project does) → `COPY go.mod go.sum ./` + `RUN go
  mod download`; nothing when `vendor/` exists.
- cargo: `cargo build` or `cargo install --path .` → `COPY Cargo.toml
  Cargo.lock ./` + `RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo fetch &&
  rm -rf src` (`touch src/lib.rs` for a library); for a workspace, every member's
  `Cargo.toml` and the target files cargo reads to load it (`src/lib.rs`, `src/main.rs`,
  `build.rs`, as they are: an edit of one of those downloads again) + `RUN cargo fetch`.
- maven: `mvn|./mvnw … package|install|verify` → every `pom.xml` (and `mvnw`, `.mvn/`) +
  `RUN mvn -B dependency:go-offline`.
- gradle: `./gradlew|gradle build|bootJar|assemble|installDist|shadowJar` → `gradlew`,
  `gradle/`, `settings.gradle[.kts]`, `build.gradle[.kts]`, `gradle.properties` + `RUN
  ./gradlew dependencies --no-daemon`.
- sbt: `sbt assembly|stage|compile|package|…` → `build.sbt`, `project/` + `RUN sbt update`.
- dotnet: `dotnet build|publish` without a restore before it → the solution, project files,
  `nuget.config`, `Directory.*.props`, `global.json` + `RUN dotnet restore <project>`.
- mix: `mix deps.get && mix compile` (or `mix release`) → `mix.exs`, `mix.lock`, `config/` +
  `RUN mix deps.get`.
- dart: `flutter build …` (or `dart compile …`) → `pubspec.yaml`, `pubspec.lock` + `RUN
  flutter pub get` (`dart pub get`).
- poetry, uv, pdm: `poetry install` → `RUN poetry install --no-root`, `uv sync` → `RUN uv sync
  --no-install-project`, `pdm install` → `RUN pdm install --no-self` (same other flags).
- composer: `composer install` → `RUN composer install --no-scripts --no-autoloader` (same other
  flags).
- npm, yarn, pnpm, bun, pip: `RUN <install> && <build>` → `RUN <install>` before the broad copy
  (after the manifests), `RUN <build>` after it.
- pip: `pip install .` (`.[extras]`, `-e .`) of a project whose pyproject.toml lists its
  dependencies in `[project]`, on an official python image of 3.11 or later → `COPY
  pyproject.toml` + `RUN python -c "<print them>" > /tmp/project-requirements.txt && pip
  install -r /tmp/project-requirements.txt && rm /tmp/project-requirements.txt` (the same
  pip and flags; the `python` of that pip, whose `tomllib` reads the file). A setup.py that
  passes `setup()` a literal `install_requires` list (and no setup.cfg) gets the same with
  `COPY setup.py` and a program that parses the file with `ast`, without running it.

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
- sbt: `update` starts sbt once more and fills `~/.ivy2`, `~/.sbt` and the coursier cache
  (and `project/target`) before the sources arrive.
- dotnet: `dotnet restore` writes `obj/` files and fills `~/.nuget/packages` before the sources
  arrive; the build's own restore then finds them up to date.
- mix: `mix deps.get` writes `deps/` before the sources; `config/` is copied early because
  `mix.exs` may read it.
- dart: `pub get` writes `.dart_tool/` and fills the pub cache before the sources arrive; run
  by flutter it finds no platform folders yet (android/, ios/, …), so it writes no plugin
  files into them: the build writes those it needs, other generated files may differ.
- poetry, uv, pdm: the dependency-only install leaves the same environment except the project
  itself, which the original install adds later; caches may hold more.
- composer: `--no-scripts --no-autoloader` installs `vendor/` without running scripts; the
  original `composer install` then runs them with the sources present.
- npm, yarn, pnpm, bun, pip: the install no longer sees the sources (it reads only the manifests,
  which the classifier checks; lifecycle scripts reading sources decline), and the two RUNs make
  two layers instead of one. An install that may rewrite its lock file (`npm install`; `yarn
  install` without `--frozen-lockfile`/`--immutable`; `pnpm install` without
  `--frozen-lockfile`, unless CI is set) brings a lock file out of step with package.json up
  to date, and the source copy after it puts the build context's copy back: the finding says
  so (`npm ci` and the frozen installs never rewrite it).
- pip (`pip install .`): the dependencies are installed before the project, which then resolves
  against them: the versions picked stay until pyproject.toml changes (a fresh build of the
  original would pick the newest). pip marks packages installed from a requirements file as
  requested: each dependency's `.dist-info` gets a `REQUESTED` file (listed in its `RECORD`),
  which the original, installing them as the project's dependencies, does not write (a real
  build shows exactly these differences). The requirements file is removed in the same RUN.
- Every ecosystem: the dependency step runs before the steps between the source copy and the
  build. It may cross those that touch only paths they name, in folders at the top of the
  image outside the system's (`COPY --from=ui /build /ui-build`, `COPY .docker /assets`,
  `RUN cp -r /ui-build /src/app/ui/build`) and none of the manifests: a download reads its
  manifests and the system's folders (its caches and configuration, `/etc`, `/usr`, `/root`),
  not those. The finding names each step it takes so.

The safe-mode check accepts the inserted RUN (and, for a split chain, the two RUNs replacing the
original) only as planned: in the original RUN's workdir, user and environment, after the
manifests it reads, with nothing it moves across conflicting with it; everything else is
verified as for every rewrite. Without `--unsafe-fixes` the finding is only reported.
""",
)

# RUN flags a dependency step may carry over from the build (a cache mount shared by both).
_CARRIED_MOUNTS = ("type=cache", "type=secret", "type=ssh")
_UNKNOWN_WORKDIR = (
    "the base image's working directory is not known to dockerfix, so neither is the folder "
    "the build runs in: add a WORKDIR before the copy"
)
_NOT_APPLIED = (
    "it adds a command and changes what the image contains: applied only with --unsafe-fixes"
)


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
class _Site:
    """Where a dependency step is planned: the build ``run`` after the copy ``broad``, in its
    stage and the stage's current order; ``done`` the (copy, ecosystem) pairs planned already."""

    model: Model
    stage: Stage
    ctx: BuildContext
    effects: Mapping[int, Effect]
    order: Sequence[int]
    run: Step
    broad: Step
    done: set[tuple[int, str]]


@dataclass(frozen=True)
class _Found:
    row: PrefetchRow
    run: Step
    broad: Step
    prefetch: Prefetch
    texts: tuple[str, ...]  # the manifest copies, then the dependency RUN
    replacement: str | None
    files: tuple[str, ...]  # the context paths copied
    assumption: str = ""  # the dependency step's Effect.assumption, when it relies on one
    chmods: tuple[str, ...] = ()  # image paths of build wrappers the step makes executable
    args: tuple[int, ...] = ()  # ARG declarations that move above the copy with the step
    arg_texts: tuple[str, ...] = ()  # their text
    locks: tuple[str, ...] = ()  # lock files the step may rewrite, which the copy puts back


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
                f"{outcome.row.ecosystem} dependencies again"
                + (f" (unsafe: {outcome.assumption})" if outcome.assumption else ""),
                line,
                "unsafe",
                applied=True,
            )
        )
    return plan


def _apply(plan: PrefetchPlan, found: _Found) -> None:
    """Insert the manifest copies and the dependency RUN right before the broad copy."""
    next_id = min([0, *plan.inserted]) - 1
    for position in found.args:
        plan.order.remove(position)
        plan.order.insert(plan.order.index(found.broad.position), position)
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
        PlannedRun(
            found.texts[-1],
            _norm(run.instruction.text),
            found.replacement,
            creates,
            assumed=bool(found.assumption),
            chmods=found.chmods,
            added=found.prefetch.added,
            args=found.arg_texts,
            cwd=found.prefetch.cwd,
            locks=found.locks,
        )
    )


def _describe(found: _Found) -> str:
    files = ", ".join(found.files)
    if found.replacement is not None:
        return (
            f"copy {files} first and run `{found.prefetch.command}` before "
            f"`{short(found.broad)}`, keeping `{found.prefetch.rest}` after it"
        )
    if not files:  # its manifests are in the image already
        return f"run `{found.prefetch.command}` before `{short(found.broad)}`"
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
    if text is None:
        return None
    if effects[run.position].kind == "run-install" and not effects[run.position].reads.everything:
        return None  # it reads only manifests: split-copy (DFX002) moves it as it is
    script = read_script(text) if not run.instruction.heredocs else None
    outcome: _Found | Declined | None = None
    for broad in _broad_copies(stage, effects, vol, run):
        site = _Site(model, stage, ctx, effects, order, run, broad, done)
        outcome = _plan_from(site, text, script)
        if not (isinstance(outcome, Declined) and outcome.missing):
            return outcome
    return outcome  # (`COPY js js`, `COPY public public`, `RUN cd js && npm ci && …`)


def _plan_from(site: _Site, text: str, script: RunScript | None) -> _Found | Declined | None:
    """The dependency step of the site's build before its copy."""
    stage, effects, run = site.stage, site.effects, site.run
    if script is None:
        reached, whole = _plan_reached(site, text)
        if isinstance(reached, _Found) or whole:
            return reached  # (a plain chain: its decline is about the install it holds)
        hidden = _hidden_build(text)
        if hidden is None:
            return reached  # a row's decline of a build it found (`make` of Go), or nothing
        if any(r.ecosystem == hidden[0] and _prefetched(stage, effects, run, r) for r in ROWS):
            return None  # its dependencies are downloaded before already: nothing to say
        return reached or hidden[1]
    outcome = _plan_script(site, script)
    if isinstance(outcome, Declined) and not run.instruction.heredocs:
        # `set -eux; go build`, `echo building && go build`: what runs first needs nothing.
        again, _ = _plan_reached(site, text)
        return again if isinstance(again, _Found) else outcome
    return outcome


def _plan_reached(site: _Site, text: str) -> tuple[_Found | Declined | None, bool]:
    """The dependency step of a build in the RUN's shell code, read command by command with
    the commands on its way; the first decline when none is planned. True with a decline
    of the whole RUN read as a plain `&&` chain (its only unknowns being some words)."""
    declined: Declined | None = None
    whole = False
    for reached in [] if site.run.instruction.heredocs else reached_commands(text):
        found = _plan_script(site, reached.script, reached)
        if isinstance(found, _Found) and (found.replacement is None or reached.whole):
            return _reached_found(found, reached), False
        if isinstance(found, Declined) and declined is None:
            declined = found  # about the build itself: truer than "inside shell code"
            whole = reached.whole
    return declined, whole


def _reached_found(found: _Found, reached: Reached) -> _Found | Declined:
    """A dependency step planned for a build inside shell code: it must carry none of the
    build's unknown words, and it runs whichever way the RUN goes."""
    build = reached.script.commands[-1]
    where = "the RUN" if reached.whole else f"`{build.source}`"
    notes = [found.assumption] if found.assumption else []
    if reached.conditional:
        notes.append(f"the dependency step runs even when the RUN does not reach `{build.source}`")
    extras = [w for w in reached.unknown if ARG_EXTRAS.fullmatch(w.strip("\"'"))]
    others = [w for w in reached.unknown if w not in extras]
    if extras and found.row.ecosystem == "pip":
        notes.append(
            f"the extras {', '.join(extras)} names are installed by the original install "
            "only, after the copy"
        )
    else:
        others = list(reached.unknown)
    if others:
        notes.append(
            f"{', '.join(others)} in {where} is taken to change no dependency the build downloads"
        )
    return replace(found, assumption="; ".join(notes))


def _from_leading_cd(
    row: PrefetchRow,
    script: RunScript,
    image_files: Mapping[str, str],
    workdir: str | None,
    ctx: BuildContext,
    python: tuple[int, int] | None,
) -> Prefetch | None:
    """`cd api && go build`: the dependency step of the build as it runs in that folder,
    going there first (`cd api && go mod download`); None unless the row plans one there."""
    found = after_leading_cd(script)
    if found is None or (workdir is None and not found[0].startswith("/")):
        return None
    folder, rest = found
    there = Project.of(image_files, normalize(folder, workdir or "/"), ctx)
    outcome = row.plan(rest, replace(there, python=python))
    if not isinstance(outcome, Prefetch) or outcome.rest is not None or outcome.added:
        return None
    command = f"cd {shlex.quote(folder)} && {outcome.command}"
    return replace(outcome, command=command, folder=folder)


def _go_module(image_files: Mapping[str, str], workdir: str | None) -> str | None:
    """The nearest folder at or above ``workdir`` where the copy puts a go.mod or go.work."""
    folder = workdir
    while folder is not None:
        if any(posixpath.join(folder, name) in image_files for name in ("go.work", "go.mod")):
            return folder
        folder = None if folder == "/" else posixpath.dirname(folder)
    return None


def _base_python(model: Model, stage: Stage) -> tuple[int, int] | None:
    """The Python version of the official python image the stage (or the stage it builds
    on) starts from."""
    seen: set[int] = set()
    while stage.base_stage is not None and stage.base_stage not in seen:
        seen.add(stage.index)
        stage = model.stages[stage.base_stage]
    return python_version(stage.base)


def _needs_unknown(prefetch: Prefetch, reached: Reached) -> bool:
    """The dependency command carries a word of the build whose value is not known."""
    texts = [t for t in (prefetch.command, prefetch.added) if t]
    return any(UNKNOWN in t or any(w in t for w in reached.unknown) for t in texts)


def _plan_script(
    site: _Site, script: RunScript, reached: Reached | None = None
) -> _Found | Declined | None:
    """The dependency step of the build in ``script`` (the RUN's commands, as read; or as
    `reached` in shell code)."""
    model, stage, ctx, effects = site.model, site.stage, site.ctx, site.effects
    run, broad = site.run, site.broad
    workdir = run.state.workdir
    copy = effects[broad.position].copy
    if copy is None or not copy.known:
        if workdir is None and any(
            isinstance(row.plan(script, Project({}, ctx)), Prefetch) for row in ROWS
        ):
            return Declined(_UNKNOWN_WORKDIR)
        return None
    # What the download sees: the copy's files and the manifests copied before it
    # (`COPY pom.xml .`, `COPY src ./src`, `RUN mvn package`).
    before = _manifests_before(site)
    files = {**before, **copy.image_files()}
    here = replace(Project.of(files, workdir or "/", ctx), python=_base_python(model, stage))
    module = _go_module(files, workdir)
    for row in ROWS:
        # go looks for go.mod (and go.work) in the folders above its own too.
        project = here
        above = row.ecosystem == "go" and module is not None and module != workdir
        if above and module is not None:
            project = Project.of(files, module, ctx)
        outcome = row.plan(script, project)
        if outcome is None:
            continue
        if isinstance(outcome, Declined):
            outcome = _from_leading_cd(row, script, files, workdir, ctx, project.python) or outcome
        if (broad.position, row.ecosystem) in site.done or _prefetched(stage, effects, run, row):
            return None  # its dependencies are downloaded before already: nothing to say
        if isinstance(outcome, Declined):
            return outcome
        if above and broad.state.workdir != workdir:
            if outcome.rest is not None or outcome.added or module is None:
                return Declined(
                    f"the build runs in {workdir}, below its go.mod in {module}, and that "
                    f"folder exists only once `{short(broad)}` created it: the download could "
                    "not run there before the copy; set the WORKDIR before the copy"
                )
            # go finds the same module from the folder of its go.mod, which the manifest
            # copy creates: the download runs there.
            outcome = replace(outcome, cwd=module)
        if reached is not None and _needs_unknown(outcome, reached):
            build = reached.script.commands[-1]
            where = "the RUN" if reached.whole else f"`{build.source}`"
            return Declined(
                f"{where} has words whose value dockerfix does not know "
                f"({', '.join(reached.unknown)}), and the dependency step would need them"
            )
        absolute = outcome.folder is not None and outcome.folder.startswith("/")
        if workdir is None and not absolute:
            return Declined(_UNKNOWN_WORKDIR)
        if outcome.folder is not None:
            folder = normalize(outcome.folder, workdir or "/")
            project = Project.of(files, folder, ctx)
        for group in row.required:
            if not any(project.exists(m) for m in group):
                return Declined(
                    f"{' or '.join(group)} is not among the files `{short(broad)}` sends "
                    "(missing from the build context or excluded by .dockerignore)",
                    missing=True,
                )
        return _place(site, row, outcome, bool(before))
    return None


def _manifests_before(site: _Site) -> dict[str, str]:
    """The image files (image path to context path) that copies of dependency manifests
    alone put in the image before the broad copy."""
    found: dict[str, str] = {}
    for node in site.order[: site.order.index(site.broad.position)]:
        effect = site.effects.get(node) if node >= 0 else None
        if effect is None or effect.kind != "copy-context" or not only_manifests(effect):
            continue
        if effect.copy is not None and effect.copy.known:
            found.update(effect.copy.image_files())
    return found


# Builds that download their own dependencies, as they read in a RUN's text.
_DOWNLOADING_BUILD = re.compile(
    r"(?<![^\s;&|(`])(?:go (?:build|install)|cargo (?:build|install)|dotnet (?:build|publish)"
    r"|mix (?:compile|release)|flutter build"
    r"|(?:\./)?mvnw?\b[^&|;\n]*\b(?:package|install|verify)"
    r"|(?:\./)?gradlew?\b[^&|;\n]*\b(?:build|bootJar|assemble|shadowJar|installDist))\b"
)


def _hidden_build(text: str) -> tuple[str, Declined] | None:
    """The ecosystem and the decline for a RUN whose commands dockerfix cannot read one by
    one but which builds with a tool that downloads (an `if`, a loop, a heredoc, `$(…)`)."""
    found = _DOWNLOADING_BUILD.search(text)
    if found is None:
        return None
    word = found.group(0).split()[0].removeprefix("./")
    ecosystem = {"mvn": "maven", "mvnw": "maven", "gradlew": "gradle", "flutter": "dart"}.get(
        word, word
    )
    return ecosystem, Declined(
        f"`{found.group(0)}` runs inside shell code dockerfix does not take apart (an `if`, a "
        "loop, a heredoc or a `$(…)`): download the dependencies in a RUN of their own before "
        "the copy, or give the build a plain RUN"
    )


def _prefetched(stage: Stage, effects: Mapping[int, Effect], run: Step, row: PrefetchRow) -> bool:
    """An install of this ecosystem's project dependencies already runs before the build in
    this stage (one that reads files: `mix local.hex` installs a tool, not the project's deps;
    taken as the unsafe tier takes it: `flutter pub get` reads its manifests)."""
    for s in stage.steps:
        effect = effects[s.position]
        effect = effect.assumed or effect
        if (
            s.position < run.position
            and effect.kind == "run-install"
            and row.ecosystem in effect.ecosystems
            and (effect.reads.everything or bool(effect.reads.paths))
        ):
            return True
    return False


def _broad_copies(
    stage: Stage, effects: Mapping[int, Effect], vol: Mapping[int, float], run: Step
) -> list[Step]:
    """The copies of the sources above ``run`` whose edits rerun it, nearest first (past
    copies of a few files that seldom change, such as `COPY .docker /assets`): the nearest,
    and up to two more for a build whose manifests an earlier one sends."""
    eff = effects[run.position]
    found: list[Step] = []
    for earlier in reversed([s for s in stage.steps if s.position < run.position]):
        e = effects[earlier.position]
        volatile = vol[earlier.position] >= P_SPLIT and not only_manifests(e)
        if e.kind == "copy-context" and volatile and e.writes.overlaps(eff.reads):
            found.append(earlier)
            if len(found) == 3:
                break
    return found


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


@dataclass(frozen=True)
class _Command:
    """The dependency step's shell text and what it took on to run as the build does."""

    text: str
    moved: str | None  # the WORKDIR it `cd`s to
    inline: Mapping[str, str]  # the ENV values it sets on its command line
    chmods: tuple[int, ...]  # the `RUN chmod +x mvnw` steps it repeats
    args: tuple[int, ...] = ()  # the ARG declarations after the copy that move above it


def _dependency_command(
    stage: Stage, run: Step, broad: Step, row: PrefetchRow, prefetch: Prefetch
) -> _Command | Declined:
    """The dependency command, given what lies between the copy and the build: a wrapper's
    chmod, an ENV set after the copy, a WORKDIR set after it."""
    command = prefetch.command
    between = [s for s in stage.steps if broad.position < s.position < run.position]
    chmods = [s for s in between if wrapper_chmod_text(s) is not None]
    if not (chmods and row.ecosystem in ("maven", "gradle")):
        chmods = []
    if chmods:
        # `RUN chmod +x mvnw` between the copy and the build: the download needs it too.
        command = " && ".join([*(wrapper_chmod_text(s) or "" for s in chmods), command])
    moved = _workdir_move(broad, run)
    inline: dict[str, str] = {}
    args = _movable_args(between, broad, run)
    if args:
        # `ARG TOKEN` after the copy: declared above it instead, the download sees it too.
        there = run.state.workdir if broad.state.workdir != run.state.workdir else None
        if there is not None:
            command = f"cd {shlex.quote(prefetch.cwd or there)} && {command}"
        return _Command(command, there, {}, tuple(s.position for s in chmods), args)
    if moved is None and not same_state(broad.state, run.state):
        env = env_difference(broad.state, run.state)
        there = run.state.workdir
        if env is None and there is not None and there != broad.state.workdir:
            # A WORKDIR and ENVs after the copy: the download goes there and sets them.
            env = env_difference(replace(broad.state, workdir=there), run.state)
            moved = there if env is not None else None
        if env is None or prefetch.rest is not None or " && " in command:
            return Declined(
                "a USER, ENV or ARG between the copy and the build changes the state the "
                "download would run in"
            )
        # An ENV set after the copy: the download gets the same value on its command line.
        inline = env
        assignments = " ".join(f"{name}={shlex.quote(v)}" for name, v in sorted(env.items()))
        command = f"{assignments} {command}"
    if moved is not None:
        # The build runs in a WORKDIR set after the copy: the download goes there by itself
        # (or to the folder of its go.mod above it, which the manifest copy creates).
        command = f"cd {shlex.quote(prefetch.cwd or moved)} && {command}"
    elif prefetch.cwd is not None:
        return Declined("the dependency step cannot reach the folder of its manifests")
    return _Command(command, moved, inline, tuple(s.position for s in chmods))


def _movable_args(between: Sequence[Step], broad: Step, run: Step) -> tuple[int, ...]:
    """The ARG declarations between the copy and the build when they are all that changes
    the build's state, the copy names none of them and their defaults name no variable: they
    can be declared before the copy, and the download runs in the build's state."""
    args = [s for s in between if s.keyword == "ARG"]
    if not args or any("$" in s.instruction.args for s in args):
        return ()
    if any(s.keyword in ("ENV", "USER", "SHELL") for s in between):
        return ()  # the download would not run in the build's state
    words = [w for s in args for w in parse_words(s.instruction.args, "\\")]
    names = {w.partition("=")[0] for w in words}
    if any(is_volatile_arg(w.partition("=")[0], "=" in w) for w in words):
        return ()  # a build stamp above the download would rerun it with every build
    a, b = broad.state, run.state
    if (a.user, a.shell) != (b.user, b.shell) or b.workdir is None:
        return ()  # (a WORKDIR after the copy is reached with `cd`)
    if any(names & referenced_names(s.instruction.args) for s in between if s.keyword != "ARG"):
        return ()
    differing = {n for n in set(a.env) | set(b.env) if a.env.get(n) != b.env.get(n)}
    if not differing <= names | PLATFORM_VARS or names & referenced_names(broad.instruction.args):
        return ()
    return tuple(s.position for s in args)


def _taken_aside(
    site: _Site,
    download: Effect,
) -> list[str]:
    """The steps between the copy and the build that the download crosses only because
    `beside_system` sets them aside, as the finding names them."""
    stage, effects, order, broad, run = site.stage, site.effects, site.order, site.broad, site.run
    start, end = order.index(broad.position), order.index(run.position)
    steps = {s.position: s for s in stage.steps}
    return [
        f"`{short(steps[node])}`"
        for node in order[start + 1 : end]
        if node in steps
        and beside_system(effects[node], download)
        and conflicts(effects[node], download)
    ]


def _crossing(
    site: _Site,
    trimmed: Effect,
    eff: Effect,
    command: _Command,
) -> Declined | None:
    """Why a step between the copy and the build keeps the download from running before
    them (None when nothing does)."""
    stage, effects, order, broad, run = site.stage, site.effects, site.order, site.broad, site.run
    start, end = order.index(broad.position), order.index(run.position)
    for node in order[start:end]:
        if node < 0:
            return Declined("a manifest copy dockerfix inserts runs between the copy and the RUN")
        crossed = trimmed if node == broad.position else effects[node]
        if platform_only(crossed) or (command.moved is not None and crossed.dir_only):
            continue
        if node in command.chmods:
            continue  # the download runs the same chmod first
        if node in command.args:
            continue  # declared before the copy too
        if command.inline and crossed.kind == "env" and crossed.writes_vars <= set(command.inline):
            continue  # the download sets these variables itself
        if not conflicts(crossed, eff):
            continue
        if node == broad.position:
            return Declined(
                f"the download may read more of what `{short(broad)}` sends than its manifests"
            )
        if not beside_system(crossed, eff):
            other = next(s for s in stage.steps if s.position == node)
            return Declined(
                f"`{short(other)}` runs between `{short(broad)}` and the build and may change "
                "what the download reads or sees"
            )
    return None


def _place(
    site: _Site, row: PrefetchRow, prefetch: Prefetch, copied_before: bool
) -> _Found | Declined | None:
    """The manifest copies and the dependency RUN, checked to run as the build would;
    ``copied_before``: copies of manifests alone put files in the image before the broad copy."""
    model, stage, ctx, effects = site.model, site.stage, site.ctx, site.effects
    run, broad = site.run, site.broad
    flags = _carried_flags(run)
    if flags is None:
        return Declined("the RUN has flags other than cache, secret or ssh mounts")
    command = _dependency_command(stage, run, broad, row, prefetch)
    if isinstance(command, Declined):
        return command
    keyword = run.instruction.cmd
    text = " ".join([keyword, *flags, command.text])
    tree = parse(text + "\n")
    if tree.errors or len(tree.instructions) != 1:
        return Declined(f"`{prefetch.command}` does not parse as a RUN")
    step = Step(run.position, tree.instructions[0], run.stage, run.state)
    eff = step_effect(step, model, stage, ctx, effects)
    assumption = ""
    if eff.assumed is not None:
        eff, assumption = eff.assumed, eff.assumption
    creates = {normalize(c, run.state.workdir or "/") for c in prefetch.creates}
    if creates:
        eff = without_scratch(eff, creates)
    broad_eff = effects[broad.position]
    split = find_split(broad, broad_eff, step, eff)
    if isinstance(split, SplitCandidate):
        provided = {
            img: src for img, src in split.provided if not any(is_under(img, c) for c in creates)
        }
        groups, rewritten = split.groups, split.rewritten
    elif split.reason == READS_NONE and copied_before:
        # Its manifests are in the image already (`COPY pom.xml .` before `COPY src ./src`):
        # the download alone runs before the copy.
        provided, groups, rewritten = {}, (), ()
    else:
        # A copy of nothing but what the download reads: a source edit does not rerun it.
        return None if split.reason == ONLY_MANIFESTS else Declined(split.reason)
    trimmed = replace(broad_eff, writes=without(broad_eff.writes, set(provided)))
    # The manifest copies, just before the download, create the folders it `cd`s into.
    eff = replace(
        eff,
        needs_dirs=frozenset(
            d for d in eff.needs_dirs if not any(is_under(img, d) for img in provided)
        ),
    )
    if creates and _written_before(site, creates):
        return Declined("files already in the image where the stub target would be created")
    blocked = _crossing(site, trimmed, eff, command)
    if blocked is not None:
        # `COPY --from=composer /usr/bin/composer ./composer.phar` after the broad copy: the
        # download needs it, and it can come before the copy too.
        copies = _copies_to_move(site, eff, command)
        if copies:
            command = replace(command, args=tuple(sorted((*command.args, *copies))))
            blocked = _crossing(site, trimmed, eff, command)
    if blocked is not None:
        return blocked
    rest = None if prefetch.rest is None else " ".join([keyword, *flags, prefetch.rest])
    if rewritten:
        # `npm install`: the lock file it may rewrite is put back by the copy after it.
        said = lock_put_back(posixpath.basename(rewritten[0]), "the download")
        assumption = f"{assumption}; {said}" if assumption else said
    aside = _taken_aside(site, eff)
    if aside:
        verb = "is" if len(aside) == 1 else "are"
        said = f"{', '.join(aside)} {verb} taken to touch no file the download reads"
        assumption = f"{assumption}; {said}" if assumption else said
    wrappers = tuple(
        normalize(c.argv[2], run.state.workdir or "/")
        for c in (read_script(command.text) or RunScript((), None)).commands
        if is_wrapper_chmod(c)
    )
    return _Found(
        row,
        run,
        broad,
        replace(prefetch, command=command.text) if wrappers else prefetch,
        (*(manifest_copies(provided, broad, broad_eff, groups) if provided else ()), text),
        rest,
        tuple(provided.values()),
        assumption,
        wrappers,
        command.args,
        tuple(
            _norm(s.instruction.text)
            for s in stage.steps
            if s.position in command.args and s.keyword == "ARG"
        ),
        rewritten,
    )


def _copies_to_move(
    site: _Site,
    download: Effect,
    command: _Command,
) -> tuple[int, ...]:
    """The copies between the broad copy and the build that write what the download reads,
    when each can run before the broad copy instead: in the same working directory, naming
    no variable, and in conflict with none of the steps it would move across."""
    stage, effects, order, broad, run = site.stage, site.effects, site.order, site.broad, site.run
    steps = {s.position: s for s in stage.steps}
    start, end = order.index(broad.position), order.index(run.position)
    moving: list[int] = []
    for i in range(start + 1, end):
        node = order[i]
        effect = effects[node] if node >= 0 else None
        if effect is None or node in command.args or not conflicts(effect, download):
            continue
        step = steps[node]
        if effect.kind not in ("copy-stage", "copy-context") or "$" in step.instruction.args:
            return ()
        if step.state.workdir != broad.state.workdir:
            return ()
        for other in order[start:i]:
            if other < 0 or other in moving or other in command.args:
                continue
            if conflicts(effects[other], effect) or conflicts(effect, effects[other]):
                return ()
        moving.append(node)
    return tuple(moving)


def _written_before(site: _Site, creates: set[str]) -> bool:
    """Something before the broad copy wrote where the stub goes (its `rm -rf` would remove it)."""
    effects, order = site.effects, site.order
    before = [effects[n] for n in order[: order.index(site.broad.position)] if n in effects]
    return any(
        (e.writes.everything and e.kind != "run-system")
        or any(is_under(p, c) for p in e.writes.paths for c in creates)
        for e in before
    )


def _workdir_move(broad: Step, run: Step) -> str | None:
    """The build's working directory when a WORKDIR between the copy and the build is the
    only change of state (the download then runs `cd` there); None otherwise."""
    a, b = broad.state, run.state
    if b.workdir is None or a.workdir == b.workdir:
        return None
    return b.workdir if same_state(replace(a, workdir=b.workdir), b) else None


def _norm(text: str) -> str:
    return text.rstrip("\r\n")
