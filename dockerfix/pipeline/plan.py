"""The plan of one stage's rewrite: the new order of its steps and the instructions inserted."""

from __future__ import annotations

from dataclasses import dataclass, field

from dockerfix.diagnostics import Diagnostic
from dockerfix.model.stages import Stage


@dataclass
class StagePlan:
    """The new order of a stage: original positions and inserted instruction texts."""

    stage: Stage
    order: list[int]
    inserted: dict[int, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    cost_before: float = 0.0
    cost_after: float = 0.0
    # Lock files (image paths) an unsafe split lets the install rewrite before the copy.
    rewritable: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        return bool(self.inserted) or self.order != [s.position for s in self.stage.steps]
