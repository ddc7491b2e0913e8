"""Rust: cargo (and `cargo chef`) and rustup."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from dockerfix.model.commands._base import (
    Args,
    CommandEffect,
    Ecosystem,
    Kind,
    _build_all,
    _Ctx,
    _glob_match,
    _Reads,
    _simple,
    _strings,
    _table,
    join,
    load_toml,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="cargo",
        manifests=(
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
            ".cargo/config",
            "rust-toolchain.toml",
            "rust-toolchain",
        ),
        detect=("Cargo.toml",),
        install_examples=("cargo fetch", "cargo build --release --locked"),
        extra_reads="Cargo.toml of workspace members and path dependencies; cargo needs "
        "src/main.rs or src/lib.rs to exist to load a manifest; builds read all "
        "sources",
        unsafe_variant="`cargo fetch`, or a dependency-only build with a placeholder "
        "src/main.rs (as `cargo chef cook` does), before `COPY . .`",
        output_dirs=("target",),
        dependency_install=("cargo", "fetch"),
    ),
)

_CARGO_FILES = (
    "Cargo.lock",
    ".cargo/config.toml",
    ".cargo/config",
    "rust-toolchain.toml",
    "rust-toolchain",
)


def _cargo_targets(folder: str, data: Mapping[str, Any]) -> list[str]:
    """The target files cargo needs to exist before it can load a package manifest."""
    lib = _table(data, "lib").get("path")
    bins = [b.get("path") for b in data.get("bin", []) if isinstance(b, dict)]
    explicit = [p for p in [lib, *bins] if isinstance(p, str)]
    build = _table(data, "package").get("build")
    paths = explicit or ["src/main.rs", "src/lib.rs"]
    paths.append(build if isinstance(build, str) else "build.rs")
    return [join(folder, p) for p in paths]


def _cargo_path_deps(data: Mapping[str, Any]) -> list[str]:
    tables = [data.get(k) for k in ("dependencies", "dev-dependencies", "build-dependencies")]
    tables.append(_table(data, "workspace").get("dependencies"))
    tables += [
        t.get(k)
        for t in _table(data, "target").values()
        if isinstance(t, dict)
        for k in ("dependencies", "dev-dependencies", "build-dependencies")
    ]
    tables += list(_table(data, "patch").values())
    return [
        spec["path"]
        for table in tables
        if isinstance(table, dict)
        for spec in table.values()
        if isinstance(spec, dict) and "path" in spec
    ]


def _cargo_manifest(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "Cargo.toml")
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    data = load_toml(ctx.text(path))
    if data is None:
        acc.decline(f"{path} is not known: cannot tell its workspace members and path dependencies")
        return
    if "package" in data:
        acc.add(*_cargo_targets(folder, data))
    for dep in _cargo_path_deps(data):
        _cargo_manifest(ctx, acc, join(folder, dep), seen)
    workspace = _table(data, "workspace")
    excluded = [join(folder, e) for e in _strings(workspace.get("exclude"))]
    for pattern in _strings(workspace.get("members")):
        found = ctx.expand(join(join(folder, pattern), "Cargo.toml"))
        if found is None:
            acc.add(join(join(folder, pattern), "Cargo.toml"))
            acc.decline(f"cannot list the cargo workspace members {pattern}")
            continue
        for manifest in found:
            member = posixpath.dirname(manifest)
            if not any(_glob_match(e, member) for e in excluded):
                _cargo_manifest(ctx, acc, member, seen)


_CARGO_VALUE = (
    "--version",
    "--vers",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--root",
    "--path",
    "--features",
    "-F",
    "--target",
    "-j",
    "--jobs",
    "--profile",
    "--bin",
    "--example",
    "--target-dir",
    "--manifest-path",
    "--config",
    "-Z",
    "--color",
    "-p",
    "--package",
    "--registry",
    "--index",
    "--message-format",
    "--recipe-path",
    "--bin",
    "--exclude",
    "--lockfile-path",
)


@handles("cargo")
def _cargo(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CARGO_VALUE)
    words = list(parsed.positionals)
    home = ctx.env.get("CARGO_HOME", f"{ctx.home}/.cargo")
    manifest = parsed.last("--manifest-path")
    base = posixpath.dirname(norm(manifest)) if manifest else "."
    target = ctx.env.get("CARGO_TARGET_DIR") or parsed.last("--target-dir") or join(base, "target")
    if not words:
        return _simple("noop", "cargo")
    sub = words[0]
    if sub == "chef":
        return _cargo_chef(parsed, words[1:], home, target)
    if sub in ("fetch", "vendor", "generate-lockfile", "update", "metadata", "tree"):
        acc = _Reads()
        _cargo_manifest(ctx, acc, base, set())
        acc.add(*(join(base, p) for p in _CARGO_FILES))
        _cargo_config_dirs(ctx, acc, base)
        acc.note(
            "cargo loads every package's targets with its manifest: src/main.rs or "
            "src/lib.rs must exist (their content is not read)"
        )
        writes = {
            "fetch": [home],
            "vendor": [join(base, words[1] if len(words) > 1 else "vendor"), home],
            "generate-lockfile": [join(base, "Cargo.lock"), home],
            "update": [join(base, "Cargo.lock"), home],
        }.get(sub, [])
        kind: Kind = "filesystem" if writes else "noop"
        if sub in ("fetch", "vendor"):
            kind = "download"
        return acc.effect(kind, "cargo", writes, network=bool(writes), cost=20.0 if writes else 1.0)
    if sub == "install" and not parsed.has("--path") and words[1:]:
        root = parsed.last("--root") or home
        return _simple("install", "cargo", writes=(root, home), network=True, cost=30.0)
    if sub in (
        "build",
        "b",
        "check",
        "c",
        "test",
        "t",
        "run",
        "r",
        "bench",
        "doc",
        "d",
        "clippy",
        "rustc",
        "install",
        "fix",
        "publish",
        "package",
    ):
        return _build_all(
            "cargo", f"cargo {sub} compiles the crate sources", (target, home), cost=60.0
        )
    if sub in ("--version", "-V", "version", "help", "search", "locate-project"):
        return _simple("noop", "cargo")
    return unknown_effect(args, f"`cargo {sub}` is not a cargo command dockerfix knows")


def _cargo_config_dirs(ctx: _Ctx, acc: _Reads, base: str) -> None:
    """Folders a project's .cargo/config.toml takes crates from (`[source.vendored-sources]
    directory = "vendor"`, local registries): cargo reads them."""
    for name in (".cargo/config.toml", ".cargo/config"):
        config = load_toml(ctx.text(join(base, name)))
        if config is None:
            continue
        for source in _table(config, "source").values():
            if not isinstance(source, dict):
                continue
            for key in ("directory", "local-registry"):
                folder = source.get(key)
                if isinstance(folder, str) and "://" not in folder:
                    # Relative to the folder holding .cargo/, as cargo resolves config paths.
                    acc.add(folder if folder.startswith("/") else join(base, folder))


def _cargo_chef(parsed: Args, words: list[str], home: str, target: str) -> CommandEffect:
    recipe = parsed.last("--recipe-path") or "recipe.json"
    if words[:1] == ["cook"]:
        # cook rebuilds a skeleton project from the recipe alone, then fetches and compiles
        # the dependencies: the dependency step of a cargo build.
        return _simple(
            "install", "cargo", reads=(recipe,), writes=(".", target, home), network=True, cost=60.0
        )
    if words[:1] == ["prepare"]:
        return _build_all(
            "cargo",
            "cargo chef prepare scans the whole project",
            (norm(recipe),),
            cost=1.0,
            network=False,
        )
    return unknown_effect(["cargo", "chef", *words], "this cargo chef command is not known")


@handles("rustup")
def _rustup(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    home = ctx.env.get("RUSTUP_HOME", f"{ctx.home}/.rustup")
    cargo = ctx.env.get("CARGO_HOME", f"{ctx.home}/.cargo")
    reads = ("rust-toolchain.toml", "rust-toolchain") if args[:1] in (["show"], ["install"]) else ()
    return _simple("download", "cargo", reads=reads, writes=(home, cargo), network=True, cost=10.0)
