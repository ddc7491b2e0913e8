"""Run the enabled fixes over a parsed Dockerfile and return the verified result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dockerfix.api import Diagnostic, FileEdit, Result
from dockerfix.fixes import RULES
from dockerfix.syntax import Dockerfile

if TYPE_CHECKING:  # imported when a fix runs, not on the start-up path
    from dockerfix.model.context import BuildContext

DOCKERIGNORE_CODES = frozenset({"DFX004", "DFX005", "DFX006"})
# Codes a user can select; DFX000 (the safety check) and DFX010 are always on.
ALL_CODES = frozenset(code for code in RULES if code not in ("DFX000", "DFX010"))


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


def run_fixes(
    tree: Dockerfile,
    *,
    context: Path | None,
    unsafe_fixes: bool,
    select: frozenset[str] | None,
    ignore: frozenset[str],
    use_git: bool,
    dockerfile_path: Path | None = None,
    edit_dockerignore: bool = False,
) -> Result:
    enabled = (select if select is not None else ALL_CODES) - ignore
    text = tree.code
    from dockerfix.suppress import read_suppressions

    suppress = read_suppressions(tree, frozenset(RULES))
    notes = tuple(
        Diagnostic(
            "DFX010",
            f"unknown fix code {code} in a dockerfix comment",
            line,
            "display-only",
            reason="not a dockerfix fix code",
        )
        for line, code in suppress.unknown_codes
    )
    if suppress.skip_file or not enabled:
        return Result(original=text, code=text, fixes=notes)
    from dockerfix.model.context import BuildContext

    edits: tuple[FileEdit, ...] = ()
    ignore_text: str | None = None
    movable = may_change(tree)
    wants_ignore = bool(enabled & DOCKERIGNORE_CODES)
    # One walk of the build context serves the .dockerignore plan and the rewrite.
    ctx = (
        BuildContext.load(context, dockerfile_path)
        if context is not None and (movable or wants_ignore)
        else None
    )
    if ctx is not None and wants_ignore:
        edits, more, ignore_text = _dockerignore(
            tree, ctx, dockerfile_path, enabled, edit_dockerignore, unsafe_fixes
        )
        notes = (*notes, *more)
    if not movable:
        return Result(original=text, code=text, fixes=notes, edits=edits)
    from dockerfix.model.stages import build_model
    from dockerfix.model.volatility import load_history
    from dockerfix.planner import plan_stage
    from dockerfix.rewrite import apply_plans
    from dockerfix.verify.static import verify_rewrite

    if context is not None and ignore_text is not None:
        # With the planned .dockerignore in effect (it is written together with the
        # Dockerfile), a folder it now excludes no longer blocks a split.
        ctx = BuildContext.load(context, dockerfile_path, ignore_text=ignore_text)
    history = load_history(context) if (use_git and context is not None) else None
    model = build_model(tree)
    plans = [
        plan_stage(model, stage, ctx, history, enabled, unsafe_fixes, suppress)
        for stage in model.stages
    ]
    diagnostics: list[Diagnostic] = [*notes, *(d for p in plans for d in p.diagnostics)]
    if not any(p.changed for p in plans):
        return Result(original=text, code=text, fixes=tuple(diagnostics), edits=edits)
    new_text = apply_plans(tree, plans)
    from dockerfix.planner import build_stamp_args

    relaxed = (
        frozenset().union(*(build_stamp_args(p.stage, suppress) for p in plans))
        if unsafe_fixes and "DFX003" in enabled
        else frozenset()
    )
    problems = verify_rewrite(tree, new_text, ctx, relaxed)
    if problems:
        refused = Diagnostic(
            "DFX000",
            "rewrite not applied: the safety check failed: " + problems[0],
            1,
            "display-only",
            reason="; ".join(problems),
        )
        kept = [d if not d.applied else _unapplied(d) for d in diagnostics]
        return Result(original=text, code=text, fixes=(refused, *kept), edits=edits)
    return Result(original=text, code=new_text, fixes=tuple(diagnostics), edits=edits)


def _dockerignore(
    tree: Dockerfile,
    context: BuildContext,
    dockerfile_path: Path | None,
    enabled: frozenset[str],
    edit: bool,
    unsafe_fixes: bool,
) -> tuple[tuple[FileEdit, ...], tuple[Diagnostic, ...], str | None]:
    """The .dockerignore edit (when asked for and enabled) and the context findings.

    Every entry of the block changes what a COPY/ADD sends into the image, so the edit is of
    the unsafe tier: without `unsafe_fixes` it is reported, never written, and the Dockerfile
    plan sees the ignore file as it is.
    """
    from dockerfix.fixes.dockerignore import plan_dockerignore

    plan = plan_dockerignore(tree, context, dockerfile_path or context.root / "Dockerfile")
    found = tuple(d for d in plan.diagnostics if d.code in enabled)
    if plan.new_text is None or "DFX004" not in enabled:
        return (), found, None
    own = tuple(d for d in found if d.code == "DFX004")
    rest = tuple(d for d in found if d.code != "DFX004")
    if not unsafe_fixes:
        why = "it changes what the image contains: applied only with --unsafe-fixes"
        shown = tuple(_unapplied(d, why, tell=True) for d in own)
        return (), (*rest, *shown), None
    if not edit:
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
