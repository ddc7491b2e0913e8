"""What explain and verify share: read, check and analyse one Dockerfile, or refuse in one line."""

from __future__ import annotations

from pathlib import Path

from dockerfix.analysis import Analysis
from dockerfix.cli.files import InputError, SourceFile, read_path


class Refused(Exception):
    """Bad input or usage: one line for stderr, exit code 2."""


def load(path: Path, context: Path | None) -> tuple[SourceFile, Analysis]:
    """Read and check the Dockerfile and analyse it with the project's configuration (its
    `select`/`ignore`/`unsafe-fixes` and `context` map); every problem becomes a one-line
    refusal."""
    from dockerfix.config import ConfigError, find_config, load_config
    from dockerfix.diagnostics import DockerfileSyntaxError
    from dockerfix.settings import Settings
    from dockerfix.syntax import parse
    from dockerfix.syntax.check import check_syntax

    try:
        source = read_path(path)
    except InputError as exc:
        raise Refused(str(exc)) from None
    try:
        config = load_config(find_config(path))
    except ConfigError as exc:
        raise Refused(str(exc)) from None
    if context is None:
        # As the main command finds it: the `context` map, a compose file, a build command
        # in a Makefile or workflow, the folder that holds the COPY sources, its own folder.
        from dockerfix.cli.onefile import editor_context
        from dockerfix.integrations.compose import ComposeError

        try:
            context = editor_context(path, config) or Path(".")
        except ComposeError as exc:
            raise Refused(str(exc)) from None
    if not context.is_dir():
        raise Refused(f"--context {context}: not a directory")
    tree = parse(source.text)
    try:
        check_syntax(tree)
    except DockerfileSyntaxError as exc:
        raise Refused(f"{source.display}:{exc.line}: {exc.message}") from None
    return source, Analysis(tree, Settings.from_config(config), context, path)
