"""JavaScript: npm, yarn (classic and berry), pnpm, bun, corepack and npx."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any

from dockerfix.model.commands._base import (
    Args,
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _glob_match,
    _load_json,
    _Reads,
    _simple,
    _strings,
    _table,
    _truthy,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles
from dockerfix.model.commands.node_locks import npm_dev, pnpm_frozen, yarn_frozen
from dockerfix.records import dataclass

# The files bun install reads beside package.json: with no lockfile of its own it migrates
# another tool's lockfile (and so reads it).
_BUN_CONFIGS = (
    "bun.lock",
    "bun.lockb",
    "bunfig.toml",
    ".npmrc",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
)
ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="npm",
        manifests=("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
        detect=("package-lock.json", "npm-shrinkwrap.json", "package.json"),
        install_examples=("npm ci", "npm install --omit=dev"),
        extra_reads="workspace packages' package.json (and their bin files); preinstall, "
        "install, postinstall and prepare scripts run and may read anything; a "
        "binding.gyp builds a native addon from the sources",
        unsafe_variant="`npm ci --ignore-scripts` before `COPY . .`, then `npm rebuild` after it",
        output_dirs=("node_modules",),
        dependency_install=("npm", "ci"),
        superseded_by=("yarn-classic", "yarn-berry", "pnpm", "bun"),
    ),
    Ecosystem(
        name="yarn-classic",
        manifests=("package.json", "yarn.lock", ".yarnrc", ".npmrc"),
        detect=("yarn.lock",),
        install_examples=("yarn install --frozen-lockfile", "yarn install --production"),
        extra_reads="workspace packages' package.json; preinstall, install, postinstall and "
        "prepare scripts run",
        unsafe_variant="`yarn install --frozen-lockfile --ignore-scripts` before `COPY . .`, "
        "then the scripts after it",
        output_dirs=("node_modules",),
        dependency_install=("yarn", "install", "--frozen-lockfile"),
        superseded_by=("yarn-berry",),
    ),
    Ecosystem(
        name="yarn-berry",
        manifests=(
            "package.json",
            "yarn.lock",
            ".yarnrc.yml",
            ".yarn/releases/",
            ".yarn/plugins/",
            ".yarn/patches/",
        ),
        detect=(".yarnrc.yml", ".yarn/releases/"),
        install_examples=("yarn install --immutable", "yarn workspaces focus --production"),
        extra_reads="workspace packages' package.json; their preinstall, install and "
        "postinstall scripts run (not with `--mode=skip-build`)",
        unsafe_variant="`yarn install --immutable --mode=skip-build` before `COPY . .`, then "
        "`yarn rebuild` after it",
        output_dirs=(
            "node_modules",
            ".yarn/cache",
            ".yarn/unplugged",
            ".yarn/install-state.gz",
            ".pnp.cjs",
            ".pnp.loader.mjs",
        ),
        dependency_install=("yarn", "install", "--immutable"),
    ),
    Ecosystem(
        name="pnpm",
        manifests=(
            "package.json",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
            ".npmrc",
            ".pnpmfile.cjs",
            "patches/",
        ),
        detect=("pnpm-lock.yaml", "pnpm-workspace.yaml"),
        install_examples=(
            "pnpm install --frozen-lockfile --prod",
            "pnpm fetch --prod && pnpm install --offline --prod",
        ),
        extra_reads="packages listed in pnpm-workspace.yaml; lifecycle scripts of the root and "
        "workspace packages; `pnpm fetch` reads only the lockfile (plus .npmrc and "
        "pnpm-workspace.yaml settings)",
        unsafe_variant="copy pnpm-lock.yaml and run `pnpm fetch` before `COPY . .`, then `pnpm "
        "install --offline` after it",
        output_dirs=("node_modules",),
        dependency_install=("pnpm", "install", "--frozen-lockfile"),
    ),
    Ecosystem(
        name="bun",
        manifests=("package.json", *_BUN_CONFIGS),
        detect=("bun.lock", "bun.lockb"),
        install_examples=("bun install --frozen-lockfile", "bun install --production"),
        extra_reads="workspace packages' package.json; the project's own lifecycle scripts run; "
        "with no bun lockfile, the package-lock.json, yarn.lock or pnpm-lock.yaml it migrates",
        unsafe_variant="`bun install --frozen-lockfile --ignore-scripts` before `COPY . .`",
        output_dirs=("node_modules",),
        dependency_install=("bun", "install", "--frozen-lockfile"),
    ),
)

_NPM_SCRIPTS = (
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
)
_YARN_CLASSIC_SCRIPTS = ("preinstall", "install", "postinstall", "prepublish", "prepare")
_YARN_BERRY_SCRIPTS = ("preinstall", "install", "postinstall")
_PNPM_SCRIPTS = (
    "pnpm:devPreinstall",
    "preinstall",
    "install",
    "postinstall",
    "preprepare",
    "prepare",
    "postprepare",
)
_BUN_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")


@dataclass(frozen=True)
class _NodeTool:
    """How one JavaScript package manager installs a project."""

    name: str
    eco: str
    configs: tuple[str, ...]
    scripts: tuple[str, ...]
    command: str


def _package_json(ctx: _Ctx, acc: _Reads, path: str, required: bool) -> dict[str, Any] | None:
    acc.add(path)
    data = _load_json(ctx.text(path))
    if data is None and required:
        acc.decline(f"{path} is not known: cannot tell its lifecycle scripts and workspaces")
    return data


# Lifecycle scripts that read no project file: `npx only-allow pnpm` checks which package
# manager runs the install, and nothing else.
_HARMLESS_SCRIPT = re.compile(r"npx only-allow (npm|pnpm|yarn|bun)")

# Well-known packages whose own install scripts read the project's files: installing them
# before those files are copied changes what the install produces.
LIFECYCLE_PACKAGES = {
    "@prisma/client": "runs `prisma generate`, which reads prisma/schema.prisma",
    "prisma": "runs `prisma generate` for @prisma/client, which reads prisma/schema.prisma",
    "husky": "installs Git hooks: it reads .git and .husky",
    "simple-git-hooks": "installs Git hooks from package.json into .git",
    "lefthook": "installs Git hooks from lefthook.yml into .git",
    "yorkie": "installs Git hooks into .git",
}


# Packages whose install scripts only install Git hooks: they read and write .git (and their
# own hook folder), and no file the image's programs use.
GIT_HOOK_PACKAGES = frozenset({"husky", "simple-git-hooks", "lefthook", "yorkie"})

# A lifecycle script that only installs Git hooks (`husky install`, `cd .. && husky`, …).
_GIT_HOOK_SCRIPT = re.compile(
    r"(?:cd [\w./-]+ && )?(?:is-ci \|\| )?(?:(?:npx|yarn|pnpm(?: exec)?|bunx) )?"
    r"(?:husky(?: install)?(?: [\w./-]+)?|simple-git-hooks|lefthook install)"
    r"(?: \|\| (?:true|exit 0))?"
)
# The assumption a Git-hooks-only lifecycle script makes an install depend on; it is moot
# where no .git reaches the image at all.
GIT_HOOKS_ASSUMPTION = (
    "which only installs Git hooks: run before the sources are copied it finds no .git, so "
    "the image's .git (and hook folder) may differ"
)
_GIT_HOOKS_ONLY = "{what}, " + GIT_HOOKS_ASSUMPTION


def _check_scripts(
    acc: _Reads, tool: _NodeTool, path: str, data: Mapping[str, Any], dev: bool = True
) -> None:
    scripts = _table(data, "scripts")
    hook_scripts = False
    for name in tool.scripts:
        text = str(scripts.get(name, "")).strip()
        if name not in scripts or _HARMLESS_SCRIPT.fullmatch(text):
            continue
        reason = f"{path} has a {name} script: {tool.command} runs it and it may read any file"
        if _GIT_HOOK_SCRIPT.fullmatch(text):
            hook_scripts = True
            acc.assume(_GIT_HOOKS_ONLY.format(what=f"{path} has a {name} script `{text}`"))
        else:
            acc.decline(reason)
    fields = ("dependencies", "devDependencies", "optionalDependencies")
    for field in fields if dev else ("dependencies", "optionalDependencies"):
        for package in _table(data, field):
            why = LIFECYCLE_PACKAGES.get(package)
            if why is None:
                continue
            reason = (
                f"{path} depends on {package}, whose install script {why}: "
                f"{tool.command} may read those files"
            )
            if package in GIT_HOOK_PACKAGES:
                if not hook_scripts:  # the script that runs it is named already
                    acc.assume(_GIT_HOOKS_ONLY.format(what=f"{path} depends on {package}"))
            else:
                acc.decline(reason)


def _workspace_patterns(data: Mapping[str, Any]) -> list[str]:
    field = data.get("workspaces")
    if isinstance(field, dict):
        field = field.get("packages")
    return _strings(field)


def _pnpm_workspace_patterns(text: str | None) -> list[str]:
    """The `packages:` list of pnpm-workspace.yaml (block or flow style)."""
    if text is None:
        return []
    patterns: list[str] = []
    inside = False
    for raw in text.splitlines():
        line = re.sub(r"\s#.*", "", raw).rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"packages\s*:", line):
            inline = line.split(":", 1)[1].strip()
            if inline.startswith("["):
                return [p.strip().strip("'\"") for p in inline.strip("[]").split(",") if p.strip()]
            inside = True
        elif inside and re.match(r"\s*-\s", line):
            patterns.append(line.split("-", 1)[1].strip().strip("'\""))
        elif inside and not line.startswith((" ", "\t")):
            inside = False
    return patterns


def _node_members(ctx: _Ctx, acc: _Reads, base: str, patterns: list[str]) -> list[str]:
    """Directories of workspace packages; declines when a pattern cannot be listed."""
    excluded = [join(base, p[1:]) for p in patterns if p.startswith("!")]
    members: list[str] = []
    for pattern in (p for p in patterns if not p.startswith("!")):
        manifest = join(join(base, pattern), "package.json")
        found = ctx.expand(manifest)
        if found is None:
            acc.add(manifest)
            acc.decline(
                f"cannot list the workspace packages {pattern}: their install scripts are unknown"
            )
            continue
        for path in found:
            member = posixpath.dirname(path)
            if not any(_glob_match(e, member) for e in excluded) and member not in members:
                members.append(member)
    return members


def _member_manifests(ctx: _Ctx, acc: _Reads, tool: _NodeTool, members: list[str]) -> None:
    for member in members:
        path = join(member, "package.json")
        data = _package_json(ctx, acc, path, required=True)
        if data is None:
            continue
        _check_scripts(acc, tool, path, data)
        _local_dependencies(acc, member, path, data)
        bins = data.get("bin")
        # Linking a workspace package makes its bin files executable.
        for target in bins.values() if isinstance(bins, dict) else _strings(bins):
            if isinstance(target, str):
                acc.add(join(member, target))


_DEPENDENCY_TABLES = (
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "overrides",
    "resolutions",
)


def _spec_strings(value: Any) -> Iterable[tuple[str, str]]:
    """(name, spec) of a dependency table; nested tables (npm `overrides`) too."""
    if isinstance(value, dict):
        for name, spec in value.items():
            if isinstance(spec, str):
                yield str(name), spec
            else:
                yield from _spec_strings(spec)


def _local_dependencies(acc: _Reads, base: str, path: str, data: Mapping[str, Any]) -> None:
    """Dependencies a package.json takes from the project's own files: a folder (`file:`,
    `portal:`, a bare path) is read whole, a tarball or a Yarn patch file is read. A `link:`
    is only a symlink (its target's dependencies are not installed): nothing is read."""
    pnpm = data.get("pnpm")
    tables = [data.get(t) for t in _DEPENDENCY_TABLES]
    if isinstance(pnpm, dict):
        tables.append(pnpm.get("overrides"))
    for table in tables:
        for name, spec in _spec_strings(table):
            if spec.startswith("patch:") and "#" in spec:
                patch = spec.split("#", 1)[1].split("::", 1)[0]
                patch = re.sub(r"^~/", "", patch)
                if patch and "://" not in patch and not patch.startswith("/"):
                    acc.add(join(base, patch))
                continue
            target = _local_spec(spec)
            if target is None or spec.startswith("link:"):
                continue
            if target.endswith((".tgz", ".tar.gz")):
                acc.add(join(base, target))
            else:
                acc.decline(
                    f"{path} takes {name} from the local folder {target}: the install reads it"
                )


def _npmrc_files(ctx: _Ctx, acc: _Reads, base: str) -> None:
    """Certificate files a project's .npmrc names (`cafile=certs/ca.pem`): npm reads them."""
    text = ctx.text(join(base, ".npmrc"))
    for line in (text or "").splitlines():
        key, eq, value = line.partition("=")
        value = value.strip().strip("'\"")
        if eq and key.strip() in ("cafile", "certfile", "keyfile") and value and "$" not in value:
            acc.add(value if value.startswith("/") else join(base, value))


def _node_project(
    ctx: _Ctx, acc: _Reads, tool: _NodeTool, base: str, scripts: bool, dev: bool = True
) -> list[str]:
    """Read a project's manifests; returns the workspace member directories. Without
    ``dev`` the install leaves devDependencies out, and their install scripts do not run."""
    root = _package_json(ctx, acc, join(base, "package.json"), required=True)
    acc.add(*(join(base, c) for c in tool.configs))
    if ".npmrc" in tool.configs:
        _npmrc_files(ctx, acc, base)
    if root is None:
        return []
    _local_dependencies(acc, base, join(base, "package.json"), root)
    patterns = _workspace_patterns(root)
    if tool.name == "pnpm":
        patterns = _pnpm_workspace_patterns(ctx.text(join(base, "pnpm-workspace.yaml")))
    members = _node_members(ctx, acc, base, patterns)
    if scripts:
        _check_scripts(acc, tool, join(base, "package.json"), root, dev)
        if ctx.text(join(base, "binding.gyp")) is not None and tool.name != "yarn-berry":
            acc.decline(
                f"{join(base, 'binding.gyp')} exists: {tool.command} builds the native "
                "addon from the sources"
            )
        _member_manifests(ctx, acc, tool, members)
    else:
        acc.add(*(join(m, "package.json") for m in members))
    return members


def _local_spec(spec: str) -> str | None:
    """The project path a dependency spec takes its package from (`file:`, `link:`,
    `portal:`, a folder path, a tarball; `name@file:…` too), or None for a registry spec.
    `~1.2` is a version range, `~/lib` a path."""
    for protocol in ("file:", "link:", "portal:"):
        at = spec.find("@" + protocol)
        if spec.startswith(protocol) or at > 0:
            return spec[spec.index(protocol) + len(protocol) :]
    if spec in (".", "..") or spec.startswith(("./", "../", "/", "~/")):
        return spec
    return spec if spec.endswith((".tgz", ".tar.gz")) else None


def _node_local_specs(acc: _Reads, specs: Iterable[str], command: str) -> None:
    for spec in specs:
        path = _local_spec(spec)
        if path is None:
            continue
        if path.endswith((".tgz", ".tar.gz")):
            acc.add(path)
        else:
            acc.decline(f"{command} {spec} installs a local folder: it may read any file")


_NPM_VALUE = (
    "--prefix",
    "-w",
    "--workspace",
    "--omit",
    "--include",
    "--registry",
    "--cache",
    "--loglevel",
    "--userconfig",
    "--tag",
    "--before",
    "--install-strategy",
    "--location",
    "-C",
    "--save-prefix",
    "--fetch-retries",
    "--fetch-timeout",
    "--maxsockets",
    "--network-concurrency",
    "--script-shell",
    "--only",
    "--also",
)
_NPM_INSTALL = frozenset(
    {
        "install",
        "i",
        "in",
        "ins",
        "inst",
        "insta",
        "instal",
        "isnt",
        "isnta",
        "isntal",
        "isntall",
        "add",
        "ci",
        "clean-install",
        "ic",
        "install-clean",
        "isntall-clean",
    }
)
_NPM_RUN = frozenset(
    {
        "run",
        "run-script",
        "rum",
        "urn",
        "test",
        "t",
        "tst",
        "start",
        "stop",
        "restart",
        "exec",
        "x",
        "rebuild",
        "rb",
        "pack",
        "publish",
        "explore",
        "build",
        "install-test",
        "it",
        "install-ci-test",
        "cit",
    }
)
_NPM_QUERY = frozenset(
    {
        "--version",
        "-v",
        "version",
        "help",
        "ls",
        "list",
        "la",
        "ll",
        "view",
        "info",
        "show",
        "v",
        "outdated",
        "whoami",
        "ping",
        "doctor",
        "root",
        "bin",
        "prefix",
        "explain",
        "why",
        "query",
        "fund",
        "search",
    }
)
_NPM = _NodeTool(
    "npm",
    "npm",
    ("package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
    _NPM_SCRIPTS,
    "npm install",
)


@handles("npm")
def _npm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _NPM_VALUE)
    if not parsed.positionals:
        return _simple("noop", "npm")
    sub, specs = parsed.positionals[0], list(parsed.positionals[1:])
    base = parsed.last("--prefix", "-C") or "."
    if sub in _NPM_INSTALL:
        return _npm_install(ctx, parsed, sub, specs, base)
    if sub in _NPM_RUN:
        named = sub in ("run", "run-script", "rum", "urn") and bool(specs)
        label = f"{sub} {specs[0]}" if named else sub
        return _build_all(
            "npm",
            f"npm {label} runs the package.json script "
            f"{specs[0] if named else sub}: it may read any file",
            (norm(base),),
        )
    if sub == "prune":
        acc = _Reads()
        acc.add(join(base, "package.json"), join(base, "package-lock.json"))
        return acc.effect("install", "npm", [join(base, "node_modules")], network=False, cost=2.0)
    if sub == "cache":
        return _simple("filesystem", "npm", writes=(f"{ctx.home}/.npm",), cost=0.5)
    if sub in ("config", "set"):
        where = (
            "/usr/local/etc/npmrc"
            if parsed.has("-g", "--global") or parsed.last("--location") == "global"
            else f"{ctx.home}/.npmrc"
        )
        if parsed.last("--location") == "project":
            where = join(base, ".npmrc")
        return _simple("filesystem", "npm", writes=(where,), cost=0.1)
    if sub in _NPM_QUERY:
        return _simple("noop", "npm")
    return unknown_effect(args, f"`npm {sub}` is not an npm command dockerfix knows")


def _npm_install(ctx: _Ctx, parsed: Args, sub: str, specs: list[str], base: str) -> CommandEffect:
    acc = _Reads()
    global_prefix = ctx.env.get("NPM_CONFIG_PREFIX", "/usr/local")
    if parsed.has("-g", "--global") or _truthy(ctx.env.get("npm_config_global")):
        _node_local_specs(acc, specs, f"npm {sub}")
        return acc.effect(
            "install",
            "npm",
            [f"{global_prefix}/lib/node_modules", f"{global_prefix}/bin", f"{ctx.home}/.npm"],
            network=True,
            cost=5.0,
        )
    ignore = parsed.has("--ignore-scripts") or _truthy(ctx.env.get("npm_config_ignore_scripts"))
    members = _node_project(ctx, acc, _NPM, base, scripts=not ignore, dev=npm_dev(ctx, parsed))
    _node_local_specs(acc, specs, f"npm {sub}")
    # npm also reads a yarn.lock beside package.json, and `npm install` keeps it up to date.
    acc.add(join(base, "yarn.lock"))
    writes = [
        join(base, "node_modules"),
        *(join(m, "node_modules") for m in members),
        f"{ctx.home}/.npm",
    ]
    if sub not in ("ci", "clean-install", "ic", "install-clean", "isntall-clean"):
        writes += [join(base, "package-lock.json"), join(base, "yarn.lock")]
    if specs:
        writes += [join(base, "package.json")]
    return acc.effect("install", "npm", writes, network=True, cost=20.0)


def _yarn_flavour(ctx: _Ctx, base: str) -> str:
    """`yarn-classic`, `yarn-berry`, or `yarn` when the files do not tell."""
    manager = (_load_json(ctx.text(join(base, "package.json"))) or {}).get("packageManager")
    if isinstance(manager, str) and manager.startswith("yarn@"):
        return "yarn-classic" if manager[5:].startswith("1.") else "yarn-berry"
    if ctx.text(join(base, ".yarnrc.yml")) is not None:
        return "yarn-berry"
    return "yarn"


_YARN_CLASSIC = _NodeTool(
    "yarn-classic",
    "yarn",
    ("yarn.lock", ".yarnrc", ".npmrc"),
    _YARN_CLASSIC_SCRIPTS,
    "yarn install",
)
_YARN_BERRY = _NodeTool(
    "yarn-berry",
    "yarn",
    ("yarn.lock", ".yarnrc.yml", ".yarn/releases", ".yarn/plugins", ".yarn/patches"),
    _YARN_BERRY_SCRIPTS,
    "yarn install",
)
_YARN_EITHER = _NodeTool(
    "yarn",
    "yarn",
    (*_YARN_CLASSIC.configs, *_YARN_BERRY.configs[1:]),
    _YARN_CLASSIC_SCRIPTS,
    "yarn install",
)
_YARN_VALUE = (
    "--cwd",
    "--network-timeout",
    "--cache-folder",
    "--modules-folder",
    "--mode",
    "--registry",
    "--mutex",
    "--global-folder",
    "--link-folder",
    "--network-concurrency",
)
_YARN_BUILTIN = frozenset(
    {
        "add",
        "remove",
        "upgrade",
        "up",
        "cache",
        "config",
        "global",
        "info",
        "init",
        "why",
        "workspaces",
        "workspace",
        "set",
        "dlx",
        "node",
        "exec",
        "run",
        "pack",
        "npm",
        "plugin",
        "constraints",
        "dedupe",
        "rebuild",
        "unplug",
        "bin",
        "explain",
        "patch",
        "import",
        "install",
        "version",
        "--version",
        "-v",
        "help",
        "list",
        "licenses",
        "outdated",
        "audit",
        "policies",
        "check",
        "link",
        "unlink",
        "login",
        "logout",
        "publish",
        "tag",
        "team",
        "owner",
        "autoclean",
        "generate-lock-entry",
        "create",
    }
)


@handles("yarn")
def _yarn(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _YARN_VALUE)
    base = parsed.last("--cwd") or "."
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    if sub in ("install", "add") or words[:2] == ["workspaces", "focus"]:
        return _yarn_install(ctx, parsed, base, specs=words[1:] if sub == "add" else [])
    if sub == "global" and words[1:2] == ["add"]:
        acc = _Reads()
        _node_local_specs(acc, words[2:], "yarn global add")
        return acc.effect(
            "install",
            "yarn",
            [
                "/usr/local/share/.config/yarn/global",
                "/usr/local/bin",
                _yarn_cache(ctx, "yarn-classic"),
            ],
            network=True,
            cost=5.0,
        )
    if sub == "cache":
        return _simple(
            "filesystem", "yarn", writes=(_yarn_cache(ctx, _yarn_flavour(ctx, base)),), cost=0.5
        )
    if sub == "config":
        return _simple(
            "filesystem",
            "yarn",
            writes=(f"{ctx.home}/.yarnrc", join(base, ".yarnrc.yml")),
            cost=0.1,
        )
    if sub == "set" and words[1:2] == ["version"]:
        return _simple(
            "download",
            "yarn",
            reads=(join(base, "package.json"),),
            writes=(
                join(base, ".yarnrc.yml"),
                join(base, ".yarn/releases"),
                join(base, "package.json"),
            ),
            network=True,
            cost=2.0,
        )
    if sub in ("--version", "-v", "version", "help", "info", "why", "list", "licenses", "bin"):
        return _simple("noop", "yarn")
    if sub not in _YARN_BUILTIN or sub == "run":
        script = words[1] if sub == "run" and len(words) > 1 else sub
        return _build_all(
            "yarn",
            f"yarn {' '.join(words[:2]) if sub == 'run' else sub} runs the "
            f"package.json script {script}: it may read any file",
            (norm(base),),
        )
    return unknown_effect(args, f"`yarn {sub}` is not a yarn command dockerfix knows")


def _yarn_cache(ctx: _Ctx, flavour: str) -> str:
    if flavour == "yarn-classic":
        return ctx.env.get("YARN_CACHE_FOLDER", "/usr/local/share/.cache/yarn")
    return ctx.env.get("YARN_CACHE_FOLDER", ".yarn/cache")


def _yarnrc_files(ctx: _Ctx, acc: _Reads, base: str) -> None:
    """Files a project's .yarnrc.yml makes Yarn load: `yarnPath`, each plugin's `path`."""
    text = ctx.text(join(base, ".yarnrc.yml")) or ""
    for match in re.finditer(
        r"^\s*(?:yarnPath:|-\s*path:|path:|-)\s*[\"']?([^\"'\s#]+\.c?js)[\"']?\s*$", text, re.M
    ):
        value = match.group(1)
        if value.startswith((".yarn/releases/", ".yarn/plugins/")):
            continue  # those folders are read whole
        if "://" not in value and "$" not in value:
            acc.add(value if value.startswith("/") else join(base, value))


def _yarn_install(ctx: _Ctx, parsed: Args, base: str, specs: list[str]) -> CommandEffect:
    flavour = _yarn_flavour(ctx, base)
    tool = {"yarn-classic": _YARN_CLASSIC, "yarn-berry": _YARN_BERRY}.get(flavour, _YARN_EITHER)
    ignore = (
        parsed.has("--ignore-scripts")
        or parsed.last("--mode") == "skip-build"
        or ctx.env.get("YARN_ENABLE_SCRIPTS", "").lower() in ("false", "0")
        or _truthy(ctx.env.get("YARN_IGNORE_SCRIPTS"))
    )
    acc = _Reads()
    # Yarn 1 leaves devDependencies out with --production (Yarn 2+ refuses the flag) or
    # NODE_ENV=production (which Yarn 2+ ignores).
    dev = flavour == "yarn-berry" or not (
        parsed.has("--production", "--prod")
        or (flavour == "yarn-classic" and ctx.env.get("NODE_ENV") == "production")
    )
    members = _node_project(ctx, acc, tool, base, scripts=not ignore, dev=dev)
    _yarnrc_files(ctx, acc, base)
    _node_local_specs(acc, specs, "yarn add")
    writes = [join(base, "node_modules"), *(join(m, "node_modules") for m in members)]
    if flavour != "yarn-classic":
        writes += [
            join(base, p)
            for p in (
                ".yarn/cache",
                ".yarn/unplugged",
                ".yarn/install-state.gz",
                ".pnp.cjs",
                ".pnp.loader.mjs",
            )
        ]
    if flavour != "yarn-berry":
        writes.append(_yarn_cache(ctx, "yarn-classic"))
    if specs:
        writes += [join(base, "package.json"), join(base, "yarn.lock")]
    elif not yarn_frozen(ctx, parsed, flavour):
        # A yarn.lock out of step with package.json (or none) is rewritten by the install.
        writes.append(join(base, "yarn.lock"))
    return acc.effect("install", "yarn", writes, network=True, cost=20.0)


_PNPM = _NodeTool(
    "pnpm",
    "pnpm",
    ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs", "patches"),
    _PNPM_SCRIPTS,
    "pnpm install",
)
_PNPM_VALUE = (
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--store-dir",
    "--virtual-store-dir",
    "--reporter",
    "--workspace-dir",
    "--loglevel",
    "--registry",
    "--node-linker",
    "--network-concurrency",
    "--child-concurrency",
    "--modules-dir",
)
_PNPM_QUERY = frozenset(
    {
        "--version",
        "-v",
        "help",
        "list",
        "ls",
        "ll",
        "la",
        "why",
        "outdated",
        "root",
        "bin",
        "licenses",
        "audit",
    }
)
_PNPM_TOOLING = frozenset(
    {
        "install",
        "i",
        "add",
        "fetch",
        "deploy",
        "prune",
        "store",
        "config",
        "env",
        "setup",
        "dlx",
        "exec",
        "create",
        "update",
        "up",
        "remove",
        "rm",
        "link",
        "unlink",
        "import",
        "rebuild",
        "rb",
        "patch",
        "patch-commit",
        "publish",
        "pack",
        "server",
        "self-update",
    }
)


@handles("pnpm")
def _pnpm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _PNPM_VALUE)
    base = parsed.last("--dir", "-C") or "."
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    store = parsed.last("--store-dir") or ctx.env.get(
        "npm_config_store_dir", f"{ctx.home}/.local/share/pnpm/store"
    )
    if sub == "fetch":
        acc = _Reads()
        # pnpm fetch ignores package.json: the lockfile alone names what to download.
        acc.add(*(join(base, p) for p in ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc")))
        return acc.effect("download", "pnpm", [store], network=True, cost=15.0)
    if sub in ("install", "i", "add"):
        acc = _Reads()
        ignore = parsed.has("--ignore-scripts") or _truthy(ctx.env.get("npm_config_ignore_scripts"))
        dev = not (
            parsed.has("--prod", "-P", "--production") or ctx.env.get("NODE_ENV") == "production"
        )
        members = _node_project(ctx, acc, _PNPM, base, scripts=not ignore, dev=dev)
        writes = [join(base, "node_modules"), *(join(m, "node_modules") for m in members), store]
        if sub == "add":
            _node_local_specs(acc, words[1:], "pnpm add")
            writes += [join(base, "package.json"), join(base, "pnpm-lock.yaml")]
        elif not pnpm_frozen(ctx, parsed):
            # A pnpm-lock.yaml out of step with package.json, or of an older lockfile
            # format, is rewritten by the install.
            writes.append(join(base, "pnpm-lock.yaml"))
        return acc.effect("install", "pnpm", writes, network=not parsed.has("--offline"), cost=15.0)
    if sub == "store" or sub == "config":
        return _simple(
            "filesystem",
            "pnpm",
            writes=(store if sub == "store" else f"{ctx.home}/.config/pnpm/rc",),
            cost=0.5,
        )
    if sub in _PNPM_QUERY:
        return _simple("noop", "pnpm")
    if sub not in _PNPM_TOOLING or sub in ("run", "deploy", "exec", "dlx", "rebuild", "rb"):
        script = words[1] if sub == "run" and len(words) > 1 else sub
        return _build_all(
            "pnpm",
            f"pnpm {sub} runs the package.json script {script}: it may read any file"
            if sub not in ("deploy", "exec", "dlx", "rebuild", "rb")
            else f"pnpm {sub} works on the project sources",
            (norm(base),),
        )
    return unknown_effect(args, f"`pnpm {sub}` is not a pnpm command dockerfix knows")


_BUN = _NodeTool("bun", "bun", _BUN_CONFIGS, _BUN_SCRIPTS, "bun install")


@handles("bun")
def _bun(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        ("--cwd", "--cache-dir", "--registry", "-c", "--config", "--backend", "--omit", "--filter"),
    )
    base = parsed.last("--cwd") or "."
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    if sub in ("install", "i", "add", "a", "ci"):
        acc = _Reads()
        if parsed.has("-g", "--global"):
            _node_local_specs(acc, words[1:], f"bun {sub}")
            return acc.effect("install", "bun", [f"{ctx.home}/.bun"], network=True, cost=3.0)
        members = _node_project(ctx, acc, _BUN, base, scripts=not parsed.has("--ignore-scripts"))
        _node_local_specs(acc, words[1:], f"bun {sub}")
        cache = parsed.last("--cache-dir") or ctx.env.get(
            "BUN_INSTALL_CACHE_DIR", f"{ctx.home}/.bun/install/cache"
        )
        writes = [join(base, "node_modules"), *(join(m, "node_modules") for m in members), cache]
        return acc.effect("install", "bun", writes, network=True, cost=5.0)
    if sub in ("--version", "-v", "--revision", "pm", "help"):
        return _simple("noop", "bun")
    script = words[1] if sub == "run" and len(words) > 1 else sub
    return _build_all("bun", f"bun {sub} runs {script}: it may read any file", (norm(base),))


@handles("corepack")
def _corepack(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("--install-directory",))
    sub = parsed.positionals[0] if parsed.positionals else ""
    if sub in ("enable", "disable"):
        folder = parsed.last("--install-directory") or "/usr/local/bin"
        return _simple("filesystem", "npm", writes=(folder,), cost=0.1)
    if sub in ("prepare", "install", "use", "up"):
        reads = () if len(parsed.positionals) > 1 else ("package.json",)
        return _simple(
            "download",
            "npm",
            reads=reads,
            writes=(f"{ctx.home}/.cache/node/corepack",),
            network=True,
            cost=2.0,
        )
    return unknown_effect(args, f"`corepack {sub}` is not a corepack command dockerfix knows")


@handles("npx", "bunx")
def _npx(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    return _build_all("npm", f"{prog} runs a package binary in the project: it may read any file")
