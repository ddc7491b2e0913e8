"""DFX008 cache-mounts: keep package managers' download caches in BuildKit cache mounts.

Opt-in (`--cache-mounts`). Each RUN that runs a known package manager gets
`--mount=type=cache,target=<its cache>`, so a rerun after a manifest edit downloads only what
changed. `ROWS` holds one entry per ecosystem. Applied to the text the other fixes produced.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule
from dockerfix.records import dataclass
from dockerfix.syntax import Dockerfile, Instruction, parse


@dataclass(frozen=True)
class CacheRow:
    """One package manager: the commands that download, where their cache lives, what to drop.

    `store` caches hold what the build reads from them afterwards (modules, jars, crates): a
    mount there keeps them out of the image, so they are mounted only in stages the final
    image does not keep. `drop` are the flags that turn the cache off, removed because the
    mount keeps the cache out of the image anyway.
    """

    ecosystem: str
    triggers: str  # for the doc table
    command: re.Pattern[str]
    targets: tuple[str, ...]
    store: bool = False
    drop: tuple[str, ...] = ()
    sharing: str | None = None
    off_when_env: tuple[str, ...] = ()


def _row(ecosystem: str, triggers: str, command: str, *targets: str, **more: object) -> CacheRow:
    return CacheRow(ecosystem, triggers, re.compile(command), targets, **more)  # type: ignore[arg-type]


_PIP = r"(?:\bpython3?(?:\.\d+)? -m pip|\bpip3?(?:\.\d+)?) install\b"
ROWS: tuple[CacheRow, ...] = (
    _row(
        "pip",
        "`pip install`",
        _PIP,
        "/root/.cache/pip",
        drop=("--no-cache-dir",),
        off_when_env=("PIP_NO_CACHE_DIR",),
    ),
    _row(
        "uv",
        "`uv pip install`, `uv sync`",
        r"\buv (?:pip install|sync|add)\b",
        "/root/.cache/uv",
        drop=("--no-cache",),
        off_when_env=("UV_NO_CACHE",),
    ),
    _row(
        "poetry",
        "`poetry install`",
        r"\bpoetry (?:install|add|update|sync)\b",
        "/root/.cache/pypoetry",
        drop=("--no-cache",),
    ),
    _row("npm", "`npm ci`, `npm install`", r"\bnpm (?:ci|install|i)\b", "/root/.npm"),
    _row(
        "yarn",
        "`yarn install`, `yarn`",
        r"\byarn(?: install\b|\s*$| --)",
        "/usr/local/share/.cache/yarn",
        "/root/.yarn/berry/cache",
    ),
    _row(
        "pnpm",
        "`pnpm install`, `pnpm fetch`",
        r"\bpnpm (?:install|i|fetch)\b",
        "/root/.local/share/pnpm/store",
    ),
    _row("bun", "`bun install`", r"\bbun (?:install|i)\b", "/root/.bun/install/cache"),
    _row(
        "go",
        "`go build`, `go install`, `go test`, `go mod download`",
        r"\bgo (?:build|install|test|vet|generate|mod download)\b",
        "/root/.cache/go-build",
        "/go/pkg/mod",
        store=True,
    ),
    _row(
        "cargo",
        "`cargo build`, `cargo fetch`, `cargo install`",
        r"\bcargo (?:build|fetch|install|test)\b",
        "/usr/local/cargo/registry",
        "/usr/local/cargo/git",
        store=True,
    ),
    _row("maven", "`mvn …`, `./mvnw …`", r"(?:^|\s|/)mvnw? ", "/root/.m2/repository", store=True),
    _row(
        "gradle",
        "`gradle …`, `./gradlew …`",
        r"(?:^|\s|/)gradlew? ",
        "/root/.gradle/caches",
        store=True,
    ),
    _row(
        "apt",
        "`apt-get install`, `apt-get update`",
        r"\bapt(?:-get)? (?:install|update|upgrade)\b",
        "/var/cache/apt",
        "/var/lib/apt/lists",
        sharing="locked",
    ),
    _row(
        "apk",
        "`apk add` (without `--no-cache`)",
        r"\bapk add\b",
        "/etc/apk/cache",
        sharing="locked",
    ),
    _row(
        "composer",
        "`composer install`",
        r"\bcomposer (?:install|update|require)\b",
        "/root/.cache/composer",
        drop=("--no-cache",),
    ),
    _row(
        "bundler",
        "`bundle install`, `gem install`",
        r"\b(?:bundle|gem) install\b",
        "/usr/local/bundle/cache",
    ),
    _row(
        "nuget",
        "`dotnet restore`, `dotnet build`, `dotnet publish`",
        r"\bdotnet (?:restore|build|publish)\b",
        "/root/.nuget/packages",
        store=True,
    ),
    _row(
        "hex",
        "`mix deps.get`",
        r"\bmix (?:deps\.get|local\.hex|local\.rebar)\b",
        "/root/.hex/packages",
        "/root/.cache/rebar3",
    ),
)

RULE = rule(
    codes.CACHE_MOUNTS,
    "cache-mounts",
    "unsafe",
    "Keep the package manager's download cache in a BuildKit cache mount.",
    """
## What it does
Adds `--mount=type=cache,target=<cache>` to each RUN that runs a known package manager, for the
folder where it keeps what it downloads, and removes the flag that turns that cache off
(`--no-cache-dir`, `--no-cache`) where the mount makes it unnecessary. Applied only with
`--cache-mounts`; off by default.

## Why
A manifest edit reruns the install step, and without a cache it downloads every package
again. With a cache mount the rerun finds the earlier downloads: only new packages are
fetched. The mount is not part of the image, so the cache no longer ends up in a layer.

## Example
```dockerfile
RUN pip install --no-cache-dir -r requirements.txt
```
becomes (with `--cache-mounts`)
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Fix safety
Unsafe: it changes commands. What ends up in the image stays the same, except the cache
folders themselves: a build without a mount leaves the downloads in the image unless the
command turned the cache off; with the mount they stay outside it. The targets are caches of
downloads that the installed result does not read:
- pip, uv, poetry: `/root/.cache/pip`, `/root/.cache/uv`, `/root/.cache/pypoetry` (wheels
  and archives; the installed packages are elsewhere). uv and pnpm link from their cache
  when they can and copy otherwise: the installed files are the same. An ENV that turns the
  cache off (`PIP_NO_CACHE_DIR`, `UV_NO_CACHE`) declines the fix.
- npm, yarn, pnpm, bun: `/root/.npm`, yarn's `/usr/local/share/.cache/yarn` and
  `/root/.yarn/berry/cache`, pnpm's store, bun's install cache.
- go, cargo, maven, gradle, nuget: the module cache, the crate registry, `~/.m2/repository`,
  `~/.gradle/caches` and `~/.nuget/packages` are read again by later commands (and by the
  application when it runs them), so they are mounted only in stages the final image does not
  keep (`COPY --from` takes what it needs). Go's build cache is mounted there too. Cargo's
  `target/` is never mounted: the binaries in it must reach the image.
- apt: `/var/cache/apt` and `/var/lib/apt/lists` with `sharing=locked` (apt takes locks there);
  the lists only when the RUN does not delete them itself. Debian and Ubuntu images ship
  `/etc/apt/apt.conf.d/docker-clean`, which deletes downloaded packages after each install:
  with it, only the package lists are reused. dockerfix does not remove that file (the image
  would change); do it yourself in the base image if you want the archive cache.
- apk: `/etc/apk/cache` with `sharing=locked`, only for `apk add` without `--no-cache`
  (which never uses a cache; removing it would leave the package index in the image).
- composer: `/root/.cache/composer`; bundler and gem: `/usr/local/bundle/cache`; mix:
  `/root/.hex/packages` and `/root/.cache/rebar3`.

A command in the same RUN that empties the cache (`npm cache clean --force`, `rm -rf
/root/.cache`) is left alone: it then empties the mount, and the next build downloads again.

Home-folder caches assume the RUN runs as root: after a `USER` other than root the fix
declines. Nothing changes for a RUN that already has a cache mount, an exec-form or heredoc
RUN, a Dockerfile whose `# syntax=` pins a frontend without cache mounts (before
`docker/dockerfile:1.2`, or not Docker's), or a Containerfile (built by podman or buildah).
""",
)

_SEPARATORS = re.compile(r"&&|\|\||;|\|")
_OLD_FRONTEND = re.compile(r"^(?:docker\.io/)?docker/dockerfile:1\.[01](?:\.\d+)?$")
_DOCKER_FRONTEND = re.compile(r"^(?:docker\.io/)?docker/dockerfile(?::|@|$)")
_RUN_HEAD = re.compile(r"(?i)^(\s*RUN[ \t]+(?:--\S+[ \t]+)*)")
_ROOT_USERS = ("root", "0", "0:0", "root:root")


def builds_with_buildkit(tree: Dockerfile, name: str | None) -> str | None:
    """None when BuildKit with cache mounts builds this file; else why it may not."""
    if name is not None and name.lower().startswith("containerfile"):
        return "a Containerfile is built by podman or buildah"
    for directive in tree.directives:
        if directive.name.lower() != "syntax":
            continue
        value = directive.value.strip()
        if not _DOCKER_FRONTEND.match(value) or _OLD_FRONTEND.match(value):
            return f"`# syntax={value}` pins a frontend without cache mounts"
    return None


def add_cache_mounts(
    tree: Dockerfile, name: str | None, ignored: Callable[[int], bool] = lambda _: False
) -> tuple[str, list[Diagnostic]]:
    """The text with cache mounts added, and one finding per RUN changed or declined.

    `name` is the Dockerfile's file name; `ignored(position)` tells a suppressed instruction.
    """
    text = tree.code
    if builds_with_buildkit(tree, name) is not None:
        return text, []
    lines = text.splitlines(keepends=True)
    found: list[Diagnostic] = []
    for position, ins, final, user, env in _runs(tree):
        if ignored(position):
            continue
        new, diagnostic = _mount_run(ins, final, user, env, lines)
        if diagnostic is not None:
            found.append(diagnostic)
        if new is not None:
            first, last = ins.start_line - 1, ins.end_line
            lines[first:last] = [new, *([""] * (last - first - 1))]  # keep the line count
    new_text = "".join(lines)
    if not _same_instructions(tree, new_text):
        return text, []
    return new_text, found


_Run = tuple[int, Instruction, bool, str, frozenset[str]]


def _runs(tree: Dockerfile) -> list[_Run]:
    """Each RUN (with its position) with whether its stage is the last one, its user and the
    ENV and ARG names set before it."""
    out: list[tuple[int, Instruction, int, str, frozenset[str]]] = []
    stage, user, env = -1, "root", frozenset[str]()
    for position, ins in enumerate(tree.instructions):
        if ins.keyword == "FROM":
            stage, user, env = stage + 1, "root", frozenset()
        elif ins.keyword == "USER" and ins.value:
            user = ins.value[0]
        elif ins.keyword in ("ENV", "ARG"):
            env |= {word.split("=", 1)[0] for word in ins.value}
        elif ins.keyword == "RUN" and stage >= 0:
            out.append((position, ins, stage, user, env))
    return [(pos, ins, n == stage, user, env) for pos, ins, n, user, env in out]


def _mount_run(
    ins: Instruction, final: bool, user: str, env: frozenset[str], lines: list[str]
) -> tuple[str | None, Diagnostic | None]:
    if ins.json or ins.heredocs or any("type=cache" in f for f in ins.flags):
        return None, None
    block = "".join(lines[ins.start_line - 1 : ins.end_line])
    head_match = _RUN_HEAD.match(block)
    script = block[head_match.end() :] if head_match else ""
    rows = [row for row in ROWS if any(row.command.search(s) for s in _segments(script))]
    if not rows:
        return None, None
    names = ", ".join(row.ecosystem for row in rows)
    if user not in _ROOT_USERS:
        return None, _declined(ins, names, f"it runs as `{user}`, whose caches are elsewhere")
    off = sorted(name for row in rows for name in row.off_when_env if name in env)
    if off:
        return None, _declined(ins, names, f"`{off[0]}` turns the cache off")
    mounts: list[str] = []
    for row in rows:
        mounts += _mount_flags(row, script, final)
    if not mounts:
        why = "the final image keeps what these caches hold" if final else "no cache to mount"
        return None, _declined(ins, names, why)
    new_script = script
    for row in rows:
        new_script = _drop_flags(row, new_script)
    head = block[: len(block) - len(script)]
    new = head + " ".join(mounts) + " " + new_script
    targets = (m.split("target=")[1].split(",")[0] for m in mounts)
    message = f"cache mount for {names}: " + ", ".join(targets)
    return new, Diagnostic(codes.CACHE_MOUNTS, message, ins.start_line, "unsafe", applied=True)


def _segments(script: str) -> list[str]:
    return [" ".join(part.replace("\\\n", " ").split()) for part in _SEPARATORS.split(script)]


def _mount_flags(row: CacheRow, script: str, final: bool) -> list[str]:
    if row.store and final:
        return []
    if row.ecosystem == "apk" and "--no-cache" in script.split():
        return []
    targets = list(row.targets)
    if row.ecosystem == "apt" and re.search(r"rm -r?f?r? ?/var/lib/apt/lists", script):
        targets.remove("/var/lib/apt/lists")  # the RUN empties them: the mount would too
    sharing = f",sharing={row.sharing}" if row.sharing else ""
    return [f"--mount=type=cache,target={target}{sharing}" for target in targets]


def _drop_flags(row: CacheRow, script: str) -> str:
    """`script` without `row`'s cache-off flags, in the segments that run its command."""
    parts = re.split(r"(&&|\|\||;|\|)", script)
    for n in range(0, len(parts), 2):
        if row.command.search(" ".join(parts[n].replace("\\\n", " ").split())):
            for flag in row.drop:
                parts[n] = re.sub(rf"[ \t]+{re.escape(flag)}(?=[\s;&|]|$)", "", parts[n])
    return "".join(parts)


def _declined(ins: Instruction, names: str, why: str) -> Diagnostic:
    return Diagnostic(
        codes.CACHE_MOUNTS,
        f"no cache mount for {names}",
        ins.start_line,
        "unsafe",
        reason=why,
    )


def _same_instructions(tree: Dockerfile, new_text: str) -> bool:
    """The rewrite's own check: the same instructions, each RUN changed only in its flags and
    the dropped cache-off flags."""
    new = parse(new_text)
    old_ins, new_ins = list(tree.instructions), list(new.instructions)
    if [i.keyword for i in old_ins] != [i.keyword for i in new_ins] or new.errors:
        return False
    dropped = {flag for row in ROWS for flag in row.drop}
    for before, after in zip(old_ins, new_ins):
        if before.original == after.original:
            continue
        words = [w for w in " ".join(before.value).split() if w not in dropped]
        if words != [w for w in " ".join(after.value).split() if w not in dropped]:
            return False
    return True
