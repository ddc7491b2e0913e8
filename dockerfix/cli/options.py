"""What every dockerfix command shares: exit codes, the error line, the --context option."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

EXIT_OK, EXIT_CHANGES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

CONTEXT_OPTION = click.option(
    "--context",
    "context",
    type=click.Path(path_type=Path),
    default=None,
    help="Build context directory (default: the Dockerfile's directory).",
)


def die(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """One line on stderr and the exit code: how every command reports what it refuses."""
    click.echo(f"dockerfix: error: {message}", err=True)
    sys.exit(code)
