"""What well-known base images set before the Dockerfile's first instruction runs.

A stage that never says WORKDIR runs in its base image's working directory, and one that never
says USER runs as the image's user. For the official images below these are documented by the
images' own Dockerfiles; for any other image they stay unknown (None), and whatever depends
on them declines.
"""

from __future__ import annotations

import re

# Official image name → the working directory its Dockerfile sets ("/" when it sets none).
# Every tag of these images runs as root.
_WORKDIRS = {
    "alpine": "/",
    "busybox": "/",
    "debian": "/",
    "ubuntu": "/",
    "python": "/",
    "node": "/",
    "ruby": "/",
    "rust": "/",
    "golang": "/go",
    "php": "/var/www/html",
    "nginx": "/",
    "httpd": "/usr/local/apache2",
    "tomcat": "/usr/local/tomcat",
    "buildpack-deps": "/",
    "gcc": "/",
    "erlang": "/",
    "elixir": "/",
    "openjdk": "/",
    "eclipse-temurin": "/",
    "maven": "/",
    "composer": "/app",
    "dart": "/root",
}
# Images of other publishers: name → (working directory, tags whose Dockerfile sets another).
_NOT_DEBIAN_DOTNET = ("chiseled", "distroless", "nanoserver", "windowsservercore", "extra")
_PUBLISHED = {
    "oven/bun": ("/home/bun/app", ("distroless",)),
    # The Linux images set neither WORKDIR nor USER; the chiseled ones run as `app`.
    **{
        f"mcr.microsoft.com/dotnet/{name}": ("/", _NOT_DEBIAN_DOTNET)
        for name in ("sdk", "aspnet", "runtime", "runtime-deps", "core/sdk", "core/aspnet")
    },
}
_REGISTRY_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def _name(reference: str) -> str | None:
    """The official image a reference names (`python` for `docker.io/library/python:3.12`)."""
    ref = reference.strip().lower()
    for prefix in _REGISTRY_PREFIXES:
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            break
    ref = ref.removeprefix("library/")
    ref = ref.split("@", 1)[0].split(":", 1)[0]
    return ref if "/" not in ref and ref else None


def _published(reference: str) -> str | None:
    """The working directory of a known image of another publisher (`oven/bun:1`)."""
    ref = reference.strip().lower()
    for prefix in _REGISTRY_PREFIXES:
        ref = ref.removeprefix(prefix)
    name, _, tag = ref.split("@", 1)[0].partition(":")
    known = _PUBLISHED.get(name)
    if known is None or any(word in tag for word in known[1]):
        return None
    return known[0]


def default_workdir(reference: str) -> str | None:
    """The working directory a stage `FROM reference` starts in, when dockerfix knows it."""
    name = _name(reference)
    if name is None:
        return _published(reference)
    return _WORKDIRS.get(name)


def default_user(reference: str) -> str | None:
    """The user a stage `FROM reference` starts as (`root`), when dockerfix knows it."""
    return "root" if default_workdir(reference) is not None else None


def python_version(reference: str) -> tuple[int, int] | None:
    """The Python version of an official `python` image (`python:3.12-slim` → (3, 12)); a tag
    without one (`python:3`, `python:slim`, `python:latest`) is a current Python 3. None for
    other images and for tags that name no version dockerfix can tell."""
    if _name(reference) != "python":
        return None
    ref = reference.strip().lower().split("@", 1)[0]
    tag = ref.rpartition(":")[2] if ":" in ref.rpartition("/")[2] else "latest"
    found = re.match(r"(\d+)(?:\.(\d+))?", tag)
    if found is None:
        return _CURRENT_PYTHON if "$" not in tag else None
    if found.group(2) is None:
        return _CURRENT_PYTHON if found.group(1) == "3" else None
    return int(found.group(1)), int(found.group(2))


# What a `python:3`-like tag stands for: Python 3.11 and later have tomllib.
_CURRENT_PYTHON = (3, 13)
