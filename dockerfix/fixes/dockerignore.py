"""DFX004-DFX006: keep junk and secrets out of the build context via an appended `.dockerignore`.

The plan is pure: it reads the context and the ignore file BuildKit would use, and returns the
new text of that file (or None) with its diagnostics; the caller writes it. Existing bytes are
never touched: the block is appended. An entry is added only when every instruction of every
stage that could need one of its files was checked and none does; anything else is declined,
with the reason.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dockerfix.diagnostics import Diagnostic, Tier
from dockerfix.fixes import codes
from dockerfix.fixes.rule import Rule, rule
from dockerfix.model.context import BuildContext, clean, files_size
from dockerfix.model.context_report import (
    JUNK_RULES,
    Category,
    ContextUse,
    SecretFile,
    context_for,
    context_uses,
    find_secrets,
    newly_excluded,
    short,
)
from dockerfix.model.dockerignore import IgnoreFile, find_dockerignore, parse_dockerignore
from dockerfix.model.effects import Effect, stage_effects
from dockerfix.model.paths import is_under, normalize, paths_overlap
from dockerfix.model.stages import Model, Stage, Step, build_model
from dockerfix.records import dataclass
from dockerfix.syntax import Dockerfile

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis

__all__ = ["HEADER", "RULES", "DockerignorePlan", "plan_dockerignore"]

HEADER = "# Added by dockerfix (DFX004): paths no instruction needs, kept out of the build context"
# Categories a build step might consume: an instruction that may read anything blocks them.
# Secrets count: a bundler build reads `.env` (Vite, Next, CRA), so dropping it changes the build.
_CONSUMED: frozenset[Category] = frozenset({"vcs", "dependencies", "build-output", "secret"})
# Every entry this fix adds changes what a COPY/ADD sends into the image.
TIER: Tier = "unsafe"
_MAX_LISTED = 10
_JS_INSTALLERS = frozenset({"npm", "yarn", "pnpm", "bun"})
_JS_INSTALL_WORDS = frozenset({"ci", "install", "i"})
_PATTERN_SPECIALS = frozenset("*?[]\\")


@dataclass(frozen=True)
class DockerignorePlan:
    """The ignore file to write: `new_text` is None when nothing changes."""

    path: Path
    original_text: str | None
    new_text: str | None
    diagnostics: tuple[Diagnostic, ...]
    added: tuple[str, ...]
    declined: tuple[tuple[str, str], ...]

    @property
    def changed(self) -> bool:
        return self.new_text is not None


@dataclass(frozen=True)
class _Candidate:
    entry: str
    category: Category
    what: str
    secret: bool = False


@dataclass(frozen=True)
class _Analysis:
    """One Dockerfile modelled against the context: its uses of the context, its effects."""

    model: Model
    uses: tuple[ContextUse, ...]
    effects: dict[int, dict[int, Effect]]
    runtime: frozenset[int]


@dataclass(frozen=True)
class _Verdict:
    reason: str = ""
    sent_by: tuple[int, ...] = ()
    # The image paths the entry removes from the image, grouped (`/app/.git (12 files)`).
    leaves: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.reason


# --------------------------------------------------------------------------- entry point


def plan_dockerignore(
    tree: Dockerfile,
    context: BuildContext | Path,
    dockerfile_path: Path,
    *,
    sharing: Sequence[Dockerfile] = (),
    analysis: Analysis | None = None,
) -> DockerignorePlan:
    """Plan the `.dockerignore` block for `tree` built with `context`.

    `sharing` holds the other Dockerfiles built with the same context and ignore file: their
    needs count too, since one `.dockerignore` serves them all. `analysis` (of `tree`) lends
    its model, and its effects when its context is the one this plan walks.
    """
    root = context.root if isinstance(context, BuildContext) else Path(context)
    existing = find_dockerignore(dockerfile_path, root)
    target = existing or root / ".dockerignore"
    original: str | None = None
    if existing is not None:
        try:
            original = existing.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            return _refused(target, None, f"{target.name} cannot be read as UTF-8 ({err})")
    ignore = parse_dockerignore(original) if original is not None else None
    if ignore is not None and ignore.errors:
        first = ignore.errors[0]
        why = f"{target.name} line {first.line}: {first.message}; BuildKit would refuse it"
        return _refused(target, original, why)
    # The caller's walk serves when it read the same ignore file; otherwise walk again.
    same = (
        isinstance(context, BuildContext)
        and context.ignore_path == existing
        and ((context.ignore.text if context.ignore is not None else None) == original)
    )
    ctx = context if same and isinstance(context, BuildContext) else context_for(root, ignore)
    analyses = [_analyse(tree, ctx, analysis), *(_analyse(t, ctx) for t in sharing)]
    diagnostics = list(_excluded_sources(analyses[0], ctx, ignore, target.name))
    added, declined, found = _choose(original or "", ctx, analyses)
    if added:
        own = _self_entry(target, ctx, original or "", [e for e, _, _ in added], analyses)
        if own is not None:
            added.append(own)
            found.append(_self_diagnostic(target.name, own[2]))
    new_text = _with_block(original, [entry for entry, _, _ in added]) if added else None
    if new_text is not None and not _exact(ctx, new_text, [f for _, f, _ in added]):
        return _refused(target, original, "the new entries would exclude files not checked")
    if new_text is not None:
        found = _at_entry_lines(found, [entry for entry, _, _ in added], new_text)
    diagnostics.extend(found)
    return DockerignorePlan(
        path=target,
        original_text=original,
        new_text=new_text,
        diagnostics=tuple(diagnostics),
        added=tuple(entry for entry, _, _ in added),
        declined=tuple(declined),
    )


def _at_entry_lines(
    found: Sequence[Diagnostic], entries: Sequence[str], new_text: str
) -> list[Diagnostic]:
    """The applied findings, one per added entry and in the same order, placed at the line
    of their entry in the new .dockerignore (the file they are about)."""
    lines = new_text.splitlines()
    marker = max((i for i, line in enumerate(lines) if line == HEADER), default=-1)
    where = {line.strip(): i + 1 for i, line in enumerate(lines) if i > marker}
    pending = iter(entries)
    out: list[Diagnostic] = []
    for d in found:
        if d.code == codes.DOCKERIGNORE and d.applied:
            d = replace(d, line=where.get(next(pending, ""), d.line))
        out.append(d)
    return out


def _refused(target: Path, original: str | None, reason: str) -> DockerignorePlan:
    diagnostic = Diagnostic(
        codes.DOCKERIGNORE,
        f"{target.name} not extended: {reason}",
        1,
        "display-only",
        reason=reason,
    )
    return DockerignorePlan(target, original, None, (diagnostic,), (), (("*", reason),))


# --------------------------------------------------------------------------- choosing


def _choose(
    base_text: str, ctx: BuildContext, analyses: Sequence[_Analysis]
) -> tuple[list[tuple[str, tuple[str, ...], _Verdict]], list[tuple[str, str]], list[Diagnostic]]:
    """Decide every candidate entry in order; each one sees the entries accepted before it."""
    remaining = set(ctx.files)
    accepted: list[tuple[str, tuple[str, ...], _Verdict]] = []
    declined: list[tuple[str, str]] = []
    diagnostics: list[Diagnostic] = []
    secrets = find_secrets(ctx.root, ctx.files)
    secret_outcome: dict[str, str] = {}
    # Every remaining path in one text: a needle found in none of them rules its entry out
    # without a look at each path.
    names = "\n".join(remaining)
    for cand, needle in _candidates(secrets):
        if needle and needle not in names:
            continue
        entries = [e for e, _, _ in accepted]
        files = newly_excluded(base_text, [*entries, cand.entry], remaining, needle)
        if not files:
            continue
        verdict = _judge(cand, frozenset(files), base_text, entries, ctx, analyses)
        if cand.secret:
            secret_outcome[files[0]] = verdict.reason
        if verdict.ok and (verdict.sent_by or cand.secret):
            accepted.append((cand.entry, files, verdict))
            remaining -= set(files)
            names = "\n".join(remaining)
            diagnostics.append(_added_diagnostic(cand, files, verdict, ctx))
        elif not verdict.ok:
            declined.append((cand.entry, verdict.reason))
            if not cand.secret:
                diagnostics.append(_declined_diagnostic(cand, files, verdict, ctx))
    # One finding per folder and kind of secret: ten test keys are one thing to fix.
    groups: dict[tuple[str, str, str, tuple[int, ...]], list[str]] = {}
    for secret in secrets:
        reason = secret_outcome.get(secret.path, "")
        senders = tuple(_senders(analyses, secret.path))
        key = (posixpath.dirname(secret.path), secret.kind, reason, senders)
        groups.setdefault(key, []).append(secret.path)
    for (folder, kind, reason, senders), paths in groups.items():
        diagnostics.append(_secret_diagnostic(folder, sorted(paths), kind, senders, reason))
    return accepted, declined, diagnostics


def _self_entry(
    target: Path,
    ctx: BuildContext,
    base_text: str,
    entries: Sequence[str],
    analyses: Sequence[_Analysis],
) -> tuple[str, tuple[str, ...], _Verdict] | None:
    """The ignore file itself, when a broad copy would put it (new or edited) in the image.

    BuildKit sends it but COPY skips it once it lists itself: the image then stays as it was
    instead of gaining the file, and editing the file no longer reruns the copy.
    """
    try:
        rel = target.resolve().relative_to(ctx.root.resolve()).as_posix()
    except ValueError:
        return None
    entry = _literal_entry(rel)
    combined = parse_dockerignore(
        (base_text if not base_text or base_text.endswith("\n") else base_text + "\n")
        + "".join(e + "\n" for e in entries)
    )
    if entry is None or combined.matches(rel):
        return None
    senders: set[int] = set()
    for use in (u for a in analyses for u in a.uses):
        for root in (r for ref in use.sources for r in ref.roots or ()):
            if root == rel:
                return None
            if root == "" or rel.startswith(root + "/"):
                senders.add(use.line)
    if not senders:
        return None
    uses = [u for a in analyses for u in a.uses if rel in u.files]
    return entry, (rel,), _Verdict("", tuple(sorted(senders)), _leaves(frozenset({rel}), uses))


def _self_diagnostic(name: str, verdict: _Verdict) -> Diagnostic:
    return Diagnostic(
        codes.DOCKERIGNORE,
        f"exclude `{name}` itself: COPY does not copy it then, and editing it reruns nothing"
        + (f"; leaves the image: {', '.join(verdict.leaves)}" if verdict.leaves else ""),
        verdict.sent_by[0],
        TIER,
        applied=True,
    )


def _candidates(secrets: Sequence[SecretFile]) -> Iterator[tuple[_Candidate, str]]:
    for junk in JUNK_RULES:
        yield _Candidate(junk.entry, junk.category, junk.what), junk.needle
    for secret in secrets:
        entry = _literal_entry(secret.path)
        if entry is not None:
            yield (
                _Candidate(entry, "secret", secret.kind, secret=True),
                posixpath.basename(secret.path),
            )


def _literal_entry(path: str) -> str | None:
    """An entry matching exactly `path` (anchored at the root), or None if none can be written."""
    if path != path.strip() or "\n" in path or "\r" in path:
        return None
    escaped = "".join("\\" + c if c in _PATTERN_SPECIALS else c for c in path)
    return "\\" + escaped if escaped.startswith(("!", "#")) else escaped


def _judge(
    cand: _Candidate,
    files: frozenset[str],
    base_text: str,
    entries: Sequence[str],
    ctx: BuildContext,
    analyses: Sequence[_Analysis],
) -> _Verdict:
    combined = parse_dockerignore(
        (base_text if not base_text or base_text.endswith("\n") else base_text + "\n")
        + "".join(e + "\n" for e in (*entries, cand.entry))
    )
    old = parse_dockerignore(base_text)
    sent_by: set[int] = set()
    senders: list[ContextUse] = []
    incidental: list[tuple[_Analysis, ContextUse, frozenset[str]]] = []
    for analysis in analyses:
        for use in analysis.uses:
            named = _named_by(use, files, combined, old, ctx)
            if named:
                return _Verdict(named, (use.line,))
            hit = files.intersection(use.files)
            if hit:
                sent_by.add(use.line)
                senders.append(use)
                incidental.append((analysis, use, frozenset(hit)))
    for analysis, use, hit in incidental:
        reason = _incidental_reason(cand, analysis, use, hit)
        if reason:
            return _Verdict(reason, tuple(sorted(sent_by)))
    return _Verdict("", tuple(sorted(sent_by)), _leaves(files, senders, combined, old))


def _leaves(
    files: frozenset[str],
    uses: Sequence[ContextUse],
    combined: IgnoreFile | None = None,
    old: IgnoreFile | None = None,
) -> tuple[str, ...]:
    """What leaves the image: each excluded folder or file at its image path, with a count.

    A folder the entry excludes whole is one item (`/app/.git (12 files)`); mounts put nothing
    in the image and are skipped. A copy to a destination dockerfix cannot name is shown by
    its context path.
    """
    groups: dict[str, int] = {}
    for use in uses:
        if use.kind != "copy":
            continue
        for rel in sorted(files.intersection(use.files)):
            root = _excluded_root(rel, combined, old)
            image = use.files[rel]
            suffix = rel[len(root) :]
            if not image:
                key = f"{root} (destination unknown)"
            else:
                key = image[: len(image) - len(suffix)] if image.endswith(suffix) else image
            groups[key] = groups.get(key, 0) + 1
    items = [f"`{k}`" + (f" ({n} files)" if n > 1 else "") for k, n in sorted(groups.items())]
    if len(items) > _MAX_LISTED:
        items = [*items[:_MAX_LISTED], f"and {len(items) - _MAX_LISTED} more"]
    return tuple(items)


def _excluded_root(rel: str, combined: IgnoreFile | None, old: IgnoreFile | None) -> str:
    """The shortest prefix folder of `rel` that the new entries exclude (else `rel` itself)."""
    if combined is None:
        return rel
    parts = rel.split("/")
    for i in range(1, len(parts)):
        prefix = "/".join(parts[:i])
        if combined.matches(prefix) and not (old is not None and old.matches(prefix)):
            return prefix
    return rel


def _named_by(
    use: ContextUse,
    files: frozenset[str],
    combined: IgnoreFile,
    old: IgnoreFile,
    ctx: BuildContext,
) -> str:
    """Why `use` needs the candidate by name ('' when it does not name it)."""
    where = f"`{use.text}` (line {use.line})"
    for ref in use.sources:
        if ref.roots is None:
            return f"{where} has a source dockerfix cannot resolve"
        for root in ref.roots:
            if root == "":
                continue
            if root in files or (
                ctx.is_dir(root) and combined.matches(root) and not old.matches(root)
            ):
                return f"{where} needs `{root}`"
    return ""


def _incidental_reason(
    cand: _Candidate, analysis: _Analysis, use: ContextUse, hit: frozenset[str]
) -> str:
    """Why files a broad copy or mount sends as a side effect are still needed ('' if not)."""
    where = f"`{use.text}` (line {use.line})"
    if use.kind == "mount":
        return f"{where} mounts it and may read it" if cand.category in _CONSUMED else ""
    stage = analysis.model.stages[use.stage]
    images = [use.files[f] for f in sorted(hit)]
    if cand.category == "dependencies":
        if _regenerated(cand.entry, analysis, stage, use, hit):
            return ""
        if stage.index in analysis.runtime:
            return f"nothing in the stage of {where} reinstalls {cand.entry}: the image may use it"
    if cand.category == "build-output" and stage.index in analysis.runtime:
        return f"{where} puts it in the image, and nothing in the Dockerfile rebuilds it"
    for step, how in _readers(analysis, stage, use, images):
        text = f"`{short(step.instruction.original)}` (line {step.instruction.start_line})"
        if how == "reads":
            return f"{text} reads it"
        if cand.category in _CONSUMED:
            return f"{text} may read it (dockerfix cannot tell which files it reads)"
    return ""


# --------------------------------------------------------------------------- readers


def _readers(
    analysis: _Analysis, stage: Stage, use: ContextUse, images: Sequence[str]
) -> Iterator[tuple[Step, str]]:
    """Steps that may read the image paths `use` wrote: 'reads' (named) or 'may-read'."""
    model = analysis.model
    for other in model.stages:
        later_only = other.index == stage.index
        if not later_only and not _descends(model, other, stage.index):
            for step in other.steps:
                how = _stage_copy_read(step, analysis.effects[other.index], model, stage, images)
                if how:
                    yield step, how
            continue
        for step in other.steps:
            if later_only and step.position <= use.position:
                continue
            effect = analysis.effects[other.index][step.position]
            how = _run_read(effect, images) if step.keyword == "RUN" else ""
            how = how or _stage_copy_read(step, analysis.effects[other.index], model, stage, images)
            if how:
                yield step, how


def _run_read(effect: Effect, images: Sequence[str]) -> str:
    reads = effect.reads
    if effect.kind == "run-unknown" or reads.everything:
        return "may-read"
    if effect.prints_only:
        # `ls -l /app` prints what it finds: leaving files out changes its output, and makes
        # it fail only when a path it names is among them.
        named = any(is_under(q, path) for path in images for q in reads.paths)
        return "reads" if named else ""
    for path in images:
        if path == "":
            return "" if reads.empty else "may-read"
        if any(paths_overlap(path, q) for q in reads.paths):
            return "reads"
        if reads.outside is not None and not any(is_under(path, r) for r in reads.outside):
            return "may-read"
    return ""


def _stage_copy_read(
    step: Step, effects: dict[int, Effect], model: Model, stage: Stage, images: Sequence[str]
) -> str:
    effect = effects.get(step.position)
    if effect is None or effect.kind != "copy-stage":
        return ""
    refs = [model.stage_named(r) for r in effect.stage_refs]
    if not any(r is not None and r.index == stage.index for r in refs):
        return ""
    for raw in step.instruction.value[:-1]:
        src = normalize(raw, "/")
        for path in images:
            if path == "" or path == src:
                return "reads"
            if paths_overlap(path, src):
                return "may-read"
    return ""


def _descends(model: Model, stage: Stage, ancestor: int) -> bool:
    base = stage.base_stage
    while base is not None:
        if base == ancestor:
            return True
        base = model.stages[base].base_stage
    return False


def _regenerated(
    entry: str, analysis: _Analysis, stage: Stage, use: ContextUse, hit: frozenset[str]
) -> bool:
    """Whether a RUN of the stage recreates the dependency folder where the copy put it."""
    sample = min(hit)
    image = use.files[sample]
    if not image.endswith("/" + sample):
        return False
    target = normalize(entry, image[: -len(sample) - 1] or "/")
    for step in stage.steps:
        if step.keyword == "RUN" and any(
            _creates(entry, argv, cwd, target) for argv, cwd in _commands(step)
        ):
            return True
    return False


def _creates(entry: str, argv: list[str], cwd: str | None, target: str) -> bool:
    if cwd is None or not argv:
        return False
    tool, rest = posixpath.basename(argv[0]), argv[1:]
    if entry == "node_modules":
        installs = (tool == "yarn" and (not rest or rest[0].startswith("-"))) or (
            bool(rest) and rest[0] in _JS_INSTALL_WORDS
        )
        return tool in _JS_INSTALLERS and installs and normalize(entry, cwd) == target
    if tool.startswith("python") and rest[:2] == ["-m", "venv"]:
        names = [a for a in rest[2:] if not a.startswith("-")]
    elif tool == "virtualenv":
        names = [a for a in rest if not a.startswith("-")]
    elif tool == "uv" and rest[:1] == ["venv"]:
        names = [a for a in rest[1:] if not a.startswith("-")] or [".venv"]
    elif tool == "uv" and rest[:1] == ["sync"]:
        names = [".venv"]
    else:
        return False
    return any(normalize(name, cwd) == target for name in names)


def _commands(step: Step) -> Iterator[tuple[list[str], str | None]]:
    from dockerfix.model import shell
    from dockerfix.model.runs import script_text

    ins = step.instruction
    text = script_text(step)
    if ins.json:
        script = shell.analyze_exec(list(ins.value))
    elif text is None:
        return
    else:
        script = shell.analyze(text)
    workdir = step.state.workdir
    for cmd in script.commands:
        argv = [w.value for w in cmd.argv]
        if any(a is None for a in argv):
            continue
        cwd = None
        if workdir is not None and cmd.cwd is not None:
            cwd = normalize(posixpath.join(workdir, *cmd.cwd))
        yield [a for a in argv if a is not None], cwd


# --------------------------------------------------------------------------- analysis


def _analyse(tree: Dockerfile, ctx: BuildContext, known: Analysis | None = None) -> _Analysis:
    model = known.model if known is not None else build_model(tree)
    if known is not None and "context" in known.__dict__ and known.context is ctx:
        effects = {stage.index: known.effects(stage) for stage in model.stages}
    else:
        effects = {stage.index: stage_effects(model, stage, ctx) for stage in model.stages}
    runtime: set[int] = set()
    index = len(model.stages) - 1 if model.stages else None
    while index is not None:
        runtime.add(index)
        index = model.stages[index].base_stage
    return _Analysis(model, context_uses(model, ctx, effects), effects, frozenset(runtime))


def _senders(analyses: Sequence[_Analysis], path: str) -> tuple[int, ...]:
    return tuple(sorted({u.line for a in analyses[:1] for u in a.uses if path in u.files}))


def _excluded_sources(
    analysis: _Analysis, ctx: BuildContext, ignore: IgnoreFile | None, name: str
) -> Iterator[Diagnostic]:
    """DFX006: explicit sources the existing ignore file already hides from the build."""
    if ignore is None:
        return
    for use in analysis.uses:
        for ref in use.sources:
            if ref.rel in (None, "") or ref.roots:
                continue
            assert ref.rel is not None
            if not _on_disk(ctx.root, ref.rel):
                continue
            line = _excluding_line(ignore, ref.rel)
            what = "copies nothing or fails" if use.kind == "copy" else "mounts nothing"
            if _empty_folder(ctx.root, ref.rel):
                # Nothing to exclude: the folder is empty (a Git submodule not checked out).
                yield Diagnostic(
                    codes.COPY_SOURCE_IGNORED,
                    f"`{ref.raw}` in `{use.text}` is an empty folder in the build context (a "
                    f"Git submodule not checked out?): the build {what}",
                    use.line,
                    "display-only",
                    reason=f"{ref.rel} holds no files",
                )
                continue
            where = f"{name} line {line}" if line else name
            yield Diagnostic(
                codes.COPY_SOURCE_IGNORED,
                f"`{ref.raw}` in `{use.text}` is excluded by {where}: the build {what}",
                use.line,
                "display-only",
                reason=f"{where} excludes {ref.rel}",
            )


def _empty_folder(root: Path, rel: str) -> bool:
    """A folder (no glob) with no file anywhere below it."""
    folder = root / rel
    if set("*?[") & set(rel) or not folder.is_dir():
        return False
    return not any(p.is_file() or p.is_symlink() for p in folder.rglob("*"))


def _on_disk(root: Path, rel: str) -> bool:
    if not set("*?[") & set(rel):
        return (root / rel).exists() or (root / rel).is_symlink()
    return any(True for _ in root.glob(rel))


def _excluding_line(ignore: IgnoreFile, rel: str) -> int:
    line = 0
    parts = clean(rel).split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in ignore.patterns:
        if any(pattern.matches_path(p) for p in prefixes):
            line = pattern.line if not pattern.exception else line
    return line


# --------------------------------------------------------------------------- text


def _with_block(original: str | None, entries: Sequence[str]) -> str:
    """The original text, untouched, followed by the marked block."""
    newline = "\r\n" if original and "\r\n" in original else "\n"
    head = original or ""
    if head and not head.endswith("\n"):
        head += newline
    if head:
        head += newline
    return head + HEADER + newline + "".join(e + newline for e in entries)


def _exact(ctx: BuildContext, new_text: str, groups: Sequence[tuple[str, ...]]) -> bool:
    """The new file excludes exactly the checked files (and keeps everything else)."""
    new = parse_dockerignore(new_text)
    expected = {f for group in groups for f in group}
    universe = set(ctx.files) | expected
    return not new.errors and {f for f in universe if new.matches(f)} == expected


# --------------------------------------------------------------------------- messages


def _size(ctx: BuildContext, files: Sequence[str]) -> str:
    total = files_size(ctx.root, files)
    if total < 1024:
        return f"{total} B"
    if total < 1024 * 1024:
        return f"{total / 1024:.1f} KiB"
    return f"{total / (1024 * 1024):.1f} MiB"


def _summary(cand: _Candidate, files: Sequence[str], ctx: BuildContext) -> str:
    count = f"{len(files)} file" + ("" if len(files) == 1 else "s")
    return f"`{cand.entry}` ({cand.what}, {count}, {_size(ctx, files)})"


def _added_diagnostic(
    cand: _Candidate, files: Sequence[str], verdict: _Verdict, ctx: BuildContext
) -> Diagnostic:
    line = verdict.sent_by[0] if verdict.sent_by else 1
    if cand.secret:
        message = f"exclude {_summary(cand, files, ctx)}: a secret must not reach the image"
    else:
        message = (
            f"exclude {_summary(cand, files, ctx)} from the build context: no instruction "
            "needs it, and its changes no longer rerun the copy"
        )
    if verdict.leaves:
        message += "; leaves the image: " + ", ".join(verdict.leaves)
    return Diagnostic(codes.DOCKERIGNORE, message, line, TIER, applied=True)


def _declined_diagnostic(
    cand: _Candidate, files: Sequence[str], verdict: _Verdict, ctx: BuildContext
) -> Diagnostic:
    line = verdict.sent_by[0] if verdict.sent_by else 1
    return Diagnostic(
        codes.DOCKERIGNORE,
        f"{_summary(cand, files, ctx)} is in the build context; not excluded: {verdict.reason}",
        line,
        "display-only",
        reason=verdict.reason,
    )


def _secret_diagnostic(
    folder: str, paths: Sequence[str], kind: str, senders: Sequence[int], reason: str
) -> Diagnostic:
    """One finding for the secrets of one kind in one folder (`keys/`: 5 private keys)."""
    if len(paths) == 1:
        what, it, verb = f"`{paths[0]}` ({kind})", "it", "is"
    else:
        names = [posixpath.basename(p) for p in paths]
        shown = ", ".join(names[:3]) + (f", {len(names) - 3} more" if len(names) > 3 else "")
        where_dir = f"{folder}/" if folder else "./"
        what, it, verb = f"{len(paths)} files in `{where_dir}` ({kind}: {shown})", "them", "are"
    where = f" and line {senders[0]} copies {it} into the image" if senders else ""
    if reason:
        advice = f"; not excluded: {reason}. Pass {it} with `RUN --mount=type=secret` instead"
    else:
        advice = f"; DFX004's .dockerignore block excludes {it} (applied with --unsafe-fixes)"
    return Diagnostic(
        codes.SECRET_IN_CONTEXT,
        f"{what} {verb} in the build context{where}{advice}",
        senders[0] if senders else 1,
        "display-only",
        reason=reason,
    )


# --------------------------------------------------------------------------- docs

_DFX004_DOC = """
## What it does
Looks at what the build context holds and what the Dockerfile copies, and adds the paths that
change often or never belong in an image (`.git`, `node_modules`, `__pycache__`, caches, logs,
editor folders, secrets) to the `.dockerignore` BuildKit uses for this Dockerfile
(`<Dockerfile>.dockerignore`, else `.dockerignore` at the context root), creating it if needed.
The entries go in a block marked `# Added by dockerfix (DFX004)` at the end of the file.

## Why
`COPY . .` sends every file of the context and its cache key covers all of them: a commit, a
new log line or a test run that rewrites `.pytest_cache` reruns the copy and every step after
it. Folders like `node_modules` also overwrite what the image installed for itself.

## Example
With `COPY . .` and an `app.log` and a `.git` folder in the context, dockerfix creates
```
# Added by dockerfix (DFX004): paths no instruction needs, kept out of the build context
.git
**/*.log
```

## Fix safety
Unsafe (applied only with `--unsafe-fixes`): every entry removes files that a COPY/ADD sends,
so the image changes; the message lists exactly what leaves it, at its path in the image.
Without `--unsafe-fixes` the entries are reported and nothing is written.

Even then the existing bytes of the file are kept (the block is appended; a missing final newline is
added first; CRLF files get CRLF lines), each entry is anchored at the context root and checked
against Docker's own matching rules to exclude exactly the files that were examined, and an
entry is declined, with its reason, when any instruction of any stage might need one of its
files: a COPY/ADD or bind-mount source that names it, a RUN that reads it or may read anything
(for version control, dependency and build-output folders and secrets: a bundler build reads
`.env`, setuptools-scm and `git describe` read `.git`), a `COPY --from` of it, a dependency
folder that no step of the stage reinstalls, or build output that the final image might use.
The image loses only the excluded files.
"""

_DFX005_DOC = """
## What it does
Reports every file of the build context that holds a credential: `.env` files (not
`.env.example`), private keys (`id_rsa`, `*.key`, `*.pem` with a private key), an `.npmrc` with
an auth token, `.pypirc`/`.netrc` with a password.

## Why
A secret copied into a layer stays in the image history even when a later step deletes it.

## Example
`.env` next to `COPY . .` ends up in `/app/.env` of the image.

## Fix safety
Display-only. With `--unsafe-fixes`, DFX004 adds the file to `.dockerignore` unless an
instruction names it or may read it (a bundler build such as `npm run build` reads `.env`);
then the build needs it, and the advice is to pass it with `RUN --mount=type=secret`.
"""

_DFX006_DOC = """
## What it does
Reports a COPY/ADD source or bind-mount source that exists in the context but that the
existing `.dockerignore` excludes.

## Why
BuildKit applies `.dockerignore` before COPY sees the context: the build fails with "not
found", or a glob silently copies nothing.

## Example
`.dockerignore` holds `dist` and the Dockerfile says `COPY dist/ /srv`.

## Fix safety
Display-only: which of the two is wrong is the author's call.
"""

RULES: tuple[Rule, ...] = (
    rule(
        codes.DOCKERIGNORE,
        "dockerignore",
        TIER,
        "Keep paths no instruction needs out of the build context with `.dockerignore`.",
        _DFX004_DOC,
    ),
    rule(
        codes.SECRET_IN_CONTEXT,
        "secret-in-context",
        "display-only",
        "A file holding a credential is in the build context.",
        _DFX005_DOC,
    ),
    rule(
        codes.COPY_SOURCE_IGNORED,
        "copy-source-ignored",
        "display-only",
        "A COPY/ADD source is excluded by `.dockerignore`.",
        _DFX006_DOC,
    ),
)
