"""Swift: the Swift package manager."""

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
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="swift",
        manifests=("Package.swift", "Package.resolved", "Package@swift-*.swift"),
        detect=("Package.swift",),
        install_examples=("swift package resolve", "swift build -c release"),
        extra_reads="local packages (`.package(path:)`) are read from their folders",
        unsafe_variant="`swift package resolve` before `COPY . .`",
        output_dirs=(".build",),
        dependency_install=("swift", "package", "resolve"),
    ),
)


@handles("swift")
def _swift(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--package-path",
            "--scratch-path",
            "-c",
            "--configuration",
            "--build-path",
            "-Xswiftc",
            "-Xlinker",
            "--product",
            "--target",
        ),
    )
    words = list(parsed.positionals)
    base = parsed.last("--package-path") or "."
    scratch = parsed.last("--scratch-path", "--build-path") or join(base, ".build")
    if words[:1] == ["package"] and words[1:2] in (["resolve"], ["fetch"], ["update"]):
        acc = _Reads()
        manifest = join(base, "Package.swift")
        acc.add(manifest, join(base, "Package.resolved"), join(base, "Package@swift-*.swift"))
        text = ctx.text(manifest)
        if text is None:
            acc.decline(f"{manifest} is not known: cannot tell whether it has local packages")
        else:
            for path in re.findall(
                r"\.package\(\s*(?:name:\s*\"[^\"]*\",\s*)?path:\s*\"([^\"]+)\"", text
            ):
                acc.decline(f"{manifest} has a local package {path}: swift reads it")
        writes = [scratch] + ([join(base, "Package.resolved")] if words[1] == "update" else [])
        return acc.effect("download", "swift", writes, network=True, cost=20.0)
    if words[:1] in (["build"], ["test"], ["run"]) or words[:1] == ["package"]:
        return _build_all(
            "swift",
            f"swift {' '.join(words[:2])} compiles the package sources",
            (scratch,),
            cost=60.0,
        )
    if parsed.has("--version") or words[:1] == ["--version"]:
        return _simple("noop", "swift")
    return unknown_effect(
        args, f"`swift {' '.join(words[:2])}` is not a swift command dockerfix knows"
    )
