"""Flow state threaded through the walk: the cwd `cd` has moved to and how a statement ends.

The state is the cd targets applied so far (None when unknown), or _UNREACHED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from dockerfix.model.shell._script import Redirect
from dockerfix.records import dataclass


class _Unreached:
    """Marks a point no successful run of the script reaches."""

    def __repr__(self) -> str:
        return "UNREACHED"


_UNREACHED: Final = _Unreached()
_Cwd = tuple[str, ...] | None
_State = _Cwd | _Unreached


def _join(*states: _State) -> _State:
    """Merge the states of paths meeting at one point: equal cwds survive, different ones don't."""
    reached = [s for s in states if not isinstance(s, _Unreached)]
    if not reached:
        return _UNREACHED
    first = reached[0]
    return first if all(s == first for s in reached) else None


def _chdir(state: _State, target: str | None) -> _State:
    if isinstance(state, _Unreached):
        return state
    if state is None or target is None:
        return None
    return (*state, target)


def _cwd_of(state: _State) -> _Cwd:
    return None if isinstance(state, _Unreached) else state


@dataclass(frozen=True)
class _Out:
    """How a statement can end: the state on success, on failure, whether it can cut short
    the shell (`exit 0`, `exec cmd`), and the state where it leaves the enclosing function or
    loop body early (`return`, `break`, `continue`)."""

    ok: _State
    fail: _State
    exits: bool = False
    left: _State = _UNREACHED

    @property
    def leaves(self) -> bool:
        return not isinstance(self.left, _Unreached)

    def either(self) -> _State:
        return _join(self.ok, self.fail)


def _both(state: _State) -> _Out:
    return _Out(state, state)


@dataclass(frozen=True)
class _Ctx:
    """Where a statement runs."""

    conditional: bool = False
    in_subshell: bool = False
    nested: bool = False
    own_shell: bool = True  # `set` here changes the options of the shell running the RUN
    redirects: tuple[Redirect, ...] = ()  # from enclosing compound commands
    # The branches of enclosing `if`s and `case`s: (statement's offset, branch number).
    branch: tuple[tuple[int, int], ...] = ()

    def cond(self) -> _Ctx:
        return self if self.conditional else replace(self, conditional=True)

    def in_branch(self, statement: int, number: int) -> _Ctx:
        """The body of one branch of the `if` or `case` at offset `statement`."""
        return replace(self.cond(), branch=(*self.branch, (statement, number)))

    def subshell(self) -> _Ctx:
        if self.in_subshell and not self.own_shell:
            return self
        return replace(self, in_subshell=True, own_shell=False)

    def with_redirects(self, redirects: Sequence[Redirect]) -> _Ctx:
        return replace(self, redirects=(*redirects, *self.redirects))


def _merge(outs: Sequence[_Out]) -> _Out:
    return _Out(
        _join(*(o.ok for o in outs)),
        _join(*(o.fail for o in outs)),
        any(o.exits for o in outs),
        _join(*(o.left for o in outs)),
    )
