"""dockerfix: rewrite Dockerfiles so everyday rebuilds hit the build cache, image unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dockerfix._version import __version__
from dockerfix.syntax import Dockerfile, Instruction, parse

if TYPE_CHECKING:  # pragma: no cover
    from dockerfix.api import Result


def fix(text: str, context: Any = None, **options: Any) -> Result:
    """Rewrite ``text`` for cache efficiency; see :func:`dockerfix.api.fix`."""
    from dockerfix.api import fix as _fix

    return _fix(text, context=context, **options)


__all__ = ["Dockerfile", "Instruction", "__version__", "fix", "parse"]
