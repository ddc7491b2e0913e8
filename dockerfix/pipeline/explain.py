"""Predict which steps a change to build-context files reruns, with the original and the rewrite."""

from __future__ import annotations

from collections.abc import Iterable

from dockerfix.analysis import Analysis
from dockerfix.model.context import clean
from dockerfix.model.effects import Effect
from dockerfix.model.stages import Model
from dockerfix.records import dataclass


@dataclass(frozen=True)
class StepOutcome:
    """One step of one stage: does it rerun, and why."""

    stage: int
    line: int
    instruction: str
    reruns: bool
    cause: str
    cost: float


def predict(analysis: Analysis, changed: Iterable[str]) -> list[StepOutcome]:
    """Steps in build order with whether the change set invalidates their cache entry.

    A step reruns when a step before it in its stage reran, when it copies or
    mounts a changed file, or when it copies from a stage that reran.  FROM a
    stage that reran reruns the whole stage.
    """
    model: Model = analysis.model
    changed_set = {clean(c) for c in changed}
    stage_reran: dict[int, bool] = {}
    out: list[StepOutcome] = []
    for stage in model.stages:
        effects = analysis.effects(stage)
        invalid = stage.base_stage is not None and stage_reran.get(stage.base_stage, False)
        cause = f"base stage {stage.base} reran" if invalid else ""
        for step in stage.steps:
            effect = effects[step.position]
            if not invalid:
                why = _own_cause(effect, model, changed_set, stage_reran)
                if why:
                    invalid, cause = True, why
            out.append(
                StepOutcome(
                    stage.index,
                    step.instruction.start_line,
                    " ".join(step.instruction.original.split()),
                    invalid,
                    cause if invalid else "",
                    effect.cost,
                )
            )
            if invalid and not cause.startswith("after"):
                cause = f"after line {step.instruction.start_line}"
        stage_reran[stage.index] = invalid
    return out


def _own_cause(
    effect: Effect, model: Model, changed: set[str], stage_reran: dict[int, bool]
) -> str:
    hit = sorted(changed & set(effect.context_files))
    if hit:
        return "reads changed " + ", ".join(hit[:3])
    if effect.kind == "copy-context" and (effect.copy is None or not effect.copy.known):
        return "copies files dockerfix cannot list"
    for ref in effect.stage_refs:
        stage = model.stage_named(ref)
        if stage is not None and stage_reran.get(stage.index, False):
            return f"copies from stage {ref}, which reran"
    return ""


def rerun_cost(outcomes: list[StepOutcome]) -> tuple[int, float]:
    reran = [o for o in outcomes if o.reruns]
    return len(reran), sum(o.cost for o in reran)
