"""Plan the rewrite of each stage: effects, constraints, splits, and the cheapest safe order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dockerfix.api import Diagnostic
from dockerfix.fixes.order import OrderProblem, best_order, expected_cost, is_linear_extension
from dockerfix.fixes.split_copy import Decline, SplitCandidate, find_split, manifest_copies
from dockerfix.graph import conflicts
from dockerfix.model.context import BuildContext
from dockerfix.model.effects import Effect, stage_effects, step_effect
from dockerfix.model.paths import PathSet
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.model.volatility import P_SOURCE, History, is_volatile_arg, step_volatility
from dockerfix.suppress import Suppressions
from dockerfix.syntax import parse
from dockerfix.syntax.lineparse import parse_words

# A move must save at least this much expected cost (and 2% of the total) to be worth a diff.
MIN_GAIN = 0.5
MIN_GAIN_RATIO = 0.02
EXPENSIVE = 5.0


@dataclass
class StagePlan:
    """The new order of a stage: original positions and inserted instruction texts."""

    stage: Stage
    order: list[int]
    inserted: dict[int, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cost_before: float = 0.0
    cost_after: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.inserted) or self.order != [s.position for s in self.stage.steps]


def _preds(
    nodes: list[int],
    effects: dict[int, Effect],
    waived: dict[tuple[int, int], Effect],
    relaxed: frozenset[str] = frozenset(),
    pinned: frozenset[int] = frozenset(),
) -> dict[int, frozenset[int]]:
    preds: dict[int, set[int]] = {n: set() for n in nodes}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            first = waived.get((a, b), effects[a])
            if a in pinned or b in pinned or conflicts(first, effects[b], relaxed):
                preds[b].add(a)
    return {n: frozenset(p) for n, p in preds.items()}


def plan_stage(
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    history: History | None = None,
    enabled: frozenset[str] = frozenset({"DFX001", "DFX002"}),
    unsafe: bool = False,
    suppress: Suppressions | None = None,
) -> StagePlan:
    effects = stage_effects(model, stage, ctx)
    base = [s.position for s in stage.steps]
    steps = {s.position: s for s in stage.steps}
    vol = {p: step_volatility(steps[p], effects[p], history) for p in base}
    cost = {p: effects[p].cost for p in base}
    sup = suppress or Suppressions(False, {}, ())
    # `# dockerfix: ignore` (or ignore[DFX001]) above an instruction pins it in place.
    pinned = frozenset(p for p in base if sup.ignores(p, "DFX001"))
    stamps = build_stamp_args(stage, sup)
    relaxed = stamps if unsafe and "DFX003" in enabled else frozenset()
    plan = StagePlan(stage, list(base))
    problem = OrderProblem(tuple(base), vol, cost, _preds(base, effects, {}, relaxed, pinned))
    plan.cost_before = plan.cost_after = expected_cost(base, problem)
    candidates, declines = _split_candidates(stage, effects, vol)
    candidates = [
        c
        for c in candidates
        if not (sup.ignores(c.install, "DFX002") or sup.ignores(c.broad, "DFX002"))
    ]
    declines = [d for d in declines if not sup.ignores(d.install, "DFX002")]
    best = list(base)
    best_cost = plan.cost_before
    if enabled & {"DFX001", "DFX003"}:
        order, _ = best_order(problem)
        if "DFX001" not in enabled:
            order = _only_moving(order, base, lambda p: steps[p].keyword == "ARG")
        if "DFX003" not in enabled or not relaxed:
            order = _only_moving(order, base, lambda p: steps[p].keyword != "ARG")
        order_cost = expected_cost(order, problem)
        if is_linear_extension(order, problem) and _worth(plan.cost_before, order_cost):
            best, best_cost = order, order_cost
    inserted: dict[int, str] = {}
    if candidates and "DFX002" in enabled:
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
            reorder="DFX001" in enabled,
            pinned=pinned,
        )
        if split is not None and split[1] < best_cost and _worth(plan.cost_before, split[1]):
            best, best_cost, inserted = split[0], split[1], split[2]
    plan.order, plan.inserted, plan.cost_after = best, inserted, best_cost
    plan.diagnostics = _diagnostics(plan, steps, effects, candidates, declines, relaxed)
    plan.diagnostics += _stamp_diagnostics(plan, steps, effects, stamps, unsafe, enabled)
    return plan


def build_stamp_args(stage: Stage, suppress: Suppressions | None = None) -> frozenset[str]:
    """ARGs of the stage whose value changes with every build (version, commit, date)."""
    names: set[str] = set()
    for step in stage.steps:
        if step.keyword == "ARG" and not (suppress and suppress.ignores(step.position, "DFX003")):
            for word in parse_words(step.instruction.args, "\\"):
                name, eq, _ = word.partition("=")
                if is_volatile_arg(name, bool(eq)):
                    names.add(name)
    return frozenset(names)


def _only_moving(order: list[int], base: list[int], movable: Callable[[int], bool]) -> list[int]:
    """Keep the steps that may not move in their base order; movable ones where ``order`` put them.

    Used when only some fixes are enabled.  The result may break a constraint:
    the caller checks it again.
    """
    fixed = iter([p for p in base if not movable(p)])
    return [p if movable(p) else next(fixed) for p in order]


def _worth(before: float, after: float) -> bool:
    gain = before - after
    return gain >= MIN_GAIN and gain >= MIN_GAIN_RATIO * before


def _split_candidates(
    stage: Stage, effects: dict[int, Effect], vol: dict[int, float]
) -> tuple[list[SplitCandidate], list[Decline]]:
    found: list[SplitCandidate] = []
    declines: list[Decline] = []
    steps = list(stage.steps)
    for j, install in enumerate(steps):
        eff = effects[install.position]
        if install.keyword != "RUN" or eff.cost < 1.0:
            continue
        broad_step = None
        for earlier in reversed(steps[:j]):
            e = effects[earlier.position]
            if e.kind == "copy-context" and e.writes.overlaps(eff.reads):
                broad_step = earlier
                break
        if broad_step is None or vol[broad_step.position] < P_SOURCE:
            continue
        outcome = find_split(broad_step, effects[broad_step.position], install, eff)
        if isinstance(outcome, SplitCandidate):
            found.append(outcome)
        elif eff.kind == "run-install" or eff.install_like:
            declines.append(outcome)
    return found, declines


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
    for cand in candidates:
        by_broad.setdefault(cand.broad, {}).update(dict(cand.provided))
    effects = dict(effects)
    vol, cost = dict(vol), dict(cost)
    nodes: list[int] = []
    inserted: dict[int, str] = {}
    waived: dict[tuple[int, int], Effect] = {}
    next_id = -1
    for position in (s.position for s in stage.steps):
        if position in by_broad:
            broad_step = steps[position]
            texts = manifest_copies(by_broad[position], broad_step, effects[position])
            for text in texts:
                step = _synthetic_step(text, broad_step, next_id)
                if step is None:
                    return None
                effects[next_id] = step_effect(step, model, stage, ctx, effects)
                vol[next_id] = step_volatility(step, effects[next_id], history)
                cost[next_id] = effects[next_id].cost
                inserted[next_id] = text
                nodes.append(next_id)
                next_id -= 1
            provided = set(by_broad[position])
            broad = effects[position]
            trimmed = replace(
                broad, writes=PathSet(frozenset(p for p in broad.writes.paths if p not in provided))
            )
            for cand in candidates:
                if cand.broad == position:
                    waived[(position, cand.install)] = trimmed
        nodes.append(position)
    problem = OrderProblem(tuple(nodes), vol, cost, _preds(nodes, effects, waived, relaxed, pinned))
    if reorder:
        order, _ = best_order(problem)
    else:
        order = _split_only_order(nodes, candidates, inserted)
        if not is_linear_extension(order, problem):
            return None
    placed = {n: i for i, n in enumerate(order)}
    if not any(placed[c.install] < placed[c.broad] for c in candidates):
        return None
    return order, expected_cost(order, problem), inserted


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


def _moved(order: list[int], base: list[int]) -> set[int]:
    """Original steps not on a longest subsequence kept in base order."""
    rank = {p: i for i, p in enumerate(base)}
    seq = [p for p in order if p in rank]
    # Longest increasing subsequence of ranks (patience sorting with back links).
    tails: list[int] = []
    tails_idx: list[int] = []
    back: list[int] = [-1] * len(seq)
    import bisect

    for i, p in enumerate(seq):
        r = rank[p]
        k = bisect.bisect_left(tails, r)
        if k == len(tails):
            tails.append(r)
            tails_idx.append(i)
        else:
            tails[k] = r
            tails_idx[k] = i
        back[i] = tails_idx[k - 1] if k > 0 else -1
    keep: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(seq[i])
        i = back[i]
    return set(seq) - keep


def _stamp_diagnostics(
    plan: StagePlan,
    steps: dict[int, Step],
    effects: dict[int, Effect],
    stamps: frozenset[str],
    unsafe: bool,
    enabled: frozenset[str],
) -> list[Diagnostic]:
    if not stamps or "DFX003" not in enabled:
        return []
    base = [s.position for s in plan.stage.steps]
    placed = {n: i for i, n in enumerate(plan.order)}
    out = []
    for i, position in enumerate(base):
        step = steps[position]
        if step.keyword != "ARG" or not (effects[position].writes_vars & stamps):
            continue
        names = ", ".join(sorted(effects[position].writes_vars & stamps))
        passed_by = [q for q in base[i + 1 :] if placed[q] < placed[position]]
        if unsafe and passed_by:
            out.append(
                Diagnostic(
                    "DFX003",
                    f"move `{_short(step)}` down to its first use: the steps before it no "
                    f"longer rerun when {names} changes",
                    step.instruction.start_line,
                    "unsafe",
                    applied=True,
                )
            )
            continue
        later_runs = [
            q
            for q in base[i + 1 :]
            if steps[q].keyword == "RUN"
            and effects[q].cost >= 1.0
            and not (effects[position].writes_vars & (effects[q].named_vars or frozenset()))
        ]
        if later_runs and not unsafe:
            out.append(
                Diagnostic(
                    "DFX003",
                    f"`{_short(step)}` changes with every build and every RUN after it reruns; "
                    "--unsafe-fixes moves it down to its first use",
                    step.instruction.start_line,
                    "unsafe",
                    reason="a RUN sees every variable, so moving an ARG below it is unsafe",
                )
            )
    return out


def _short(step: Step) -> str:
    text = " ".join(step.instruction.original.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _diagnostics(
    plan: StagePlan,
    steps: dict[int, Step],
    effects: dict[int, Effect],
    candidates: list[SplitCandidate],
    declines: list[Decline],
    relaxed: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    base = [s.position for s in plan.stage.steps]
    placed = {n: i for i, n in enumerate(plan.order)}
    split_installs: set[int] = set()
    split_broads: set[int] = set()
    if plan.inserted:
        for cand in candidates:
            if placed[cand.install] < placed[cand.broad]:
                split_installs.add(cand.install)
                split_broads.add(cand.broad)
                install = steps[cand.install]
                files = ", ".join(c for _, c in cand.provided)
                out.append(
                    Diagnostic(
                        "DFX002",
                        f"copy {files} before `{_short(install)}` so that source edits "
                        "do not rerun it",
                        steps[cand.broad].instruction.start_line,
                        "safe",
                        applied=True,
                    )
                )
    rank_old = {p: i for i, p in enumerate(base)}
    # The install passing its broad copy is DFX002's move; every other step that now
    # runs before a step it used to follow is reported as a move of its own.
    split_pairs = {(c.install, c.broad) for c in candidates if c.install in split_installs}
    for position in base:
        # Report each step that now runs before steps that used to run before it
        # (the install/broad-copy pair of an applied split is DFX002's move).
        passed = [
            q
            for q in base
            if rank_old[q] < rank_old[position]
            and placed[q] > placed[position]
            and (position, q) not in split_pairs
            # A build-stamp ARG moving down is DFX003's move.
            and not (steps[q].keyword == "ARG" and effects[q].writes_vars <= relaxed)
        ]
        if not passed:
            continue
        step = steps[position]
        first = steps[min(passed, key=rank_old.__getitem__)]
        out.append(
            Diagnostic(
                "DFX001",
                f"move `{_short(step)}` above `{_short(first)}`: it changes less often",
                step.instruction.start_line,
                "safe",
                applied=True,
            )
        )
    for decline in declines:
        if decline.install in split_installs:
            continue
        install = steps[decline.install]
        out.append(
            Diagnostic(
                "DFX002",
                f"`{_short(install)}` reruns after every source edit; not split: {decline.reason}",
                install.instruction.start_line,
                "display-only",
                reason=decline.reason,
            )
        )
    return out
