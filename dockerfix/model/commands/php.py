"""PHP: composer."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dockerfix.model.commands._base import (
    Args,
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _load_json,
    _Reads,
    _simple,
    _strings,
    _table,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="composer",
        manifests=("composer.json", "composer.lock", "auth.json"),
        detect=("composer.json",),
        install_examples=("composer install --no-dev --optimize-autoloader",),
        extra_reads="scripts (post-install-cmd, post-autoload-dump …) run unless "
        "`--no-scripts`; the autoloader reads the autoload paths unless "
        "`--no-autoloader`; path repositories",
        unsafe_variant="`composer install --no-scripts --no-autoloader` before `COPY . .`, "
        "then `composer dump-autoload --optimize` after it",
        output_dirs=("vendor",),
        dependency_install=("composer", "install", "--no-scripts", "--no-autoloader"),
    ),
)

_COMPOSER_INSTALL_EVENTS = (
    "pre-install-cmd",
    "post-install-cmd",
    "pre-autoload-dump",
    "post-autoload-dump",
    "pre-package-install",
    "post-package-install",
    "pre-operations-exec",
    "pre-pool-create",
)
_COMPOSER_UPDATE_EVENTS = (
    "pre-update-cmd",
    "post-update-cmd",
    "pre-package-update",
    "post-package-update",
    "pre-dependencies-solving",
    "post-dependencies-solving",
)


def _composer_checks(
    acc: _Reads, data: Mapping[str, Any], parsed: Args, sub: str, path: str
) -> None:
    if not parsed.has("--no-scripts"):
        events = _COMPOSER_INSTALL_EVENTS + (_COMPOSER_UPDATE_EVENTS if sub != "install" else ())
        for event in events:
            if event in _table(data, "scripts"):
                acc.decline(
                    f"{path} has a {event} script: composer {sub} runs it and it may read any file"
                )
    if not parsed.has("--no-autoloader"):
        sections = ["autoload"] + ([] if parsed.has("--no-dev") else ["autoload-dev"])
        paths = [
            p
            for s in sections
            for kind in _table(data, s).values()
            for p in (kind.values() if isinstance(kind, dict) else _strings(kind))
            if isinstance(p, str)
        ]
        if paths:
            acc.decline(
                f"composer {sub} generates the autoloader from {', '.join(paths)}: it "
                "reads them (use --no-autoloader, then dump-autoload)"
            )
    repos = data.get("repositories")
    for repo in repos.values() if isinstance(repos, dict) else repos or []:
        if isinstance(repo, dict) and repo.get("type") == "path":
            acc.decline(f"{path} has a path repository {repo.get('url')}: composer reads it")
        url = repo.get("url") if isinstance(repo, dict) else None
        if isinstance(repo, dict) and repo.get("type") == "artifact" and isinstance(url, str):
            acc.add(url)  # a folder of package archives composer installs from
    extra = _table(data, "extra")
    if "patches" in extra or "patches-file" in extra:
        # A patches plugin (cweagans/composer-patches) applies project files during the
        # install, scripts or not.
        acc.decline(
            f"{path} lists patches for a composer plugin, which applies them from the "
            "project's files during the install"
        )


@handles("php")
def _php(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """`php composer.phar install`: composer run from its archive, which php reads."""
    if args and posixpath.basename(args[0]) in ("composer.phar", "composer"):
        effect = _composer(ctx, "composer", args[1:])
        if effect.reads_all:
            return effect
        return replace(effect, reads=(*effect.reads, norm(args[0])))
    return unknown_effect(args, "a PHP program may read and write any file")


@handles("composer", "composer.phar")
def _composer(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args, ("-d", "--working-dir", "--ignore-platform-req", "--prefer-install", "--audit-format")
    )
    words = list(parsed.positionals)
    sub = (
        {
            "i": "install",
            "u": "update",
            "upgrade": "update",
            "r": "require",
            "dumpautoload": "dump-autoload",
        }.get(words[0], words[0])
        if words
        else "list"
    )
    base = parsed.last("-d", "--working-dir") or "."
    home = ctx.env.get("COMPOSER_HOME", f"{ctx.home}/.composer")
    if words[:1] == ["global"]:
        return _simple("install", "composer", writes=(home,), network=True, cost=5.0)
    if sub in ("install", "update", "require", "remove"):
        name = ctx.env.get("COMPOSER", "composer.json")
        path = join(base, name)
        acc = _Reads()
        acc.add(
            path,
            join(base, name[:-5] + ".lock" if name.endswith(".json") else name + ".lock"),
            join(base, "auth.json"),
        )
        data = _load_json(ctx.text(path))
        if data is None:
            acc.decline(f"{path} is not known: cannot tell its scripts and autoload paths")
            data = {}
        _composer_checks(acc, data, parsed, sub, path)
        vendor = _table(data, "config").get("vendor-dir", "vendor")
        writes = [join(base, str(vendor)), home]
        if sub != "install":
            writes += [path, join(base, "composer.lock")]
        return acc.effect("install", "composer", writes, network=True, cost=20.0)
    if sub in ("dump-autoload", "run-script", "run", "exec", "create-project"):
        return _build_all(
            "composer",
            f"composer {sub} reads the project sources",
            (join(base, "vendor"),),
            cost=2.0,
            network=False,
        )
    if sub == "config":
        where = (
            f"{home}/config.json" if parsed.has("-g", "--global") else join(base, "composer.json")
        )
        return _simple("filesystem", "composer", writes=(where,), cost=0.1)
    if sub in ("clear-cache", "clearcache", "cc"):
        return _simple("filesystem", "composer", writes=(home,), cost=0.1)
    if sub in (
        "--version",
        "-V",
        "list",
        "diagnose",
        "validate",
        "show",
        "outdated",
        "check-platform-reqs",
        "licenses",
        "about",
        "help",
    ):
        return _simple("noop", "composer")
    return unknown_effect(args, f"`composer {sub}` is not a composer command dockerfix knows")
