"""Go: the go command and the modules its go.mod and go.work name."""

from __future__ import annotations

import posixpath
import re

from dockerfix.model.commands._base import (
    CommandEffect,
    Ecosystem,
    Kind,
    _build_all,
    _Ctx,
    _is_local_path,
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
        name="go",
        manifests=("go.mod", "go.sum", "go.work", "go.work.sum"),
        detect=("go.mod",),
        install_examples=("go mod download", "go build -o /app ./..."),
        extra_reads="go.mod of local modules named by `replace` or go.work `use`; `go build` "
        "reads every Go source it compiles",
        unsafe_variant="`go mod download` before `COPY . .`",
        output_dirs=(),
        dependency_install=("go", "mod", "download"),
    ),
)


def _go_local_replacements(text: str) -> list[str]:
    """Directories that `replace … => ./dir` directives of a go.mod point at."""
    found = []
    for match in re.finditer(r"=>\s*(\S+)(\s+v\S+)?\s*$", text, re.MULTILINE):
        target = match.group(1)
        if _is_local_path(target):
            found.append(target)
    return found


def _go_module(ctx: _Ctx, acc: _Reads, folder: str, seen: set[str]) -> None:
    path = join(folder, "go.mod")
    if path in seen:
        return
    seen.add(path)
    acc.add(path, join(folder, "go.sum"))
    text = ctx.text(path)
    if text is None:
        acc.decline(
            f"{path} is not known: cannot tell whether replace directives point at "
            "local directories"
        )
        return
    for target in _go_local_replacements(text):
        acc.note(f"{path} replaces a module with the local directory {target}")
        _go_module(ctx, acc, join(folder, target), seen)


def requires_modules(gomod: str) -> bool:
    """A go.mod's text has a `require` directive: there are modules to download."""
    return re.search(r"^\s*require\b", gomod, re.MULTILINE) is not None


def _requires_nothing(ctx: _Ctx, read: list[str]) -> bool:
    """The go.mod files the command reads (those that exist) have no `require` directive, and
    there is no go.work: `go mod download` has nothing to fetch."""
    texts = (ctx.text(p) for p in read if posixpath.basename(p) == "go.mod")
    modules = [text for text in texts if text is not None]
    if not modules:
        return False
    if any(ctx.text(p) is not None for p in read if posixpath.basename(p) == "go.work"):
        return False
    return not any(requires_modules(text) for text in modules)


# How many folders above the working directory go looks for go.mod and go.work.
_UPWARD = 8


def _above(base: str, name: str) -> list[str]:
    """``name`` in ``base`` and in each folder above it, nearest first."""
    out: list[str] = []
    for depth in range(_UPWARD + 1):
        path = norm(posixpath.join(base, *([".."] * depth), name))
        if path not in out:
            out.append(path)
    return out


def _go_manifests(ctx: _Ctx, acc: _Reads, base: str) -> None:
    """The go.mod go uses (the nearest one in the folder or above it) and a go.work found the
    same way, with everything they name; every folder looked in counts as read."""
    seen: set[str] = set()
    looked: list[str] = []
    root = base
    for path in _above(base, "go.mod"):
        if ctx.text(path) is not None:
            root = posixpath.dirname(path) or "."
            break
        looked.append(path)
    _go_module(ctx, acc, root, seen)
    if root != base:
        acc.add(*looked)  # the folders below the module root where go looked first
    work = None
    if ctx.env.get("GOWORK") != "off":
        for path in _above(base, "go.work"):
            acc.add(path, path + ".sum")
            work = ctx.text(path)
            if work is not None:
                folder = posixpath.dirname(path) or "."
                pattern = r"^\s*(?:use\s+)?(\.{1,2}(?:/[^\s)]*)?)\s*$"
                for match in re.finditer(pattern, work, re.MULTILINE):
                    _go_module(ctx, acc, join(folder, match.group(1)), seen)
                for target in _go_local_replacements(work):
                    _go_module(ctx, acc, join(folder, target), seen)
                break


@handles("go")
def _go(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-C",
            "-o",
            "-ldflags",
            "-gcflags",
            "-tags",
            "-mod",
            "-p",
            "-modfile",
            "-pkgdir",
            "-asmflags",
            "-buildmode",
            "-run",
            "-timeout",
            "-count",
            "-exec",
            "-overlay",
            "-pgo",
        ),
    )
    words = list(parsed.positionals)
    base = parsed.last("-C") or "."
    gopath = ctx.env.get("GOPATH", f"{ctx.home}/go")
    modcache = ctx.env.get("GOMODCACHE", f"{gopath}/pkg/mod")
    gocache = ctx.env.get("GOCACHE", f"{ctx.home}/.cache/go-build")
    if not words:
        return _simple("noop", "go")
    sub = " ".join(words[:2]) if words[0] in ("mod", "work") else words[0]
    if sub in ("mod download", "mod verify", "get"):
        acc = _Reads()
        _go_manifests(ctx, acc, base)
        if sub == "get":
            return acc.effect(
                "install",
                "go",
                [join(base, "go.mod"), join(base, "go.sum"), modcache],
                network=True,
                cost=10.0,
            )
        kind: Kind = "download" if sub == "mod download" else "noop"
        cost = 15.0 if kind == "download" else 1.0
        if kind == "download" and _requires_nothing(ctx, acc.paths):
            cost = 0.3  # nothing to download: not worth a cache split
        return acc.effect(
            kind,
            "go",
            [modcache] if kind == "download" else [],
            network=kind == "download",
            cost=cost,
        )
    if sub == "install" and words[1:] and all("@" in w for w in words[1:]):
        gobin = ctx.env.get("GOBIN", f"{gopath}/bin")
        return _simple("install", "go", writes=(gobin, modcache, gocache), network=True, cost=15.0)
    if sub in (
        "build",
        "install",
        "test",
        "run",
        "generate",
        "vet",
        "mod tidy",
        "mod vendor",
        "list",
        "work sync",
        "work vendor",
    ):
        output = parsed.last("-o")
        writes = [norm(output) if output else norm(base), modcache, gocache]
        if sub == "install":
            writes.append(ctx.env.get("GOBIN", f"{gopath}/bin"))
        return _build_all(
            "go", f"go {sub} reads the Go sources of the packages it loads", writes, cost=20.0
        )
    if sub in ("version", "env", "help", "doc") and "-w" not in args:
        return _simple("noop", "go")
    if sub == "env":
        return _simple("filesystem", "go", writes=(f"{ctx.home}/.config/go/env",), cost=0.1)
    return unknown_effect(args, f"`go {sub}` is not a go command dockerfix knows")
