"""Local stand-ins for the base images real Dockerfiles start FROM, for either engine.

There is no route to an image registry here, so they are made locally: busybox from the
host's static binary, Debian with debootstrap, and language stand-ins from Debian packages,
tagged with the names real Dockerfiles use. The same build contexts serve buildah and Docker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from dockerfix.build.engine import Engine, EngineError, last_line

__all__ = [
    "BASE_IMAGES",
    "base_cache_dir",
    "debian_mirror",
    "debootstrap_tarball",
    "import_base_image",
]

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


def import_base_image(engine: Engine, name: str, cache_dir: Path) -> tuple[str, ...]:
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
        "python3 python3-pip python3-venv python-is-python3",
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
        raise EngineError(f"{what} failed: {last_line(done.stderr or done.stdout)}")
