"""Project configuration: `[tool.dockerfix]` in pyproject.toml, or `.dockerfix.toml`."""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import field
from pathlib import Path
from typing import Any

from dockerfix.records import dataclass

KEYS = {"select", "ignore", "unsafe-fixes", "cache-mounts", "exclude", "format", "context"}


class ConfigError(ValueError):
    """A configuration file dockerfix cannot use (one line for stderr)."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    cache_mounts: bool = False
    exclude: tuple[str, ...] = ()
    format: str | None = None
    # Dockerfile glob (relative to the config file's folder) → build context folder.
    context: dict[str, str] = field(default_factory=dict)

    def context_for(self, dockerfile: Path) -> Path | None:
        if self.path is None:
            return None
        root = self.path.parent
        try:
            rel = dockerfile.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None
        for pattern, ctx in self.context.items():
            if fnmatch.fnmatchcase(rel, pattern):
                return root / ctx
        return None


def find_config(start: Path) -> Path | None:
    """The nearest `.dockerfix.toml`, or pyproject.toml with [tool.dockerfix], upward."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        dedicated = folder / ".dockerfix.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.dockerfix" in _read(pyproject):
            return pyproject
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    table: Any = data
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("dockerfix", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dockerfix] must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(KEYS))})"
        )
    return Config(
        path=path,
        select=_codes(path, table, "select"),
        ignore=_codes(path, table, "ignore") or (),
        unsafe_fixes=_bool(path, table, "unsafe-fixes"),
        cache_mounts=_bool(path, table, "cache-mounts"),
        exclude=tuple(_strings(path, table, "exclude")),
        format=_string(path, table, "format"),
        context=_mapping(path, table, "context"),
    )


def _strings(path: Path, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings")
    return value


def _codes(path: Path, table: dict[str, Any], key: str) -> tuple[str, ...] | None:
    if key not in table:
        return None
    return tuple(v.strip().upper() for v in _strings(path, table, key))


def _bool(path: Path, table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: {key} must be true or false")
    return value


def _string(path: Path, table: dict[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{path}: {key} must be a string")
    return value


def _mapping(path: Path, table: dict[str, Any], key: str) -> dict[str, str]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{path}: {key} must map Dockerfile globs to folders")
    return dict(value)
