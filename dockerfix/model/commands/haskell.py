"""Haskell: cabal and stack."""

from __future__ import annotations

import re

from dockerfix.model.commands._base import (
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _is_local_path,
    _Reads,
    _simple,
    join,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="cabal",
        manifests=("*.cabal", "cabal.project", "cabal.project.local", "cabal.project.freeze"),
        detect=("*.cabal", "cabal.project"),
        install_examples=("cabal update && cabal build --only-dependencies", "cabal install"),
        extra_reads="the .cabal files of the packages listed in cabal.project",
        unsafe_variant="`cabal build --only-dependencies` before `COPY . .`",
        output_dirs=("dist-newstyle",),
        dependency_install=("cabal", "build", "--only-dependencies"),
        superseded_by=("stack",),
    ),
    Ecosystem(
        name="stack",
        manifests=("stack.yaml", "stack.yaml.lock", "package.yaml", "*.cabal"),
        detect=("stack.yaml",),
        install_examples=("stack setup && stack build --only-dependencies", "stack install"),
        extra_reads="package.yaml / *.cabal of the packages listed in stack.yaml; hpack "
        "regenerates the .cabal files",
        unsafe_variant="`stack build --only-dependencies` before `COPY . .`",
        output_dirs=(".stack-work",),
        dependency_install=("stack", "build", "--only-dependencies"),
    ),
)


def _cabal_packages(ctx: _Ctx, acc: _Reads, project: str) -> list[str]:
    text = ctx.text(project)
    if text is None:
        return ["."]
    block = re.search(r"^packages:\s*(.*(?:\n[ \t]+.*)*)", text, re.MULTILINE)
    if not block:
        return ["."]
    return [p.rstrip("/") for p in block.group(1).split()]


@handles("cabal")
def _cabal(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--project-file",
            "-j",
            "--jobs",
            "--ghc-options",
            "--constraint",
            "-f",
            "--flags",
            "--builddir",
            "--index-state",
            "-w",
            "--with-compiler",
            "--installdir",
            "--install-method",
        ),
    )
    words = list(parsed.positionals)
    sub = (words[0] if words else "").removeprefix("v2-").removeprefix("new-")
    project = parsed.last("--project-file") or "cabal.project"
    homes = [
        f"{ctx.home}/.cabal",
        f"{ctx.home}/.cache/cabal",
        f"{ctx.home}/.local/state/cabal",
        f"{ctx.home}/.config/cabal",
    ]
    project_files = (project, f"{project}.local", f"{project}.freeze")
    if sub == "update":
        return _simple(
            "download", "cabal", reads=project_files, writes=homes, network=True, cost=10.0
        )
    only_deps = parsed.has("--only-dependencies", "--dependencies-only", "--only-deps")
    if sub in ("build", "install", "configure") and only_deps:
        acc = _Reads()
        acc.add(*project_files)
        for package in _cabal_packages(ctx, acc, project):
            acc.add(package if package.endswith(".cabal") else join(package, "*.cabal"))
        builddir = parsed.last("--builddir") or "dist-newstyle"
        return acc.effect("build", "cabal", [builddir, *homes], network=True, cost=60.0)
    if sub in ("build", "install", "run", "test", "bench", "configure", "haddock", "exec"):
        return _build_all(
            "cabal", f"cabal {sub} compiles the project sources", (".", *homes), cost=60.0
        )
    if sub in ("--version", "list", "info", "help", "outdated") or parsed.has("--version"):
        return _simple("noop", "cabal")
    return unknown_effect(args, f"`cabal {sub}` is not a cabal command dockerfix knows")


def _stack_packages(acc: _Reads, path: str, text: str) -> list[str]:
    packages: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = re.sub(r"\s#.*", "", raw).rstrip()
        if re.match(r"[A-Za-z-]+\s*:", line):
            section = line.split(":", 1)[0].strip()
            continue
        item = re.match(r"\s*-\s*(.+)", line)
        if not item:
            continue
        value = item.group(1).strip().strip("'\"")
        if section == "packages":
            packages.append(value)
        elif section == "extra-deps" and _is_local_path(value):
            acc.decline(f"{path} has a local extra-dep {value}: stack builds it")
    return packages or ["."]


@handles("stack")
def _stack(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--stack-yaml",
            "--resolver",
            "--snapshot",
            "--ghc-options",
            "--flag",
            "-j",
            "--jobs",
            "--stack-root",
            "--work-dir",
            "--local-bin-path",
            "--arch",
        ),
    )
    words = list(parsed.positionals)
    sub = words[0] if words else ""
    config = parsed.last("--stack-yaml") or ctx.env.get("STACK_YAML", "stack.yaml")
    root = parsed.last("--stack-root") or ctx.env.get("STACK_ROOT", f"{ctx.home}/.stack")
    if sub == "setup":
        return _simple(
            "download", "stack", reads=(config,), writes=(root,), network=True, cost=30.0
        )
    only_deps = parsed.has("--only-dependencies", "--dependencies-only", "--only-snapshot")
    if sub in ("build", "install", "test") and only_deps:
        acc = _Reads()
        acc.add(config, f"{config}.lock")
        text = ctx.text(config)
        if text is None:
            acc.decline(f"{config} is not known: cannot tell its packages")
            packages = ["."]
        else:
            packages = _stack_packages(acc, config, text)
        for package in packages:
            acc.add(join(package, "package.yaml"), join(package, "*.cabal"))
        # hpack turns each package.yaml into a .cabal file next to it.
        writes = [root, ".stack-work", *(join(p, "*.cabal") for p in packages)]
        return acc.effect("build", "stack", writes, network=True, cost=60.0)
    if sub in ("build", "install", "test", "bench", "exec", "run", "haddock"):
        return _build_all(
            "stack", f"stack {sub} compiles the project sources", (".", root), cost=60.0
        )
    if sub in ("--version", "path", "ls", "query", "ghc") or parsed.has("--version"):
        return _simple("noop", "stack")
    return unknown_effect(args, f"`stack {sub}` is not a stack command dockerfix knows")
