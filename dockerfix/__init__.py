"""dockerfix: rewrite Dockerfiles so everyday rebuilds hit the build cache, image unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dockerfix._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from dockerfix.api import Result
    from dockerfix.syntax import Dockerfile, Instruction, parse


def fix(text: str, context: Any = None, **options: Any) -> Result:
    """Rewrite ``text`` for cache efficiency; see :func:`dockerfix.api.fix`."""
    from dockerfix.api import fix as _fix

    return _fix(text, context=context, **options)


def __getattr__(name: str) -> Any:
    # The syntax package loads on first use: a command served from the result cache, say,
    # never parses.
    if name in ("Dockerfile", "Instruction", "parse"):
        from dockerfix import syntax

        return getattr(syntax, name)
    raise AttributeError(f"module 'dockerfix' has no attribute {name!r}")


__all__ = ["Dockerfile", "Instruction", "__version__", "fix", "parse"]
