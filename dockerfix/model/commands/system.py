"""System package managers (apt, dpkg, apk, dnf, zypper), system cache tools and native builds."""

from __future__ import annotations

from collections.abc import Iterable

from dockerfix.model.commands._base import (
    SYSTEM_WRITES,
    CommandEffect,
    _build_all,
    _Ctx,
    _is_local_path,
    _simple,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

_APT_VALUE = (
    "-o",
    "--option",
    "-t",
    "--target-release",
    "-c",
    "--config-file",
    "-a",
    "--host-architecture",
)
_APT_INSTALL = frozenset(
    {"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "satisfy"}
)
_APT_REMOVE = frozenset({"remove", "purge", "autoremove", "autopurge"})
_APT_QUERY = frozenset(
    {
        "policy",
        "show",
        "search",
        "list",
        "depends",
        "rdepends",
        "madison",
        "showpkg",
        "check",
        "changelog",
    }
)


def _local_packages(words: Iterable[str], suffix: str) -> list[str]:
    return [w for w in words if _is_local_path(w) or w.endswith(suffix)]


@handles("apt-get", "apt", "aptitude", "xx-apt-get", "xx-apt")
def _apt(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _APT_VALUE)
    if not parsed.positionals:
        return _simple("noop", "apt")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    configs = parsed.values("-c", "--config-file")
    if sub == "update":
        return _simple(
            "system-packages",
            "apt",
            reads=configs,
            writes=("/var/lib/apt/lists",),
            network=True,
            cost=10.0,
        )
    if sub in _APT_INSTALL:
        return _simple(
            "system-packages",
            "apt",
            reads=[*configs, *_local_packages(rest, ".deb")],
            writes=SYSTEM_WRITES,
            network=True,
            cost=30.0,
        )
    if sub in _APT_REMOVE:
        return _simple("system-packages", "apt", writes=SYSTEM_WRITES, cost=5.0)
    if sub in ("clean", "autoclean"):
        return _simple("system-packages", "apt", writes=("/var/cache/apt",), cost=0.5)
    if sub in ("source", "download"):
        return _simple("download", "apt", writes=(".",), network=True, cost=5.0)
    if sub in _APT_QUERY:
        return _simple("noop", "apt")
    return unknown_effect(args, f"`{prog} {sub}` is not an apt command dockerfix knows")


@handles("dpkg")
def _dpkg(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args)
    if parsed.has("-i", "--install"):
        return _simple(
            "system-packages", "apt", reads=parsed.positionals, writes=SYSTEM_WRITES, cost=10.0
        )
    if parsed.has("--add-architecture"):
        return _simple("system-packages", "apt", writes=("/var/lib/dpkg",), cost=0.1)
    if parsed.has(
        "-l",
        "--list",
        "-s",
        "--status",
        "-L",
        "--listfiles",
        "--print-architecture",
        "--print-foreign-architectures",
        "-S",
        "--search",
    ):
        return _simple("noop", "apt")
    return unknown_effect(args, "this dpkg action is not one dockerfix knows")


_APK_VALUE = (
    "-X",
    "--repository",
    "-t",
    "--virtual",
    "-p",
    "--root",
    "--keys-dir",
    "--arch",
    "--cache-dir",
    "--repositories-file",
    "--wait",
)


@handles("apk", "xx-apk")
def _apk(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _APK_VALUE)
    if not parsed.positionals:
        return _simple("noop", "apk")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    no_cache = parsed.has("--no-cache")
    index = () if no_cache else ("/var/cache/apk",)
    network = not parsed.has("--no-network")
    repos = parsed.values("--repositories-file")
    if sub in ("add", "upgrade", "fix"):
        return _simple(
            "system-packages",
            "apk",
            reads=[*repos, *_local_packages(rest, ".apk")],
            writes=(*SYSTEM_WRITES, *index),
            network=network,
            cost=10.0,
        )
    if sub == "update":
        return _simple(
            "system-packages",
            "apk",
            reads=repos,
            writes=("/var/cache/apk",),
            network=network,
            cost=3.0,
        )
    if sub in ("del", "delete"):
        return _simple("system-packages", "apk", writes=SYSTEM_WRITES, cost=2.0)
    if sub == "cache":
        return _simple("system-packages", "apk", writes=("/var/cache/apk",), cost=0.5)
    if sub in ("info", "search", "list", "policy", "version", "stats", "dot"):
        return _simple("noop", "apk")
    return unknown_effect(args, f"`apk {sub}` is not an apk command dockerfix knows")


_DNF_VALUE = (
    "--setopt",
    "--enablerepo",
    "--disablerepo",
    "--installroot",
    "-x",
    "--exclude",
    "--releasever",
    "-c",
    "--config",
    "--repo",
    "--repoid",
    "--forcearch",
    "--nogpgcheck-for",
    "--security-severity",
    "--advisory",
    "--color",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
)
_DNF_INSTALL = frozenset(
    {
        "install",
        "in",
        "reinstall",
        "update",
        "upgrade",
        "up",
        "groupinstall",
        "localinstall",
        "distro-sync",
        "downgrade",
        "builddep",
        "group",
        "module",
        "upgrade-minimal",
        "swap",
    }
)
_DNF_REMOVE = frozenset({"remove", "erase", "rm", "autoremove", "groupremove"})


@handles("dnf", "dnf5", "yum", "microdnf", "tdnf")
def _dnf(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    eco = "dnf" if prog in ("dnf", "microdnf", "tdnf", "dnf5") else "yum"
    parsed = parse_args(args, _DNF_VALUE)
    if not parsed.positionals:
        return _simple("noop", eco)
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    cache = (f"/var/cache/{eco}",)
    if sub in _DNF_INSTALL:
        return _simple(
            "system-packages",
            eco,
            reads=_local_packages(rest, ".rpm"),
            writes=(*SYSTEM_WRITES,),
            network=True,
            cost=30.0,
        )
    if sub in _DNF_REMOVE:
        return _simple("system-packages", eco, writes=SYSTEM_WRITES, cost=5.0)
    if sub == "clean":
        return _simple("system-packages", eco, writes=cache, cost=0.5)
    if sub == "makecache":
        return _simple("system-packages", eco, writes=cache, network=True, cost=5.0)
    if sub == "config-manager":
        return _simple("system-packages", eco, writes=("/etc/yum.repos.d",), network=True, cost=1.0)
    if sub in ("info", "list", "search", "repolist", "provides", "repoquery", "check-update"):
        return _simple("noop", eco)
    return unknown_effect(args, f"`{prog} {sub}` is not a {eco} command dockerfix knows")


_ZYPPER_VALUE = (
    "-t",
    "--type",
    "--from",
    "-r",
    "--repo",
    "-R",
    "--root",
    "--releasever",
    "-p",
    "--plus-repo",
)
_ZYPPER_SUB = {
    "install": "install",
    "in": "install",
    "update": "install",
    "up": "install",
    "dist-upgrade": "install",
    "dup": "install",
    "patch": "install",
    "source-install": "install",
    "si": "install",
    "remove": "remove",
    "rm": "remove",
    "refresh": "refresh",
    "ref": "refresh",
    "clean": "clean",
    "cc": "clean",
    "addrepo": "repo",
    "ar": "repo",
    "removerepo": "repo",
    "rr": "repo",
    "search": "query",
    "se": "query",
    "info": "query",
    "if": "query",
    "repos": "query",
    "lr": "query",
}


@handles("zypper")
def _zypper(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _ZYPPER_VALUE)
    if not parsed.positionals:
        return _simple("noop", "zypper")
    sub, rest = parsed.positionals[0], parsed.positionals[1:]
    action = _ZYPPER_SUB.get(sub)
    if action == "install":
        return _simple(
            "system-packages",
            "zypper",
            reads=_local_packages(rest, ".rpm"),
            writes=SYSTEM_WRITES,
            network=True,
            cost=30.0,
        )
    if action == "remove":
        return _simple("system-packages", "zypper", writes=SYSTEM_WRITES, cost=5.0)
    if action == "refresh":
        return _simple(
            "system-packages", "zypper", writes=("/var/cache/zypp",), network=True, cost=5.0
        )
    if action == "clean":
        return _simple("system-packages", "zypper", writes=("/var/cache/zypp",), cost=0.5)
    if action == "repo":
        return _simple("system-packages", "zypper", writes=("/etc/zypp",), cost=0.1)
    if action == "query":
        return _simple("noop", "zypper")
    return unknown_effect(args, f"`zypper {sub}` is not a zypper command dockerfix knows")


@handles("docker-php-ext-install", "docker-php-ext-enable", "docker-php-ext-configure", "pecl")
def _php_extension(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """The official PHP images' extension helpers (and pecl): they build from the PHP sources
    under /usr/src and write the extension and its ini file, never the application."""
    if prog == "docker-php-ext-enable":
        return _simple("system-packages", None, writes=("/usr/local/etc/php",), cost=0.5)
    return _simple(
        "system-packages",
        None,
        writes=("/usr/local/lib/php", "/usr/local/etc/php", "/usr/local/include/php", "/tmp"),
        network=prog == "pecl",
        cost=10.0,
    )


@handles("a2enmod", "a2dismod", "a2ensite", "a2dissite", "a2enconf", "a2disconf")
def _apache_config(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """Debian's Apache helpers: they link and unlink files under /etc/apache2 only."""
    return _simple("filesystem", None, writes=("/etc/apache2",), cost=0.2)


@handles("ldconfig", "update-ca-certificates", "locale-gen", "update-locale")
def _system_tool(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    """ldconfig, update-ca-certificates, locale-gen: rewrite system caches only."""
    return _simple("filesystem", None, writes=("/etc",), cost=0.5)


@handles(
    "make",
    "gmake",
    "cmake",
    "ninja",
    "meson",
    "configure",
    "scons",
    "autoreconf",
    "bazel",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
)
def _native_build(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    if prog in ("gcc", "g++", "cc", "c++", "clang", "clang++"):
        output = parse_args(args, ("-o", "-I", "-L", "-l", "-D", "-x", "-include")).last("-o")
        return _build_all(
            None,
            f"{prog} compiles sources and headers from the working directory",
            (norm(output),) if output else (".",),
            cost=5.0,
            network=False,
        )
    return CommandEffect(
        kind="build",
        reads_all=True,
        writes_all=True,
        network=True,
        cost=30.0,
        reasons=(f"{prog} runs build rules that may read and write any file",),
    )
