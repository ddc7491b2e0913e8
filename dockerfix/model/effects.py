"""What each instruction reads and writes: image paths, variables, build state, context files."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from dockerfix.model.context import BuildContext, clean
from dockerfix.model.effect import ALL_VARS, ContextCopy, CopySource, Effect, StepKind
from dockerfix.model.paths import PathSet, normalize
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.model.variables import expand, expand_word, referenced_names

# The effect types live in `effect`; importers of this module keep finding them here.
__all__ = [
    "ALL_VARS",
    "ContextCopy",
    "CopySource",
    "Effect",
    "StepKind",
    "flag_value",
    "stage_effects",
    "step_effect",
]


def stage_effects(model: Model, stage: Stage, ctx: BuildContext | None) -> dict[int, Effect]:
    """The effect of every step of a stage, each computed knowing the earlier ones."""
    effects: dict[int, Effect] = {}
    for step in stage.steps:
        effects[step.position] = step_effect(step, model, stage, ctx, effects)
    return effects


def step_effect(
    step: Step,
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    prior: Mapping[int, Effect] | None = None,
) -> Effect:
    """The effect of one step; ``prior`` holds the effects of the stage's earlier steps."""
    ins = step.instruction
    keyword = ins.keyword
    env = step.state.env
    escape = model.tree.escape
    arg_vars = referenced_names(ins.args) | _flag_vars(ins.flags)
    if keyword in ("ENV", "ARG"):
        names = frozenset(ins.value[0::2]) if keyword == "ENV" else _arg_names(ins)
        return Effect("env", reads_vars=arg_vars, writes_vars=names)
    if keyword == "WORKDIR":
        target = expand_word(ins.value[0] if ins.value else "", env, escape)
        path = None
        if target is not None and (target.startswith("/") or step.state.workdir is not None):
            path = normalize(target, step.state.workdir or "/")
        if target is not None and normalize(target, "/") == "/" and not target.startswith("/"):
            # `WORKDIR .`: the directory it names is the current one, which exists already.
            return Effect("state", reads_vars=arg_vars, dir_only=True)
        else:
            writes = PathSet.of(path) if path else PathSet.all()
        relative = target is None or not target.startswith("/")
        return Effect(
            "state",
            reads_vars=arg_vars,
            writes=writes,
            reads_state=frozenset({"workdir", "user"} if relative else {"user"}),
            writes_state=frozenset({"workdir"}),
            dir_only=True,
            root_dirs=_is_root(step.state.user),
        )
    if keyword in ("USER", "SHELL"):
        return Effect("state", reads_vars=arg_vars, writes_state=frozenset({keyword.lower()}))
    if keyword in ("COPY", "ADD"):
        return _copy_effect(step, model, ctx, arg_vars)
    if keyword == "RUN":
        return _run_effect(step, model, stage, ctx, prior)
    if keyword == "VOLUME":
        # The classic builder discards later writes below a volume: keep them ordered.
        paths = [normalize(v, step.state.workdir or "/") for v in ins.value]
        return Effect(
            "metadata",
            reads_vars=arg_vars,
            writes=PathSet.of(*paths),
            writes_state=frozenset({"volume"}),
        )
    if keyword in ("CMD", "ENTRYPOINT"):
        reads = frozenset({"shell"}) if not ins.json else frozenset()
        return Effect(
            "metadata",
            reads_vars=arg_vars,
            reads_state=reads | {"cmd"},
            writes_state=frozenset({"cmd"}),
        )
    if keyword == "LABEL":
        return Effect(
            "metadata",
            reads_vars=arg_vars,
            writes_state=frozenset("label:" + k for k in ins.value[0::2]),
        )
    # EXPOSE, HEALTHCHECK, STOPSIGNAL, MAINTAINER, ONBUILD: one metadata slot each.
    return Effect("metadata", reads_vars=arg_vars, writes_state=frozenset({keyword.lower()}))


def _arg_names(ins: object) -> frozenset[str]:
    from dockerfix.syntax import Instruction
    from dockerfix.syntax.lineparse import parse_words

    assert isinstance(ins, Instruction)
    return frozenset(w.partition("=")[0] for w in parse_words(ins.args, "\\"))


def _flag_vars(flags: Sequence[str]) -> frozenset[str]:
    names: frozenset[str] = frozenset()
    for flag in flags:
        names |= referenced_names(flag)
    return names


def flag_value(flags: Sequence[str], name: str) -> str | None:
    for flag in flags:
        key, eq, value = flag.partition("=")
        if key == name:
            return value if eq else ""
    return None


def _copy_effect(
    step: Step, model: Model, ctx: BuildContext | None, arg_vars: frozenset[str]
) -> Effect:
    ins = step.instruction
    dest_value = (
        expand_word(ins.value[-1], step.state.env, model.tree.escape) if ins.value else None
    )
    # Only a relative destination depends on the working directory.
    relative = dest_value is None or not dest_value.startswith("/")
    reads_state = {"workdir"} if relative else set()
    chown = flag_value(ins.flags, "--chown")
    reads = PathSet()
    if chown is not None and not all(part.isdigit() for part in chown.split(":") if part):
        reads_state.add("users")  # names are looked up in the image's passwd and group files
    source_stage = flag_value(ins.flags, "--from")
    values = list(ins.value)

    def to_dest(
        kind: StepKind, dest: str | None, cost: float, refs: tuple[str, ...] = ()
    ) -> Effect:
        """A copy whose files dockerfix does not list: it may write anything below dest."""
        return Effect(
            kind,
            reads=reads,
            writes=PathSet.of(dest) if dest else PathSet.all(),
            reads_vars=arg_vars,
            reads_state=frozenset(reads_state),
            stage_refs=refs,
            cost=cost,
        )

    if ins.heredocs or len(values) < 2:
        # Heredoc bodies are part of the Dockerfile's own text, not of the context.
        return to_dest("copy-text", _dest(values[-1] if values else "", step, model), 0.2)
    dest_raw = values[-1]
    dest = _dest(dest_raw, step, model)
    sources = values[:-1]
    if source_stage is not None:
        stage_ref = expand(source_stage, model.global_args, model.tree.escape).value or source_stage
        return to_dest("copy-stage", dest, 0.5, (stage_ref,))
    if ins.keyword == "ADD" and any("://" in s or s.startswith("git@") for s in sources):
        return to_dest("add-remote", dest, 2.0)
    dest_is_dir = dest_raw.endswith("/") or len(sources) > 1 or dest_raw in (".", "./")
    resolved = tuple(
        _resolve_source(s, dest, dest_is_dir, ins.keyword, ctx, step, model) for s in sources
    )
    if ctx is not None and not dest_is_dir:
        # A directory source copies its contents into the destination directory.
        dest_is_dir = any(
            ctx.is_dir(clean(expand_word(s, step.state.env, model.tree.escape) or "\0"))
            for s in sources
        )
    copy = ContextCopy(resolved, dest, dest_is_dir, tuple(ins.flags))
    root_dirs = chown is None and flag_value(ins.flags, "--chmod") is None
    if dest is None:
        writes = PathSet.all()
    elif copy.known:
        files = copy.image_files()
        writes = PathSet(
            frozenset(files) | frozenset({dest}) if not dest_is_dir else frozenset(files)
        )
    else:
        writes = PathSet.of(dest)
    ctx_files = tuple(sorted({c for s in resolved for c, _ in (s.files or ())}))
    return Effect(
        "copy-context",
        reads=reads,
        writes=writes,
        reads_vars=arg_vars,
        reads_state=frozenset(reads_state),
        context_files=ctx_files,
        copy=copy,
        cost=0.2 + 0.001 * len(ctx_files),
        root_dirs=root_dirs,
    )


def _is_root(user: str | None) -> bool:
    """The user is root (`root`, uid 0, with or without a group)."""
    return user is not None and user.split(":", 1)[0] in ("root", "0")


def _dest(raw: str, step: Step, model: Model) -> str | None:
    value = expand_word(raw, step.state.env, model.tree.escape)
    if value is None:
        return None
    if value.startswith("/"):
        return normalize(value)
    if step.state.workdir is None:
        return None
    return normalize(value, step.state.workdir)


def _resolve_source(
    raw: str,
    dest: str | None,
    dest_is_dir: bool,
    keyword: str,
    ctx: BuildContext | None,
    step: Step,
    model: Model,
) -> CopySource:
    pattern = expand_word(raw, step.state.env, model.tree.escape)
    if pattern is None or ctx is None or dest is None:
        return CopySource(raw, None)
    rel = clean(pattern)
    if keyword == "ADD" and rel.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return CopySource(raw, None)  # ADD unpacks local archives: contents unknown
    matches = (
        ctx.glob(rel) if any(ch in rel for ch in "*?[") else ([rel] if ctx.exists(rel) else [])
    )
    files: list[tuple[str, str]] = []
    into = dest if dest.endswith("/") else dest + "/"  # posixpath.join(dest, inner)
    for match in matches:
        if ctx.is_dir(match):
            cut = len(match) + 1 if match else 0
            files.extend((f, into + f[cut:]) for f in ctx.files_under(match))
        elif dest_is_dir or len(matches) > 1:
            files.append((match, posixpath.join(dest, posixpath.basename(match))))
        else:
            files.append((match, dest))
    return CopySource(raw, tuple(files))


def _run_effect(
    step: Step,
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    prior: Mapping[int, Effect] | None,
) -> Effect:
    from dockerfix.model.runs import analyse_run

    # Without the effects of the earlier steps, no copied file can be read: RUN stays opaque.
    return analyse_run(step, model, stage, ctx, prior or {})
