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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dockerfix.build.imagediff import ImageSnapshot, snapshot_tree

__all__ = [
    "BASE_IMAGES",
    "BuildResult",
    "BuildahEngine",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "LogLine",
    "StepResult",
    "base_cache_dir",
    "debian_mirror",
    "find_engine",
    "import_base_image",
]

log = logging.getLogger(__name__)

INSTALL_HINT = "install it with: apt-get install buildah"

_STEP = re.compile(r"^(?:\[(?P<stage>\d+)/\d+\] )?STEP (?P<index>\d+)/\d+: (?P<instruction>.*)$")
_CACHE_HIT = re.compile(r"^--> Using cache [0-9a-f]{64}\s*$")
_COMMIT = re.compile(r"^(?:\[\d+/\d+\] )?COMMIT\b")


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

    `stage` and `index` count from 0 (first stage, its FROM). A FROM step resolves an image that
    already exists and never executes, so it counts as cached. `seconds` runs from this step's
    first output line to the next step's (or the commit's).
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
    """What `dockerfix verify` needs from a build engine."""

    name: str

    def build(self, dockerfile: Path, context: Path, tag: str) -> BuildResult: ...

    def remove(self, tag: str) -> None: ...

    def prune(self) -> None: ...

    def cleanup(self) -> None: ...

    def snapshot(self, tag: str) -> ImageSnapshot: ...

    def config(self, tag: str) -> dict[str, Any]: ...


def default_store() -> Path:
    """Where the engine keeps its images unless told otherwise: a per-user cache directory."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(cache) / "dockerfix" / "buildah"


def find_engine(preferred: str | None = None, *, store: Path | None = None) -> Engine:
    """Return a working build engine, buildah unless `preferred` names another.

    Raises EngineUnavailable with a one-line message and an install hint when none works.
    """
    if preferred not in (None, "buildah", "podman", "docker"):
        raise EngineUnavailable(f"unknown engine {preferred!r}: choose buildah, podman or docker")
    if preferred in (None, "buildah") and _works(["buildah", "version"]):
        return BuildahEngine(store or default_store())
    if preferred == "buildah":
        raise EngineUnavailable(f"buildah is not installed or does not run; {INSTALL_HINT}")
    others = [name for name in ("podman", "docker") if preferred in (None, name)]
    found = [name for name in others if _works(_probe_command(name))]
    if found:
        raise EngineUnavailable(
            f"{found[0]} works but dockerfix verify builds with buildah only; {INSTALL_HINT}"
        )
    wanted = preferred or "a container engine"
    raise EngineUnavailable(f"{wanted} not found; dockerfix verify needs buildah, {INSTALL_HINT}")


def _probe_command(name: str) -> list[str]:
    # A docker client without a reachable daemon is common (and useless for building).
    return ["docker", "info"] if name == "docker" else [name, "version"]


def _works(command: list[str]) -> bool:
    if shutil.which(command[0]) is None:
        return False
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


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
        return None if done.returncode == 0 else _last_line(done.stderr)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a buildah subcommand against this store and return its captured output."""
        done = subprocess.run(
            [*self._global_args(), *args], capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise EngineError(f"buildah {' '.join(args)}: {_last_line(done.stderr)}")
        return done

    # -- building -----------------------------------------------------------------------------

    def build(
        self,
        dockerfile: Path,
        context: Path,
        tag: str,
        *,
        on_line: Callable[[LogLine], None] | None = None,
    ) -> BuildResult:
        """Build `dockerfile` with the layer cache on; never pulls, so FROM must exist locally."""
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
            lines, wall, code = _stream(command, on_line)
            written = iidfile.read_text() if code == 0 and iidfile.exists() else ""
            image_id = written.strip().removeprefix("sha256:") or None
        if code != 0:
            # A failed step leaves its working container behind, holding a mount.
            self.run("rm", "--all", check=False)
        return BuildResult(parse_steps(lines, wall), wall, image_id, code == 0, tuple(lines))

    def tag(self, image: str, *tags: str) -> None:
        """Give an existing image more names."""
        self.run("tag", image, *tags)

    def exists(self, image: str) -> bool:
        """Whether `image` (a name or id) is in the store."""
        return self.run("inspect", "--type", "image", image, check=False).returncode == 0

    def remove(self, tag: str) -> None:
        """Drop a tag; the image and its cache layers go when nothing else refers to them."""
        self.run("rmi", tag)

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


def _stream(
    command: list[str], on_line: Callable[[LogLine], None] | None
) -> tuple[list[LogLine], float, int]:
    """Run `command`, stamping each output line as it arrives; stdout and stderr interleaved."""
    start = time.monotonic()
    lines: list[LogLine] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = LogLine(time.monotonic() - start, raw.decode("utf-8", "replace").rstrip("\n"))
            lines.append(line)
            if on_line is not None:
                on_line(line)
        code = proc.wait()
    return lines, time.monotonic() - start, code


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


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


# -- local base images --------------------------------------------------------------------------
#
# There is no route to an image registry, so the images real Dockerfiles start FROM are made
# locally: busybox from the host's static binary, Debian with debootstrap, and language
# stand-ins from Debian packages, tagged with the names real Dockerfiles use.

BASE_CACHE_ENV = "DOCKERFIX_BASE_CACHE"
DEBIAN_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_EXTRA_CAS = Path("/usr/local/share/ca-certificates")

_LIB = "docker.io/library/"
BASE_IMAGES: dict[str, tuple[str, ...]] = {
    "busybox": (f"{_LIB}busybox:latest",),
    "debian": (f"{_LIB}debian:bookworm-slim", f"{_LIB}debian:bookworm", f"{_LIB}debian:12"),
    "python": (
        f"{_LIB}python:3.11-slim",
        f"{_LIB}python:3.11",
        f"{_LIB}python:3.12-slim",
        f"{_LIB}python:3",
    ),
    "node": (f"{_LIB}node:20", f"{_LIB}node:20-slim", f"{_LIB}node:lts"),
}


def base_cache_dir(default: Path) -> Path:
    """Where the debootstrap tarball is kept: $DOCKERFIX_BASE_CACHE when set, else `default`."""
    return Path(os.environ.get(BASE_CACHE_ENV) or default)


def import_base_image(engine: BuildahEngine, name: str, cache_dir: Path) -> tuple[str, ...]:
    """Make base image `name` (busybox, debian, python, node) exist locally; return its tags.

    Images already in the store are kept; what they build on is imported first.
    """
    if name not in BASE_IMAGES:
        raise ValueError(f"unknown base image {name!r}; known: {', '.join(BASE_IMAGES)}")
    tags = BASE_IMAGES[name]
    if engine.exists(tags[0]):
        return tags
    if name in ("python", "node"):
        import_base_image(engine, "debian", cache_dir)
    with tempfile.TemporaryDirectory(prefix=f"dockerfix-{name}-") as tmp:
        context = Path(tmp)
        if name == "busybox":
            _busybox_context(context)
        elif name == "debian":
            _debian_context(context, debootstrap_tarball(cache_dir))
        else:
            _standin_context(context, name)
        result = engine.build(context / "Dockerfile", context, tags[0])
    if not result.ok:
        raise EngineError(f"building base image {name} failed:\n{result.tail()}")
    if len(tags) > 1:
        engine.tag(tags[0], *tags[1:])
    return tags


def _busybox_context(context: Path) -> None:
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy2(busybox, context / "busybox")
    (context / "Dockerfile").write_text(
        "FROM scratch\n"
        "COPY busybox /bin/busybox\n"
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
        'CMD ["sh"]\n'
    )


def _debian_context(context: Path, tarball: Path) -> None:
    try:
        os.link(tarball, context / "rootfs.tar")
    except OSError:  # another filesystem
        shutil.copy2(tarball, context / "rootfs.tar")
    # ADD of a tarball keeps the owners recorded in it; COPY of a folder would make all root's.
    (context / "Dockerfile").write_text('FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n')


_STANDINS = {
    "python": (
        "python3 python3-pip python3-venv",
        "ENV PIP_BREAK_SYSTEM_PACKAGES=1\n",
    ),
    "node": (
        "nodejs npm",
        "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\n",
    ),
}


def _standin_context(context: Path, name: str) -> None:
    packages, env = _STANDINS[name]
    certs = context / "certs"
    certs.mkdir()
    shutil.copy2(HOST_CA_BUNDLE, certs / "ca-certificates.crt")
    local = context / "local-cas"
    local.mkdir()
    for crt in sorted(HOST_EXTRA_CAS.glob("*.crt")):
        shutil.copy2(crt, local / crt.name)
    # PyPI and npm are reached through an intercepting proxy whose CA only the host trusts.
    (context / "pip.conf").write_text("[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n")
    (context / "Dockerfile").write_text(
        f"FROM {BASE_IMAGES['debian'][0]}\n"
        "RUN apt-get update"
        f" && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {packages}"
        " && rm -rf /var/lib/apt/lists/*\n"
        # After the install: the ca-certificates package regenerates the bundle.
        "COPY certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n"
        "COPY local-cas/ /usr/local/share/ca-certificates/\n"
        "COPY pip.conf /etc/pip.conf\n"
        f"{env}"
        'CMD ["bash"]\n'
    )


def debian_mirror(sources: Path = DEBIAN_SOURCES) -> str:
    """The host's Debian mirror URI, read from its deb822 sources file (first `deb` stanza)."""
    try:
        text = sources.read_text()
    except OSError as error:
        raise EngineError(f"cannot read the Debian mirror from {sources}: {error}") from error
    for stanza in re.split(r"\n\s*\n", text):
        fields = dict(_deb822_fields(stanza))
        suites = fields.get("Suites", "").split()
        if "deb" in fields.get("Types", "").split() and "bookworm" in suites:
            uris = fields.get("URIs", "").split()
            if uris:
                return uris[0]
    raise EngineError(f"no Debian bookworm mirror in {sources}")


def _deb822_fields(stanza: str) -> list[tuple[str, str]]:
    out = []
    for line in stanza.splitlines():
        if line.startswith("#") or line[:1].isspace() or ":" not in line:
            continue
        key, _, value = line.partition(":")
        out.append((key.strip(), value.strip()))
    return out


def debootstrap_tarball(cache_dir: Path, *, suite: str = "bookworm") -> Path:
    """A minimal Debian root filesystem as a tar file, made once and kept in `cache_dir`."""
    tarball = cache_dir / f"debian-{suite}-minbase.tar"
    if tarball.is_file():
        return tarball
    cache_dir.mkdir(parents=True, exist_ok=True)
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="dockerfix-rootfs-", dir=cache_dir) as tmp:
        rootfs = Path(tmp) / "rootfs"
        _check(["debootstrap", "--variant=minbase", suite, str(rootfs), mirror], "debootstrap")
        # Downloaded packages and index files are what "-slim" images leave out.
        for pattern in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*"):
            for path in rootfs.glob(pattern):
                if path.is_file():
                    path.unlink()
        partial = Path(tmp) / "rootfs.tar"
        _check(
            ["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(partial), "."],
            "tar",
        )
        partial.replace(tarball)  # atomic: a half-written tarball is never mistaken for a cache
    return tarball


def _check(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineError(f"{what} failed: {_last_line(done.stderr or done.stdout)}")
