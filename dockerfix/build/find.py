"""Which build engine to use: Docker with BuildKit when a daemon answers, else buildah."""

from __future__ import annotations

from pathlib import Path

from dockerfix.build import buildah, docker
from dockerfix.build.engine import ENGINES, Engine, EngineUnavailable, works


def find_engine(preferred: str | None = None, *, store: Path | None = None) -> Engine:
    """A working build engine: `docker`, `buildah`, or `auto` (None): Docker first.

    Raises EngineUnavailable with a one-line message saying what to install when none works.
    """
    choice = preferred or "auto"
    if choice not in ENGINES:
        raise EngineUnavailable(f"unknown engine {choice!r}: choose {', '.join(ENGINES)}")
    problems: list[str] = []
    if choice in ("auto", "docker"):
        client = docker.find_client()
        if isinstance(client, docker.DockerEngine):
            return client
        problems.append(client)
    if choice in ("auto", "buildah"):
        if works(["buildah", "version"]):
            return buildah.BuildahEngine(store or buildah.default_store())
        problems.append(f"buildah is not installed or does not run ({buildah.INSTALL_HINT})")
    raise EngineUnavailable("; ".join(problems))
