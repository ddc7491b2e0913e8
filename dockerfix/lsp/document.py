"""One open document's result, computed as `dockerfix - --stdin-filename PATH` computes it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dockerfix.cli.files import InputError, SourceFile, read_bytes
from dockerfix.cli.onefile import editor_config, editor_context, editor_fix, fix_text
from dockerfix.config import ConfigError
from dockerfix.diagnostics import Result
from dockerfix.integrations.compose import ComposeError
from dockerfix.lsp.options import ClientOptions
from dockerfix.records import dataclass
from dockerfix.settings import Settings

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis


@dataclass(frozen=True)
class DocumentRun:
    """A document's text and what dockerfix made of it.

    `result` is None when the document could not be analysed at all (a configuration or
    compose file dockerfix cannot read, a binary text); `error` then says why. A Dockerfile
    BuildKit would refuse has a `result` with its `error` set, as in stdin mode.
    """

    text: str
    path: Path | None
    settings: Settings | None = None
    context: Path | None = None
    result: Result | None = None
    error: str | None = None
    error_line: int = 1

    @property
    def source(self) -> SourceFile:
        return SourceFile(self.path, self.text, str(self.path) if self.path else "<stdin>")

    @property
    def rewrite(self) -> str | None:
        """The text `dockerfix -` prints, when it differs from the document."""
        if self.result is None or self.result.error is not None or not self.result.changed:
            return None
        return self.result.code


def run_document(text: str, path: Path | None, options: ClientOptions) -> DocumentRun:
    """The document's result with the workspace's configuration and the client's options; every
    problem with the input becomes `error`, never an exception."""
    display = str(path) if path is not None else "<stdin>"
    try:
        source = read_bytes(text.encode("utf-8", "surrogatepass"), display, path)
        config = editor_config(path)
        context = editor_context(path, config) if path is not None else None
    except (InputError, ConfigError, ComposeError) as exc:
        return DocumentRun(text, path, error=str(exc))
    settings = options.settings(config)
    result, _ = editor_fix(source, context, settings)
    return DocumentRun(text, path, settings, context, result, result.error, result.error_line)


def run_variant(run: DocumentRun, *, write_dockerignore: bool = False, **changes: object) -> Result:
    """The same document with other settings (`unsafe_fixes`, `select`), as the command line
    with those options computes it; with `write_dockerignore`, as `--write` does (the
    `.dockerignore` edit in `Result.edits`)."""
    assert run.settings is not None
    settings = replace(run.settings, **changes)  # type: ignore[arg-type]
    if write_dockerignore:
        return fix_text(run.source, run.context, settings.with_changes(edit_dockerignore=True))[0]
    return editor_fix(run.source, run.context, settings)[0]


def analysis_of(run: DocumentRun) -> Analysis | None:
    """The document's analysis (model, context, effects) for the explain data; None when the
    document is not a Dockerfile dockerfix can analyse."""
    if run.result is None or run.result.error is not None or run.settings is None:
        return None
    from dockerfix.analysis import Analysis
    from dockerfix.syntax import parse

    return Analysis(parse(run.text), run.settings, run.context, run.path)
