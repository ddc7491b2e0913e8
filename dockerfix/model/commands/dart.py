"""Dart and Flutter: pub."""

from __future__ import annotations

import re

from dockerfix.model.commands._base import (
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _Reads,
    _simple,
    join,
    parse_args,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="dart",
        manifests=("pubspec.yaml", "pubspec.lock", "pubspec_overrides.yaml"),
        detect=("pubspec.yaml",),
        install_examples=("dart pub get", "flutter pub get"),
        extra_reads="pubspec.yaml of path dependencies and workspace members; `flutter pub "
        "get` also writes plugin files into the platform folders it finds (split only with "
        "--unsafe-fixes)",
        unsafe_variant=None,
        output_dirs=(".dart_tool",),
        dependency_install=("dart", "pub", "get"),
    ),
)


def _pubspec_paths(text: str) -> tuple[list[str], list[str]]:
    """Local `path:` dependencies and `workspace:` members of a pubspec.yaml (line logic)."""
    paths = [
        m.strip().strip("'\"") for m in re.findall(r"^\s+path:\s*(.+?)\s*$", text, re.MULTILINE)
    ]
    members: list[str] = []
    block = re.search(r"^workspace:\s*\n((?:[ \t]+-.*\n?)+)", text, re.MULTILINE)
    if block:
        members = [m.strip().strip("'\"") for m in re.findall(r"-\s*(.+)", block.group(1))]
    return paths, members


def _pub_project(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "pubspec.yaml")
    if path in seen:
        return
    seen.add(path)
    acc.add(path, join(folder, "pubspec.lock"), join(folder, "pubspec_overrides.yaml"))
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell its path dependencies")
        return
    paths, members = _pubspec_paths(text)
    for dep in paths:
        acc.note(f"{path} has a path dependency {dep}: pub reads its pubspec.yaml")
        _pub_project(ctx, acc, join(folder, dep), seen)
    for member in members:
        _pub_project(ctx, acc, join(folder, member), seen)


_FLUTTER_PLATFORMS = (
    "flutter pub get also writes plugin files into the platform folders it finds (android/, "
    "ios/, linux/, macos/, windows/): run before the sources are copied it finds none, so "
    "those generated files in the image may differ"
)


# What `flutter clean` deletes: the build output, pub's files, and the generated files of the
# platform folders (taken as the whole folders).
_FLUTTER_GENERATED = (
    "build",
    ".dart_tool",
    ".flutter-plugins",
    ".flutter-plugins-dependencies",
    ".packages",
    "android",
    "ios",
    "linux",
    "macos",
    "windows",
)


@handles("dart", "flutter", "pub")
def _dart(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-C", "--directory", "-t", "--target", "-o", "--output"))
    words = list(parsed.positionals)
    if prog == "pub":
        words = ["pub", *words]
    base = parsed.last("-C", "--directory") or "."
    cache = ctx.env.get("PUB_CACHE", f"{ctx.home}/.pub-cache")
    if words[:1] == ["pub"] and words[1:2] in (["get"], ["upgrade"], ["downgrade"]):
        acc = _Reads()
        _pub_project(ctx, acc, base, set())
        writes = [join(base, ".dart_tool"), cache]
        if prog == "flutter":
            # It also writes plugin registrants into each platform folder it finds.
            acc.assume(_FLUTTER_PLATFORMS)
            writes += [join(base, ".flutter-plugins"), join(base, ".flutter-plugins-dependencies")]
        if words[1] != "get":
            writes.append(join(base, "pubspec.lock"))
        offline = parsed.has("--offline")  # resolves from the local cache: nothing to download
        return acc.effect(
            "install", "dart", writes, network=not offline, cost=0.5 if offline else 15.0
        )
    if prog == "flutter" and words == ["clean"]:
        # Deletes what builds and `pub get` generate; the platform folders hold some of it.
        return _simple(
            "filesystem",
            "dart",
            reads=[join(base, "pubspec.yaml")],
            writes=[join(base, p) for p in _FLUTTER_GENERATED],
            cost=1.0,
        )
    if parsed.has("--version") or words[:1] in (["--version"], ["doctor"], ["config"]):
        return _simple("noop", "dart")
    return _build_all(
        "dart",
        f"{prog} {' '.join(words[:2])} works on the project sources",
        (".", cache),
        cost=30.0,
    )
