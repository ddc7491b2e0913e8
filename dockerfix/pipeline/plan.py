"""The plan of one stage's rewrite: the new order of its steps and the instructions inserted."""

from __future__ import annotations

from dataclasses import field

from dockerfix.diagnostics import Diagnostic
from dockerfix.model.stages import Stage
from dockerfix.records import dataclass


@dataclass(frozen=True)
class PlannedRun:
    """A RUN an unsafe fix adds (DFX007's dependency prefetch), exactly as it was planned.

    The safe mode accepts an inserted RUN only when its text is ``text``, it runs before the
    original RUN ``anchor`` in the same state, and nothing it moved across conflicts with it.
    With ``replacement``, the anchor itself was split: ``text`` and ``replacement`` together
    run the anchor's `&&` chain. ``creates`` are project folders ``text`` creates for itself and
    removes again (a stub target): its reads and writes below them do not count. ``assumed``:
    ``text`` is checked at its assumed effect (`Effect.assumption`, a Git-hook script).
    """

    text: str
    anchor: str
    replacement: str | None = None
    creates: tuple[str, ...] = ()
    assumed: bool = False
    # Files ``text`` changes the mode of (`chmod +x mvnw`), which the broad copy after it puts
    # back as the build context has them before the original chmod runs again.
    chmods: tuple[str, ...] = ()
    # The dependency-only command ``text`` ends with when the anchor's leading setup commands
    # moved into it (``text`` runs those, then this; ``replacement`` the rest of the chain).
    added: str | None = None
    # ARG declarations (their text) that moved up with ``text``, across the broad copy and a
    # WORKDIR: the only instructions of their kind whose order may change.
    args: tuple[str, ...] = ()
    # The folder ``text`` `cd`s to when it is not the anchor's WORKDIR: go's module root above
    # it (go finds the same go.mod from there).
    cwd: str | None = None
    # Lock files (image paths) ``text`` may rewrite, which the broad copy after it puts back
    # as the build context has them (`npm install`): the finding's unsafe text says so.
    locks: tuple[str, ...] = ()


@dataclass
class StagePlan:
    """The new order of a stage: original positions and inserted instruction texts.

    ``replaced`` holds new texts for original instructions (a split `&&` chain keeps its
    slot and its comments); ``planned_runs`` the RUNs the safe mode must accept as planned.
    """

    stage: Stage
    order: list[int]
    inserted: dict[int, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cost_before: float = 0.0
    cost_after: float = 0.0
    # Lock files (image paths) an unsafe split lets the install rewrite before the copy.
    rewritable: frozenset[str] = frozenset()
    # Install RUNs (their text) moved on an assumption (Effect.assumption): unsafe splits.
    assumed: frozenset[str] = frozenset()
    replaced: dict[int, str] = field(default_factory=dict)
    planned_runs: list[PlannedRun] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            bool(self.inserted)
            or bool(self.replaced)
            or self.order != [s.position for s in self.stage.steps]
        )
