"""Plan the rewrite of each stage: effects, constraints, splits, and the cheapest safe order."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

from dockerfix.fixes import codes
from dockerfix.fixes.build_stamps import build_stamp_args, stamp_diagnostics
from dockerfix.fixes.reorder import longest_kept, reorder_diagnostics
from dockerfix.fixes.rule import short
from dockerfix.fixes.split_copy import (
    Decline,
    SplitCandidate,
    manifest_copies,
    missing_manifests,
    split_candidates,
    split_diagnostics,
)
from dockerfix.fixes.suppression import Suppressions
from dockerfix.model.constraints import (
    ConflictIndex,
    conflicts,
    creates_folder,
    is_metadata,
    removes_needed,
)
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import Effect, stage_effects, step_effect
from dockerfix.model.paths import PathSet
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.model.volatility import History, copy_prior, step_volatility
from dockerfix.pipeline.absolute import absolute_effects, workdirs_before
from dockerfix.pipeline.order import OrderProblem, best_order, expected_cost, is_linear_extension
from dockerfix.pipeline.plan import StagePlan
from dockerfix.syntax import parse

# A move must save at least this much expected cost (and 2% of the total) to be worth a diff.
MIN_GAIN = 0.5
MIN_GAIN_RATIO = 0.02
# Stages longer than this find their constraint edges through a `ConflictIndex`.
INDEX_STEPS = 64


def shadow_waivers(
    nodes: list[int], effects: dict[int, Effect], skip: frozenset[int] = frozenset()
) -> dict[tuple[int, int], Effect]:
    """For a copy `a` and a later step `b`: `a` without the files a copy between them writes
    again from the same build-context files with the same flags.

    Whichever of the two runs last, those files hold the same bytes, and the copy between
    stays before `b` by its own constraint: `b` reads them from it either way. Steps in
    `skip` (inserted copies, broad copies a split moves) take no part: their own
    constraints are waived.
    """
    copies = {
        n
        for n in nodes
        if n not in skip
        and effects[n].kind == "copy-context"
        and effects[n].copy is not None
        and effects[n].copy.known  # type: ignore[union-attr]
    }
    if len(copies) < 2:
        return {}
    # The copies writing each (image path, context file) pair: only those can provide a file.
    writers: dict[tuple[str, str], set[int]] = {}
    for n in copies:
        for pair in effects[n].copy.image_files().items():  # type: ignore[union-attr]
            writers.setdefault(pair, set()).add(n)
    waived: dict[tuple[int, int], Effect] = {}
    for i, a in enumerate(nodes):
        if a not in copies:
            continue
        a_copy = effects[a].copy
        assert a_copy is not None
        a_files = a_copy.image_files()
        sharing = {
            b
            for pair in a_files.items()
            for b in writers[pair]
            if b != a and effects[b].copy.flags == a_copy.flags  # type: ignore[union-attr]
        }
        provided: set[str] = set()
        trimmed = effects[a]
        for b in nodes[i + 1 :] if sharing else ():
            if provided:
                waived[(a, b)] = trimmed
            if b in sharing:
                m_copy = effects[b].copy
                assert m_copy is not None
                provided |= {p for p, c in m_copy.image_files().items() if a_files.get(p) == c}
                kept = frozenset(p for p in effects[a].writes.paths if p not in provided)
                trimmed = replace(effects[a], writes=PathSet(kept))
    return waived


def _resent(nodes: list[int], effects: dict[int, Effect]) -> set[tuple[int, int]]:
    """The pairs of copies `a` before `b` where `b` sends every build-context file `a` sends
    (`COPY package.json ./` before `COPY . .`), wherever it puts them.

    `a` stays before `b`: an edit of its files reruns `b` wherever `a` is, so `a` below `b`
    spares nothing the edit does not rerun anyway, and the search, which takes the copies'
    changes as independent, would count a gain that is not there."""
    copies = [
        (n, frozenset(copy.image_files().values()))
        for n in nodes
        if effects[n].kind == "copy-context"
        and (copy := effects[n].copy) is not None
        and copy.known
        and copy.image_files()
    ]
    pairs: set[tuple[int, int]] = set()
    for i, (a, sources) in enumerate(copies):
        for b, later in copies[i + 1 :]:
            if len(later) >= len(sources) and sources <= later:
                pairs.add((a, b))
    return pairs


def _preds(
    nodes: list[int],
    effects: dict[int, Effect],
    waived: dict[tuple[int, int], Effect],
    relaxed: frozenset[str] = frozenset(),
    pinned: frozenset[int] = frozenset(),
    meta: frozenset[int] = frozenset(),
) -> dict[int, frozenset[int]]:
    """The steps each step must follow: conflicts, pins, and the metadata order (the safe-mode
    check keeps metadata and state instructions in their order)."""
    # A pair already ordered through steps between them needs no conflict check of its own
    # (the search only uses the closure of these edges), nor does a pair the index rules out.
    preds: dict[int, set[int]] = {n: set() for n in nodes}
    ancestors: dict[int, set[int]] = {}
    # The index pays for itself on long stages only: indexing a broad copy's files costs more
    # than checking a few dozen pairs.
    index = ConflictIndex() if len(nodes) > INDEX_STEPS else None
    resent = _resent(nodes, effects)
    for j, b in enumerate(nodes):
        near = index.candidates(effects[b]) if index is not None else None
        if near is not None and b not in pinned:
            near |= pinned | meta if b in meta else pinned
        above: set[int] = set()
        for a in reversed(nodes[:j]):
            if a in above or (near is not None and a not in near):
                continue
            first = waived.get((a, b), effects[a])
            if (
                a in pinned
                or b in pinned
                or (a in meta and b in meta)
                or (a, b) in resent
                or conflicts(first, effects[b], relaxed, folders=False)
                or removes_needed(first, effects[b])
            ):
                preds[b].add(a)
                above |= ancestors[a]
                above.add(a)
        for folder in sorted(effects[b].needs_dirs):
            # `cd web && …` needs web/: one step that creates it must stay before, the one
            # nearest above unless a step already kept before creates it too (a manifest
            # copy into web/ before its install).
            if any(creates_folder(effects[a], folder) for a in above):
                continue
            creator = next(
                (a for a in reversed(nodes[:j]) if creates_folder(effects[a], folder)), None
            )
            if creator is not None:
                preds[b].add(creator)
                above |= ancestors[creator]
                above.add(creator)
        ancestors[b] = above
        if index is not None:
            index.add(b, effects[b])
    return {n: frozenset(p) for n, p in preds.items()}


def plan_stage(
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    history: History | None = None,
    enabled: frozenset[str] = frozenset({codes.REORDER, codes.SPLIT_COPY}),
    unsafe: bool = False,
    suppress: Suppressions | None = None,
    effects: dict[int, Effect] | None = None,
) -> StagePlan:
    """The cheapest safe order of `stage` with its manifest copies, and the findings.

    `effects` are the stage's step effects in `ctx` when the caller has them already.
    """
    effects = effects if effects is not None else stage_effects(model, stage, ctx)
    # A copy to a relative destination is planned as its absolute spelling, which a WORKDIR
    # may cross; the rewrite writes that spelling where one does.
    absolute = absolute_effects(model, stage, ctx, effects) if codes.REORDER in enabled else {}
    effects = {**effects, **{p: e for p, (_, e) in absolute.items()}}
    base = [s.position for s in stage.steps]
    steps = {s.position: s for s in stage.steps}
    vol = {p: step_volatility(steps[p], effects[p], history) for p in base}
    cost = {p: effects[p].cost for p in base}
    sup = suppress or Suppressions(False, {}, ())
    # `# dockerfix: ignore` (or ignore[DFX001]) above an instruction pins it in place.
    pinned = frozenset(p for p in base if sup.ignores(p, codes.REORDER))
    stamps = build_stamp_args(stage, sup)
    relaxed = stamps if unsafe and codes.BUILD_STAMPS in enabled else frozenset()
    plan = StagePlan(stage, list(base))
    shadows = shadow_waivers(base, effects)
    meta = frozenset(p for p in base if is_metadata(steps[p], relaxed))
    problem = OrderProblem(
        tuple(base), vol, cost, _preds(base, effects, shadows, relaxed, pinned, meta)
    )
    plan.cost_before = plan.cost_after = expected_cost(base, problem)
    candidates, declines = split_candidates(stage, effects, vol)
    candidates = [
        c
        for c in candidates
        if not (sup.ignores(c.install, codes.SPLIT_COPY) or sup.ignores(c.broad, codes.SPLIT_COPY))
    ]
    declines = [d for d in declines if not sup.ignores(d.install, codes.SPLIT_COPY)]
    if not unsafe:
        # A split that may change the image (a rewritten lock file) is only reported, and
        # the report says whether --unsafe-fixes would make it.
        risky = [c for c in candidates if c.unsafe]
        if risky:
            would = _unsafe_splits(
                model, stage, ctx, effects, vol, cost, risky, history, stamps, enabled, pinned
            )
            declines += [
                Decline(
                    c.install,
                    c.broad,
                    c.unsafe
                    + (
                        " (`--unsafe-fixes` splits it anyway)"
                        if c in would
                        else "; even with `--unsafe-fixes` it is not split: "
                        + blocked_reason(stage, effects, c, pinned)
                    ),
                )
                for c in risky
            ]
        candidates = [c for c in candidates if not c.unsafe]
    best = list(base)
    best_cost = plan.cost_before
    if enabled & {codes.REORDER, codes.BUILD_STAMPS}:
        order, _ = best_order(problem)
        if codes.REORDER not in enabled:
            order = _only_moving(order, base, lambda p: steps[p].keyword == "ARG")
        if codes.BUILD_STAMPS not in enabled or not relaxed:
            order = _only_moving(order, base, lambda p: steps[p].keyword != "ARG")
        order_cost = expected_cost(order, problem)
        moved = len(base) - len(longest_kept(base, {n: i for i, n in enumerate(order)}))
        # Every moved step must pay for its place in the diff: the gain grows with the moves.
        if is_linear_extension(order, problem) and _worth(
            plan.cost_before, order_cost, max(1, moved)
        ):
            best, best_cost = order, order_cost
    inserted: dict[int, str] = {}
    split_chosen = False
    if candidates and codes.SPLIT_COPY in enabled:
        split = _plan_split(
            model,
            stage,
            ctx,
            effects,
            vol,
            cost,
            candidates,
            history,
            relaxed,
            reorder=codes.REORDER in enabled,
            pinned=pinned,
        )
        if split is not None and split[1] < best_cost and _worth(plan.cost_before, split[1]):
            best, best_cost, inserted = split[0], split[1], split[2]
            split_chosen = True
        elif split is None:
            declines += [
                Decline(c.install, c.broad, blocked_reason(stage, effects, c, pinned))
                for c in candidates
            ]
    plan.order, plan.inserted, plan.cost_after = best, inserted, best_cost
    if split_chosen:
        placed = {n: i for i, n in enumerate(best)}
        plan.rewritable = frozenset(
            p
            for c in candidates
            if c.unsafe and placed[c.install] < placed[c.broad]
            for p in c.rewritten
        )
        plan.assumed = frozenset(
            steps[c.install].instruction.text.rstrip("\r\n")
            for c in candidates
            if c.assumed and placed[c.install] < placed[c.broad]
        )
    applied, declined, pairs = split_diagnostics(best, split_chosen, steps, candidates, declines)
    plan.diagnostics = [
        *applied,
        *reorder_diagnostics(base, best, steps, effects, pairs, relaxed),
        *declined,
    ]
    if codes.SPLIT_COPY in enabled:
        # Installs already split whose manifest copies no longer send all they read.
        plan.diagnostics += missing_manifests(
            model, stage, ctx, effects, lambda position: sup.ignores(position, codes.SPLIT_COPY)
        )
    if stamps and codes.BUILD_STAMPS in enabled:
        plan.diagnostics += stamp_diagnostics(base, best, steps, effects, stamps, unsafe)
    if codes.PREFETCH in enabled:
        from dockerfix.fixes.prefetch import plan_prefetches

        prefetch = plan_prefetches(
            model,
            stage,
            ctx,
            effects,
            vol,
            best,
            inserted,
            unsafe,
            lambda position: sup.ignores(position, codes.PREFETCH),
        )
        plan.order, plan.inserted = prefetch.order, prefetch.inserted
        plan.replaced, plan.planned_runs = dict(prefetch.replaced), prefetch.planned
        # A prefetched install no longer reruns after source edits: its split-copy decline
        # would tell an old story.
        lines = {steps[p].instruction.start_line for p in prefetch.prepared}
        plan.diagnostics = [
            d
            for d in plan.diagnostics
            if not (d.code == codes.SPLIT_COPY and not d.applied and d.line in lines)
        ]
        plan.diagnostics += prefetch.diagnostics
    _respell_crossed(plan, absolute)
    return plan


def _unsafe_splits(
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    effects: dict[int, Effect],
    vol: dict[int, float],
    cost: dict[int, float],
    risky: list[SplitCandidate],
    history: History | None,
    stamps: frozenset[str],
    enabled: frozenset[str],
    pinned: frozenset[int],
) -> list[SplitCandidate]:
    """The unsafe candidates that --unsafe-fixes would split (a dry run of its planning)."""
    relaxed = stamps if codes.BUILD_STAMPS in enabled else frozenset()
    split = _plan_split(
        model,
        stage,
        ctx,
        effects,
        vol,
        cost,
        risky,
        history,
        relaxed,
        reorder=codes.REORDER in enabled,
        pinned=pinned,
    )
    if split is None:
        return []
    placed = {n: i for i, n in enumerate(split[0])}
    return [c for c in risky if placed[c.install] < placed[c.broad]]


def _respell_crossed(plan: StagePlan, absolute: dict[int, tuple[str, Effect]]) -> None:
    """Write the absolute destination of each copy that the new order gives another
    working directory (a WORKDIR moved across it)."""
    steps = list(plan.stage.steps)
    # What each WORKDIR sets: the working directory of the step after it.
    sets = {
        s.position: (steps[i + 1].state if i + 1 < len(steps) else plan.stage.end_state).workdir
        for i, s in enumerate(steps)
        if s.keyword == "WORKDIR"
    }
    start = steps[0].state.workdir if steps else None
    by_position = {s.position: s for s in steps}
    for position, (text, _) in absolute.items():
        before = workdirs_before(plan.order, position, frozenset(sets))
        now = sets[before[-1]] if before else start
        if now != by_position[position].state.workdir:
            plan.replaced[position] = text


def _only_moving(order: list[int], base: list[int], movable: Callable[[int], bool]) -> list[int]:
    """Keep the steps that may not move in their base order; movable ones where ``order`` put them.

    Used when only some fixes are enabled.  The result may break a constraint:
    the caller checks it again.
    """
    fixed = iter([p for p in base if not movable(p)])
    return [p if movable(p) else next(fixed) for p in order]


def _worth(before: float, after: float, moves: int = 1) -> bool:
    """A saving worth a diff: at least MIN_GAIN per moved step and MIN_GAIN_RATIO of the whole."""
    gain = before - after
    return gain >= MIN_GAIN * moves and gain >= MIN_GAIN_RATIO * before


def _plan_split(
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    effects: dict[int, Effect],
    vol: dict[int, float],
    cost: dict[int, float],
    candidates: list[SplitCandidate],
    history: History | None,
    relaxed: frozenset[str] = frozenset(),
    reorder: bool = True,
    pinned: frozenset[int] = frozenset(),
) -> tuple[list[int], float, dict[int, str]] | None:
    steps = {s.position: s for s in stage.steps}
    by_broad: dict[int, dict[str, str]] = {}
    groups: dict[int, list[tuple[str, str, tuple[str, ...]]]] = {}
    for cand in candidates:
        by_broad.setdefault(cand.broad, {}).update(dict(cand.provided))
        groups.setdefault(cand.broad, []).extend(cand.groups)
    effects = dict(effects)
    for cand in candidates:
        assumed = effects[cand.install].assumed
        if cand.assumed and assumed is not None:
            effects[cand.install] = assumed  # the unsafe split moves it on that assumption
    vol, cost = dict(vol), dict(cost)
    nodes: list[int] = []
    inserted: dict[int, str] = {}
    waived: dict[tuple[int, int], Effect] = {}
    chains: list[list[int]] = []
    next_id = -1
    for position in (s.position for s in stage.steps):
        if position in by_broad:
            broad_step = steps[position]
            # Manifests an earlier copy already puts there, identically, need no new copy.
            missing = {
                img: src
                for img, src in by_broad[position].items()
                if not _copied_before(img, src, position, stage, effects)
            }
            texts = (
                manifest_copies(missing, broad_step, effects[position], groups[position])
                if missing
                else []
            )
            first = next_id
            for text in texts:
                step = _synthetic_step(text, broad_step, next_id)
                if step is None:
                    return None
                effects[next_id] = step_effect(step, model, stage, ctx, effects)
                vol[next_id] = step_volatility(step, effects[next_id], history, inserted=True)
                cost[next_id] = effects[next_id].cost
                inserted[next_id] = text
                nodes.append(next_id)
                next_id -= 1
            made = list(range(first, next_id, -1))
            if history is not None and len(made) > 1:
                # The manifests change together (a dependency bump): their chances in turn,
                # which hold in this order only.
                chains.append(made)
                for node, chance in zip(
                    made,
                    history.in_turn(
                        [effects[n].context_files for n in made],
                        [copy_prior(effects[n]) for n in made],
                    ),
                    strict=True,
                ):
                    vol[node] = chance
            provided = set(by_broad[position])
            broad = effects[position]
            trimmed = replace(
                broad, writes=PathSet(frozenset(p for p in broad.writes.paths if p not in provided))
            )
            for cand in candidates:
                if cand.broad == position:
                    waived[(position, cand.install)] = trimmed
        nodes.append(position)
    skip = frozenset(inserted) | frozenset(by_broad)
    for pair, shadowed in shadow_waivers(nodes, effects, skip).items():
        if pair in waived:
            kept = waived[pair].writes.paths & shadowed.writes.paths
            waived[pair] = replace(shadowed, writes=PathSet(kept))
        else:
            waived[pair] = shadowed
    meta = frozenset(p for p in nodes if p in steps and is_metadata(steps[p], relaxed))
    preds = _preds(nodes, effects, waived, relaxed, pinned, meta)
    for chain in chains:
        for before, after in itertools.pairwise(chain):
            preds[after] = preds[after] | {before}
    problem = OrderProblem(tuple(nodes), vol, cost, preds)
    minimal = _split_only_order(nodes, candidates, inserted)
    minimal_ok = is_linear_extension(minimal, problem)
    if reorder:
        order, _ = best_order(problem)
        # The fewest moves win unless more moves save a real amount: the diff stays small.
        if minimal_ok and not _worth(
            expected_cost(minimal, problem), expected_cost(order, problem)
        ):
            order = minimal
    else:
        if not minimal_ok:
            return None
        order = minimal
    placed = {n: i for i, n in enumerate(order)}
    if not any(placed[c.install] < placed[c.broad] for c in candidates):
        return None
    return order, expected_cost(order, problem), inserted


def _copied_before(
    image: str, source: str, broad: int, stage: Stage, effects: dict[int, Effect]
) -> bool:
    """An earlier COPY of the stage puts context file `source` at `image` with the broad
    copy's flags, and nothing between them writes it: the install sees it without the broad
    copy."""
    broad_copy = effects[broad].copy
    for step in reversed([s for s in stage.steps if s.position < broad]):
        eff = effects[step.position]
        if eff.dir_only:
            continue
        if eff.copy is not None and eff.copy.known and image in eff.copy.image_files():
            same_flags = broad_copy is not None and eff.copy.flags == broad_copy.flags
            return same_flags and eff.copy.image_files()[image] == source
        if eff.writes.overlaps(PathSet.of(image)):
            return False
    return False


def blocked_reason(
    stage: Stage, effects: dict[int, Effect], cand: SplitCandidate, pinned: frozenset[int]
) -> str:
    """Why the install cannot run before its broad copy: a step between them that must stay
    after the copy and before the install."""
    steps = {s.position: s for s in stage.steps}
    between = [s.position for s in stage.steps if cand.broad < s.position < cand.install]
    for m in between:
        after = conflicts(effects[cand.broad], effects[m])
        before = conflicts(effects[m], effects[cand.install])
        if m in pinned and (after or before):
            return f"`# dockerfix: ignore` keeps `{short(steps[m])}` in place between them"
        if after and before:
            return (
                f"`{short(steps[m])}` must run after `{short(steps[cand.broad])}` ({after[0]}) "
                f"and before the install ({before[0]})"
            )
    if cand.broad in pinned or cand.install in pinned:
        return "`# dockerfix: ignore` keeps the copy or the install in place"
    return f"the steps between `{short(steps[cand.broad])}` and the install must keep their order"


def _split_only_order(
    nodes: list[int], candidates: list[SplitCandidate], inserted: dict[int, str]
) -> list[int]:
    """Without reordering: each broad copy moves down to just after its last install."""
    order = list(nodes)
    for broad in {c.broad for c in candidates}:
        last = max((c.install for c in candidates if c.broad == broad), key=order.index)
        order.remove(broad)
        order.insert(order.index(last) + 1, broad)
    return order


def _synthetic_step(text: str, like: Step, node_id: int) -> Step | None:
    tree = parse(text + "\n")
    if tree.errors or len(tree.instructions) != 1:
        return None
    return Step(node_id, tree.instructions[0], like.stage, like.state)
