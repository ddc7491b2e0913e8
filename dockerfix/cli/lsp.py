"""`dockerfix lsp`: the language server, on stdin and stdout."""

from __future__ import annotations

import importlib.util

import click

from dockerfix.cli.options import die


@click.command("lsp", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--stdio",
    is_flag=True,
    help="Speak the protocol on stdin/stdout (the default; accepted for clients that pass it).",
)
def lsp_command(stdio: bool) -> None:
    """Run the language server: diagnostics as you type, the rewrite as a code action, and
    the explain data on hover.

    Needs the `lsp` extra: pip install 'dockerfix[lsp]'.
    """
    if importlib.util.find_spec("pygls") is None:
        die("the language server needs pygls: pip install 'dockerfix[lsp]'")
    from dockerfix.lsp.handlers import make_server

    make_server().start_io()
