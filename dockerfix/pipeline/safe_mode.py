"""Re-check a rewrite before it is written: same stages, same steps, same constraints kept.

This is the safe mode: the new text is parsed again from scratch, modelled
again, and compared with the original.  Any doubt refuses the rewrite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from dockerfix.model.constraints import conflicts, creates_folder, is_metadata, removes_needed
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import ALL_VARS, Effect, stage_effects, step_effect
from dockerfix.model.paths import PathSet
from dockerfix.model.stages import Model, Stage, Step, build_model
from dockerfix.pipeline.plan import PlannedRun
from dockerfix.syntax import Dockerfile, parse

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis


def verify_rewrite(
    original: Dockerfile,
    new_text: str,
    ctx: BuildContext | None,
    relaxed: frozenset[str] = frozenset(),
    analysis: Analysis | None = None,
    rewritable: frozenset[str] = frozenset(),
    planned: Sequence[PlannedRun] = (),
    assumed: frozenset[str] = frozenset(),
) -> list[str]:
    """Problems that make the rewrite unsafe (an empty list means it may be written).

    ``relaxed`` names build-stamp ARGs that --unsafe-fixes lets move below RUN steps
    that do not name them. ``analysis``, the analysis of ``original`` in ``ctx``, saves
    modelling the original again; the new text is always parsed and modelled from scratch.
    ``rewritable`` names lock files an unsafe split lets the install rewrite before the
    later copy puts them back. ``planned`` are the RUNs --unsafe-fixes adds (DFX007):
    accepted only as planned. ``assumed`` are the install RUNs (their text) an unsafe split
    moved on their assumption (`Effect.assumption`): checked with their assumed effect.
    """
    new = parse(new_text)
    if new.errors:
        return [f"the rewritten file does not parse: {new.errors[0].message}"]
    if new.escape != original.escape or new.directives != original.directives:
        return ["parser directives changed"]
    old_model = analysis.model if analysis is not None else build_model(original)
    new_model = build_model(new)
    if [s.start.instruction.text for s in old_model.stages] != [
        s.start.instruction.text for s in new_model.stages
    ]:
        return ["the stages changed"]
    if [g.instruction.text for g in old_model.global_steps] != [
        g.instruction.text for g in new_model.global_steps
    ]:
        return ["instructions before the first FROM changed"]
    problems: list[str] = []
    for old_stage, new_stage in zip(old_model.stages, new_model.stages):
        old_effects = analysis.effects(old_stage) if analysis is not None else None
        problems += _verify_stage(
            old_model,
            old_stage,
            new_model,
            new_stage,
            ctx,
            relaxed,
            old_effects,
            rewritable,
            planned,
            assumed,
        )
    return problems


def _verify_stage(
    old_model: Model,
    old: Stage,
    new_model: Model,
    new: Stage,
    ctx: BuildContext | None,
    relaxed: frozenset[str] = frozenset(),
    old_effects: dict[int, Effect] | None = None,
    rewritable: frozenset[str] = frozenset(),
    planned: Sequence[PlannedRun] = (),
    assumed: frozenset[str] = frozenset(),
) -> list[str]:
    label = f"stage {old.index + 1}"
    old_texts = Counter(_norm(s.instruction.text) for s in old.steps)
    # A RUN split in two (DFX007) stands for the original in its slot, and so does a copy
    # whose relative destination was written out (absolute.py).
    aliases = _split_aliases(old_texts, new, planned)
    effects_old = old_effects if old_effects is not None else stage_effects(old_model, old, ctx)
    respelt = _respelt_copies(old_model, old, new, ctx, effects_old, old_texts)
    aliases.update({text: _norm(old_step_text) for text, (old_step_text, _) in respelt.items()})

    def key(step: Step) -> str:
        text = _norm(step.instruction.text)
        return aliases.get(text, text)

    new_texts = Counter(key(s) for s in new.steps)
    missing = old_texts - new_texts
    if missing:
        return [f"{label}: an instruction was lost or changed: {next(iter(missing)).strip()!r}"]
    extra_texts = new_texts - old_texts
    if old.end_state != new.end_state:
        return [f"{label}: the final environment, workdir, user or shell differ"]
    # ARGs a planned dependency step took above the copy (the copy and a WORKDIR do not read
    # them) may stand elsewhere among the metadata; every other one keeps its order.
    moved = {text for run in planned for text in run.args}
    old_meta = [
        _norm(s.instruction.text)
        for s in old.steps
        if is_metadata(s, relaxed) and _norm(s.instruction.text) not in moved
    ]
    new_meta = [
        _norm(s.instruction.text)
        for s in new.steps
        if is_metadata(s, relaxed) and _norm(s.instruction.text) not in moved
    ]
    if old_meta != new_meta:
        return [f"{label}: metadata instructions changed order"]
    effects_new = stage_effects(new_model, new, ctx)
    if respelt:
        # The original copy is checked as its absolute spelling: the same files, the same
        # paths, whatever WORKDIR runs before it.
        effects_old = dict(effects_old)
        by_text = {_norm(s.instruction.text): s.position for s in old.steps}
        for old_text, effect in respelt.values():
            effects_old[by_text[_norm(old_text)]] = effect
    if assumed:
        effects_old = _assuming(old, effects_old, assumed)
        effects_new = _assuming(new, effects_new, assumed)
    # Identify each new step with an original one by text, in order of appearance.
    pool: dict[str, list[int]] = {}
    for s in old.steps:
        pool.setdefault(_norm(s.instruction.text), []).append(s.position)
    mapping: dict[int, int] = {}
    inserted: list[int] = []
    for s in new.steps:
        if pool.get(key(s)):
            mapping[s.position] = pool[key(s)].pop(0)
        else:
            inserted.append(s.position)
    if len(inserted) != sum(extra_texts.values()):
        return [f"{label}: could not match the rewritten instructions"]
    old_steps = {s.position: s for s in old.steps}
    for s in new.steps:
        if s.position in mapping:
            old_position = mapping[s.position]
            before = _relevant_state(old_steps[old_position], effects_old[old_position], relaxed)
            if before != _relevant_state(s, effects_new[s.position], relaxed):
                return [f"{label}: `{s.instruction.original}` would run in a different state"]
    new_steps = {s.position: s for s in new.steps}
    runs = {
        n: r
        for n in inserted
        for r in planned
        if new_steps[n].keyword == "RUN" and _norm(new_steps[n].instruction.text) == r.text
    }
    copies = [n for n in inserted if n not in runs]
    problems = _check_inserted(label, new, copies, effects_new, rewritable, frozenset(runs))
    if problems:
        return problems
    new_rank = {mapping[p]: i for i, p in enumerate(s.position for s in new.steps) if p in mapping}
    insert_rank = {p: i for i, p in enumerate(s.position for s in new.steps) if p in inserted}
    all_rank = {p: i for i, p in enumerate(s.position for s in new.steps)}
    new_of = {old_position: new_position for new_position, old_position in mapping.items()}
    for node, run in runs.items():
        problems = _check_planned_run(
            label,
            (old_model, old, ctx),
            new_steps[node],
            run,
            effects_old,
            effects_new,
            new_rank,
            insert_rank,
        )
        if problems:
            return problems
    base = [s.position for s in old.steps]
    for i, a in enumerate(base):
        for b in base[i + 1 :]:
            if new_rank[a] < new_rank[b]:
                continue
            first = _covered(
                effects_old[a],
                effects_old[b],
                effects_new,
                all_rank,
                new_rank[b],
                new_of[a],
                rewritable,
            )
            why = conflicts(first, effects_old[b], relaxed, folders=False)
            why += unmet_folders(effects_old[a], effects_old[b], effects_new, all_rank, new_rank[b])
            if why:
                return [
                    f"{label}: `{old_steps[b].instruction.original}` must stay after "
                    f"`{old_steps[a].instruction.original}` ({why[0]})"
                ]
    return []


def _respelt_copies(
    model: Model,
    old: Stage,
    new: Stage,
    ctx: BuildContext | None,
    effects: dict[int, Effect],
    old_texts: Counter[str],
) -> dict[str, tuple[str, Effect]]:
    """New copy texts that are an original copy with its destination made absolute: new text
    → (the original's text, the absolute spelling's effect)."""
    from dockerfix.pipeline.absolute import absolute_effects

    new_texts = {_norm(s.instruction.text) for s in new.steps} - set(old_texts)
    if not new_texts:
        return {}
    steps = {s.position: s for s in old.steps}
    return {
        text: (steps[position].instruction.text, effect)
        for position, (text, effect) in absolute_effects(model, old, ctx, effects).items()
        if text in new_texts and old_texts[_norm(steps[position].instruction.text)] == 1
    }


def _inline_env(text: str, cd: str | None) -> dict[str, str]:
    """The `NAME=value` words that start an added RUN's command (after its `cd`)."""
    import shlex

    body = text.split(" ", 1)[1] if " " in text else ""
    if cd is not None:
        body = body.removeprefix(cd)
    out: dict[str, str] = {}
    try:
        words = shlex.split(body)
    except ValueError:
        return {}
    for word in words:
        name, eq, value = word.partition("=")
        if not eq or not name.isidentifier():
            break
        out[name] = value
    return out


def _assuming(stage: Stage, effects: dict[int, Effect], texts: frozenset[str]) -> dict[int, Effect]:
    """The effects with each RUN of ``texts`` taken at its assumed effect."""
    out = dict(effects)
    for step in stage.steps:
        eff = out[step.position]
        if eff.assumed is not None and _norm(step.instruction.text) in texts:
            out[step.position] = eff.assumed
    return out


def _split_aliases(
    old_texts: Counter[str], new: Stage, planned: Sequence[PlannedRun]
) -> dict[str, str]:
    """New RUN text → the original RUN it replaces, for chains split exactly as planned."""
    from dockerfix.fixes.prefetch_checks import split_run_text

    new_texts = {_norm(s.instruction.text) for s in new.steps}
    return {
        run.replacement: run.anchor
        for run in planned
        if run.replacement is not None
        and run.anchor in old_texts
        and run.replacement in new_texts
        and run.text in new_texts
        and split_run_text(run.anchor, run.text, run.replacement, run.added)
    }


def _check_planned_run(
    label: str,
    original: tuple[Model, Stage, BuildContext | None],
    step: Step,
    run: PlannedRun,
    effects_old: dict[int, Effect],
    effects_new: dict[int, Effect],
    new_rank: dict[int, int],
    insert_rank: dict[int, int],
) -> list[str]:
    """An added RUN runs before its original RUN, in its state, and crosses no conflict.

    Every original step that ran before the anchor and now runs after the added RUN must not
    write what it reads (except the files an inserted manifest copy provides before it), read
    what it writes, or change its state.
    """
    old_model, old, ctx = original
    text = step.instruction.original
    base = [s.position for s in old.steps]
    anchor = next((s for s in old.steps if _norm(s.instruction.text) == run.anchor), None)
    if anchor is None or anchor.position not in new_rank:
        return [f"{label}: the added `{text}` has no original RUN to prepare"]
    rank = insert_rank[step.position]
    if rank > new_rank[anchor.position]:
        return [f"{label}: the added `{text}` runs after the RUN it prepares"]
    import shlex

    from dockerfix.fixes.prefetch_checks import (
        beside_system,
        platform_only,
        same_state,
        wrapper_chmod_text,
    )

    old_steps = {s.position: s for s in old.steps}

    workdir = anchor.state.workdir
    there = run.cwd if run.cwd is not None and workdir is not None else workdir
    cd = f"cd {shlex.quote(there)} && " if there is not None else None
    # `NAME=value` on the added command that gives it the build's value of an ENV set later.
    inline = {
        name: value
        for name, value in _inline_env(run.text, cd).items()
        if anchor.state.env.get(name) == value and step.state.env.get(name) != value
    }
    state = replace(step.state, env={**step.state.env, **inline})
    moved = (
        cd is not None
        and cd in run.text
        and same_state(replace(state, workdir=workdir), anchor.state)
    )
    if not moved and not same_state(anchor.state, state):
        return [f"{label}: the added `{text}` would run in a different state"]
    # What the added RUN touches, modelled as the planner did: where the original RUN runs,
    # after the copies before it. Below a copy of the whole project, a download in one of its
    # folders reads its manifests there (named) and what lies outside the copied tree; before
    # that copy, nothing says which project it belongs to, and the tree's other files would
    # all count as read, though it names none of them.
    effect = step_effect(
        replace(step, position=anchor.position, state=replace(anchor.state, env=state.env)),
        old_model,
        old,
        ctx,
        effects_old,
    )
    if run.assumed and effect.assumed is not None:
        effect = effect.assumed
    if run.creates:
        from dockerfix.fixes.prefetch_checks import without_scratch

        effect = without_scratch(effect, run.creates)
    for other in base[: base.index(anchor.position)]:
        if new_rank[other] < rank or platform_only(effects_old[other]):
            continue
        chmod = wrapper_chmod_text(old_steps[other])
        if chmod is not None and (run.text.split(" ", 1)[-1] + " ").startswith(chmod + " && "):
            continue  # `chmod +x mvnw`: the added RUN runs the same chmod first
        if moved and effects_old[other].dir_only:
            continue  # the download `cd`s to the build's WORKDIR by itself
        if effects_old[other].kind == "env" and effects_old[other].writes_vars <= set(inline):
            continue  # the download sets these variables (to the build's values) itself
        if beside_system(effects_old[other], effect):
            continue  # it touches only folders of its own (`/assets`), none the download's
        first = _covered(
            effects_old[other],
            effect,
            effects_new,
            insert_rank,
            rank,
            rewritable=frozenset((*run.chmods, *run.locks)),
        )
        why = conflicts(first, effect, folders=False)
        why += unmet_folders(effects_old[other], effect, effects_new, insert_rank, rank)
        if why:
            return [f"{label}: the added `{text}` must run after an original step ({why[0]})"]
    return []


def unmet_folders(
    first: Effect,
    second: Effect,
    effects_new: dict[int, Effect],
    ranks: dict[int, int],
    rank: int,
) -> list[str]:
    """The folder conflicts of ``first`` (earlier in the original) and ``second``, which now
    runs before it at ``rank``: a folder ``second`` `cd`s into that ``first`` may create and
    no step before ``rank`` of the new text (``ranks``: new position → rank) creates, and
    one ``first`` needs that ``second``, a RUN, may remove."""
    found = [
        "folder: " + folder
        for folder in sorted(second.needs_dirs)
        if creates_folder(first, folder)
        and not any(creates_folder(effects_new[p], folder) for p, r in ranks.items() if r < rank)
    ]
    return found + ["folder: " + f for f in removes_needed(first, second)]


def _covered(
    broad: Effect,
    install: Effect,
    effects_new: dict[int, Effect],
    ranks: dict[int, int],
    install_rank: int,
    broad_node: int | None = None,
    rewritable: frozenset[str] = frozenset(),
) -> Effect:
    """``broad`` minus the files another COPY of the new text (an inserted manifest copy, or
    an original copy of the same files) provides, identically, before ``install``.

    A file ``install`` may write stays: the later copy would put the old bytes back over what
    the install wrote, unless it is one of the ``rewritable`` lock files an unsafe split
    allows."""
    if broad.copy is None or not broad.copy.known:
        return broad
    provided: set[str] = set()
    broad_files = broad.copy.image_files()
    for node, rank in ranks.items():
        eff = effects_new[node]
        if node == broad_node or eff.kind != "copy-context":
            continue
        if rank < install_rank and eff.copy is not None and eff.copy.known:
            for img, ctx_path in eff.copy.image_files().items():
                same = broad_files.get(img) == ctx_path and eff.copy.flags == _kept_flags(
                    broad.copy.flags
                )
                if same and (img in rewritable or not install.writes.overlaps(PathSet.of(img))):
                    provided.add(img)
    if not provided:
        return broad
    return replace(
        broad, writes=PathSet(frozenset(p for p in broad.writes.paths if p not in provided))
    )


def _kept_flags(flags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in flags if f.split("=")[0] in ("--chown", "--chmod", "--link"))


def _check_inserted(
    label: str,
    new: Stage,
    inserted: list[int],
    effects_new: dict[int, Effect],
    rewritable: frozenset[str] = frozenset(),
    added_runs: frozenset[int] = frozenset(),
) -> list[str]:
    """Each inserted instruction copies files that a later COPY copies again, identically
    (a `rewritable` lock file may be rewritten by the install in between, and so may the
    files an added dependency RUN touches: the later copy puts them back)."""
    order = [s.position for s in new.steps]
    for node in inserted:
        eff = effects_new[node]
        if eff.kind != "copy-context" or eff.copy is None or not eff.copy.known:
            return [f"{label}: an inserted instruction is not a COPY from the build context"]
        files = eff.copy.image_files()
        later = order[order.index(node) + 1 :]
        for img, ctx_path in files.items():
            rewritten = False
            for other in later:
                other_eff = effects_new[other]
                if (
                    other_eff.copy is not None
                    and other_eff.copy.known
                    and other not in inserted
                    and other_eff.copy.image_files().get(img) == ctx_path
                    and _kept_flags(other_eff.copy.flags) == eff.copy.flags
                ):
                    rewritten = True
                    break
                if other_eff.dir_only or img in rewritable or other in added_runs:
                    continue  # a WORKDIR creates directories, never changes a file
                if other_eff.writes.overlaps(PathSet.of(img)) and other not in inserted:
                    break
            if not rewritten:
                return [
                    f"{label}: inserted copy of {ctx_path} is not copied again identically later"
                ]
    return []


def _relevant_state(
    step: Step, effect: Effect, relaxed: frozenset[str] = frozenset()
) -> tuple[object, ...]:
    """The part of the build state the step reads, as its effect says: the same model that
    decided the move decides what must not change for it."""
    state = step.state
    if effect.reads_vars == ALL_VARS:
        # A process sees every variable; only build-stamp ARGs it never names may differ
        # (--unsafe-fixes), and only when its script was understood.
        ignorable = relaxed - effect.named_vars if effect.named_vars is not None else frozenset()
        env = sorted((k, v) for k, v in state.env.items() if k not in ignorable)
    else:
        env = sorted((k, state.env.get(k, "<unset>")) for k in effect.reads_vars)
    parts = {"workdir": state.workdir, "user": state.user, "shell": state.shell}
    return (env, *(parts[k] for k in sorted(effect.reads_state) if k in parts))


def _norm(text: str) -> str:
    return text.rstrip("\r\n")
