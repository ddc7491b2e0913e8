"""`python -m dockerfix.cli`: the same as the `dockerfix` command."""

from dockerfix.cli.main import entry

entry()
