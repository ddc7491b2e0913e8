"""Ruby: bundler and gem."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping

from dockerfix.model.commands._base import (
    SYSTEM_WRITES,
    Args,
    CommandEffect,
    Ecosystem,
    Kind,
    _build_all,
    _Ctx,
    _Reads,
    _simple,
    _truthy,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles
from dockerfix.model.paths import normalize

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="bundler",
        manifests=("Gemfile", "Gemfile.lock", "gems.rb", "gems.locked", ".bundle/config"),
        detect=("Gemfile", "gems.rb"),
        install_examples=(
            "bundle install --jobs 4",
            "bundle config set --local deployment true && bundle install",
        ),
        extra_reads="files named by `eval_gemfile`; a `gemspec` line loads *.gemspec, which "
        "usually reads lib/…/version.rb and runs git ls-files; gems with `path:` "
        "read their folders",
        unsafe_variant=None,
        output_dirs=("vendor/bundle", ".bundle"),
        dependency_install=("bundle", "install"),
        other_manifests=("*.gemspec",),
    ),
)


def _gemfile(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell whether it loads a gemspec or local gems")
        return
    folder = posixpath.dirname(path)
    for raw in text.splitlines():
        line = re.sub(r"#.*", "", raw).strip()
        if re.match(r"gemspec\b", line):
            acc.add(join(folder, "*.gemspec"))
            acc.decline(
                f"{path} has a gemspec line: bundler loads the *.gemspec, which usually "
                "reads lib/…/version.rb and lists files with git ls-files"
            )
        elif re.search(r"(\bpath:|:path\s*=>)|^path\b", line):
            acc.decline(
                f"{path} installs a gem from a local path ({line}): bundler reads its files"
            )
        match = re.match(r"eval_gemfile\s*\(?\s*[\"']([^\"']+)[\"']", line)
        if match:
            _gemfile(ctx, acc, join(folder, match.group(1)), seen)
        _gemfile_reads(acc, path, folder, line)


def _gemfile_reads(acc: _Reads, path: str, folder: str, line: str) -> None:
    """Files a Gemfile line reads: `ruby file: ".ruby-version"`, `File.read(".ruby-version")`."""
    version_file = re.match(r"ruby\b.*\bfile:\s*[\"']([^\"']+)[\"']", line)
    if version_file:
        acc.add(join(folder, version_file.group(1)))
        return
    literal = re.search(
        r"\b(?:File|IO)\.(?:read|readlines|foreach)\(\s*"
        r"(?:File\.(?:join|expand_path)\(\s*(?:__dir__\s*,\s*)?)?[\"']([^\"'#{}*?]+)[\"']",
        line,
    )
    if literal and len(re.findall(r"\b(?:File|IO|Dir)\.", line)) <= 2:
        acc.add(join(folder, literal.group(1)))
    elif re.search(r"\b(?:File|IO|Dir)\.\w+|^(?:load|require_relative)\b", line):
        acc.decline(f"{path} reads files with Ruby code ({line}): bundler runs it")


@handles("bundle", "bundler")
def _bundle(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-j",
            "--jobs",
            "--retry",
            "--path",
            "--gemfile",
            "--without",
            "--with",
            "--binstubs",
            "--standalone",
            "--shebang",
            "--trust-policy",
            "--target-rbconfig",
        ),
    )
    words = list(parsed.positionals)
    sub = words[0] if words else "install"
    gem_home = ctx.env.get("BUNDLE_PATH") or ctx.env.get("GEM_HOME") or "/usr/local/bundle"
    app_config = ctx.env.get("BUNDLE_APP_CONFIG", ".bundle")
    if sub in ("install", "i", "update", "lock", "check", "cache", "package"):
        return _bundle_install(ctx, parsed, sub, gem_home, app_config)
    if sub == "config":
        local = parsed.has("--local") or not parsed.has("--global")
        where = join(app_config, "config") if local else f"{ctx.home}/.bundle/config"
        return _simple("filesystem", "bundler", writes=(where,), cost=0.1)
    if sub in ("exec", "binstubs", "exe"):
        return _build_all("bundler", f"bundle {sub} runs a program of the project")
    if sub in (
        "--version",
        "-v",
        "version",
        "help",
        "list",
        "info",
        "show",
        "outdated",
        "platform",
        "env",
        "doctor",
    ):
        return _simple("noop", "bundler")
    return unknown_effect(args, f"`bundle {sub}` is not a bundler command dockerfix knows")


def _bundle_install(
    ctx: _Ctx, parsed: Args, sub: str, gem_home: str, app_config: str
) -> CommandEffect:
    gemfile = parsed.last("--gemfile") or ctx.env.get("BUNDLE_GEMFILE") or "Gemfile"
    lock = "gems.locked" if gemfile.endswith("gems.rb") else f"{gemfile}.lock"
    acc = _Reads()
    _gemfile(ctx, acc, norm(gemfile), set())
    # Bundler installs from vendor/cache when the project keeps its gems there.
    acc.add(lock, join(app_config, "config"), "vendor/cache")
    # Settings from the environment, or from the app's and the user's config files (a
    # `bundle config set --local deployment true` before it writes the former).
    configured = _bundle_config(ctx, app_config)
    deployment = parsed.has("--deployment") or _truthy(
        ctx.env.get("BUNDLE_DEPLOYMENT", configured.get("BUNDLE_DEPLOYMENT"))
    )
    frozen = deployment or _truthy(ctx.env.get("BUNDLE_FROZEN", configured.get("BUNDLE_FROZEN")))
    target = parsed.last("--path") or ("vendor/bundle" if deployment else gem_home)
    writes = [target]
    frozen = frozen or parsed.has("--frozen")
    if sub in ("update", "lock") or (sub == "install" and not frozen):
        writes.append(norm(lock))
    if sub in ("cache", "package"):
        writes.append("vendor/cache")
    # Bundler remembers these options by writing them to the app config.
    if parsed.has(
        "--path", "--deployment", "--without", "--with", "--frozen", "--binstubs", "--system"
    ):
        writes.append(join(app_config, "config"))
    kind: Kind = "noop" if sub == "check" else "install"
    return acc.effect(
        kind,
        "bundler",
        [] if kind == "noop" else writes,
        network=kind != "noop",
        cost=30.0 if kind == "install" else 1.0,
    )


def bundle_setting(
    argv: list[str],
    env: Mapping[str, str],
    read_file: Callable[[str], str | None],
    cwd: str | None,
) -> tuple[str, str] | None:
    """`bundle config [set] [--local|--global] NAME VALUE`: the config file it writes and its
    text with the setting added, for a later `bundle install` of the same RUN to read."""
    words = [w for w in argv[1:] if w not in ("set", "--local", "--global")]
    if (
        cwd is None
        or posixpath.basename(argv[0]) not in ("bundle", "bundler")
        or len(argv) < 4
        or argv[1] != "config"
        or len(words) != 3
        or any(w.startswith("-") for w in words)
    ):
        return None
    name, value = words[1], words[2]
    if "--global" in argv:
        path = f"{env.get('HOME', '/root')}/.bundle/config"
    else:
        path = normalize(posixpath.join(env.get("BUNDLE_APP_CONFIG", ".bundle"), "config"), cwd)
    key = "BUNDLE_" + name.upper().replace(".", "__").replace("-", "_")
    old = read_file(path) or "---\n"
    kept = "".join(line for line in old.splitlines(True) if not line.startswith(key + ":"))
    return path, f'{kept}{key}: "{value}"\n'


def _bundle_config(ctx: _Ctx, app_config: str) -> dict[str, str]:
    """`BUNDLE_*: "value"` settings of the user's config, then the app's (which wins)."""
    found: dict[str, str] = {}
    for path in (f"{ctx.home}/.bundle/config", join(app_config, "config")):
        for line in (ctx.text(path) or "").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.startswith("BUNDLE_"):
                found[key.strip()] = value.strip().strip("\"'")
    return found


@handles("gem")
def _gem(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-v",
            "--version",
            "-i",
            "--install-dir",
            "-n",
            "--bindir",
            "--source",
            "-s",
            "--platform",
            "-g",
            "--file",
            "--document",
        ),
    )
    words = list(parsed.positionals)
    sub = words[0] if words else ""
    gem_home = parsed.last("-i", "--install-dir") or ctx.env.get("GEM_HOME") or "/usr/local/bundle"
    if sub in ("install", "i", "update"):
        reads = [w for w in words[1:] if w.endswith(".gem")]
        reads += parsed.values("-g", "--file")
        writes = list(SYSTEM_WRITES) if parsed.has("--system") else [gem_home, "/usr/local/bin"]
        return _simple("install", "bundler", reads=reads, writes=writes, network=True, cost=10.0)
    if sub in ("uninstall", "cleanup"):
        return _simple("install", "bundler", writes=(gem_home,), cost=1.0)
    if sub == "sources":
        return _simple("filesystem", "bundler", writes=(f"{ctx.home}/.gemrc",), cost=0.1)
    if sub in ("list", "env", "help", "search", "which", "contents", "specification", "query") or (
        parsed.has("-v", "--version") and not words
    ):
        return _simple("noop", "bundler")
    return unknown_effect(args, f"`gem {sub}` is not a gem command dockerfix knows")
