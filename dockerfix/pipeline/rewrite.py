"""Apply stage plans to the syntax tree: instructions move between slots, the layout stays."""

from __future__ import annotations

from collections.abc import Sequence

from dockerfix.pipeline.plan import StagePlan
from dockerfix.syntax import Dockerfile, Instruction


def _newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf > text.count("\n") - crlf else "\n"


def apply_plans(tree: Dockerfile, plans: Sequence[StagePlan]) -> str:
    """The new text: each stage's instruction slots refilled in the planned order.

    Free comments and blank lines stay where they were; an instruction carries
    its attached comment block; inserted instructions go right before the
    instruction that follows them in the new order.
    """
    newline = _newline(tree.code)
    by_position = {i: ins for i, ins in enumerate(tree.instructions)}
    element_of = {id(ins): k for k, ins in enumerate(tree.elements) if isinstance(ins, Instruction)}
    replacement: dict[int, str] = {}
    for plan in plans:
        if not plan.changed:
            continue
        slots = [element_of[id(by_position[s.position])] for s in plan.stage.steps]
        # A blank line right before an instruction (or its comment block) separates it from
        # the one above: it moves with it, so paragraphs stay paragraphs.
        blank_before = {
            by_position[s.position]: _blank_before(tree, slot) if i else None
            for i, (s, slot) in enumerate(zip(plan.stage.steps, slots))
        }
        for k in (k for k in blank_before.values() if k is not None):
            replacement[k] = ""
        units: list[str] = []
        pending: list[str] = []
        for node in plan.order:
            if node in plan.inserted:
                pending.append(plan.inserted[node] + newline)
                continue
            code = by_position[node].code
            blank = blank_before[by_position[node]]
            if node in plan.replaced:
                # A rewritten instruction keeps the comment block attached to it.
                ins = by_position[node]
                code = code[: len(code) - len(ins.text)] + plan.replaced[node] + newline
            if not code.endswith("\n"):
                code += newline
            lead = tree.elements[blank].code if blank is not None else ""
            units.append(lead + "".join(pending) + code)
            pending = []
        assert not pending and len(units) == len(slots)
        for slot, unit in zip(slots, units):
            replacement[slot] = unit
    parts = [replacement.get(k, e.code) for k, e in enumerate(tree.elements)]
    text = "".join(parts)
    if tree.bom:
        text = "\ufeff" + text
    if not tree.code.endswith("\n") and text.endswith("\n"):
        text = text[: -len(newline)] if text.endswith(newline) else text[:-1]
    return text


def _blank_before(tree: Dockerfile, slot: int) -> int | None:
    """The element index of the blank line right before instruction element ``slot``."""
    if slot == 0:
        return None
    before = tree.elements[slot - 1]
    if isinstance(before, Instruction) or before.kind != "blank":
        return None
    return slot - 1
