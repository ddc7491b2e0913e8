"""The program registry: which handler classifies each program, filled by `@handles`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from dockerfix.model.commands._base import Handler

_HANDLERS: dict[str, Handler] = {}

# Program name (as `program_name` gives it) → its handler. Complete once every family module
# is imported, which importing `dockerfix.model.commands` does.
HANDLERS: Mapping[str, Handler] = MappingProxyType(_HANDLERS)


def handles(*programs: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of each of `programs`.

    A handler is called as `handler(ctx, prog, args)` with the program's normalised name and
    the words after it. A program has one handler: registering a name twice is an error, so
    two families cannot silently claim the same program.
    """

    def register(handler: Handler) -> Handler:
        for program in programs:
            if program in _HANDLERS:
                raise ValueError(f"`{program}` already has a handler: {_HANDLERS[program]}")
        _HANDLERS.update(dict.fromkeys(programs, handler))
        return handler

    return register
