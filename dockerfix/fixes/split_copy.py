"""DFX002 split-copy: copy only the dependency manifests before an install, the rest after it.

`split_candidates` finds the installs a broad copy invalidates and whether each can be split;
the planner inserts the manifest copies and lets the order search move the broad copy down.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
from collections.abc import Callable, Mapping, Sequence

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule, short
from dockerfix.model.context import BuildContext
from dockerfix.model.context_report import JUNK_RULES
from dockerfix.model.effects import ContextCopy, Effect
from dockerfix.model.paths import PathSet, is_under, names_path, paths_overlap
from dockerfix.model.runs import script_text
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.model.variables import referenced_names
from dockerfix.model.volatility import P_SPLIT, is_manifest, is_package_file
from dockerfix.records import dataclass

RULE = rule(
    codes.SPLIT_COPY,
    "split-copy",
    "safe",
    "Copy dependency manifests before the install and the rest of the sources after it.",
    """
## What it does
Finds a dependency install (`pip install -r`, `npm ci`, `go mod download`, …) that runs after
a broad copy of the sources, and inserts a `COPY` of exactly the manifests the install reads
and that exist in the build context, runs the install, then copies the rest.

## Why
With `COPY . .` above the install, every source edit reruns the install. With the manifests
copied first, only a dependency change does.

## Example
```dockerfile
COPY . .
RUN pip install -r requirements.txt
```
becomes
```dockerfile
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
```

## Fix safety
Safe when the install provably reads only the manifests (nested `-r` files included) and the
later broad copy cannot overwrite what the install wrote (for example a `node_modules` folder
in the build context). The inserted `COPY` carries the same `--chown`/`--chmod`/`--link` as the
broad copy, which copies the same files again with the same content, so the final image is the
same. Otherwise dockerfix declines and says why (display-only): lifecycle scripts in
`package.json`, `pip install -e .`, a `gemspec` in the Gemfile, an install that reads other
project files, output folders present in the build context.

An install that already runs before the broad copy is checked as well: when it would read more
of the build context than the copies before it send (a workspace member added since, a lock
file, an `.npmrc`, a `.python-version`), dockerfix says which files (display-only); the
install then runs without them, which a rebuild from the whole tree would not.
""",
)

ALLOWED_FLAGS = ("--chown", "--chmod", "--link")
# The reason find_split gives for a copy of nothing but what the install reads.
ONLY_MANIFESTS = "this COPY sends only dependency manifests already"
READS_NONE = "the install reads none of the files this COPY sends"
# How to make an install leave its lock file as the build context has it.
_LOCK_ADVICE = {
    "Pipfile.lock": "use `pipenv install --deploy` (or `pipenv sync`), which never rewrites it",
    "Pipfile": "use `pipenv install --deploy` (or `pipenv sync`), which never rewrites it",
    "package-lock.json": "use `npm ci`, which never rewrites it",
    "npm-shrinkwrap.json": "use `npm ci`, which never rewrites it",
    "yarn.lock": "use `yarn install --frozen-lockfile` (`--immutable` for Yarn 2+)",
    "pnpm-lock.yaml": "use `pnpm install --frozen-lockfile`",
    "poetry.lock": "commit an up-to-date poetry.lock (poetry install then leaves it alone)",
    "composer.lock": "commit an up-to-date composer.lock",
    "Gemfile.lock": "use `bundle install` with `BUNDLE_FROZEN=true`",
}


@dataclass(frozen=True)
class SplitCandidate:
    """An install step ``install`` that reads ``provided`` files a broad copy ``broad`` writes."""

    broad: int
    install: int
    provided: tuple[tuple[str, str], ...]  # (image path, context path)
    # Why the split may change the image ('' when it cannot): a lock file the install may
    # rewrite, which the later copy puts back. Such a split is applied only when unsafe.
    unsafe: str = ""
    # The image paths of those lock files.
    rewritten: tuple[str, ...] = ()
    # The split holds only under the install's assumption (Effect.assumption): unsafe.
    assumed: bool = False
    # Folders and globs the install reads, copied as such (new files in them come along):
    # (the folder or glob in the image, the same in the build context, the files it covers).
    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Decline:
    install: int
    broad: int
    reason: str


def _reads_path(reads: PathSet, image_path: str, project: str | None = None) -> bool:
    """The install reads this file: named, matched by a glob, or inside a folder it reads."""
    return names_path(reads.paths, image_path, project)


def find_split(
    broad_step: Step, broad: Effect, install_step: Step, install: Effect
) -> SplitCandidate | Decline:
    """Decide whether ``install`` can run before ``broad`` given a copy of its manifests."""
    b, r = broad_step.position, install_step.position
    copy = broad.copy
    if copy is None or not copy.known or copy.dest is None:
        return Decline(r, b, _unknown_copy(broad_step, copy))
    bad_flags = [f.split("=")[0] for f in copy.flags if f.split("=")[0] not in ALLOWED_FLAGS]
    if bad_flags:
        return Decline(r, b, f"the COPY uses {', '.join(bad_flags)}")
    assumption = ""
    if install.assumed is not None:
        # It reads only its manifests unless its Git-hook script matters: unsafe.
        install, assumption = install.assumed, install.assumption
    if install.kind != "run-install" or install.reads.everything:
        reason = "; ".join(install.notes) or "the install step may read any project file"
        return Decline(r, b, reason)
    files = copy.image_files()
    absent = sorted(p for p in install.named if p not in files and is_under(p, copy.dest))
    if absent:
        # `--configfile nuget.config` that CI writes before the build: the copy sends it
        # then, and a copy of the manifests found now would not.
        return Decline(
            r,
            b,
            f"the install names {absent[0]}, which is not in the build context: if it is made "
            f"before the build, only `{short(broad_step)}` sends it; commit it, or copy it "
            "before the install",
        )
    provided = tuple(
        sorted(
            (
                (img, ctx)
                for img, ctx in files.items()
                if _reads_path(install.reads, img, install.project_dir)
            ),
            key=lambda pair: (_read_rank(install.read_order, pair[0]), pair[0]),
        )
    )
    if not provided:
        if broad.writes.overlaps(install.reads):
            # `COPY lib lib` in `/`: the files land among the system's, which it may read.
            tops = sorted({"/" + p.split("/", 2)[1] for p in files if p.count("/") >= 1})
            return Decline(
                r,
                b,
                f"`{short(broad_step)}` puts its files in {', '.join(tops[:3])}, among the "
                "system's files, which the install may read: copy the project into a folder "
                "of its own (a WORKDIR)",
            )
        return Decline(r, b, READS_NONE)
    if len(provided) == len(files):
        return Decline(r, b, ONLY_MANIFESTS)
    provided_paths = {img for img, _ in provided}
    rest = PathSet(frozenset(p for p in broad.writes.paths if p not in provided_paths))
    if rest.overlaps(install.reads):
        others = sorted(p for p in rest.paths if install.reads.overlaps(PathSet.of(p)))[:3]
        return Decline(r, b, "the install may also read " + ", ".join(others))
    clobbered = (
        sorted(p for p in broad.writes.paths if install.writes.overlaps(PathSet.of(p)))
        if install.writes.overlaps(broad.writes)
        else []
    )
    read_back = [p for p in clobbered if p in provided_paths]
    unsafe = ""
    if read_back:
        # A lock file the install may rewrite: the later copy would put the old one back.
        name = posixpath.basename(read_back[0])
        advice = _LOCK_ADVICE.get(name, "make the install leave it unchanged")
        if name == "yarn.lock" and "npm" in install.ecosystems:
            advice = (
                "`npm install` keeps a yarn.lock beside package.json up to date: install with "
                "`yarn install --frozen-lockfile`, or commit a package-lock.json and use `npm ci`"
            )
        unsafe = f"{lock_put_back(name)}: {advice}"
        clobbered = [p for p in clobbered if p not in provided_paths]
    if clobbered:
        top = _top_dirs(clobbered, install.writes)
        # The .dockerignore plan of `--unsafe-fixes` excludes installed dependencies
        # (node_modules, a virtualenv) that no step reads; not a restore's obj/ folders.
        planned = all(posixpath.basename(t) in _INSTALLED_NAMES for t in top)
        return Decline(
            r,
            b,
            f"the later COPY would overwrite what the install wrote ({', '.join(top)} is in "
            "the build context): exclude it in .dockerignore"
            + (" (`--unsafe-fixes` does when no step reads it)" if planned else ""),
        )
    for ctx_path in (c for _, c in provided):
        if any(ch in ctx_path for ch in "*?[\\") or "$" in ctx_path:
            return Decline(r, b, f"manifest path {ctx_path!r} needs quoting dockerfix does not do")
    build_args = sorted(referenced_names(broad_step.instruction.args) & broad_step.state.args)
    if build_args:
        # `COPY ${SRC} .`: the manifest copy would hold today's default, not what a build
        # passes with --build-arg.
        return Decline(
            r,
            b,
            f"`{short(broad_step)}` depends on the build argument {build_args[0]}, which a "
            "build may set otherwise (--build-arg): the manifest copy dockerfix writes names "
            "fixed paths, which would not follow it (with literal paths in that COPY, "
            "dockerfix can try)",
        )
    unsafe = "; ".join(u for u in (assumption, unsafe) if u)
    groups = _read_groups(install.reads, provided, files)
    return SplitCandidate(
        b, r, provided, unsafe, tuple(read_back), assumed=bool(assumption), groups=groups
    )


def lock_put_back(name: str, step: str = "the install") -> str:
    """What a split changes when ``step`` may rewrite lock file ``name``."""
    return (
        f"{step} may rewrite {name}, and the later COPY would put the build context's copy "
        "back over it"
    )


def _read_groups(
    reads: PathSet, provided: tuple[tuple[str, str], ...], sent: Mapping[str, str]
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The folders (`--find-links wheels`) and one-segment globs (`dist/*.whl`) of package
    archives the install reads, with the build-context folder or glob that sends exactly the
    same files (``sent``:
    image path → context path of the broad copy): a copy of the folder or glob keeps sending
    what it holds when its files change names."""
    groups = []
    sources = set(sent.values())
    archives = {img for img, c in provided if is_package_file(c)}
    for read in sorted(reads.paths):
        folder, name = posixpath.split(read)
        if any(ch in folder for ch in "*?["):
            continue
        if any(ch in name for ch in "*?["):
            covered = [
                (img, c)
                for img, c in provided
                if posixpath.dirname(img) == folder
                and fnmatch.fnmatchcase(posixpath.basename(img), name)
            ]
            bases = {posixpath.dirname(c) for _, c in covered}
            if not covered or len(bases) != 1:
                continue
            if any(posixpath.basename(img) != posixpath.basename(c) for img, c in covered):
                continue
            base = bases.pop()
            same = {
                c
                for c in sources
                if posixpath.dirname(c) == base and fnmatch.fnmatchcase(posixpath.basename(c), name)
            }
            if same == {c for _, c in covered} and {img for img, _ in covered} <= archives:
                groups.append((read, posixpath.join(base, name), tuple(img for img, _ in covered)))
            continue
        covered = [(img, c) for img, c in provided if img.startswith(read.rstrip("/") + "/")]
        roots: set[str | None] = set()
        for img, c in covered:
            rel = posixpath.relpath(img, read)
            roots.add(c[: -len(rel) - 1] if c.endswith("/" + rel) else None)
        if not covered or len(roots) != 1:
            continue
        root = roots.pop()
        same = {c for c in sources if root and c.startswith(root + "/")}
        if root and same == {c for _, c in covered} and {img for img, _ in covered} <= archives:
            groups.append((read, root, tuple(img for img, _ in covered)))
    return tuple(groups)


def _unknown_copy(step: Step, copy: ContextCopy | None) -> str:
    """Why the files a COPY sends, or where it puts them, are not known: the true blocker."""
    text = short(step)
    if copy is not None and copy.dest is None:
        dest = step.instruction.value[-1] if step.instruction.value else ""
        if "$" in dest:
            return f"the destination of `{text}` uses a variable with no value dockerfix can see"
        return (
            f"the destination of `{text}` is relative and the base image's working directory "
            "is not known to dockerfix: add a WORKDIR before it"
        )
    for source in copy.sources if copy is not None else ():
        if source.files is None and "$" in source.pattern:
            return f"`{source.pattern}` in `{text}` has no value dockerfix can see"
        if source.files is None and step.keyword == "ADD":
            return f"ADD unpacks `{source.pattern}`: the files it puts in the image are not known"
    return "no build context is known: pass --context DIR (or run dockerfix on the file)"


def _read_rank(order: tuple[str, ...], image_path: str) -> int:
    for i, pattern in enumerate(order):
        if (
            pattern == image_path
            or fnmatch.fnmatchcase(image_path, pattern)
            or is_under(image_path, pattern)
        ):
            return i
    return len(order)


# Folders of installed dependencies that the .dockerignore plan excludes.
_INSTALLED_NAMES = frozenset(rule.entry for rule in JUNK_RULES if rule.category == "dependencies")


def _top_dirs(paths: list[str], writes: PathSet) -> list[str]:
    tops = []
    for w in sorted(writes.paths):
        if any(paths_overlap(w, p) for p in paths):
            tops.append(w)
    return tops[:3] or paths[:3]


def manifest_copies(
    candidate_files: dict[str, str],
    broad_step: Step,
    broad: Effect,
    groups: Sequence[tuple[str, str, tuple[str, ...]]] = (),
) -> list[str]:
    """Instruction texts (no newline) that copy these files, one COPY per image directory;
    the files of a group (a folder or glob the install reads) as that folder or glob."""
    copy = broad.copy
    assert copy is not None and copy.dest is not None
    flags = [f for f in copy.flags if f.split("=")[0] in ALLOWED_FLAGS]
    dest_raw = broad_step.instruction.value[-1]
    relative = not dest_raw.startswith("/")
    workdir = broad_step.state.workdir or "/"
    keyword = (
        broad_step.instruction.cmd
        if broad_step.instruction.keyword == "COPY"
        else ("COPY" if broad_step.instruction.cmd.isupper() else "copy")
    )
    by_dir: dict[str, list[str]] = {}
    whole: dict[str, list[str]] = {}
    grouped: set[str] = set()
    for read, source, covered in groups:
        if covered and set(covered) <= set(candidate_files) and not grouped & set(covered):
            grouped.update(covered)
            target = read if not any(ch in read for ch in "*?[") else posixpath.dirname(read)
            whole.setdefault(target, []).append(source)
    for img, ctx in candidate_files.items():
        if img not in grouped:
            by_dir.setdefault(posixpath.dirname(img), []).append(ctx)
    out = []
    entries = [(d, files) for d, files in by_dir.items()] + [(d, s) for d, s in whole.items()]
    for img_dir, ctx_files in sorted(entries):
        if relative:
            rel = posixpath.relpath(img_dir, workdir)
            dest = "./" if rel == "." else "./" + rel + "/"
        else:
            dest = img_dir.rstrip("/") + "/"
        words = [*ctx_files, dest]
        if any(ch.isspace() or ch in "\"'" for w in words for ch in w):
            body = json.dumps(words)
        else:
            body = " ".join(words)
        out.append(" ".join([keyword, *flags, body]))
    return out


def only_manifests(copy: Effect) -> bool:
    """A copy from the build context of dependency manifests and lock files only."""
    files = copy.context_files
    return bool(files) and all(is_manifest(f) for f in files)


def split_candidates(
    stage: Stage, effects: dict[int, Effect], vol: dict[int, float]
) -> tuple[list[SplitCandidate], list[Decline]]:
    """Each expensive RUN that a volatile broad copy above it invalidates: split or declined."""
    found: list[SplitCandidate] = []
    declines: list[Decline] = []
    steps = list(stage.steps)
    for j, install in enumerate(steps):
        eff = effects[install.position]
        if install.keyword != "RUN" or eff.cost < 2.0:
            continue  # not an install worth splitting around (nothing to fetch, say)
        broad_step = None
        for earlier in reversed(steps[:j]):
            e = effects[earlier.position]
            if e.kind == "copy-context" and e.writes.overlaps(eff.reads):
                broad_step = earlier
                # Past a copy that seldom changes, to the one whose edits rerun the install
                # (`COPY apps ./apps`, `COPY packages ./packages`, `RUN bun install`).
                if vol[earlier.position] >= P_SPLIT:
                    break
        if broad_step is None or vol[broad_step.position] < P_SPLIT:
            continue
        if only_manifests(effects[broad_step.position]):
            continue  # volatile for its manifests alone: a source edit does not rerun it
        outcome = find_split(broad_step, effects[broad_step.position], install, eff)
        if isinstance(outcome, SplitCandidate):
            found.append(outcome)
        elif outcome.reason == ONLY_MANIFESTS:
            continue  # already the cache-friendly form: a source edit does not rerun it
        elif _split_already(steps, effects, broad_step, install):
            continue  # `uv sync --no-install-project` ran before the copy: this adds the project
        elif eff.kind == "run-install" or eff.install_like:
            declines.append(outcome)
    return found, declines


def _program(step: Step) -> str | None:
    """The first program a RUN's shell text runs (`uv` for `UV_X=1 uv sync`)."""
    text = script_text(step) if step.keyword == "RUN" else None
    words = [w for w in (text or "").split() if "=" not in w]
    return words[0] if words else None


def _split_already(
    steps: list[Step], effects: dict[int, Effect], broad: Step, install: Step
) -> bool:
    """The same tool already installed the dependencies from their manifests before the broad
    copy: the install after it is the second half of that split, not a missed one."""
    program = _program(install)
    return program is not None and any(
        s.position < broad.position
        and effects[s.position].kind == "run-install"
        and not effects[s.position].reads.everything
        and _program(s) == program
        for s in steps
    )


def split_diagnostics(
    order: Sequence[int],
    inserted: bool,
    steps: dict[int, Step],
    candidates: Sequence[SplitCandidate],
    declines: Sequence[Decline],
) -> tuple[list[Diagnostic], list[Diagnostic], set[tuple[int, int]]]:
    """The applied splits, the declined ones, and the (install, broad copy) pairs applied.

    A split is applied when manifest copies were `inserted` and the install now runs before
    its broad copy.
    """
    out: list[Diagnostic] = []
    placed = {n: i for i, n in enumerate(order)}
    pairs: set[tuple[int, int]] = set()
    if inserted:
        for cand in candidates:
            if placed[cand.install] < placed[cand.broad]:
                pairs.add((cand.install, cand.broad))
                files = ", ".join(c for _, c in cand.provided)
                message = (
                    f"copy {files} before `{short(steps[cand.install])}` so that source "
                    "edits do not rerun it"
                )
                if cand.rewritten:
                    kept = ", ".join(posixpath.basename(p) for p in cand.rewritten)
                    message += (
                        f"; the image keeps the build context's {kept} where the install "
                        "may have rewritten it"
                    )
                if cand.assumed:
                    message += f"; unsafe: {cand.unsafe.split('; ')[0]}"
                out.append(
                    Diagnostic(
                        codes.SPLIT_COPY,
                        message,
                        steps[cand.broad].instruction.start_line,
                        "unsafe" if cand.unsafe else "safe",
                        applied=True,
                    )
                )
    split_installs = {install for install, _ in pairs}
    declined: list[Diagnostic] = []
    for decline in declines:
        if decline.install in split_installs:
            continue
        install = steps[decline.install]
        declined.append(
            Diagnostic(
                codes.SPLIT_COPY,
                f"`{short(install)}` reruns after every source edit; not split: {decline.reason}",
                install.instruction.start_line,
                "display-only",
                reason=decline.reason,
            )
        )
    return out, declined, pairs


def missing_manifests(
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    effects: Mapping[int, Effect],
    ignored: Callable[[int], bool] = lambda position: False,
) -> list[Diagnostic]:
    """Installs that already run before the broad copy but would read more of its files
    than the copies before them send: a workspace member, a lock file or a config added
    since the manifest copies were written. The install then works without them.
    ``ignored``: the positions whose findings are suppressed."""
    if ctx is None:
        return []
    out: list[Diagnostic] = []
    steps = list(stage.steps)
    # What each known copy of the build context sends: image path → context path.
    sends = {
        s.position: copy.image_files()
        for s in steps
        if effects[s.position].kind == "copy-context"
        and (copy := effects[s.position].copy) is not None
        and copy.known
    }
    checked = 0
    for i, install in enumerate(steps):
        eff = effects[install.position]
        # An install that reads only its manifests; or one that is unknown for now because a
        # file it reads is not in the image yet (`dotnet restore` of a project whose
        # references only the broad copy sends): with the copy's files in place it may be.
        known = eff.kind == "run-install" and not eff.reads.everything
        if install.keyword != "RUN" or not (known or eff.install_like):
            continue
        if ignored(install.position):
            continue
        if checked == _MAX_CHECKED:
            break  # a generated stage of hundreds of installs: the first ones are checked
        checked += 1
        broad = next((s for s in steps[i + 1 :] if len(sends.get(s.position, {})) > 1), None)
        if broad is None or not any(effects[s.position].kind == "copy-context" for s in steps[:i]):
            continue  # no manifest copy before it: DFX001/DFX002's business
        seen = _reads_with(model, stage, ctx, effects, install, broad)
        if seen is None or seen.kind != "run-install" or seen.reads.everything:
            continue
        sent = sends[broad.position]
        before: dict[str, str] = {}
        for step in steps[:i]:
            before.update(sends.get(step.position, {}))
        missing = sorted(
            ctx_path
            for img, ctx_path in sent.items()
            if names_path(seen.reads.paths, img, seen.project_dir)
            and before.get(img) != ctx_path
            and not names_path(eff.writes.paths, img)  # a stub the install writes itself
        )
        if missing:
            shown = ", ".join(missing[:3]) + (
                f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            )
            reason = (
                f"it reads {shown} as well, which only `{short(broad)}` after it sends: copy "
                "them before the install too, or it runs without them"
            )
            out.append(
                Diagnostic(
                    codes.SPLIT_COPY,
                    f"`{short(install)}` misses files of the build context; {reason}",
                    install.instruction.start_line,
                    "display-only",
                    reason=reason,
                )
            )
    return out


# Installs checked per stage (each check analyses the install once more).
_MAX_CHECKED = 16


def _reads_with(
    model: Model,
    stage: Stage,
    ctx: BuildContext,
    effects: Mapping[int, Effect],
    install: Step,
    broad: Step,
) -> Effect | None:
    """The install's effect as it would be with the broad copy's files in place before it."""
    from dataclasses import replace

    from dockerfix.model.effects import step_effect

    steps = list(stage.steps)
    at = steps.index(install)
    ghost = replace(broad, position=-1)
    shifted = replace(stage, steps=(*steps[:at], ghost, *steps[at:]))
    prior = {p: e for p, e in effects.items() if p < install.position}
    prior[-1] = effects[broad.position]
    try:
        return step_effect(install, model, shifted, ctx, prior)
    except (ValueError, KeyError):
        return None
