"""A COPY to a relative destination, written with its destination made absolute.

`WORKDIR /app` / `COPY . .` / `WORKDIR /app/src/Web` / `RUN dotnet restore`: the install
needs the second WORKDIR, and the copy's relative destination ties it to the first. Written
`COPY . /app/`, the copy sends the same files to the same paths whatever WORKDIR runs
before it, and the order search may move a WORKDIR across it. The planner gives such a copy
the effect of its absolute form; when a WORKDIR moves across it in the new order, the
rewrite writes that form, and the safety check accepts exactly that spelling.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from dockerfix.model.context import BuildContext
from dockerfix.model.effects import Effect, step_effect
from dockerfix.model.stages import Model, Stage, Step
from dockerfix.syntax import parse


def absolute_text(step: Step) -> str | None:
    """The instruction with its relative destination made absolute, for a one-line COPY or
    ADD whose WORKDIR is known; None when it is absolute already or cannot be respelt."""
    ins = step.instruction
    workdir = step.state.workdir
    if ins.cmd.upper() not in ("COPY", "ADD") or ins.json or ins.heredocs or workdir is None:
        return None
    line = ins.text.rstrip("\r\n")
    if "\n" in line or "\\" in line or '"' in line or "'" in line or "$" in line:
        return None
    words = line.split()
    dest = words[-1] if len(words) >= 3 else ""
    if not dest or dest.startswith("/") or dest != (ins.value[-1] if ins.value else ""):
        return None
    folder = dest.endswith("/") or dest in (".", "./") or len(ins.value) > 2
    absolute = posixpath.normpath(posixpath.join(workdir, dest))
    if folder and absolute != "/":
        absolute += "/"
    if any(ch.isspace() for ch in absolute):
        return None
    return " ".join([*words[:-1], absolute])


def absolute_effects(
    model: Model, stage: Stage, ctx: BuildContext | None, effects: Mapping[int, Effect]
) -> dict[int, tuple[str, Effect]]:
    """Each relative-destination copy of the stage: its absolute text and that text's effect
    (the same files at the same paths, without reading the working directory)."""
    out: dict[int, tuple[str, Effect]] = {}
    for step in stage.steps:
        effect = effects[step.position]
        if "workdir" not in effect.reads_state or effect.copy is None or not effect.copy.known:
            continue
        text = absolute_text(step)
        tree = parse(text + "\n") if text is not None else None
        if tree is None or tree.errors or len(tree.instructions) != 1:
            continue
        twin = Step(step.position, tree.instructions[0], step.stage, step.state)
        other = step_effect(twin, model, stage, ctx, effects)
        if other.copy is None or other.copy.image_files() != effect.copy.image_files():
            continue
        out[step.position] = (text or "", other)
    return out


def workdirs_before(order: Sequence[int], node: int, workdirs: frozenset[int]) -> list[int]:
    """The WORKDIR steps that run before ``node`` in ``order``, in order."""
    return [n for n in order[: order.index(node)] if n in workdirs]
