"""What every build engine gives verify: build results, the Engine interface, picking an engine.

Two engines implement it: Docker's daemon with BuildKit (`docker.py`, what users build with)
and buildah (`buildah.py`). `find_engine("auto")` takes Docker when a daemon answers, else
buildah, else refuses with one line naming what to install.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from dockerfix.build.imagediff import ImageSnapshot
from dockerfix.records import dataclass

__all__ = [
    "ENGINES",
    "SEPARATION_MARKER",
    "BuildResult",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "LogLine",
    "StepResult",
]

ENGINES = ("auto", "docker", "buildah")

# The file an engine may add to a base image to keep builds of different variants apart in
# its cache (Engine.separate); comparisons of images leave it out.
SEPARATION_MARKER = "/.dockerfix-verify"


class EngineUnavailable(RuntimeError):
    """No usable build engine: the message is one line and says how to get one."""


class EngineError(RuntimeError):
    """A build-engine command failed for a reason other than the Dockerfile being built."""


@dataclass(frozen=True)
class LogLine:
    """One line of build output, stamped with seconds since the build started."""

    seconds: float
    text: str


@dataclass(frozen=True)
class StepResult:
    """One Dockerfile instruction as the build ran it.

    `stage` counts from 0 (first stage); `index` counts the stage's steps from 0 (its FROM).
    buildah counts every instruction; BuildKit only those that touch the filesystem (FROM,
    RUN, COPY, ADD, WORKDIR), since the others only edit the image config. A FROM step
    resolves an image that already exists and never executes, so it counts as cached.
    """

    index: int
    stage: int
    instruction: str
    cached: bool
    seconds: float


@dataclass(frozen=True)
class BuildResult:
    """The outcome of one build: its steps in order, timings, the image id and the full log."""

    steps: tuple[StepResult, ...]
    wall_seconds: float
    image_id: str | None
    ok: bool
    log: tuple[LogLine, ...]

    @property
    def executed(self) -> list[str]:
        """Instructions that ran (missed the cache), in build order."""
        return [s.instruction for s in self.steps if not s.cached]

    @property
    def cached(self) -> list[str]:
        """Instructions that came from the cache (FROM included), in build order."""
        return [s.instruction for s in self.steps if s.cached]

    def tail(self, lines: int = 20) -> str:
        """The last lines of output, for an error message."""
        return "\n".join(line.text for line in self.log[-lines:])


class Engine(Protocol):
    """What `dockerfix verify`, the real-build tests and the benchmarks need from a builder."""

    name: str

    def where(self) -> str:
        """Where the images live, for the report: a store directory or a daemon address."""
        ...

    def build(
        self,
        dockerfile: Path,
        context: Path,
        tag: str,
        *,
        on_line: Callable[[LogLine], None] | None = None,
        no_cache: bool = False,
    ) -> BuildResult: ...

    def separate(self, image: str, key: str) -> str | None:
        """A name for `image` whose builds share no cache with other keys, or None if a
        LABEL after FROM already keeps them apart (it does for buildah, not for BuildKit).
        The copy may hold one more file, SEPARATION_MARKER."""
        ...

    def tag(self, image: str, *tags: str) -> None: ...

    def exists(self, image: str) -> bool: ...

    def remove(self, tag: str) -> None: ...

    def prune(self) -> None: ...

    def cleanup(self) -> None: ...

    def snapshot(self, tag: str) -> ImageSnapshot: ...

    def config(self, tag: str) -> dict[str, Any]: ...


def works(command: list[str]) -> bool:
    """Whether `command` exists on PATH and exits 0 within 30 seconds."""
    if shutil.which(command[0]) is None and not Path(command[0]).is_file():
        return False
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def stream(
    command: list[str],
    on_line: Callable[[LogLine], None] | None,
    env: dict[str, str] | None = None,
) -> tuple[list[LogLine], float, int]:
    """Run `command`, stamping each output line as it arrives; stdout and stderr interleaved."""
    start = time.monotonic()
    lines: list[LogLine] = []
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = LogLine(time.monotonic() - start, raw.decode("utf-8", "replace").rstrip("\n"))
            lines.append(line)
            if on_line is not None:
                on_line(line)
        code = proc.wait()
    return lines, time.monotonic() - start, code


def last_line(text: str) -> str:
    """The last non-blank line of a command's output, for a one-line error."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
