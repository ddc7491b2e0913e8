"""Build images with Docker's daemon and BuildKit, and report which steps came from the cache.

BuildKit prints `#N [stage i/n] INSTRUCTION` for each step that touches the filesystem, then
`#N CACHED` or `#N DONE 1.2s`. Images are read back with `docker save` (the layers, applied
with their whiteouts) and `docker image inspect` (the config). Builds use the host's network
(`--network host`) and run RUN commands in containers of the daemon, as root inside them.

Clients from Docker 23 on build with BuildKit only through the buildx plugin; a 20.10 client
(Debian's docker.io) has BuildKit built in. `find_client` takes the first that can build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dockerfix.build.engine import (
    SEPARATION_MARKER,
    BuildResult,
    EngineError,
    LogLine,
    StepResult,
    last_line,
    stream,
    works,
)
from dockerfix.build.imagediff import ImageSnapshot, snapshot_image_archive

__all__ = ["INSTALL_HINT", "DockerEngine", "find_client", "parse_buildkit_steps"]

INSTALL_HINT = "apt-get install docker.io gives dockerd and a client with BuildKit built in"
DEFAULT_HOST = "unix:///var/run/docker.sock"
_CLIENTS = ("docker", "/usr/bin/docker")

_STEP = re.compile(r"^#(?P<id>\d+) \[(?:(?P<stage>\S+) )?(?P<index>\d+)/\d+\] (?P<instruction>.*)$")
_STATUS = re.compile(r"^#(?P<id>\d+) (?P<status>CACHED|DONE|ERROR|CANCELED)\b(?: (?P<s>[\d.]+)s)?")


def find_client(host: str | None = None) -> DockerEngine | str:
    """A Docker engine whose client builds with BuildKit and whose daemon answers, or why not."""
    candidates: list[str] = []
    for name in _CLIENTS:
        path = shutil.which(name) or (name if os.path.isfile(name) else None)
        if path and os.path.realpath(path) not in map(os.path.realpath, candidates):
            candidates.append(path)
    if not candidates:
        return f"docker is not installed ({INSTALL_HINT})"
    problems = []
    for client in candidates:
        engine = DockerEngine(client, host)
        if not engine.daemon_answers():
            return f"no Docker daemon answers at {engine.host} (start dockerd; {INSTALL_HINT})"
        version = engine.client_version()
        if _builtin_buildkit(version) or works([client, "buildx", "version"]):
            return engine
        problems.append(f"{client} {version} needs the missing buildx plugin for BuildKit")
    return "; ".join(problems) + f"; {INSTALL_HINT}"


def _builtin_buildkit(version: str) -> bool:
    major = version.split(".", 1)[0]
    return major.isdigit() and 18 <= int(major) < 23


class DockerEngine:
    """A Docker daemon reached through one client; builds always use BuildKit."""

    name = "docker"

    def __init__(self, client: str, host: str | None = None) -> None:
        self.client = client
        self.host = host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        self.env = {**os.environ, "DOCKER_BUILDKIT": "1", "DOCKER_HOST": self.host}
        self.separated: list[str] = []

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a docker subcommand against this daemon and return its captured output."""
        done = subprocess.run(
            [self.client, *args], capture_output=True, text=True, check=False, env=self.env
        )
        if check and done.returncode != 0:
            raise EngineError(f"docker {' '.join(args)}: {last_line(done.stderr)}")
        return done

    def daemon_answers(self) -> bool:
        """Whether the daemon replies to `docker version` within 30 seconds."""
        try:
            done = subprocess.run(
                [self.client, "version", "--format", "{{.Server.Version}}"],
                capture_output=True,
                env=self.env,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    def client_version(self) -> str:
        done = self.run("version", "--format", "{{.Client.Version}}", check=False)
        return done.stdout.strip() or "(unknown version)"

    def where(self) -> str:
        """The daemon's address."""
        return self.host

    # -- building -----------------------------------------------------------------------------

    def build(
        self,
        dockerfile: Path,
        context: Path,
        tag: str,
        *,
        on_line: Callable[[LogLine], None] | None = None,
        no_cache: bool = False,
    ) -> BuildResult:
        """Build with BuildKit and plain progress; FROM images present locally are not pulled."""
        with tempfile.TemporaryDirectory(prefix="dockerfix-iid-") as tmp:
            iidfile = Path(tmp) / "iid"
            command = [self.client, "build", "--progress", "plain", "--network", "host"]
            command += ["--iidfile", str(iidfile), "-f", str(dockerfile), "-t", tag]
            command += ["--no-cache"] if no_cache else []
            lines, wall, code = stream([*command, str(context)], on_line, self.env)
            written = iidfile.read_text() if code == 0 and iidfile.exists() else ""
            image_id = written.strip().removeprefix("sha256:") or None
        stages = _stage_names(dockerfile)
        return BuildResult(
            parse_buildkit_steps(lines, stages), wall, image_id, code == 0, tuple(lines)
        )

    def separate(self, image: str, key: str) -> str:
        """A copy of `image` holding one more file, so that its builds share no cache entries.

        BuildKit leaves LABEL out of its cache keys and matches steps by the content of what
        they start from, so only a different filesystem keeps keys apart: the copy holds
        SEPARATION_MARKER with `key` in it, a path verify leaves out of every comparison.
        """
        digest = hashlib.sha256(image.encode()).hexdigest()[:12]
        tag = f"localhost/dockerfix-base-{digest}:{key}"
        if not self.exists(tag):
            with tempfile.TemporaryDirectory(prefix="dockerfix-base-") as tmp:
                context = Path(tmp)
                (context / "marker").write_text(key + "\n")
                (context / "Dockerfile").write_text(
                    f"FROM {image}\nCOPY marker {SEPARATION_MARKER}\n"
                )
                result = self.build(context / "Dockerfile", context, tag)
            if not result.ok:
                raise EngineError(f"cannot copy {image}: {last_line(result.tail())}")
            self.separated.append(tag)
        return tag

    def tag(self, image: str, *tags: str) -> None:
        """Give an existing image more names."""
        for name in tags:
            self.run("tag", image, name)

    def exists(self, image: str) -> bool:
        """Whether `image` (a name or id) is known to the daemon."""
        return self.run("image", "inspect", image, check=False).returncode == 0

    def remove(self, tag: str) -> None:
        """Drop a tag; BuildKit's build cache keeps the steps (it is pruned on its own terms)."""
        self.run("rmi", tag, check=False)

    def prune(self) -> None:
        """Remove dangling images; the user's build cache is left alone."""
        self.run("image", "prune", "--force")

    def cleanup(self) -> None:
        """Remove the relabelled base copies this engine made."""
        for tag in reversed(self.separated):
            self.remove(tag)
        self.separated.clear()

    # -- inspecting ---------------------------------------------------------------------------

    def snapshot(self, tag: str) -> ImageSnapshot:
        """Every path of the image's filesystem, read from its layers (`docker save`)."""
        with subprocess.Popen(
            [self.client, "save", tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            try:
                snapshot = snapshot_image_archive(proc.stdout)
            except (ValueError, KeyError, OSError) as error:
                proc.kill()
                raise EngineError(f"docker save {tag}: {error}") from error
            errors = proc.stderr.read().decode("utf-8", "replace")
            if proc.wait() != 0:
                raise EngineError(f"docker save {tag}: {last_line(errors)}")
        return snapshot

    def config(self, tag: str) -> dict[str, Any]:
        """The `docker image inspect` JSON of the image; the run config is under Config."""
        data = json.loads(self.run("image", "inspect", tag).stdout)
        if not (isinstance(data, list) and data and isinstance(data[0], dict)):
            raise EngineError(f"docker image inspect {tag}: unexpected output")
        return data[0]


def _stage_names(dockerfile: Path) -> dict[str, int]:
    """Stage names (lower case, as BuildKit prints them) to their position in the file."""
    from dockerfix.syntax import parse

    try:
        text = dockerfile.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    names: dict[str, int] = {}
    froms = [ins for ins in parse(text).instructions if ins.keyword == "FROM"]
    for position, ins in enumerate(froms):
        words = ins.value
        if len(words) >= 3 and words[-2].lower() == "as":
            names[words[-1].lower()] = position
    return names


def parse_buildkit_steps(
    lines: Sequence[LogLine], stages: Mapping[str, int] | None = None
) -> tuple[StepResult, ...]:
    """Turn BuildKit's plain progress into steps, in file order (stage, then step).

    `stages` maps stage names to positions; unnamed stages print as `stage-N` (nothing at all
    in a single-stage build). A step that
    never reports CACHED counts as executed, with the time of its DONE line.
    """
    known = dict(stages or {})
    headers: dict[str, tuple[int, int, str]] = {}
    status: dict[str, tuple[str, float]] = {}
    for line in lines:
        if (step := _STEP.match(line.text)) and step["id"] not in headers:
            stage = step["stage"] or "stage-0"
            position = known.get(stage.lower())
            if position is None and stage.startswith("stage-") and stage[6:].isdigit():
                position = int(stage[6:])
            order = position if position is not None else len(known) + len(headers)
            headers[step["id"]] = (order, int(step["index"]) - 1, step["instruction"])
        elif (done := _STATUS.match(line.text)) and done["id"] not in status:
            status[done["id"]] = (done["status"], float(done["s"] or 0.0))
    steps = []
    for vertex, (stage, index, instruction) in headers.items():
        state, seconds = status.get(vertex, ("", 0.0))
        is_from = instruction.upper().startswith("FROM ")
        steps.append(StepResult(index, stage, instruction, state == "CACHED" or is_from, seconds))
    return tuple(sorted(steps, key=lambda s: (s.stage, s.index)))
