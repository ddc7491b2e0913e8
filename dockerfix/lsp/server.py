"""The protocol handlers: documents in, diagnostics, code actions and hovers out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path, uri_scheme

from dockerfix._version import __version__
from dockerfix.lsp import actions
from dockerfix.lsp.debounce import Debouncer
from dockerfix.lsp.diagnostics import diagnostics_for
from dockerfix.lsp.document import DocumentRun, run_document
from dockerfix.lsp.options import ClientOptions, read_options

T = TypeVar("T")
logger = logging.getLogger(__name__)


class DockerfixServer(LanguageServer):
    """The server and what it remembers: the client's options, and each open document's
    latest run and code actions (computed for one text, reused until it changes)."""

    def __init__(self) -> None:
        super().__init__("dockerfix", __version__)
        self.options = ClientOptions()
        self.runs: dict[str, DocumentRun] = {}
        self.offers: dict[str, tuple[str, list[actions.Offer]]] = {}
        self.debouncer = Debouncer()

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def use_options(self, raw: Any) -> None:
        self.options, problems = read_options(raw)
        for problem in problems:
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Warning, f"dockerfix: {problem}")
            )

    def current(self, uri: str) -> DocumentRun:
        """The run for the document's text now (analysing it when a change is pending)."""
        text = self.workspace.get_text_document(uri).source
        run = self.runs.get(uri)
        if run is None or run.text != text:
            run = self.analyse(uri)
        return run

    def analyse(self, uri: str) -> DocumentRun:
        """Analyse the document now and publish its diagnostics."""
        self.debouncer.cancel(uri)
        document = self.workspace.get_text_document(uri)
        run = guarded(
            lambda: run_document(document.source, _path_of(uri), self.options),
            lambda exc: DocumentRun(document.source, None, error=_internal(exc)),
        )
        self.runs[uri] = run
        self.offers.pop(uri, None)
        found = diagnostics_for(run, self.encoding)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version)
        )
        return run

    def forget(self, uri: str) -> None:
        self.debouncer.cancel(uri)
        self.runs.pop(uri, None)
        self.offers.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def code_actions(self, uri: str) -> list[actions.Offer]:
        run = self.current(uri)
        memo = self.offers.get(uri)
        if memo is not None and memo[0] == run.text:
            return memo[1]
        found = guarded(
            lambda: actions.offers(run, uri, self.encoding, _can_create(self)), lambda _: []
        )
        self.offers[uri] = (run.text, found)
        return found


def guarded(work: Callable[[], T], fallback: Callable[[Exception], T]) -> T:
    """`work()`, or `fallback(error)` when dockerfix fails inside: an editor gets a finding,
    never a crashed server."""
    try:
        return work()
    except Exception as exc:
        logger.exception("dockerfix failed")
        return fallback(exc)


def _internal(exc: Exception) -> str:
    return (
        f"internal error: {type(exc).__name__}: {exc} "
        "(please report this with the Dockerfile that caused it)"
    )


def _path_of(uri: str) -> Path | None:
    if uri_scheme(uri) != "file":
        return None  # an untitled buffer: no build context, as `dockerfix -` without a name
    path = to_fs_path(uri)
    return Path(path) if path else None


def _can_create(server: LanguageServer) -> bool:
    """Whether the client applies a WorkspaceEdit that creates a file."""
    workspace = server.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace is not None else None
    if edit is None or not edit.document_changes:
        return False
    return types.ResourceOperationKind.Create in (edit.resource_operations or [])
