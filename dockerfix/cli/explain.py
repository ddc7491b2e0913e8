"""`dockerfix explain`: what invalidates each step, and which steps a change reruns."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dockerfix.cli.files import SourceFile
from dockerfix.cli.load import Refused, load
from dockerfix.cli.options import CONTEXT_OPTION, die
from dockerfix.records import dataclass

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis

# How many context file names a step's line shows before "...".
SHOWN_FILES = 3
# Column width of an instruction in the text tables.
INSTRUCTION_WIDTH = 44

__all__ = [
    "ChangeSet",
    "StepInfo",
    "changes_since",
    "describe_steps",
    "explain_command",
    "side_by_side",
    "working_tree_changes",
]


# -- explain: the data --------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInfo:
    """What one step reads that can invalidate its cache entry, and what it is worth."""

    stage: int
    line: int
    instruction: str
    kind: str
    context_files: tuple[str, ...]
    variables: tuple[str, ...]  # ("*",) when the step sees the whole environment
    stages: tuple[str, ...]  # stages it copies from
    after: tuple[int, ...]  # lines of the steps it must follow (direct constraints)
    cost: float
    volatility: float


@dataclass(frozen=True)
class StageInfo:
    """A stage's header: what it starts FROM."""

    index: int
    name: str | None
    base: str
    base_stage: int | None


@dataclass(frozen=True)
class ChangeSet:
    """Context files taken as changed, and where the list came from."""

    source: str  # "explicit", "since REF", "working tree"
    files: tuple[str, ...]


@dataclass(frozen=True)
class RerunRow:
    """One step of the side-by-side table: its line and outcome in each Dockerfile."""

    stage: int
    instruction: str
    current_line: int | None
    current_reruns: bool | None
    rewritten_line: int | None
    rewritten_reruns: bool | None


def describe_steps(analysis: Analysis) -> tuple[list[StageInfo], list[StepInfo]]:
    """Stages and steps of the analysed Dockerfile with their invalidating inputs, cost and
    volatility."""
    from dockerfix.model.volatility import step_volatility
    from dockerfix.report.graph import build_graph, short_instruction

    tree, ctx, model, history = analysis.tree, analysis.context, analysis.model, analysis.history
    effects = {}
    for stage in model.stages:
        effects.update(analysis.effects(stage))
    graph = build_graph(tree, ctx, effects, model)
    lines = {n.position: n.line for g in graph.stages for n in g.nodes}
    after: dict[int, list[int]] = {}
    for g in graph.stages:
        for edge in g.edges:
            if edge.source in lines:  # edges from the FROM head are "base image", not a step
                after.setdefault(edge.target, []).append(lines[edge.source])
    stages = [StageInfo(s.index, s.name, s.base, s.base_stage) for s in model.stages]
    steps = [
        StepInfo(
            stage=stage.index,
            line=step.instruction.start_line,
            instruction=short_instruction(step.instruction.original, 10_000),
            kind=effects[step.position].kind,
            context_files=effects[step.position].context_files,
            variables=tuple(sorted(effects[step.position].reads_vars)),
            stages=effects[step.position].stage_refs,
            after=tuple(sorted(after.get(step.position, []))),
            cost=round(effects[step.position].cost, 3),
            volatility=round(step_volatility(step, effects[step.position], history), 3),
        )
        for stage in model.stages
        for step in stage.steps
    ]
    return stages, steps


def _git(context: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(context), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Refused(f"git failed: {exc}") from None


def in_git_work_tree(context: Path) -> bool:
    done = _git(context, "rev-parse", "--is-inside-work-tree")
    return done.returncode == 0 and done.stdout.strip() == "true"


def changes_since(context: Path, ref: str) -> ChangeSet:
    """Context files that differ from ``ref`` in the work tree, plus untracked ones."""
    if not in_git_work_tree(context):
        raise Refused(f"--since {ref}: {context} is not inside a git work tree")
    if _git(context, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise Refused(f"--since {ref}: not a commit in this repository")
    diff = _git(context, "diff", "--name-only", "--relative", ref, "--")
    untracked = _git(context, "ls-files", "--others", "--exclude-standard")
    names = {*diff.stdout.splitlines(), *untracked.stdout.splitlines()}
    return ChangeSet(f"since {ref}", tuple(sorted(n for n in names if n)))


def working_tree_changes(context: Path) -> ChangeSet | None:
    """What ``git status`` lists under the context (None outside a git work tree)."""
    if not in_git_work_tree(context):
        return None
    prefix = _git(context, "rev-parse", "--show-prefix").stdout.strip()
    done = _git(context, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
    records = done.stdout.split("\0")
    names: set[str] = set()
    i = 0
    while i < len(records):
        record = records[i]
        i += 1
        if len(record) < 4:
            continue
        if record[0] in "RC":
            i += 1  # a rename or copy is followed by its old name, which no longer exists
        path = record[3:]
        if path.startswith(prefix):
            names.add(path[len(prefix) :])
    return ChangeSet("working tree", tuple(sorted(names)))


def explicit_changes(context: Path, files: Sequence[str]) -> ChangeSet:
    """``--changed`` paths, relative to the context (a path that exists from here is resolved)."""
    root = context.resolve()
    out = []
    for name in files:
        path = Path(name)
        if path.is_absolute() or path.exists():
            try:
                out.append(path.resolve().relative_to(root).as_posix())
            except ValueError:
                raise Refused(f"--changed {name}: not inside the context {context}") from None
        else:
            out.append(path.as_posix())
    return ChangeSet("explicit", tuple(sorted(set(out))))


def side_by_side(current: Sequence[Any], rewritten: Sequence[Any]) -> list[RerunRow]:
    """Pair each step of the rewrite with the same instruction of the original, per stage.

    Rows follow the rewritten order; inserted steps have no original line.  A moved
    instruction keeps its text, so text (and occurrence) identifies it.
    """
    unused = list(current)
    rows: list[RerunRow] = []
    for new in rewritten:
        old = next(
            (o for o in unused if o.stage == new.stage and o.instruction == new.instruction), None
        )
        if old is not None:
            unused.remove(old)
        rows.append(
            RerunRow(
                new.stage,
                new.instruction,
                old.line if old else None,
                old.reruns if old else None,
                new.line,
                new.reruns,
            )
        )
    rows += [RerunRow(o.stage, o.instruction, o.line, o.reruns, None, None) for o in unused]
    return rows


# -- explain: the command -----------------------------------------------------------------------


@click.command("explain", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", type=click.Path(path_type=Path))
@CONTEXT_OPTION
@click.option(
    "--changed",
    "changed",
    multiple=True,
    help="A changed context file (repeatable).",
)
@click.option("--since", "since", default=None, help="Take the files changed since this git ref.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "dot", "mermaid"]),
    default="text",
    show_default=True,
    help="text/json: the analysis; dot/mermaid: the dependency graph.",
)
def explain_command(
    path: Path, context: Path | None, changed: tuple[str, ...], since: str | None, fmt: str
) -> None:
    """Explain what invalidates each step of PATH, and what a change reruns.

    For every step: the context files it sends, the variables it reads, the steps it
    must follow, its estimated cost and volatility.  For a change set (--changed
    files, files changed --since a git ref, or else the work tree's uncommitted
    changes) it lists the steps that rerun with the current Dockerfile and with
    dockerfix's rewrite, side by side, and the estimated cost saved.

    With a directory as PATH: the base images of every Dockerfile under it, with
    advice where one image is used in several versions or where Dockerfiles start
    with the same first stage (their layers could be shared).
    """
    if path.is_dir() and fmt in ("text", "json"):
        click.echo(_repo_bases(path, fmt), nl=False)
        return
    try:
        source, analysis = load(path, context)
        if changed and since:
            raise Refused("--changed and --since cannot be used together")
        if fmt in ("dot", "mermaid"):
            click.echo(_graph_text(analysis, fmt), nl=False)
            return
        assert analysis.context_dir is not None
        changes = _change_set(analysis.context_dir, changed, since)
        data = _explain_data(source, analysis, changes)
    except Refused as exc:
        die(str(exc))
    click.echo(json.dumps(data, indent=2) if fmt == "json" else _explain_text(data))


def _repo_bases(root: Path, fmt: str) -> str:
    """Base-image sharing across the Dockerfiles under ``root`` (display-only advice)."""
    from dockerfix.integrations.discover import discover
    from dockerfix.pipeline.bases import collect, findings

    uses, first_stages = collect(discover([root]), root)
    found = findings(uses, first_stages)
    if fmt == "json":
        data = {
            "bases": [u.__dict__ for u in uses],
            "findings": [
                {"kind": f.kind, "message": f.message, "places": list(f.places)} for f in found
            ],
        }
        return json.dumps(data, indent=2) + "\n"
    lines = [f"{len(first_stages)} Dockerfile(s) under {root}; base images:"]
    for use in uses:
        lines.append(f"  {use.dockerfile}:{use.line}  {use.image}:{use.reference}")
    if not found:
        lines.append("no advice: no image in several versions, no first stage in common")
    for finding in found:
        lines.append(f"advice ({finding.kind}): {finding.message}")
    return "\n".join(lines) + "\n"


def _graph_text(analysis: Analysis, fmt: str) -> str:
    from dockerfix.report.graph import build_graph, render_dot, render_mermaid

    effects = {}
    for stage in analysis.model.stages:
        effects.update(analysis.effects(stage))
    graph = build_graph(analysis.tree, analysis.context, effects, analysis.model)
    return render_dot(graph) if fmt == "dot" else render_mermaid(graph)


def _change_set(context: Path, changed: Sequence[str], since: str | None) -> ChangeSet | None:
    if changed:
        return explicit_changes(context, changed)
    if since:
        return changes_since(context, since)
    return working_tree_changes(context)


def _explain_data(
    source: SourceFile, analysis: Analysis, changes: ChangeSet | None
) -> dict[str, Any]:
    from dockerfix.pipeline.explain import predict
    from dockerfix.pipeline.run import run_fixes

    stages, steps = describe_steps(analysis)
    ctx = analysis.context
    assert ctx is not None
    data: dict[str, Any] = {
        "file": source.display,
        "context": str(analysis.context_dir),
        "context_files": len(ctx.files),
        "stages": [
            {**asdict(stage), "steps": [asdict(s) for s in steps if s.stage == stage.index]}
            for stage in stages
        ],
        "changes": None,
    }
    if changes is None:
        return data
    rewritten = run_fixes(analysis).code
    before = predict(analysis, changes.files)
    after = predict(analysis.for_text(rewritten), changes.files)
    cost_before = sum(o.cost for o in before if o.reruns)
    cost_after = sum(o.cost for o in after if o.reruns)
    data["changes"] = {
        "source": changes.source,
        "files": list(changes.files),
        "rewrite_changes_file": rewritten != source.text,
        "current": _outcomes(before),
        "rewritten": _outcomes(after),
        "rows": [asdict(r) for r in side_by_side(before, after)],
        "cost_saved": round(cost_before - cost_after, 3),
    }
    return data


def _outcomes(outcomes: Sequence[Any]) -> dict[str, Any]:
    reran = [o for o in outcomes if o.reruns]
    return {
        "rerun": len(reran),
        "steps": len(outcomes),
        "cost": round(sum(o.cost for o in reran), 3),
        "rerun_lines": [o.line for o in reran],
        "causes": {str(o.line): o.cause for o in reran},
    }


def _cut(text: str, width: int = INSTRUCTION_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _invalidated_by(step: dict[str, Any]) -> str:
    parts = []
    files = step["context_files"]
    if files:
        names = ", ".join(files[:SHOWN_FILES]) + (", ..." if len(files) > SHOWN_FILES else "")
        parts.append(f"{len(files)} file{'s' if len(files) != 1 else ''} ({names})")
    if "*" in step["variables"]:
        parts.append("all variables")
    elif step["variables"]:
        parts.append("variables " + ", ".join(step["variables"]))
    parts += [f"stage {name}" for name in step["stages"]]
    if step["after"]:
        parts.append("after " + ", ".join(f"L{n}" for n in step["after"]))
    return "; ".join(parts) or "-"


def _explain_text(data: dict[str, Any]) -> str:
    out = [
        f"{data['file']}: {len(data['stages'])} stage(s); "
        f"context {data['context']} ({data['context_files']} files)",
        "A step also reruns whenever its base or any step above it reruns.",
    ]
    for stage in data["stages"]:
        base = stage["base"] + (
            f" (stage {stage['base_stage']})" if stage["base_stage"] is not None else ""
        )
        name = f" {stage['name']}" if stage["name"] else ""
        out += ["", f"stage {stage['index']}{name}: FROM {base}"]
        out.append(
            f"  {'line':>4}  {'instruction':<{INSTRUCTION_WIDTH}}  {'cost':>5}  vol   "
            "invalidated by"
        )
        for step in stage["steps"]:
            out.append(
                f"  {step['line']:>4}  {_cut(step['instruction']):<{INSTRUCTION_WIDTH}}  "
                f"{step['cost']:>5.1f}  {step['volatility']:.2f}  {_invalidated_by(step)}"
            )
    out += ["", *_changes_text(data["changes"])]
    return "\n".join(out)


def _changes_text(changes: dict[str, Any] | None) -> list[str]:
    if changes is None:
        return ["no change set: not a git work tree (use --changed FILE or --since REF)"]
    files = changes["files"]
    shown = ", ".join(files[:5]) + (", ..." if len(files) > 5 else "")
    head = f"change set ({changes['source']}, {len(files)} file{'s' if len(files) != 1 else ''})"
    out = [f"{head}: {shown}" if files else f"{head}: nothing changed"]
    if not changes["rewrite_changes_file"]:
        out.append("dockerfix would not rewrite this Dockerfile: both columns are the same")
    out.append(f"  {'step':<{INSTRUCTION_WIDTH}}  {'current':<10}  rewritten")
    stage = None
    for row in changes["rows"]:
        if row["stage"] != stage:
            stage = row["stage"]
            out.append(f"  stage {stage}")
        cur = _cell(row["current_line"], row["current_reruns"])
        new = _cell(row["rewritten_line"], row["rewritten_reruns"])
        out.append(f"  {_cut(row['instruction']):<{INSTRUCTION_WIDTH}}  {cur:<10}  {new}")
    cur, new = changes["current"], changes["rewritten"]
    out.append(
        f"reruns: current {cur['rerun']}/{cur['steps']} steps (cost {cur['cost']:.1f}), "
        f"rewritten {new['rerun']}/{new['steps']} steps (cost {new['cost']:.1f}); "
        f"estimated cost saved: {changes['cost_saved']:.1f}"
    )
    return out


def _cell(line: int | None, reruns: bool | None) -> str:
    if line is None:
        return "-"
    return f"L{line} {'RERUN' if reruns else 'cached'}"


# -- verify -------------------------------------------------------------------------------------
