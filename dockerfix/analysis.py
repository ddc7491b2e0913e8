"""Analysis: one Dockerfile against its build context, each part built once, on first use.

The rewrite, `explain`, `verify` and the graph formats all start from an Analysis, so they
agree on the context (the same `.dockerignore`, the Dockerfile's own `<name>.dockerignore`
included), the model and the effects, and none of them walks the context or models the file
twice.
"""

from __future__ import annotations

from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from dockerfix.fixes import codes
from dockerfix.fixes.suppression import Suppressions, read_suppressions
from dockerfix.records import dataclass
from dockerfix.settings import Settings
from dockerfix.syntax import Dockerfile

if TYPE_CHECKING:  # the model is loaded only when a step can move
    from dockerfix.model.context import BuildContext
    from dockerfix.model.effects import Effect
    from dockerfix.model.stages import Model, Stage
    from dockerfix.model.volatility import History


@dataclass(eq=False)
class Analysis:
    """A parsed Dockerfile, its build context folder, and the settings of the run.

    `context_dir` None: no build context is known (fixes that need the files decline).
    `ignore_text` stands in for the `.dockerignore` the build would use (a planned one).
    """

    tree: Dockerfile
    settings: Settings = field(default_factory=Settings)
    context_dir: Path | None = None
    dockerfile_path: Path | None = None
    ignore_text: str | None = None
    _effects: dict[int, dict[int, Effect]] = field(default_factory=dict, repr=False)

    @cached_property
    def suppressions(self) -> Suppressions:
        return read_suppressions(self.tree, codes.KNOWN)

    @cached_property
    def context(self) -> BuildContext | None:
        """The build context as the build sees it, walked once."""
        if self.context_dir is None:
            return None
        from dockerfix.model.context import BuildContext

        return BuildContext.load(self.context_dir, self.dockerfile_path, self.ignore_text)

    @cached_property
    def model(self) -> Model:
        from dockerfix.model.stages import build_model

        return build_model(self.tree)

    @cached_property
    def history(self) -> History | None:
        """Recent commits of the context's repository, when the settings allow git."""
        if not self.settings.use_git or self.context_dir is None:
            return None
        from dockerfix.model.volatility import load_history

        return load_history(self.context_dir)

    def start_history(self) -> None:
        """Start reading the history in the background, when `history` will want it."""
        wanted = self.settings.use_git and "history" not in self.__dict__
        if wanted and self.context_dir is not None:
            from dockerfix.model.volatility import start_history

            start_history(self.context_dir)

    def effects(self, stage: Stage) -> dict[int, Effect]:
        """The effect of every step of `stage` in this context, computed once."""
        found = self._effects.get(stage.index)
        if found is None:
            from dockerfix.model.effects import stage_effects

            found = self._effects[stage.index] = stage_effects(self.model, stage, self.context)
        return found

    def with_ignore(self, ignore_text: str) -> Analysis:
        """The same Dockerfile with `ignore_text` as its `.dockerignore` (a new context walk;
        the model, suppressions and history are shared)."""
        other = Analysis(
            self.tree, self.settings, self.context_dir, self.dockerfile_path, ignore_text
        )
        for name in ("model", "suppressions", "history"):
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    def for_text(self, text: str) -> Analysis:
        """Another version of this Dockerfile (a rewrite) in the same build context: the
        context walk and the history are shared."""
        from dockerfix.syntax import parse

        other = Analysis(
            parse(text), self.settings, self.context_dir, self.dockerfile_path, self.ignore_text
        )
        for name in ("context", "history"):
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    @classmethod
    def in_context(
        cls, tree: Dockerfile, ctx: BuildContext | None, settings: Settings | None = None
    ) -> Analysis:
        """An analysis of `tree` in a build context the caller has walked already."""
        made = cls(tree, settings or Settings(), ctx.root if ctx is not None else None)
        made.__dict__["context"] = ctx
        return made
