"""Re-check a rewrite before it is written: same stages, same steps, same constraints kept.

This is the safe mode: the new text is parsed again from scratch, modelled
again, and compared with the original.  Any doubt refuses the rewrite.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from dockerfix.model.constraints import conflicts
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import ALL_VARS, Effect, stage_effects
from dockerfix.model.paths import PathSet
from dockerfix.model.stages import Model, Stage, Step, build_model
from dockerfix.syntax import Dockerfile, parse
from dockerfix.syntax.lineparse import parse_words

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis

_METADATA = frozenset(
    {
        "CMD",
        "ENTRYPOINT",
        "LABEL",
        "EXPOSE",
        "VOLUME",
        "HEALTHCHECK",
        "STOPSIGNAL",
        "ONBUILD",
        "MAINTAINER",
        "USER",
        "WORKDIR",
        "SHELL",
        "ENV",
        "ARG",
    }
)


def verify_rewrite(
    original: Dockerfile,
    new_text: str,
    ctx: BuildContext | None,
    relaxed: frozenset[str] = frozenset(),
    analysis: Analysis | None = None,
    rewritable: frozenset[str] = frozenset(),
) -> list[str]:
    """Problems that make the rewrite unsafe (an empty list means it may be written).

    ``relaxed`` names build-stamp ARGs that --unsafe-fixes lets move below RUN steps
    that do not name them. ``analysis``, the analysis of ``original`` in ``ctx``, saves
    modelling the original again; the new text is always parsed and modelled from scratch.
    ``rewritable`` names lock files an unsafe split lets the install rewrite before the
    later copy puts them back.
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
            old_model, old_stage, new_model, new_stage, ctx, relaxed, old_effects, rewritable
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
) -> list[str]:
    label = f"stage {old.index + 1}"
    old_texts = Counter(_norm(s.instruction.text) for s in old.steps)
    new_texts = Counter(_norm(s.instruction.text) for s in new.steps)
    missing = old_texts - new_texts
    if missing:
        return [f"{label}: an instruction was lost or changed: {next(iter(missing)).strip()!r}"]
    extra_texts = new_texts - old_texts
    if old.end_state != new.end_state:
        return [f"{label}: the final environment, workdir, user or shell differ"]
    old_meta = [_norm(s.instruction.text) for s in old.steps if _is_meta(s, relaxed)]
    new_meta = [_norm(s.instruction.text) for s in new.steps if _is_meta(s, relaxed)]
    if old_meta != new_meta:
        return [f"{label}: metadata instructions changed order"]
    effects_old = old_effects if old_effects is not None else stage_effects(old_model, old, ctx)
    effects_new = stage_effects(new_model, new, ctx)
    # Identify each new step with an original one by text, in order of appearance.
    pool: dict[str, list[int]] = {}
    for s in old.steps:
        pool.setdefault(_norm(s.instruction.text), []).append(s.position)
    mapping: dict[int, int] = {}
    inserted: list[int] = []
    for s in new.steps:
        key = _norm(s.instruction.text)
        if pool.get(key):
            mapping[s.position] = pool[key].pop(0)
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
    problems = _check_inserted(label, new, inserted, effects_new, rewritable)
    if problems:
        return problems
    new_rank = {mapping[p]: i for i, p in enumerate(s.position for s in new.steps) if p in mapping}
    all_rank = {p: i for i, p in enumerate(s.position for s in new.steps)}
    new_of = {old_position: new_position for new_position, old_position in mapping.items()}
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
            why = conflicts(first, effects_old[b], relaxed)
            if why:
                return [
                    f"{label}: `{old_steps[b].instruction.original}` must stay after "
                    f"`{old_steps[a].instruction.original}` ({why[0]})"
                ]
    return []


def _covered(
    broad: Effect,
    install: Effect,
    effects_new: dict[int, Effect],
    ranks: dict[int, int],
    install_rank: int,
    broad_node: int,
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
) -> list[str]:
    """Each inserted instruction copies files that a later COPY copies again, identically
    (a `rewritable` lock file may be rewritten by the install in between)."""
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
                if other_eff.dir_only or img in rewritable:
                    continue  # a WORKDIR creates directories, never changes a file
                if other_eff.writes.overlaps(PathSet.of(img)) and other not in inserted:
                    break
            if not rewritten:
                return [
                    f"{label}: inserted copy of {ctx_path} is not copied again identically later"
                ]
    return []


def _is_meta(step: Step, relaxed: frozenset[str]) -> bool:
    if step.keyword not in _METADATA:
        return False
    if step.keyword == "ARG" and relaxed:
        names = {w.partition("=")[0] for w in parse_words(step.instruction.args, "\\")}
        return not names <= relaxed
    return True


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
