"""Analyse the shell text of a RUN instruction: its commands, cwd changes, variables and options.

The text is parsed with tree-sitter-bash and walked once, in source order, threading a small flow
state (the directory `cd` has moved to, and whether control can reach a point at all) through
lists, pipelines, subshells, conditionals and loops. Two assumptions keep the answers useful:
a static `cd` succeeds, and a command that exits with a non-zero status ends the build, so paths
through it are not "successful" paths. Everything the walk cannot see through is named in
`Script.opaque`.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockerfix.model.shell._flow import _Ctx
from dockerfix.model.shell._script import Command, Redirect, Script, Word
from dockerfix.model.shell._walk import _Results, _Walker

__all__ = ["Command", "Redirect", "Script", "Word", "analyze", "analyze_exec"]


def analyze(script: str) -> Script:
    """Analyse shell-form RUN text (continuations already joined) or a heredoc script body."""
    results = _Results()
    _Walker.for_text(script, results, prefix="", depth=0).run(_Ctx(), ())
    return results.script()


def analyze_exec(argv: Sequence[str]) -> Script:
    """Analyse exec-form RUN arguments: no shell runs, unless the program itself is a shell."""
    results = _Results()
    words = tuple(Word(raw=arg, value=arg, variables=(), glob=False) for arg in argv)
    if words:
        results.commands.append(
            Command(words, (), (), conditional=False, in_subshell=False, redirects=(), nested=False)
        )
        walker = _Walker(results, b"", {}, prefix="", depth=0)
        walker.shell_command(list(argv), words, _Ctx(own_shell=False), (), ())
    return results.script()
