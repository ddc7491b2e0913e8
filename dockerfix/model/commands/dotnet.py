""".NET: the dotnet CLI and the projects and solutions it restores."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from dockerfix.model.commands._base import (
    Args,
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _Reads,
    _simple,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="dotnet",
        manifests=(
            "**/*.sln",
            "**/*.slnx",
            "**/*.csproj",
            "**/*.fsproj",
            "**/*.vbproj",
            "global.json",
            "NuGet.config",
            "nuget.config",
            "NuGet.Config",
            "**/Directory.Build.props",
            "**/Directory.Build.targets",
            "**/Directory.Packages.props",
            "**/packages.lock.json",
        ),
        detect=("**/*.csproj", "**/*.fsproj", "**/*.vbproj", "**/*.sln", "**/*.slnx"),
        install_examples=("dotnet restore", "dotnet publish -c Release -o /app"),
        extra_reads="projects named by `<ProjectReference>` and files named by `<Import>`; "
        "build and publish read all sources",
        unsafe_variant="`dotnet restore` before `COPY . .`, then `dotnet publish --no-restore`",
        output_dirs=("obj", "bin"),
        dependency_install=("dotnet", "restore"),
    ),
)

_DOTNET_PROJECTS = ("*.sln", "*.slnx", "*.csproj", "*.fsproj", "*.vbproj")
_PROJECT_SUFFIXES = (".sln", ".slnx", ".csproj", ".fsproj", ".vbproj", ".proj")
_DOTNET_SHARED = (
    "global.json",
    "NuGet.config",
    "nuget.config",
    "NuGet.Config",
    "Directory.Build.props",
    "Directory.Build.targets",
    "Directory.Packages.props",
)


def _dotnet_references(path: str, text: str) -> list[str]:
    folder = posixpath.dirname(path)
    if path.endswith((".sln", ".slnx", ".slnf")):
        found = re.findall(r"Project\([^)]*\)\s*=\s*\"[^\"]*\",\s*\"([^\"]+proj)\"", text)
        found += re.findall(r"<Project\s+Path=\"([^\"]+proj)\"", text)
        found += re.findall(r"\"([^\"]+proj)\"", text) if path.endswith(".slnf") else []
    else:
        found = [
            m.group(2)
            for m in re.finditer(
                r"<(?:ProjectReference|Import)\s+(?:Include|Project)=([\"'])([^\"'$]+)\1", text
            )
        ]
    return [join(folder, f.replace("\\", "/")) for f in found]


# How far up MSBuild and NuGet look for Directory.*.props, global.json and NuGet.config:
# every folder to the root (a path above it folds back to the root).
_UPWARD = 8


def _upward(folder: str, names: tuple[str, ...]) -> list[str]:
    """``names`` in ``folder`` and in each folder above it."""
    out: list[str] = []
    for depth in range(_UPWARD + 1):
        base = norm(posixpath.join(folder, *([".."] * depth)))
        out += [join(base, n) for n in names]
    return out


def _msbuild_imports(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    """A props or targets file MSBuild loads, and the files it imports in turn."""
    if path in seen:
        return
    seen.add(path)
    text = ctx.text(path)
    if text is None:
        return  # not there: MSBuild looks for it and goes on
    folder = posixpath.dirname(path) or "."
    for project in re.findall(r"<Import\s+Project=[\"']([^\"']+)[\"']", text):
        local = project.replace("$(MSBuildThisFileDirectory)", "").replace("\\", "/")
        if "$(" in local:
            acc.decline(f"{path} imports {project}, a path dockerfix cannot resolve")
            continue
        acc.add(join(folder, local))
        _msbuild_imports(ctx, acc, join(folder, local), seen)


def _dotnet_project(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    folder = posixpath.dirname(path) or "."
    shared = _upward(folder, _DOTNET_SHARED[4:])
    acc.add(join(folder, "packages.lock.json"), *shared)
    for props in shared:
        _msbuild_imports(ctx, acc, props, seen)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell which projects it references")
        return
    for reference in _dotnet_references(path, text):
        _dotnet_project(ctx, acc, reference, seen)


def _local_feeds(ctx: _Ctx, acc: _Reads, configs: list[str], sources: list[str]) -> None:
    """Package sources that are folders (`<add key="local" value="./packages" />` in a
    NuGet.config, `--source ./packages`): restore reads the packages in them."""
    for source in sources:
        if "://" not in source:
            acc.add(norm(source))
    for config in configs:
        text = ctx.text(config)
        if text is None:
            continue
        block = re.search(r"<packageSources>(.*?)</packageSources>", text, re.DOTALL | re.I)
        found = re.findall(r"<add\b[^>]*\bvalue=([\"'])(.+?)\1", block.group(1) if block else "")
        for _, value in found:
            if "://" not in value and "%" not in value and "$" not in value:
                acc.add(join(posixpath.dirname(config), value.replace("\\", "/")))


@handles("dotnet")
def _dotnet(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    words = [w for w in args if not re.match(r"[-/]p:", w)]
    parsed = parse_args(
        words,
        (
            "-s",
            "--source",
            "--packages",
            "--configfile",
            "-r",
            "--runtime",
            "-v",
            "--verbosity",
            "-c",
            "--configuration",
            "-o",
            "--output",
            "-f",
            "--framework",
            "-a",
            "--arch",
            "--os",
            "--tool-path",
            "--version",
            "--lock-file-path",
        ),
    )
    positional = list(parsed.positionals)
    sub = positional[0] if positional else ""
    packages = parsed.last("--packages") or ctx.env.get(
        "NUGET_PACKAGES", f"{ctx.home}/.nuget/packages"
    )
    if sub == "restore":
        return _dotnet_restore(ctx, parsed, positional[1:], packages)
    if sub in ("build", "publish", "test", "run", "pack", "msbuild", "format"):
        output = parsed.last("-o", "--output")
        return _build_all(
            "dotnet",
            f"dotnet {sub} compiles the project sources",
            (".", *((norm(output),) if output else ()), packages),
            cost=40.0,
        )
    if sub == "tool" and positional[1:2] == ["restore"]:
        return _simple(
            "install",
            "dotnet",
            reads=(".config/dotnet-tools.json",),
            writes=(packages,),
            network=True,
            cost=5.0,
        )
    if sub == "tool" and positional[1:2] in (["install"], ["update"]):
        where = parsed.last("--tool-path") or f"{ctx.home}/.dotnet/tools"
        return _simple("install", "dotnet", writes=(where, packages), network=True, cost=5.0)
    if parsed.has("--info", "--version", "--list-sdks", "--list-runtimes") or sub in (
        "help",
        "--info",
    ):
        return _simple("noop", "dotnet")
    return unknown_effect(args, f"`dotnet {sub}` is not a dotnet command dockerfix knows")


def _dotnet_restore(ctx: _Ctx, parsed: Args, targets: list[str], packages: str) -> CommandEffect:
    acc = _Reads()
    configs = [*_upward(".", _DOTNET_SHARED[1:4]), *parsed.values("--configfile")]
    acc.add(*_upward(".", _DOTNET_SHARED))
    acc.name(*parsed.values("--configfile"))
    _local_feeds(ctx, acc, configs, parsed.values("-s", "--source"))
    seen: set[str] = set()
    projects: list[str] = []
    for folder in [norm(t) for t in targets] or ["."]:
        if folder.endswith(_PROJECT_SUFFIXES):
            projects.append(folder)
            continue
        # A folder (or none: the current one): dotnet takes the project or solution file in it.
        listed = [ctx.expand(join(folder, p)) for p in _DOTNET_PROJECTS]
        if any(found is None for found in listed):
            acc.add(*(join(folder, p) for p in _DOTNET_PROJECTS))
            acc.decline(
                "dotnet restore picks the project or solution file of the directory: "
                "they cannot be listed, so their references are unknown"
            )
            continue
        found = [p for names in listed for p in names or ()]
        # dotnet uses the solution if there is one.
        solutions = [p for p in found if p.endswith((".sln", ".slnx"))]
        projects.extend(solutions or found)
    for project in projects:
        _dotnet_project(ctx, acc, project, seen)
    writes = [
        packages,
        *(join(posixpath.dirname(p), "obj") for p in sorted(seen) if p.endswith("proj")),
    ]
    effect = acc.effect("install", "dotnet", writes, network=True, cost=20.0)
    return replace(effect, names_tree_reads=True)
