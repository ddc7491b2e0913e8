"""DFX003 build-stamp-args: ARGs whose value changes with every build, moved to their first use.

The move is made by the order search once the constraints on these variables are relaxed
(`--unsafe-fixes`); this module finds the ARGs and reports them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule, short
from dockerfix.fixes.suppression import Suppressions
from dockerfix.model.effects import Effect
from dockerfix.model.stages import Stage, Step
from dockerfix.model.volatility import is_volatile_arg
from dockerfix.syntax.lineparse import parse_words

RULE = rule(
    codes.BUILD_STAMPS,
    "build-stamp-args",
    "unsafe",
    "Move build-stamp ARGs (version, commit, date) down to their first use.",
    """
## What it does
Finds `ARG` instructions without a default whose names say they change with every build
(`VERSION`, `GIT_COMMIT`, `BUILD_DATE`, `REVISION`, …) and moves each one down to just before
the first step that uses it.

## Why
Build arguments are part of the environment of every `RUN` after their `ARG` line, so a new
value invalidates the cache of all of them, even of steps that never use the value:
`ARG GIT_COMMIT` at the top of a stage reinstalls every dependency on every commit.

## Example
```dockerfile
ARG GIT_COMMIT
RUN apt-get update && apt-get install -y curl
LABEL org.opencontainers.image.revision=$GIT_COMMIT
```
becomes (with `--unsafe-fixes`)
```dockerfile
RUN apt-get update && apt-get install -y curl
ARG GIT_COMMIT
LABEL org.opencontainers.image.revision=$GIT_COMMIT
```

## Fix safety
Unsafe: a process sees the whole environment, so a `RUN` that never names the variable may
still read it (a build tool reading `VERSION` from the environment, say). dockerfix treats
every `RUN` it moves the `ARG` across as reading only the variables its script names; without
`--unsafe-fixes` it only reports the finding.
""",
)


def build_stamp_args(stage: Stage, suppress: Suppressions | None = None) -> frozenset[str]:
    """ARGs of the stage whose value changes with every build (version, commit, date)."""
    names: set[str] = set()
    for step in stage.steps:
        if step.keyword == "ARG" and not (
            suppress and suppress.ignores(step.position, codes.BUILD_STAMPS)
        ):
            for word in parse_words(step.instruction.args, "\\"):
                name, eq, _ = word.partition("=")
                if is_volatile_arg(name, bool(eq)):
                    names.add(name)
    return frozenset(names)


def stamp_diagnostics(
    base: Sequence[int],
    order: Sequence[int],
    steps: dict[int, Step],
    effects: dict[int, Effect],
    stamps: frozenset[str],
    unsafe: bool,
) -> list[Diagnostic]:
    """A finding per build-stamp ARG: moved (unsafe mode) or reported with the fix to use."""
    placed = {n: i for i, n in enumerate(order)}
    out = []
    for i, position in enumerate(base):
        step = steps[position]
        if step.keyword != "ARG" or not (effects[position].writes_vars & stamps):
            continue
        names = ", ".join(sorted(effects[position].writes_vars & stamps))
        passed_by = [q for q in base[i + 1 :] if placed[q] < placed[position]]
        if unsafe and passed_by:
            out.append(
                Diagnostic(
                    codes.BUILD_STAMPS,
                    f"move `{short(step)}` down to its first use: the steps before it no "
                    f"longer rerun when {names} changes",
                    step.instruction.start_line,
                    "unsafe",
                    applied=True,
                )
            )
            continue
        later_runs = [
            q
            for q in base[i + 1 :]
            if steps[q].keyword == "RUN"
            and effects[q].cost >= 1.0
            and not (effects[position].writes_vars & (effects[q].named_vars or frozenset()))
        ]
        if later_runs and not unsafe:
            out.append(
                Diagnostic(
                    codes.BUILD_STAMPS,
                    f"`{short(step)}` changes with every build and every RUN after it reruns; "
                    "--unsafe-fixes moves it down to its first use",
                    step.instruction.start_line,
                    "unsafe",
                    reason="a RUN sees every variable, so moving an ARG below it is unsafe",
                )
            )
    return out
