"""The client's settings: what an editor may ask for on top of the workspace configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dockerfix.config import Config
from dockerfix.fixes import codes
from dockerfix.records import dataclass
from dockerfix.settings import Settings

# Milliseconds between the last keystroke and the analysis of a changed document.
DEFAULT_DEBOUNCE_MS = 300


@dataclass(frozen=True)
class ClientOptions:
    """What the editor's settings say, as `dockerfix -` options: `--unsafe-fixes`,
    `--select`, `--ignore`; and how long to wait after a change."""

    unsafe_fixes: bool = False
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    debounce_ms: int = DEFAULT_DEBOUNCE_MS

    def settings(self, config: Config) -> Settings:
        """The run's settings: the configuration's, with the client's on top (as the command
        line's are)."""
        return Settings.from_config(
            config, unsafe_fixes=self.unsafe_fixes, select=self.select, ignore=self.ignore
        )


def read_options(raw: Any) -> tuple[ClientOptions, list[str]]:
    """Options from `initializationOptions` or the `dockerfix` section of the client's settings
    (`{"unsafeFixes": true, "select": ["DFX001"], "ignore": [], "debounceMs": 300}`), and a
    line for every value that was ignored because it is not valid."""
    if raw is None:
        return ClientOptions(), []
    if not isinstance(raw, Mapping):
        return ClientOptions(), ["dockerfix settings must be an object; ignored"]
    problems: list[str] = []
    unsafe = raw.get("unsafeFixes", False)
    if not isinstance(unsafe, bool):
        problems.append("unsafeFixes must be true or false; ignored")
        unsafe = False
    select = _codes(raw, "select", problems)
    ignore = _codes(raw, "ignore", problems) or ()
    debounce = raw.get("debounceMs", DEFAULT_DEBOUNCE_MS)
    if isinstance(debounce, bool) or not isinstance(debounce, int) or not 0 <= debounce <= 10_000:
        problems.append("debounceMs must be a whole number of milliseconds (0-10000); ignored")
        debounce = DEFAULT_DEBOUNCE_MS
    return ClientOptions(unsafe, select, ignore, debounce), problems


def _codes(raw: Mapping[str, Any], key: str, problems: list[str]) -> tuple[str, ...] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{key} must be a list of fix codes; ignored")
        return None
    chosen = tuple(v.strip().upper() for v in value if v.strip())
    unknown = sorted(set(chosen) - codes.KNOWN)
    if unknown:
        problems.append(
            f"{key}: unknown fix code {unknown[0]!r} (known: {', '.join(sorted(codes.KNOWN))}); "
            "ignored"
        )
        return None
    return chosen
