"""Downloads from the network: git, curl and wget."""

from __future__ import annotations

from dockerfix.model.commands._base import (
    CommandEffect,
    _Ctx,
    _simple,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

_GIT_CLONE_VALUE = (
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "--separate-git-dir",
    "-j",
    "--jobs",
    "--filter",
    "--shallow-since",
    "--shallow-exclude",
    "-u",
    "--upload-pack",
    "--template",
)


@handles("git")
def _git(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    global_opts = parse_args(
        args, ("-C", "-c", "--git-dir", "--work-tree"), stop_at_positional=True
    )
    if not global_opts.positionals:
        return _simple("noop")
    base = global_opts.last("-C") or "."
    sub, rest = global_opts.positionals[0], list(global_opts.positionals[1:])
    if sub == "clone":
        parsed = parse_args(rest, _GIT_CLONE_VALUE)
        if not parsed.positionals:
            return unknown_effect(args, "git clone without a repository")
        url = parsed.positionals[0]
        dest = parsed.positionals[1] if len(parsed.positionals) > 1 else _repo_dir(url)
        return _simple("download", "git", writes=(join(base, dest),), network=True, cost=5.0)
    if sub == "config":
        parsed = parse_args(rest, ("-f", "--file"))
        if parsed.has("--global"):
            return _simple("filesystem", "git", writes=(f"{ctx.home}/.gitconfig",), cost=0.1)
        if parsed.has("--system"):
            return _simple("filesystem", "git", writes=("/etc/gitconfig",), cost=0.1)
        return _simple(
            "filesystem",
            "git",
            reads=(join(base, ".git"),),
            writes=(join(base, ".git/config"),),
            cost=0.1,
        )
    if sub in ("--version", "version", "help", "status", "log", "rev-parse", "describe"):
        return _simple("noop", "git", reads=(join(base, ".git"),))
    return unknown_effect(args, f"`git {sub}` may touch the whole work tree")


def _repo_dir(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail[:-4] if tail.endswith(".git") else tail


_CURL_VALUE = (
    "-o",
    "--output",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "-u",
    "--user",
    "-X",
    "--request",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-m",
    "--max-time",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--cacert",
    "--capath",
    "-E",
    "--cert",
    "--key",
    "-K",
    "--config",
    "-T",
    "--upload-file",
    "-F",
    "--form",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-x",
    "--proxy",
    "-r",
    "--range",
    "--output-dir",
    "-z",
    "--time-cond",
    "--resolve",
    "--limit-rate",
    "--proto",
    "--proto-redir",
    "-C",
    "--continue-at",
    "--url",
    "-Y",
    "-y",
    "-U",
    "--proxy-user",
    "--interface",
    "--max-filesize",
    "--tls-max",
    "--ciphers",
    "--dns-servers",
    "--oauth2-bearer",
    "-Q",
    "--quote",
)


@handles("curl")
def _curl(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CURL_VALUE)
    urls = [*parsed.positionals, *parsed.values("--url")]
    folder = parsed.last("--output-dir") or ""
    writes = [join(folder or ".", out) for out in parsed.values("-o", "--output") if out != "-"]
    if parsed.has("-O", "--remote-name", "--remote-name-all"):
        writes += [join(folder or ".", _url_file(u)) for u in urls[len(writes) :]]
    data_files = [
        v[1:]
        for v in parsed.values("-d", "--data", "--data-binary", "--data-urlencode")
        if v.startswith("@")
    ]
    forms = [v.split("@", 1)[1].split(";")[0] for v in parsed.values("-F", "--form") if "=@" in v]
    reads = [*parsed.values("-T", "--upload-file", "-K", "--config"), *data_files, *forms]
    return _simple(
        "download", reads=[r for r in reads if r != "-"], writes=writes, network=True, cost=2.0
    )


@handles("wget")
def _wget(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "-O",
            "--output-document",
            "-P",
            "--directory-prefix",
            "--header",
            "-U",
            "--user-agent",
            "-t",
            "--tries",
            "-T",
            "--timeout",
            "-i",
            "--input-file",
            "-o",
            "--output-file",
            "-a",
            "--append-output",
            "--user",
            "--password",
            "-e",
            "--execute",
            "--ca-certificate",
            "-w",
            "--wait",
            "--limit-rate",
            "-Q",
            "--quota",
            "-l",
            "--level",
        ),
    )
    output = parsed.last("-O", "--output-document")
    prefix = parsed.last("-P", "--directory-prefix") or "."
    if output == "-":
        writes: list[str] = []
    elif output:
        writes = [norm(output)]
    else:
        writes = [join(prefix, _url_file(u) or "index.html") for u in parsed.positionals]
    logs = parsed.values("-o", "--output-file", "-a", "--append-output")
    reads = parsed.values("-i", "--input-file")
    return _simple(
        "download", reads=reads, writes=[*writes, *map(norm, logs)], network=True, cost=2.0
    )


def _url_file(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    return path.rsplit("/", 1)[-1]
