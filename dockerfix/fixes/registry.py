"""Every fix module, listed in one place, and the rules they export."""

from __future__ import annotations

import importlib
from functools import cache

from dockerfix.fixes.rule import Rule

# One entry per module of dockerfix.fixes; a module exports RULE, or RULES for several codes.
MODULES = (
    "safety",
    "reorder",
    "split_copy",
    "build_stamps",
    "prefetch",
    "cache_mounts",
    "dockerignore",
    "suppression",
)


@cache
def rules() -> dict[str, Rule]:
    """Code → rule, for every fix (importing the fix modules on first use)."""
    found: dict[str, Rule] = {}
    for name in MODULES:
        module = importlib.import_module(f"dockerfix.fixes.{name}")
        for item in getattr(module, "RULES", ()) or (module.RULE,):
            found[item.code] = item
    return dict(sorted(found.items()))
