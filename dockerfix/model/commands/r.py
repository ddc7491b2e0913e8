"""R: Rscript and R expressions (install.packages, renv), and littler's install2.r."""

from __future__ import annotations

import re

from dockerfix.model.commands._base import (
    CommandEffect,
    Ecosystem,
    _Ctx,
    _is_local_path,
    _Reads,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="renv",
        manifests=(
            "renv.lock",
            ".Rprofile",
            "renv/activate.R",
            "renv/settings.json",
            "renv/settings.dcf",
        ),
        detect=("renv.lock",),
        install_examples=("Rscript -e 'renv::restore()'",),
        extra_reads=".Rprofile runs at R startup and sources renv/activate.R",
        unsafe_variant=None,
        output_dirs=("renv/library",),
        dependency_install=("Rscript", "-e", "renv::restore()"),
    ),
)

_R_NEUTRAL = re.compile(
    r"(library|require|requireNamespace|options|Sys\.setenv|"
    r"renv::consent|message|print|cat|invisible)\s*\("
)
_R_REMOTE_INSTALL = re.compile(
    r"(install\.packages|(remotes|devtools)::install_(github|cran|version|bioc|url|git|gitlab|"
    r"bitbucket)|BiocManager::install|pak::(pkg_install|pak)|renv::install)\s*\("
)


def _r_expressions(args: list[str]) -> tuple[list[str], bool, bool]:
    """The `-e` expressions of an R/Rscript call, whether a profile is read, whether a file runs."""
    exprs: list[str] = []
    vanilla = False
    script = False
    i = 0
    while i < len(args):
        word = args[i]
        if word == "-e" and i + 1 < len(args):
            exprs.append(args[i + 1])
            i += 1
        elif word in ("--vanilla", "--no-init-file"):
            vanilla = True
        elif not word.startswith("-"):
            script = True
        i += 1
    return exprs, not vanilla, script


def _r_statements(exprs: list[str]) -> list[str]:
    statements: list[str] = []
    for expr in exprs:
        statements += [s.strip() for s in re.split(r"[;\n]", expr) if s.strip()]
    return statements


def _r_statement(acc: _Reads, statement: str, writes: list[str], library: str) -> bool:
    """Record one R statement; False when it is not one dockerfix knows."""
    restore = re.match(r"renv::restore\s*\((.*)\)", statement)
    if restore:
        lockfile = re.search(r"lockfile\s*=\s*[\"']([^\"']+)[\"']", restore.group(1))
        acc.add(
            lockfile.group(1) if lockfile else "renv.lock",
            "renv/activate.R",
            "renv/settings.json",
            "renv/settings.dcf",
        )
        writes += ["renv/library", "renv/staging"]
        return True
    if re.match(r"(remotes|devtools|pak)::(install_deps|local_install_deps)\s*\(", statement):
        acc.add("DESCRIPTION")
        writes.append(library)
        return True
    if re.match(r"(devtools::install|remotes::install_local|pak::local_install)\s*\(", statement):
        acc.decline(f"{statement} installs the local package: it may read any file")
        return True
    if _R_REMOTE_INSTALL.match(statement):
        writes.append(library)
        return True
    return bool(_R_NEUTRAL.match(statement))


def _r_profile(acc: _Reads, text: str | None) -> None:
    """R runs .Rprofile at startup: files it sources are read too."""
    for path in re.findall(r"source\(\s*[\"']([^\"']+)[\"']", text or ""):
        if path != "renv/activate.R":
            acc.decline(f".Rprofile sources {path} at startup: R runs it and it may read any file")


@handles("Rscript", "R")
def _rscript(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    exprs, profile, script = _r_expressions(args)
    if script or not exprs:
        return unknown_effect(args, f"{prog} runs an R program that may read any file")
    library = ctx.env.get("R_LIBS_SITE") or ctx.env.get("R_LIBS") or "/usr/local/lib/R/site-library"
    acc = _Reads()
    if profile:
        acc.add(".Rprofile")
    writes: list[str] = [ctx.env.get("RENV_PATHS_CACHE", f"{ctx.home}/.cache/R")]
    for statement in _r_statements(exprs):
        if not _r_statement(acc, statement, writes, library):
            return unknown_effect(args, f"`{statement}` is R code dockerfix cannot follow")
    renv = any(p.startswith("renv") for p in acc.paths)
    if profile:
        _r_profile(acc, ctx.text(".Rprofile"))
    if profile and renv:
        acc.note(".Rprofile activates renv through renv/activate.R")
    return acc.effect("install", "renv" if renv else "r", writes, network=True, cost=60.0)


@handles("install2.r", "installGithub.r")
def _install2r(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-n",
            "--ncpus",
            "-r",
            "--repos",
            "-l",
            "--libloc",
            "-d",
            "--deps",
            "-t",
            "--type",
            "-m",
            "--method",
        ),
    )
    library = parsed.last("-l", "--libloc") or "/usr/local/lib/R/site-library"
    acc = _Reads()
    for package in parsed.positionals:
        if _is_local_path(package):
            acc.decline(f"{prog} {package} installs a local package: it may read any file")
    return acc.effect("install", "r", [library], network=True, cost=30.0)
