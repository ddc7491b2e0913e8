"""Run the enabled fixes over one analysed Dockerfile and return the verified result."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from dockerfix.analysis import Analysis
from dockerfix.diagnostics import Diagnostic, FileEdit, Result
from dockerfix.fixes import codes
from dockerfix.fixes.safety import refused
from dockerfix.fixes.suppression import unknown_code_diagnostics
from dockerfix.syntax import Dockerfile

if TYPE_CHECKING:  # imported when a fix runs, not on the start-up path
    from dockerfix.model.context import BuildContext


def may_change(tree: Dockerfile) -> bool:
    """Cheap pre-check: could any fix apply?

    Only a RUN after a context COPY/ADD or after an ARG can gain from a move; without
    one, the model (and its tree-sitter and classifier imports) is never loaded.
    """
    seen = False
    for ins in tree.instructions:
        keyword = ins.keyword
        if keyword == "FROM":
            seen = False
        elif (
            keyword in ("COPY", "ADD") and not any(f.startswith("--from") for f in ins.flags)
        ) or keyword == "ARG":
            seen = True
        elif keyword == "RUN" and seen:
            return True
    return False


def run_fixes(analysis: Analysis) -> Result:
    """Plan every enabled fix for `analysis`, apply the plans, and check the result.

    The Dockerfile is modelled once; the build context is walked once (twice when a planned
    `.dockerignore` is written with the rewrite, since the rewrite then sees the new file).
    A rewrite the safe-mode check refuses is withheld with a DFX000 finding. Cache mounts
    (DFX008, when enabled) are added to the text the other fixes produced.
    """
    result = _run_move_fixes(analysis)
    if codes.CACHE_MOUNTS not in analysis.settings.enabled or analysis.suppressions.skip_file:
        return result
    from dockerfix.fixes.cache_mounts import add_cache_mounts
    from dockerfix.fixes.suppression import read_suppressions
    from dockerfix.syntax import parse

    path = analysis.dockerfile_path
    tree = parse(result.code)
    suppress = read_suppressions(tree, codes.KNOWN)
    code, found = add_cache_mounts(
        tree,
        path.name if path else None,
        lambda position: suppress.ignores(position, codes.CACHE_MOUNTS),
    )
    return replace(result, code=code, fixes=(*result.fixes, *found))


def _run_move_fixes(analysis: Analysis) -> Result:
    """Every fix but DFX008: the moves, splits and inserted steps, checked by safe mode."""
    tree, settings = analysis.tree, analysis.settings
    enabled = settings.enabled
    text = tree.code
    suppress = analysis.suppressions
    notes = unknown_code_diagnostics(suppress)
    if suppress.skip_file or not enabled:
        return Result(original=text, code=text, fixes=notes)
    edits: tuple[FileEdit, ...] = ()
    ignore_text: str | None = None
    movable = may_change(tree)
    if movable:
        analysis.start_history()  # git runs while the context is walked
    wants_ignore = bool(enabled & codes.CONTEXT_CODES)
    ctx = analysis.context if (movable or wants_ignore) else None
    if ctx is not None and wants_ignore:
        edits, more, ignore_text = _dockerignore(analysis, ctx)
        notes = (*notes, *more)
    if not movable:
        return Result(original=text, code=text, fixes=notes, edits=edits)
    from dockerfix.fixes.build_stamps import build_stamp_args
    from dockerfix.pipeline.planner import plan_stage
    from dockerfix.pipeline.rewrite import apply_plans
    from dockerfix.pipeline.safe_mode import verify_rewrite

    # With the planned .dockerignore in effect (it is written together with the
    # Dockerfile), a folder it now excludes no longer blocks a split.
    planning = analysis.with_ignore(ignore_text) if ignore_text is not None else analysis
    ctx = planning.context
    model = planning.model
    plans = [
        plan_stage(
            model,
            stage,
            ctx,
            planning.history,
            enabled,
            settings.unsafe_fixes,
            suppress,
            effects=planning.effects(stage),
        )
        for stage in model.stages
    ]
    diagnostics: list[Diagnostic] = [*notes, *(d for p in plans for d in p.diagnostics)]
    if not any(p.changed for p in plans):
        return Result(original=text, code=text, fixes=tuple(diagnostics), edits=edits)
    new_text = apply_plans(tree, plans)
    relaxed = (
        frozenset().union(*(build_stamp_args(p.stage, suppress) for p in plans))
        if settings.unsafe_fixes and codes.BUILD_STAMPS in enabled
        else frozenset()
    )
    rewritable = frozenset().union(*(p.rewritable for p in plans))
    assumed = frozenset().union(*(p.assumed for p in plans))
    planned = [r for p in plans for r in p.planned_runs]
    problems = verify_rewrite(
        tree,
        new_text,
        ctx,
        relaxed,
        analysis=planning,
        rewritable=rewritable,
        planned=planned,
        assumed=assumed,
    )
    if problems:
        kept = [d if not d.applied else _unapplied(d) for d in diagnostics]
        return Result(original=text, code=text, fixes=(refused(problems), *kept), edits=edits)
    return Result(original=text, code=new_text, fixes=tuple(diagnostics), edits=edits)


def _dockerignore(
    analysis: Analysis, context: BuildContext
) -> tuple[tuple[FileEdit, ...], tuple[Diagnostic, ...], str | None]:
    """The .dockerignore edit (when asked for and enabled) and the context findings.

    Every entry of the block changes what a COPY/ADD sends into the image, so the edit is of
    the unsafe tier: without `unsafe_fixes` it is reported, never written, and the Dockerfile
    plan sees the ignore file as it is.
    """
    from dockerfix.fixes.dockerignore import plan_dockerignore

    settings = analysis.settings
    dockerfile_path = analysis.dockerfile_path or context.root / "Dockerfile"
    plan = plan_dockerignore(analysis.tree, context, dockerfile_path, analysis=analysis)
    found = tuple(d for d in plan.diagnostics if d.code in settings.enabled)
    if plan.new_text is None or codes.DOCKERIGNORE not in settings.enabled:
        return (), found, None
    own = tuple(d for d in found if d.code == codes.DOCKERIGNORE)
    rest = tuple(d for d in found if d.code != codes.DOCKERIGNORE)
    if not settings.unsafe_fixes:
        why = "it changes what the image contains: applied only with --unsafe-fixes"
        shown = tuple(_unapplied(d, why, tell=True) for d in own)
        return (), (*rest, *shown), None
    if not settings.edit_dockerignore:
        # Reported, not applied: the caller writes only the Dockerfile.
        shown = tuple(_unapplied(d, "the .dockerignore is not written in this mode") for d in own)
        return (), (*rest, *shown), None
    return (FileEdit(plan.path, plan.original_text, plan.new_text, own),), rest, plan.new_text


def _unapplied(d: Diagnostic, why: str = "safety check failed", tell: bool = False) -> Diagnostic:
    """`d` as a finding that was not applied; with `tell`, the message says why."""
    if not d.applied:
        return d
    message = f"{d.message} (not applied: {why})" if tell else d.message
    return Diagnostic(d.code, message, d.line, d.tier, False, why, d.end_line)
