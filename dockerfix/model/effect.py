"""The types of an instruction's effect: what one step reads and writes, and how a copy resolved.

Kept apart from `effects` (which computes them) and `runs` (which computes a RUN's), so that both
can use them without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

from dockerfix.model.paths import PathSet
from dockerfix.records import dataclass

ALL_VARS = frozenset({"*"})
StepKind = Literal[
    "metadata",
    "env",
    "state",
    "copy-text",
    "copy-context",
    "copy-stage",
    "add-remote",
    "run-install",
    "run-system",
    "run-known",
    "run-unknown",
]


@dataclass(frozen=True)
class CopySource:
    """One COPY/ADD source resolved against the build context."""

    pattern: str
    # (context path, image path) for every file it copies; None when unknown.
    files: tuple[tuple[str, str], ...] | None


@dataclass(frozen=True)
class ContextCopy:
    """A COPY/ADD from the build context, resolved."""

    sources: tuple[CopySource, ...]
    dest: str | None
    dest_is_dir: bool
    flags: tuple[str, ...]

    @property
    def known(self) -> bool:
        return self.dest is not None and all(s.files is not None for s in self.sources)

    def image_files(self) -> Mapping[str, str]:
        """Image path → context path, for every file copied (later sources win)."""
        return self._image_files

    @cached_property
    def _image_files(self) -> Mapping[str, str]:
        # Asked for by every later RUN's file reader and by the split and safety checks:
        # built once per copy.
        out: dict[str, str] = {}
        for src in self.sources:
            for ctx_path, img_path in src.files or ():
                out[img_path] = ctx_path
        return MappingProxyType(out)


@dataclass(frozen=True)
class Effect:
    """Reads and writes of one step.  ``reads_vars`` of ``ALL_VARS`` means every variable."""

    kind: StepKind
    reads: PathSet = field(default_factory=PathSet)
    writes: PathSet = field(default_factory=PathSet)
    reads_vars: frozenset[str] = frozenset()
    writes_vars: frozenset[str] = frozenset()
    reads_state: frozenset[str] = frozenset()
    writes_state: frozenset[str] = frozenset()
    context_files: tuple[str, ...] = ()
    cost: float = 0.0
    copy: ContextCopy | None = None
    stage_refs: tuple[str, ...] = ()
    ecosystems: tuple[str, ...] = ()
    project_dir: str | None = None
    notes: tuple[str, ...] = field(default=())
    # Explicit reads in the order the command names them (manifest copy order).
    read_order: tuple[str, ...] = ()
    # A dependency install that could not be narrowed (worth explaining why).
    install_like: bool = False
    # Variables a RUN names ($V in its script or flags); None when not known.
    named_vars: frozenset[str] | None = None
    # WORKDIR: its `writes` only create directories (as `mkdir -p`); files inside are untouched.
    dir_only: bool = False
    # Directories this step creates are root's (a root WORKDIR, a COPY without --chown): two
    # such steps create the same directory whichever runs first.
    root_dirs: bool = False
    # A RUN that may read any file only for a reason the unsafe tier may set aside (an install
    # whose lifecycle script only installs Git hooks): its effect if that holds, and the reason.
    assumed: Effect | None = None
    assumption: str = ""
    # A RUN whose commands only print (`ls -l /app`): it writes nothing, and fails only when a
    # path it names is missing. A later COPY or install may change what it reads: that changes
    # its output in the build log, never the image (both add and rewrite, and remove nothing).
    prints_only: bool = False
    # Image folders the step `cd`s into that must exist when it runs (`cd web && npm ci`
    # fails without web/): it stays after a step that creates one, unless another step that
    # stays before it creates it too. Only the folder, not what is in it.
    needs_dirs: frozenset[str] = frozenset()
    # Files the RUN's command lines name as inputs (`--configfile nuget.config`), as image
    # paths: needed, where its other reads are read when they exist.
    named: frozenset[str] = frozenset()
