"""Build contexts from the commands that build the image: `docker build -f FILE CONTEXT` (also
`docker buildx build`, `podman build`, `buildah bud`) in a Makefile or a GitHub Actions
workflow, and the `file` and `context` inputs of docker/build-push-action.

Only literal paths count: a context or file given by a variable (`$(CTX)`, `${{ … }}`) says
nothing here, and a Dockerfile that two commands build from different contexts gets none.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_WORKFLOWS = Path(".github") / "workflows"

# `docker build`, `docker buildx build`, `docker image build`, `podman build`, `buildah bud`.
_BUILD = re.compile(
    r"(?<![\w./-])(?:docker(?:\s+buildx|\s+image)?\s+build|podman\s+build|buildah\s+(?:bud|build))"
    r"(?=\s)"
)
# The options of those commands that take a value as the next word.
_VALUED = frozenset(
    {
        "-t", "--tag", "-f", "--file", "--build-arg", "--target", "--platform", "-o",
        "--output", "--cache-from", "--cache-to", "--label", "--secret", "--ssh",
        "--progress", "--network", "--iidfile", "--metadata-file", "--build-context",
        "--add-host", "--shm-size", "--ulimit", "--builder", "--allow", "--annotation",
        "--attest", "--cgroup-parent", "-m", "--memory", "--memory-swap", "--cpu-shares",
        "-c", "--cpuset-cpus", "--cpuset-mems", "--isolation", "--call", "--layers",
        "--format", "--jobs", "--sign-by", "--authfile", "--creds", "--build-arg-file",
        "--env", "--runtime", "--arch", "--os", "--variant", "--volume", "-v",
    }
)  # fmt: skip


def script_contexts_above(files: Iterable[Path]) -> dict[Path, Path]:
    """Resolved Dockerfile path → build context, from the Makefiles in each Dockerfile's folder
    and the folders above it up to its repository's top, and the top's workflows."""
    from dockerfix.integrations.gitrepo import find_git_dir

    found: dict[Path, set[Path]] = {}
    read: set[Path] = set()
    for file in files:
        folder = _real(file).parent
        git_dir = find_git_dir(folder)
        top = git_dir.parent if git_dir is not None else folder
        while True:
            for name in MAKEFILES:
                _add(found, read, folder / name, lambda p: _from_text(_read(p), p.parent))
            if folder == top or folder.parent == folder:
                break
            folder = folder.parent
        workflows = top / _WORKFLOWS
        if workflows.is_dir():
            for path in sorted(workflows.iterdir()):
                if path.suffix in (".yml", ".yaml"):
                    _add(found, read, path, functools.partial(_from_workflow, top=top))
    return {dockerfile: next(iter(c)) for dockerfile, c in found.items() if len(c) == 1}


def _real(path: Path) -> Path:
    # os.path.realpath, unlike Path.resolve, does not raise on a symlink loop.
    return Path(os.path.realpath(path))


def _add(
    found: dict[Path, set[Path]],
    read: set[Path],
    path: Path,
    pairs: Callable[[Path], Iterable[tuple[Path, Path]]],
) -> None:
    if path in read or not path.is_file():
        return
    read.add(path)
    for dockerfile, context in pairs(path):
        if dockerfile.is_file() and context.is_dir():
            found.setdefault(dockerfile, set()).add(context)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _from_text(text: str, cwd: Path) -> Iterator[tuple[Path, Path]]:
    """The (Dockerfile, context) of every build command in shell or make text run in ``cwd``."""
    joined = re.sub(r"\\\r?\n", " ", text)
    for line in joined.splitlines():
        for match in _BUILD.finditer(line):
            rest = re.split(r"&&|\|\||[;|]", line[match.end() :], maxsplit=1)[0]
            pair = _build_args(rest)
            if pair is not None:
                dockerfile, context = pair
                base = _real(cwd / context)
                file = _real(cwd / dockerfile) if dockerfile else base / "Dockerfile"
                yield file, base


def _build_args(text: str) -> tuple[str | None, str] | None:
    """The `-f` file (None when not given) and the context of a build command's arguments."""
    try:
        words = shlex.split(_without_expansions(text), comments=True)
    except ValueError:
        return None
    dockerfile: str | None = None
    positionals: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-f", "--file") and i + 1 < len(words):
            dockerfile = words[i + 1]
            i += 2
            continue
        if word.startswith("--file="):
            dockerfile = word.partition("=")[2]
        elif word in _VALUED:
            i += 1
        elif not word.startswith("-"):
            positionals.append(word)
        i += 1
    # A word made by an expansion (`$(if $(PUSH),--push)`, `$EXTRA`) is taken for options:
    # docker takes one context, so a second one would make the command fail.
    literal = [w for w in positionals if "$" not in w]
    if len(literal) != 1 or dockerfile == "-":
        return None
    if any("$" in w or "://" in w or w.startswith("~") for w in (literal[0], dockerfile or "")):
        return None
    return dockerfile, literal[0]


def _without_expansions(text: str) -> str:
    """``text`` with each `$(…)` and `${…}` (nested ones too) made one word, `$X`."""
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        if text.startswith(("$(", "${"), i):
            if depth == 0:
                out.append("$X")
            depth += 1
            i += 2
            continue
        char = text[i]
        if depth:
            if char in "({":
                depth += 1
            elif char in ")}":
                depth -= 1
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _from_workflow(path: Path, top: Path) -> Iterator[tuple[Path, Path]]:
    """Build commands in `run` steps (run from the repository's top, or their
    `working-directory`) and docker/build-push-action steps of a GitHub Actions workflow."""
    text = _read(path)
    if "docker/build-push-action@" not in text and _BUILD.search(text) is None:
        return  # no build in it: not worth loading YAML (most runs pass here)
    import yaml

    from dockerfix.integrations.compose import load_yaml

    try:
        data = load_yaml(text)
    except yaml.YAMLError:
        return
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job in jobs.values() if isinstance(jobs, dict) else ():
        steps = job.get("steps") if isinstance(job, dict) else None
        for step in steps if isinstance(steps, list) else ():
            if not isinstance(step, dict):
                continue
            where = step.get("working-directory")
            cwd = top / where if isinstance(where, str) and "$" not in where else top
            if isinstance(step.get("run"), str):
                yield from _from_text(step["run"], cwd)
            uses = step.get("uses")
            inputs = step.get("with")
            if isinstance(uses, str) and uses.startswith("docker/build-push-action@"):
                yield from _build_push(inputs if isinstance(inputs, dict) else {}, top)


def _build_push(inputs: dict[str, Any], top: Path) -> Iterator[tuple[Path, Path]]:
    context = inputs.get("context", ".")
    file = inputs.get("file")
    if not isinstance(context, str) or (file is not None and not isinstance(file, str)):
        return
    if any("$" in w or "://" in w for w in (context, file or "")):
        return
    base = _real(top / context)
    # The action's `file` is relative to the workspace, like docker's -f to its cwd.
    yield (_real(top / file) if file else base / "Dockerfile"), base


def sources_context(dockerfile: Path) -> Path | None:
    """The repository's top, for a Dockerfile in a folder below it that does not hold the
    files its COPY and ADD instructions send while the top holds every one of them
    (`COPY go.mod go.sum ./` in docker/Dockerfile): the build could not run from its folder.
    None when the folder holds them, or the top does not either."""
    from dockerfix.integrations.gitrepo import find_git_dir
    from dockerfix.syntax import parse

    folder = _real(dockerfile).parent
    git_dir = find_git_dir(folder)
    if git_dir is None or git_dir.parent == folder:
        return None
    top = git_dir.parent
    try:
        tree = parse(dockerfile.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    sources: list[str] = []
    for ins in tree.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.heredocs or len(ins.value) < 2:
            continue
        if any(f.startswith("--from") for f in ins.flags):
            continue
        for source in ins.value[:-1]:
            if "$" in source or "://" in source or any(c in source for c in "*?["):
                continue
            sources.append(source)
    if not sources:
        return None
    here = [(folder / s).exists() for s in sources]
    there = [(top / s).exists() for s in sources]
    return top if not all(here) and all(there) else None
