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
    """One finding per step the new order moves: the fewest steps whose moves explain it.

    The steps that keep their relative order form a longest subsequence of the original;
    every other step moved, up (above the first step it passed) or down (below the last).
    A broad copy moving below its install is DFX002's move (`split_pairs`), and a
    build-stamp ARG moving down (its variables in `relaxed`) is DFX003's.
    """
    placed = {n: i for i, n in enumerate(order)}
    rank_old = {p: i for i, p in enumerate(base)}
    kept = longest_kept(base, placed)
    out: list[Diagnostic] = []
    for position in base:
        if position in kept:
            continue
        step = steps[position]
        if step.keyword == "ARG" and effects[position].writes_vars <= relaxed:
            continue
        if any(broad == position for _, broad in split_pairs):
            continue  # the broad copy of an applied split: DFX002 reports it
        passed_down = [
            q for q in base if rank_old[q] > rank_old[position] and placed[q] < placed[position]
        ]
        passed_up = [
            q
            for q in base
            if rank_old[q] < rank_old[position]
            and placed[q] > placed[position]
            and (position, q) not in split_pairs
            and not (steps[q].keyword == "ARG" and effects[q].writes_vars <= relaxed)
        ]
        if passed_down:
            last = steps[max(passed_down, key=placed.__getitem__)]
            message = (
                f"move `{short(step)}` below `{short(last)}`: it changes more often, and "
                "the steps it passes no longer rerun when it changes"
            )
        elif passed_up:
            first = steps[min(passed_up, key=rank_old.__getitem__)]
            message = f"move `{short(step)}` above `{short(first)}`: it changes less often"
        else:
            continue  # only DFX002's own move
        out.append(
            Diagnostic(codes.REORDER, message, step.instruction.start_line, "safe", applied=True)
        )
    return out


def longest_kept(base: Sequence[int], placed: dict[int, int]) -> set[int]:
    """The original steps on a longest subsequence that the new order keeps in base order
    (patience sorting over their new places; ties go to the earliest steps)."""
    import bisect

    seq = list(base)
    tails: list[int] = []
    tails_idx: list[int] = []
    back = [-1] * len(seq)
    for i, p in enumerate(seq):
        r = placed[p]
        k = bisect.bisect_left(tails, r)
        if k == len(tails):
            tails.append(r)
            tails_idx.append(i)
        else:
            tails[k] = r
            tails_idx[k] = i
        back[i] = tails_idx[k - 1] if k > 0 else -1
    keep: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(seq[i])
        i = back[i]
    return keep
