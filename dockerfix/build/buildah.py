"""Build images for real with buildah and report which steps came from the build cache.

buildah runs RUN steps with `--isolation chroot`: as real root, sharing the host's network.
That is fine for Dockerfiles you wrote yourself and never for untrusted ones.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dockerfix.build.engine import (
    BuildResult,
    EngineError,
    LogLine,
    StepResult,
    last_line,
    stream,
)
from dockerfix.build.imagediff import ImageSnapshot, snapshot_tree

__all__ = ["INSTALL_HINT", "BuildahEngine", "default_store", "parse_steps"]

log = logging.getLogger(__name__)

INSTALL_HINT = "install it with: apt-get install buildah"

_STEP = re.compile(r"^(?:\[(?P<stage>\d+)/\d+\] )?STEP (?P<index>\d+)/\d+: (?P<instruction>.*)$")
_CACHE_HIT = re.compile(r"^--> Using cache [0-9a-f]{64}\s*$")
_COMMIT = re.compile(r"^(?:\[\d+/\d+\] )?COMMIT\b")


def default_store() -> Path:
    """Where the engine keeps its images unless told otherwise: a per-user cache directory."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(cache) / "dockerfix" / "buildah"


class BuildahEngine:
    """buildah with a private image store, so builds never touch the user's own images."""

    name = "buildah"

    def __init__(self, store: Path, *, storage_driver: str = "overlay") -> None:
        self.store = Path(store)
        self.storage_driver = storage_driver
        self.fallback_reason: str | None = None
        self._probed = False

    # -- commands -----------------------------------------------------------------------------

    def _global_args(self) -> list[str]:
        if not self._probed:
            self._probe_driver()
        return [
            "buildah",
            "--root",
            str(self.store / "root"),
            "--runroot",
            str(self.store / "run"),
            "--storage-driver",
            self.storage_driver,
        ]

    def _probe_driver(self) -> None:
        """Use overlay when the kernel allows it here; vfs works everywhere but is ~10x slower."""
        self._probed = True
        first = self._try_store()
        if first is None:
            return
        if self.storage_driver != "overlay":
            raise EngineError(f"buildah cannot use storage driver {self.storage_driver}: {first}")
        self.fallback_reason = first
        log.warning("overlay storage does not work here (%s); falling back to vfs", first)
        self._remove_store_dirs()
        self.storage_driver = "vfs"
        second = self._try_store()
        if second is not None:
            raise EngineError(f"buildah cannot open its image store: {second}")

    def _try_store(self) -> str | None:
        self.store.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [*self._global_args(), "images", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        return None if done.returncode == 0 else last_line(done.stderr)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a buildah subcommand against this store and return its captured output."""
        done = subprocess.run(
            [*self._global_args(), *args], capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise EngineError(f"buildah {' '.join(args)}: {last_line(done.stderr)}")
        return done

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
        """Build `dockerfile` with the layer cache on; never pulls, so FROM must exist locally.

        `no_cache` is refused: buildah's --no-cache makes a parallel chain of cache images that
        later look-ups can follow; keep variants apart with a LABEL after FROM instead.
        """
        if no_cache:
            raise EngineError("buildah builds with its cache on; separate variants with a LABEL")
        with tempfile.TemporaryDirectory(prefix="dockerfix-iid-") as tmp:
            iidfile = Path(tmp) / "iid"
            command = [
                *self._global_args(),
                "build",
                "--isolation",
                "chroot",
                "--pull=never",
                "--layers",
                "--iidfile",
                str(iidfile),
                "-f",
                str(dockerfile),
                "-t",
                tag,
                str(context),
            ]
            lines, wall, code = stream(command, on_line)
            written = iidfile.read_text() if code == 0 and iidfile.exists() else ""
            image_id = written.strip().removeprefix("sha256:") or None
        if code != 0:
            # A failed step leaves its working container behind, holding a mount.
            self.run("rm", "--all", check=False)
        return BuildResult(parse_steps(lines, wall), wall, image_id, code == 0, tuple(lines))

    def where(self) -> str:
        """The image store directory."""
        return str(self.store)

    def separate(self, image: str, key: str) -> str | None:
        """None: buildah's cache keys include each LABEL, so one after FROM keeps keys apart."""
        return None

    def tag(self, image: str, *tags: str) -> None:
        """Give an existing image more names."""
        self.run("tag", image, *tags)

    def exists(self, image: str) -> bool:
        """Whether `image` (a name or id) is in the store."""
        return self.run("inspect", "--type", "image", image, check=False).returncode == 0

    def remove(self, tag: str) -> None:
        """Drop a tag; the image and its cache layers go when nothing else refers to them."""
        self.run("rmi", tag, check=False)

    def prune(self) -> None:
        """Remove leftover working containers and every image that no tag keeps alive."""
        self.run("rm", "--all")
        self.run("rmi", "--prune")

    def cleanup(self) -> None:
        """Remove every container and image, then the store itself."""
        if self.store.exists():
            self.run("rm", "--all", check=False)
            self.run("rmi", "--all", "--force", check=False)
        self._remove_store_dirs()

    def _remove_store_dirs(self) -> None:
        # containers/storage bind-mounts its overlay home; an interrupted run can leave it mounted.
        for mountpoint in sorted(_mounts_under(self.store), reverse=True):
            subprocess.run(["umount", "-l", mountpoint], capture_output=True, check=False)
        shutil.rmtree(self.store, ignore_errors=True)

    # -- inspecting ---------------------------------------------------------------------------

    def snapshot(self, tag: str) -> ImageSnapshot:
        """Record every path of the image's filesystem (see imagediff.snapshot_tree)."""
        container = self.run("from", "--pull=never", "--quiet", tag).stdout.strip()
        try:
            mountpoint = self.run("mount", container).stdout.strip()
            try:
                return snapshot_tree(Path(mountpoint))
            finally:
                self.run("umount", container, check=False)
        finally:
            self.run("rm", container, check=False)

    def config(self, tag: str) -> dict[str, Any]:
        """The full `buildah inspect --type image` JSON; the run config is under OCIv1.config."""
        data = json.loads(self.run("inspect", "--type", "image", tag).stdout)
        if not isinstance(data, dict):
            raise EngineError(f"buildah inspect {tag}: unexpected output")
        return data

    def disk_usage(self) -> int:
        """Bytes used by the store (files counted once even when hard-linked)."""
        return _du(self.store)


def parse_steps(lines: Sequence[LogLine], end: float) -> tuple[StepResult, ...]:
    """Turn buildah output into steps: `STEP n/N:` opens one, `--> Using cache` marks it cached."""
    opened: list[tuple[int, int, str, float]] = []  # index, stage, instruction, start
    cached: set[int] = set()
    ends: dict[int, float] = {}
    for line in lines:
        if match := _STEP.match(line.text):
            if opened:
                ends.setdefault(len(opened) - 1, line.seconds)
            stage = int(match["stage"] or 1) - 1
            opened.append((int(match["index"]) - 1, stage, match["instruction"], line.seconds))
        elif opened and _CACHE_HIT.match(line.text):
            cached.add(len(opened) - 1)
        elif opened and _COMMIT.match(line.text):
            ends.setdefault(len(opened) - 1, line.seconds)
    return tuple(
        StepResult(
            index=index,
            stage=stage,
            instruction=instruction,
            cached=n in cached or instruction.upper().startswith("FROM "),
            seconds=round(ends.get(n, end) - start, 3),
        )
        for n, (index, stage, instruction, start) in enumerate(opened)
    )


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root.resolve()) + "/"
    try:
        table = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return []
    points = (line.split()[4] for line in table.splitlines() if len(line.split()) > 4)
    return [p for p in points if (p + "/").startswith(prefix)]


def _du(root: Path) -> int:
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in (*dirnames, *filenames):
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total
