"""The library entry point: ``fix(text) -> Result`` runs the whole pipeline on one Dockerfile."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dockerfix.diagnostics import Diagnostic, DockerfileSyntaxError, FileEdit, Result, Tier
from dockerfix.settings import Settings
from dockerfix.syntax import Dockerfile, parse
from dockerfix.syntax.check import check_syntax

__all__ = [
    "Diagnostic",
    "Dockerfile",
    "DockerfileSyntaxError",
    "FileEdit",
    "Result",
    "Tier",
    "check_syntax",
    "fix",
    "fix_tree",
    "parse",
]


def fix(
    text: str,
    context: str | Path | None = None,
    *,
    unsafe_fixes: bool = False,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    use_git: bool = True,
    dockerfile_path: str | Path | None = None,
    edit_dockerignore: bool = False,
    cache_mounts: bool = False,
) -> Result:
    """Rewrite a Dockerfile for cache efficiency without changing the image it builds.

    ``context`` is the build context directory (the files ``COPY`` reads); without
    it, fixes that depend on which files exist are not applied.  ``dockerfile_path``
    (default: ``context/Dockerfile``) locates a ``<name>.dockerignore`` next to it.
    With ``edit_dockerignore``, ``Result.edits`` may hold a new ``.dockerignore`` that
    the Dockerfile rewrite relies on: write both, or neither.  ``cache_mounts`` turns on
    DFX008 (BuildKit cache mounts for package-manager downloads).
    """
    tree = parse(text)
    check_syntax(tree)
    settings = Settings.make(
        unsafe_fixes=unsafe_fixes,
        select=select,
        ignore=ignore,
        use_git=use_git,
        edit_dockerignore=edit_dockerignore,
        cache_mounts=cache_mounts,
    )
    return fix_tree(
        tree,
        settings,
        context=Path(context) if context is not None else None,
        dockerfile_path=Path(dockerfile_path) if dockerfile_path is not None else None,
    )


def fix_tree(
    tree: Dockerfile,
    settings: Settings,
    *,
    context: Path | None = None,
    dockerfile_path: Path | None = None,
) -> Result:
    """`fix` for a tree that passed `check_syntax`, with the run's settings."""
    from dockerfix.analysis import Analysis
    from dockerfix.pipeline.run import run_fixes

    return run_fixes(Analysis(tree, settings, context, dockerfile_path))
