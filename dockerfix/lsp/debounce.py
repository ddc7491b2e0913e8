"""Wait for typing to pause: a document's analysis runs once its changes stop for a moment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Debouncer:
    """One pending call per key; scheduling a key again replaces its pending call."""

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.TimerHandle] = {}

    def schedule(self, key: str, delay: float, call: Callable[[], None]) -> None:
        """Run `call` after `delay` seconds unless `key` is scheduled or cancelled before."""
        self.cancel(key)
        loop = asyncio.get_running_loop()
        self._pending[key] = loop.call_later(delay, self._run, key, call)

    def cancel(self, key: str) -> None:
        handle = self._pending.pop(key, None)
        if handle is not None:
            handle.cancel()

    def pending(self, key: str) -> bool:
        return key in self._pending

    def _run(self, key: str, call: Callable[[], None]) -> None:
        self._pending.pop(key, None)
        call()
