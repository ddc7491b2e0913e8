"""DFX001 reorder: report each step the chosen order moves above steps it used to follow.

The order itself is chosen by `dockerfix.pipeline.order` over the constraints of
`dockerfix.model.constraints`; this module names the moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule, short
from dockerfix.model.effects import Effect
from dockerfix.model.stages import Step

RULE = rule(
    codes.REORDER,
    "reorder",
    "safe",
    "Move steps so that rarely changing steps come before frequently changing ones.",
    """
## What it does
Builds the dependency graph of each stage (files, variables, working directory, user, shell,
metadata) and picks the order with the lowest expected rebuild cost: each step's cost times
the chance that it or a step before it is invalidated by a typical commit. Among equally good
orders it keeps the one closest to the original, and it moves nothing unless the saving is
real (at least 0.5 cost units and 2% of the stage).

## Why
BuildKit reruns the first step whose inputs changed and every step after it. A
`COPY . .` above `RUN apt-get install …` reinstalls system packages on every source edit.

## Example
```dockerfile
WORKDIR /src
COPY . .
RUN apt-get update && apt-get install -y curl
```
becomes
```dockerfile
WORKDIR /src
RUN apt-get update && apt-get install -y curl
COPY . .
```

## Fix safety
Safe: only moves that the dependency graph allows, each instruction kept byte for byte with
its comments, verified again before writing. A RUN that dockerfix cannot analyse is assumed
to read and write everything and is never moved across a step it might depend on.
""",
)


def reorder_diagnostics(
    base: Sequence[int],
    order: Sequence[int],
    steps: dict[int, Step],
    effects: dict[int, Effect],
    split_pairs: set[tuple[int, int]],
    relaxed: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """One finding per step that now runs before steps that used to run before it.

    The install/broad-copy pair of an applied split is DFX002's move (`split_pairs`), and a
    build-stamp ARG moving down (its variables in `relaxed`) is DFX003's.
    """
    out: list[Diagnostic] = []
    placed = {n: i for i, n in enumerate(order)}
    rank_old = {p: i for i, p in enumerate(base)}
    for position in base:
        passed = [
            q
            for q in base
            if rank_old[q] < rank_old[position]
            and placed[q] > placed[position]
            and (position, q) not in split_pairs
            and not (steps[q].keyword == "ARG" and effects[q].writes_vars <= relaxed)
        ]
        if not passed:
            continue
        step = steps[position]
        first = steps[min(passed, key=rank_old.__getitem__)]
        out.append(
            Diagnostic(
                codes.REORDER,
                f"move `{short(step)}` above `{short(first)}`: it changes less often",
                step.instruction.start_line,
                "safe",
                applied=True,
            )
        )
    return out
