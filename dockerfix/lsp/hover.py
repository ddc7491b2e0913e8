"""Hover: for a step, the explain data (what invalidates it, its cost and volatility, whether
the work tree's changes rerun it); for a fix code, its rule doc."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from dockerfix.lsp.document import DocumentRun, analysis_of

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis
    from dockerfix.cli.explain import StepInfo

# How many build-context files a hover lists before "and N more".
SHOWN_FILES = 10
_CODE = re.compile(r"\bDFX\d{3}\b", re.IGNORECASE)


def code_at(line: str, column: int) -> str | None:
    """The fix code under `column` of `line`, if any."""
    for match in _CODE.finditer(line):
        if match.start() <= column <= match.end():
            return match.group().upper()
    return None


def rule_hover(code: str) -> str | None:
    """A fix code's rule doc, as `dockerfix rules CODE` prints it."""
    from dockerfix.fixes.registry import rules

    found = rules().get(code)
    if found is None:
        return None
    return f"**{found.code} {found.name}** ({found.tier})\n\n{found.summary}\n\n{found.doc}"


def step_hover(run: DocumentRun, line: int) -> str | None:
    """The explain data of the step on `line` (1-based), as Markdown; None off a step."""
    analysis = analysis_of(run)
    if analysis is None:
        return None
    instruction = next(
        (i for i in analysis.tree.instructions if i.start_line <= line <= i.end_line), None
    )
    if instruction is None:
        return None
    from dockerfix.cli.explain import describe_steps

    _, steps = describe_steps(analysis)
    step = next((s for s in steps if s.line == instruction.start_line), None)
    if step is None:  # FROM and parser directives are no steps
        return None
    by_line = {s.line: s for s in steps}
    parts = [
        f"**`{_one_line(step.instruction)}`** (stage {step.stage}, line {step.line})",
        "Invalidated by:\n" + "\n".join(f"- {p}" for p in _invalidated_by(step, by_line, analysis)),
        f"Cost {step.cost:.1f} · volatility {step.volatility:.2f} ({step.kind})",
        _work_tree(analysis, step.line),
    ]
    return "\n\n".join(parts)


def _invalidated_by(step: StepInfo, steps: dict[int, StepInfo], analysis: Analysis) -> list[str]:
    """The step's own inputs, then the steps it must follow with the files each one sends."""
    out = []
    if step.context_files:
        out.append(f"{_files(step.context_files)} it sends")
    elif analysis.context is None and step.kind == "copy-context":
        out.append("the build-context files it sends (no build context is known)")
    if "*" in step.variables:
        out.append("every variable (a process sees the whole environment)")
    elif step.variables:
        out.append("variables " + ", ".join(f"`{v}`" for v in step.variables))
    out += [f"stage `{name}`" for name in step.stages]
    for line in step.after:
        earlier = steps.get(line)
        text = f"line {line}: `{_one_line(earlier.instruction)}`" if earlier else f"line {line}"
        if earlier is not None and earlier.context_files:
            text += f", which sends {_files(earlier.context_files)}"
        out.append(text)
    out.append("its base image, and any step above it that reruns")
    return out


def _files(files: tuple[str, ...]) -> str:
    """`3 build-context files: `a`, `b`, `c``, at most SHOWN_FILES named."""
    shown = ", ".join(f"`{f}`" for f in files[:SHOWN_FILES])
    more = f" and {len(files) - SHOWN_FILES} more" if len(files) > SHOWN_FILES else ""
    return f"{len(files)} build-context file{'s' if len(files) != 1 else ''} ({shown}{more})"


def _work_tree(analysis: Analysis, line: int) -> str:
    """Whether the work tree's uncommitted changes rerun the step (as `dockerfix explain`)."""
    from dockerfix.cli.explain import working_tree_changes
    from dockerfix.cli.load import Refused
    from dockerfix.pipeline.explain import predict

    context = analysis.context_dir
    if context is None:
        return "Work tree: no build context, so no change set"
    try:
        changes = working_tree_changes(Path(context))
    except Refused as exc:
        return f"Work tree: {exc}"
    if changes is None:
        return "Work tree: not a git work tree"
    outcome = next((o for o in predict(analysis, changes.files) if o.line == line), None)
    count = len(changes.files)
    head = f"Work tree ({count} changed file{'s' if count != 1 else ''})"
    if outcome is None or not outcome.reruns:
        return f"{head}: cached"
    return f"{head}: **reruns** ({outcome.cause})"


def _one_line(text: str, width: int = 80) -> str:
    flat = " ".join(text.split()).replace("`", "'")
    return flat if len(flat) <= width else flat[: width - 3] + "..."
