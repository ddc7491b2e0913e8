"""The protocol features of `dockerfix lsp`, registered on a new server."""

from __future__ import annotations

from lsprotocol import types

from dockerfix.lsp import actions, hover
from dockerfix.lsp.positions import column_of, split_lines
from dockerfix.lsp.server import DockerfixServer, guarded


def make_server() -> DockerfixServer:
    """A server with every feature registered; `start_io()` runs it on stdin/stdout."""
    server = DockerfixServer()
    _documents(server)
    _requests(server)
    return server


def _documents(server: DockerfixServer) -> None:
    """Open, change, save, close, and a change of the client's settings."""

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        server.use_options(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.analyse(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        delay = server.options.debounce_ms / 1000
        server.debouncer.schedule(uri, delay, lambda: _analyse_open(server, uri))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.analyse(params.text_document.uri)  # the build context may have changed too

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.forget(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and "dockerfix" in settings:
            server.use_options(settings["dockerfix"])
        for uri in list(server.runs):
            server.analyse(uri)


def _analyse_open(server: DockerfixServer, uri: str) -> None:
    if uri in server.workspace.text_documents:
        server.analyse(uri)


def _requests(server: DockerfixServer) -> None:
    """Code actions and hovers."""

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
        ),
    )
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        found = server.code_actions(params.text_document.uri)
        return actions.to_actions(found, params.context.diagnostics, params.context.only)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(params: types.HoverParams) -> types.Hover | None:
        text = guarded(lambda: _hover_text(server, params), lambda _: None)
        if text is None:
            return None
        content = types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
        return types.Hover(contents=content)


def _hover_text(server: DockerfixServer, params: types.HoverParams) -> str | None:
    """A fix code's rule doc under the cursor, else the explain data of the step there."""
    run = server.current(params.text_document.uri)
    lines = split_lines(run.text)
    if params.position.line >= len(lines):
        return None
    line = lines[params.position.line]
    code = hover.code_at(line, column_of(line, params.position.character, server.encoding))
    if code is not None:
        return hover.rule_hover(code)
    return hover.step_hover(run, params.position.line + 1)
