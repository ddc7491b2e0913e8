"""Elixir: mix."""

from __future__ import annotations

import posixpath
import re

from dockerfix.model.commands._base import (
    CommandEffect,
    Ecosystem,
    Kind,
    _build_all,
    _Ctx,
    _merge,
    _Reads,
    _simple,
    join,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="mix",
        manifests=("mix.exs", "mix.lock", "config/"),
        detect=("mix.exs",),
        install_examples=("mix deps.get --only prod", "mix do deps.get, deps.compile"),
        extra_reads="config/ is loaded before every task; umbrella apps' mix.exs under "
        "`apps_path`; path dependencies",
        unsafe_variant=None,
        output_dirs=("deps", "_build"),
        dependency_install=("mix", "deps.get"),
    ),
)


def _mix_project(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "mix.exs")
    if path in seen:
        return
    seen.add(path)
    acc.add(path, join(folder, "mix.lock"), join(folder, "config"))
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell its path dependencies and umbrella apps")
        return
    for dep in re.findall(r"\bpath:\s*\"([^\"]+)\"", text):
        acc.decline(f"{path} has a path dependency {dep}: mix reads that project")
    apps = re.search(r"apps_path:\s*\"([^\"]+)\"", text)
    if apps:
        found = ctx.expand(join(join(folder, apps.group(1)), "*/mix.exs"))
        if found is None:
            acc.add(join(join(folder, apps.group(1)), "*/mix.exs"))
            acc.decline(f"cannot list the umbrella apps under {apps.group(1)}")
        for manifest in found or ():
            acc.add(manifest, join(posixpath.dirname(manifest), "config"))


def _no_deps(text: str | None) -> bool:
    """mix.exs declares no dependency: no `deps:` in the project, or `deps` returns `[]`."""
    if text is None:
        return False
    text = re.sub(r"#[^\n]*", "", text)  # comments (a generated mix.exs lists examples)
    if not re.search(r"\bdeps:", text):
        return True
    return bool(re.search(r"defp?\s+deps(?:\(\))?\s+do\s*\[\s*\]\s*end", text))


@handles("mix")
def _mix(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    words = list(args)
    if words[:1] == ["do"]:
        steps = [s.strip().split() for s in re.split(r"[,+]", " ".join(words[1:])) if s.strip()]
        return _merge([_mix(ctx, prog, step) for step in steps], "mix")
    sub = words[0] if words else "run"
    home = ctx.env.get("MIX_HOME", f"{ctx.home}/.mix")
    hex_home = ctx.env.get("HEX_HOME", f"{ctx.home}/.hex")
    build = ctx.env.get("MIX_BUILD_PATH", "_build")
    if sub in ("local.hex", "local.rebar", "archive.install"):
        return _simple("install", "mix", writes=(home, hex_home), network=True, cost=2.0)
    if sub in ("deps.get", "deps.compile", "deps.update", "deps.unlock"):
        acc = _Reads()
        _mix_project(ctx, acc, ".", set())
        acc.note("mix loads config/ before every task")
        writes = {
            "deps.get": ["deps", hex_home],
            "deps.compile": [build],
            "deps.update": ["deps", "mix.lock", hex_home],
            "deps.unlock": ["mix.lock"],
        }[sub]
        kind: Kind = "build" if sub == "deps.compile" else "install"
        cost = 30.0 if kind == "build" else 15.0
        if _no_deps(ctx.text("mix.exs")):
            cost = 0.3  # nothing to fetch or compile: not worth a cache split
        return acc.effect(kind, "mix", writes, network=sub != "deps.compile", cost=cost)
    if sub in ("--version", "-v", "help", "hex.info"):
        return _simple("noop", "mix")
    return _build_all("mix", f"mix {sub} compiles the project sources", (".", build), cost=30.0)
