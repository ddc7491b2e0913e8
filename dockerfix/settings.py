"""One frozen Settings per run: what the configuration and the command line ask for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dockerfix.fixes import codes
from dockerfix.records import dataclass

if TYPE_CHECKING:
    from dockerfix.config import Config


@dataclass(frozen=True)
class Settings:
    """Every option that changes what dockerfix finds or writes, for every command.

    `select` None means every selectable code. `edit_dockerignore`: the caller writes the
    planned `.dockerignore` together with the Dockerfile (file mode; never stdin mode).
    `cache_mounts` turns on DFX008 (off by default, whatever `select` says).
    """

    unsafe_fixes: bool = False
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    use_git: bool = True
    edit_dockerignore: bool = False
    cache_mounts: bool = False

    @property
    def enabled(self) -> frozenset[str]:
        """The codes this run applies or reports."""
        chosen = self.select if self.select is not None else codes.SELECTABLE
        off = frozenset() if self.cache_mounts else frozenset({codes.CACHE_MOUNTS})
        return frozenset(chosen) - self.ignore - off

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def key(self) -> str:
        """A stable text of every field, for the result cache."""
        select = sorted(self.select) if self.select is not None else None
        return repr(
            (
                self.unsafe_fixes,
                select,
                sorted(self.ignore),
                self.use_git,
                self.edit_dockerignore,
                self.cache_mounts,
            )
        )

    @classmethod
    def make(
        cls,
        *,
        unsafe_fixes: bool = False,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        use_git: bool = True,
        edit_dockerignore: bool = False,
        cache_mounts: bool = False,
    ) -> Settings:
        return cls(
            unsafe_fixes=unsafe_fixes,
            select=frozenset(select) if select is not None else None,
            ignore=frozenset(ignore or ()),
            use_git=use_git,
            edit_dockerignore=edit_dockerignore,
            cache_mounts=cache_mounts,
        )

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        unsafe_fixes: bool = False,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        cache_mounts: bool = False,
    ) -> Settings:
        """The configuration's settings with the command line's on top (select replaces,
        ignore adds, unsafe-fixes and cache-mounts turn on)."""
        chosen = select if select is not None else config.select
        return cls.make(
            unsafe_fixes=unsafe_fixes or config.unsafe_fixes,
            select=chosen,
            ignore=(*ignore, *config.ignore),
            cache_mounts=cache_mounts or config.cache_mounts,
        )
