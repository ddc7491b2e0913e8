"""One Dockerfile's result as the commands compute it: the syntax check, the result cache, and
the build context and configuration of a file named alone (stdin mode, the language server)."""

from __future__ import annotations

import os
from pathlib import Path

from dockerfix.cli.files import SourceFile
from dockerfix.config import Config, find_config, load_config
from dockerfix.diagnostics import Result
from dockerfix.settings import Settings


def fix_text(
    source: SourceFile, context: Path | None, settings: Settings
) -> tuple[Result, list[str]]:
    """The result for one Dockerfile (from the cache when nothing changed), or error lines."""
    from dockerfix.integrations import cache

    # With the cache off, no key: computing one walks the whole build context.
    key = (
        cache.key_for(source.text, context, source.path, settings.key())
        if cache.cache_dir() is not None
        else None
    )
    cached = cache.load(key) if key is not None else None
    if cached is not None:
        return cached, []
    # Parsing and fixing load only here: a file served from the cache needs neither.
    from dockerfix.api import DockerfileSyntaxError, check_syntax, fix_tree, parse

    try:
        tree = parse(source.text)
        check_syntax(tree)
        result = fix_tree(tree, settings, context=context, dockerfile_path=source.path)
    except DockerfileSyntaxError as exc:
        failed = Result(source.text, source.text, error=exc.message, error_line=exc.line)
        return failed, [f"dockerfix: error: {source.display}:{exc.line}: {exc.message}"]
    if key is not None:
        cache.store(key, result)
    return result, []


def editor_fix(
    source: SourceFile, context: Path | None, settings: Settings
) -> tuple[Result, list[str]]:
    """Editor mode's result: only the Dockerfile is written, so no rewrite may rely on a
    `.dockerignore` edit."""
    return fix_text(source, context, settings.with_changes(edit_dockerignore=False))


def editor_config(path: Path | None) -> Config:
    """The configuration nearest a named Dockerfile (from the current directory when the name
    does not exist). Raises ConfigError."""
    start = path if path is not None and path.exists() else Path.cwd()
    return load_config(find_config(start))


def editor_context(path: Path, config: Config) -> Path | None:
    """The build context of a Dockerfile named alone, found as file mode finds it: the
    configuration's `context` map, then a compose file in its folder or above, then a build
    command in a Makefile or workflow, then the repository's top when only it holds the files
    the COPY instructions send, then its own folder; None for a name in no existing folder.
    Raises ComposeError."""
    from dockerfix.integrations.compose import compose_contexts_above

    configured = config.context_for(path)
    if configured is not None:
        return configured
    if not path.parent.is_dir():
        return None
    from dockerfix.integrations.buildscripts import script_contexts_above, sources_context

    resolved = Path(os.path.realpath(path))
    composed = compose_contexts_above([path]).get(resolved)
    scripted = composed or script_contexts_above([path]).get(resolved)
    return scripted or sources_context(path) or path.parent
