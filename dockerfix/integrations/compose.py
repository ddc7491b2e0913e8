"""Build contexts from compose files: `build.context` and `build.dockerfile` of each service."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

COMPOSE_NAMES = (
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)
_SKIP = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "__pycache__"})


class ComposeError(ValueError):
    """A compose file dockerfix cannot read (one line for stderr)."""


def find_compose_files(roots: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            root = root.parent
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP)
            found.extend(Path(dirpath) / n for n in sorted(filenames) if n in COMPOSE_NAMES)
    return found


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, with libyaml's loader when PyYAML has it (ten times the pure-Python
    one, same documents and errors)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def contexts_from(compose_file: Path) -> dict[Path, Path]:
    """Resolved Dockerfile path → build context, for every service that builds one."""
    import yaml

    try:
        data = load_yaml(compose_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ComposeError(f"{compose_file}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ComposeError(f"{compose_file}: invalid YAML{line}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ComposeError(f"{compose_file}: not a compose file (top level is not a mapping)")
    services = data.get("services") or {}
    if not isinstance(services, dict):
        raise ComposeError(f"{compose_file}: `services` must be a mapping")
    base = compose_file.parent
    out: dict[Path, Path] = {}
    for name, service in services.items():
        build = service.get("build") if isinstance(service, dict) else None
        entry = _build_entry(compose_file, str(name), build)
        if entry is None:
            continue
        context_rel, dockerfile_rel = (_interpolate(v, base) for v in entry)
        if context_rel is None or dockerfile_rel is None:
            continue  # a variable whose value is not known here
        context = (base / context_rel).resolve()
        dockerfile = Path(dockerfile_rel)
        dockerfile = dockerfile if dockerfile.is_absolute() else context / dockerfile
        out[dockerfile.resolve()] = context
    return out


_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def _interpolate(value: str, base: Path) -> str | None:
    """A compose value with its variables given: `${PWD}` is the folder compose runs in, taken
    to be the compose file's; `${NAME:-default}` the default; None for any other variable."""
    unknown = False

    def value_of(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(3)
        if name == "PWD":
            return str(base)
        if match.group(2) is not None:
            return match.group(2)
        unknown = True
        return ""

    out = _VARIABLE.sub(value_of, value.replace("$$", "\x00")).replace("\x00", "$")
    return None if unknown else out


def _build_entry(compose_file: Path, service: str, build: Any) -> tuple[str, str] | None:
    if build is None:
        return None
    if isinstance(build, str):
        return build, "Dockerfile"
    if not isinstance(build, dict):
        raise ComposeError(f"{compose_file}: services.{service}.build must be a string or mapping")
    context = build.get("context", ".")
    dockerfile = build.get("dockerfile", "Dockerfile")
    if "dockerfile_inline" in build or not isinstance(context, str) or "://" in context:
        return None  # inline Dockerfiles and remote contexts are not files here
    if not isinstance(dockerfile, str):
        raise ComposeError(f"{compose_file}: services.{service}.build.dockerfile must be a string")
    return context, dockerfile


def compose_contexts(roots: Iterable[Path]) -> dict[Path, Path]:
    """Every Dockerfile that a compose file under ``roots`` builds, with its context."""
    mapping: dict[Path, Path] = {}
    for compose_file in find_compose_files(roots):
        mapping.update(contexts_from(compose_file))
    return mapping


def compose_contexts_above(files: Iterable[Path]) -> dict[Path, Path]:
    """For Dockerfiles named one by one (pre-commit, the Action, a file argument): the compose
    files in each one's folder and every folder above it, up to its repository's top (or the
    current directory, or the file's own folder outside both)."""
    from dockerfix.integrations.gitrepo import find_git_dir

    mapping: dict[Path, Path] = {}
    seen: set[Path] = set()
    # Files of one folder share the walk: a folder already walked up to the same top is done.
    walked: set[tuple[Path, Path]] = set()
    tops: dict[Path, Path] = {}
    cwd = Path.cwd().resolve()
    for file in files:
        folder = file.resolve().parent
        top = tops.get(folder)
        if top is None:
            git_dir = find_git_dir(folder)
            top = git_dir.parent if git_dir is not None else None
            if top is None:
                top = cwd if folder == cwd or cwd in folder.parents else folder
            tops[folder] = top
        while (folder, top) not in walked:
            walked.add((folder, top))
            for name in COMPOSE_NAMES:
                candidate = folder / name
                if candidate not in seen and candidate.is_file():
                    seen.add(candidate)
                    for dockerfile, context in contexts_from(candidate).items():
                        mapping.setdefault(dockerfile, context)
            if folder == top or folder.parent == folder:
                break
            folder = folder.parent
    return mapping
