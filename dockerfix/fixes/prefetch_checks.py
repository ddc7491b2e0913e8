"""What a dependency step of DFX007 may run across and how its RUN texts must read: the
checks the planner (`prefetch`) and the safe-mode check of the rewrite share."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import replace

from dockerfix.fixes.prefetch_rows import is_wrapper_chmod
from dockerfix.fixes.prefetch_script import chain_parts, read_script
from dockerfix.model.effects import Effect
from dockerfix.model.paths import PathSet, is_under
from dockerfix.model.runs import SYSTEM_TOPS, script_text
from dockerfix.model.stages import State, Step
from dockerfix.syntax import parse


def beside_system(crossed: Effect, download: Effect) -> bool:
    """``crossed`` touches only paths it names, in folders at the top of the image outside
    the system's (`COPY .docker /assets`, `cp -r /ui-build /src/app/ui/build`), and none of
    the files the download names. A package manager's download reads and writes its
    project's manifests and the system's folders (its caches, its configuration, /etc, /usr,
    /root), none of these: taken so in this unsafe tier."""
    if crossed.writes_vars or crossed.writes_state:
        return False
    sets = (crossed.reads, crossed.writes)
    if any(s.everything or s.outside is not None for s in sets):
        return False
    touched = crossed.reads.paths | crossed.writes.paths
    if any(path.split("/", 2)[1] in SYSTEM_TOPS for path in touched):
        return False
    named = PathSet(download.reads.paths | download.writes.paths)
    return not PathSet(touched).overlaps(named)


# Build arguments that choose the target platform: no package manager's download reads them
# (Go downloads every platform's modules; CGO_ENABLED only matters to the compiler).
PLATFORM_VARS = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "CGO_ENABLED",
        "GOOS",
        "GOARCH",
        "GOARM",
        "GOAMD64",
        "GOARM64",
    }
)


def platform_only(effect: Effect) -> bool:
    """An ARG or ENV that sets only platform arguments: a download does not see them."""
    return effect.kind == "env" and bool(effect.writes_vars) and effect.writes_vars <= PLATFORM_VARS


def same_state(a: State, b: State) -> bool:
    """Two build states the download would run the same in: equal but for platform args."""
    if (a.workdir, a.user, a.shell) != (b.workdir, b.user, b.shell):
        return False
    names = set(a.env) | set(b.env)
    return all(a.env.get(n) == b.env.get(n) or n in PLATFORM_VARS for n in names)


def env_difference(a: State, b: State) -> dict[str, str] | None:
    """The variables state ``b`` has that ``a`` lacks or has otherwise (platform arguments
    aside), when that is all that differs and each value is known; None otherwise."""
    if (a.workdir, a.user, a.shell) != (b.workdir, b.user, b.shell):
        return None
    diff: dict[str, str] = {}
    for name in set(a.env) | set(b.env):
        if name in PLATFORM_VARS or a.env.get(name) == b.env.get(name):
            continue
        value = b.env.get(name)
        if value is None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return None
        diff[name] = value
    return diff


def without_scratch(effect: Effect, scratch: Sequence[str] | set[str]) -> Effect:
    """``effect`` without the reads and writes below folders the RUN creates and removes."""

    def keep(paths: PathSet) -> PathSet:
        kept = frozenset(p for p in paths.paths if not any(is_under(p, s) for s in scratch))
        return PathSet(kept, paths.everything, paths.outside)

    return replace(effect, reads=keep(effect.reads), writes=keep(effect.writes))


def without(paths: PathSet, removed: set[str]) -> PathSet:
    return PathSet(
        frozenset(p for p in paths.paths if p not in removed), paths.everything, paths.outside
    )


def wrapper_chmod_text(step: Step) -> str | None:
    """The script of a RUN that only makes a build wrapper executable (`chmod +x mvnw`)."""
    text = script_text(step) if step.keyword == "RUN" and not step.instruction.flags else None
    script = read_script(text) if text is not None else None
    if script is None or not script.commands or script.chain is None:
        return None
    if not all(is_wrapper_chmod(c) for c in script.commands):
        return None
    return " && ".join(script.chain)


def _is_cd_to_workdir(argv: list[str]) -> bool:
    return len(argv) == 2 and argv[0] == "cd" and argv[1].startswith("/")


def split_run_text(original: str, install: str, rest: str, added: str | None = None) -> bool:
    """The two RUN texts run exactly the original's `&&` chain, in order, with its flags;
    with ``added``, the first one ends with that dependency-only command, and only it."""
    tree = parse(original + "\n")
    if tree.errors or len(tree.instructions) != 1:
        return False
    ins = tree.instructions[0]
    parts = chain_parts(ins.args) if not ins.json and not ins.heredocs else None
    if parts is None:
        return False
    pieces: list[list[str]] = []
    try:
        words = [shlex.split(p) for p in parts]
        for text in (install, rest):
            sub = parse(text + "\n")
            if sub.errors or len(sub.instructions) != 1 or sub.instructions[0].flags != ins.flags:
                return False
            args = sub.instructions[0].args.strip()
            if text is install and added is not None:
                # The dependency command this fix adds ends the first RUN (its text as
                # written: it may redirect, which a plain chain does not).
                head = args.removesuffix(added).rstrip()
                if head == args or not head.endswith("&&"):
                    return False
                args = head.removesuffix("&&").rstrip()
            chain = chain_parts(args)
            if chain is None:
                return False
            split = [shlex.split(p) for p in chain]
            if text is install and len(split) > 1 and _is_cd_to_workdir(split[0]):
                split = split[1:]  # the `cd` to the build's WORKDIR that this fix adds
            if text is rest and pieces and words[0][:1] == ["cd"] and split[:1] == words[:1]:
                split = split[1:]  # the chain's leading `cd`, repeated in the second RUN
            pieces += split
    except ValueError:
        return False
    return pieces == words
