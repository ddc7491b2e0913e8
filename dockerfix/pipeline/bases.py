"""Base images across a repository: different tags of one image, and first stages in common.

Images that share base layers download and store them once, and a build host's cache of a
common first stage serves every Dockerfile that starts with it.  This is advice only
(display-only): aligning tags can change what an image contains.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dockerfix.model.stages import build_model
from dockerfix.model.variables import expand
from dockerfix.records import dataclass
from dockerfix.syntax import parse


@dataclass(frozen=True)
class BaseUse:
    dockerfile: str
    line: int
    image: str  # repository, normalised (docker.io/library/ dropped)
    reference: str  # tag or digest as written ("latest" when none)


@dataclass(frozen=True)
class BaseFinding:
    kind: str  # "tags" or "common-stage"
    message: str
    places: tuple[str, ...]


def split_reference(ref: str) -> tuple[str, str]:
    """('python', '3.12-slim') for python:3.12-slim; digests kept with their algorithm."""
    name, at, digest = ref.partition("@")
    if at:
        return _normalise(name.rsplit(":", 1)[0] if ":" in name.split("/")[-1] else name), digest
    last = name.split("/")[-1]
    if ":" in last:
        repo, _, tag = name.rpartition(":")
        return _normalise(repo), tag
    return _normalise(name), "latest"


def _normalise(repo: str) -> str:
    for prefix in ("docker.io/library/", "index.docker.io/library/", "library/", "docker.io/"):
        if repo.startswith(prefix):
            return repo[len(prefix) :]
    return repo


def collect(paths: Iterable[Path], root: Path) -> tuple[list[BaseUse], dict[str, list[str]]]:
    """FROM images of every stage (not stage names, not scratch) and each first stage's text."""
    uses: list[BaseUse] = []
    first_stages: dict[str, list[str]] = {}
    for path in paths:
        try:
            tree = parse(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if tree.errors:
            continue
        shown = _shown(path, root)
        model = build_model(tree)
        for stage in model.stages:
            if stage.base_stage is not None or stage.base.lower() == "scratch":
                continue
            image = expand(stage.base, model.global_args, tree.escape).value or stage.base
            repo, ref = split_reference(image)
            uses.append(BaseUse(shown, stage.start.instruction.start_line, repo, ref))
        if model.stages:
            first = model.stages[0]
            steps = [first.start.instruction.original.split(" AS ")[0].split(" as ")[0]]
            for step in first.steps:
                if step.keyword in ("COPY", "ADD") and not any(
                    f.startswith("--from") for f in step.instruction.flags
                ):
                    break  # the common part ends where the project's own files come in
                steps.append(" ".join(step.instruction.original.split()))
            first_stages[shown] = steps
    return uses, first_stages


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def findings(uses: list[BaseUse], first_stages: dict[str, list[str]]) -> list[BaseFinding]:
    out: list[BaseFinding] = []
    by_image: dict[str, dict[str, list[str]]] = {}
    for use in uses:
        by_image.setdefault(use.image, {}).setdefault(use.reference, []).append(
            f"{use.dockerfile}:{use.line}"
        )
    for image, refs in sorted(by_image.items()):
        if len(refs) > 1:
            listing = "; ".join(
                f"{ref} ({', '.join(places)})" for ref, places in sorted(refs.items())
            )
            out.append(
                BaseFinding(
                    "tags",
                    f"{image} is used as {len(refs)} different versions: {listing}. One tag "
                    "shares its layers between these images (check each one still works).",
                    tuple(p for places in refs.values() for p in places),
                )
            )
    groups: dict[tuple[str, ...], list[str]] = {}
    for shown, steps in first_stages.items():
        if len(steps) >= 3:  # FROM and at least two instructions before the project's files
            groups.setdefault(tuple(steps), []).append(shown)
    for lead, files in sorted(groups.items()):
        if len(files) > 1:
            out.append(
                BaseFinding(
                    "common-stage",
                    f"{len(files)} Dockerfiles start with the same {len(lead)} instructions "
                    f"({lead[0]} …): a shared base image or stage would build them once.",
                    tuple(sorted(files)),
                )
            )
    return out
