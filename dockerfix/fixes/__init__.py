"""The fix registry: every fix code with its tier and documentation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    tier: str
    summary: str
    doc: str


RULES: dict[str, Rule] = {}


def _rule(code: str, name: str, tier: str, summary: str, doc: str) -> None:
    RULES[code] = Rule(code, name, tier, summary, doc.strip() + "\n")


_rule(
    "DFX000",
    "safety-check",
    "display-only",
    "A rewrite was computed but not applied because re-verification failed.",
    """
## What it does
After every rewrite dockerfix parses the new text again, rebuilds its model of what each
step reads and writes, and checks that every original instruction is still there byte for
byte, that each one runs with the same environment, working directory, user and shell, that
metadata instructions keep their order, and that every ordering constraint of the original
still holds. If any check fails, nothing is written and this diagnostic says why.

## Why
A tool that rewrites build files must never change the image they build.

## Fix safety
Not a fix: it reports that a fix was withheld.
""",
)

_rule(
    "DFX001",
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

_rule(
    "DFX002",
    "split-copy",
    "safe",
    "Copy dependency manifests before the install and the rest of the sources after it.",
    """
## What it does
Finds a dependency install (`pip install -r`, `npm ci`, `go mod download`, …) that runs after
a broad copy of the sources, and inserts a `COPY` of exactly the manifests the install reads
and that exist in the build context, runs the install, then copies the rest.

## Why
With `COPY . .` above the install, every source edit reruns the install. With the manifests
copied first, only a dependency change does.

## Example
```dockerfile
COPY . .
RUN pip install -r requirements.txt
```
becomes
```dockerfile
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
```

## Fix safety
Safe when the install provably reads only the manifests (nested `-r` files included) and the
later broad copy cannot overwrite what the install wrote (for example a `node_modules` folder
in the build context). The inserted `COPY` carries the same `--chown`/`--chmod`/`--link` as the
broad copy, which copies the same files again with the same content, so the final image is the
same. Otherwise dockerfix declines and says why (display-only): lifecycle scripts in
`package.json`, `pip install -e .`, a `gemspec` in the Gemfile, an install that reads other
project files, output folders present in the build context.
""",
)

_rule(
    "DFX003",
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

_rule(
    "DFX010",
    "invalid-suppression",
    "display-only",
    "A `# dockerfix: ignore[...]` comment names a code dockerfix does not have.",
    """
## What it does
Reports codes in `# dockerfix: ignore[CODE,...]` comments that are not dockerfix fix codes,
so a typo does not silently leave an instruction unprotected.

## Suppressions
- `# dockerfix: skip-file` anywhere in the file: dockerfix changes nothing in it.
- `# dockerfix: ignore` directly above an instruction (no blank line between): that
  instruction never moves and takes part in no split.
- `# dockerfix: ignore[DFX002]`, `# dockerfix: ignore[DFX001,DFX003]`: only those fixes.

Comments of other tools (`# hadolint ignore=DL3008`, `# check=skip=...`) are left alone.

## Fix safety
Not a fix.
""",
)


def _register_dockerignore_rules() -> None:
    from dockerfix.fixes.dockerignore_docs import RULE_DOCS

    for code, (name, tier, summary, doc) in RULE_DOCS.items():
        _rule(code, name, tier, summary, doc)


_register_dockerignore_rules()
