"""How likely a typical commit invalidates each step, from what the step reads."""

from __future__ import annotations

import fnmatch
import functools
import itertools
import os
import posixpath
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dockerfix.model.effects import Effect
from dockerfix.model.stages import Step
from dockerfix.records import dataclass

if TYPE_CHECKING:  # git is started only when a history is read
    import subprocess

# Probability that one commit changes the inputs of a step of each class.
# The instruction's own text (metadata, ENV, WORKDIR): edits are rare and cost nothing to
# rerun, so such steps never move for gain, only when the constraints require it.
P_TEXT = 0.0
P_RUN = 0.02
P_MANIFEST = 0.1
P_CONFIG = 0.15
P_SOURCE = 0.9
P_STAGE = 0.3
P_BUILD_ARG = 0.5
# How many commits the class prior weighs against the repository's own history.
PRIOR_COMMITS = 20
# A broad copy less volatile than this is not worth splitting an install around: above the
# priors of manifests and of a few named files, so only history can make those count.
P_SPLIT = 0.2

# Words of an ARG's name that say its value changes with every build (`GIT_COMMIT`, `VCS_REF`,
# `BUILD_DATE`, `SOURCE_DATE_EPOCH`); matched as whole words, so `PREFIX` is no `REF`.
_STAMP_WORDS = frozenset(
    {"COMMIT", "SHA", "REVISION", "GIT", "DATE", "TIMESTAMP", "CREATED", "REF"}
)
_BUILD_WORDS = frozenset({"DATE", "TIME", "NUMBER", "ID"})
_OWN_VERSION = re.compile(r"((APP|BUILD|RELEASE|IMAGE|PROJECT)_)?VERSION", re.IGNORECASE)


@functools.cache
def manifest_patterns() -> tuple[str, ...]:
    """The file patterns `is_manifest` matches, derived from the ecosystem rows.

    They are every row's `manifests` and `other_manifests`, in table order, so the table and
    this check cannot disagree. Two rules fit them to the way `is_manifest` matches (fnmatch
    against a file's name and against its context path):
    - a leading `**/` is dropped: a name matches at any depth anyway;
    - folder patterns (`config/`, `gradle/`, `.yarn/releases/`) are left out: a dependency
      install reads those folders whole, but they hold configuration and tooling that change
      like other sources (mix's `config/` is the application's configuration), not files that
      declare dependencies.
    """
    # The rows live with the command handlers, which load on first use, not with this module.
    from dockerfix.model.commands import ECOSYSTEMS

    patterns: dict[str, None] = {}
    for eco in ECOSYSTEMS:
        for pattern in (*eco.manifests, *eco.other_manifests):
            if not pattern.endswith("/"):
                patterns[pattern.removeprefix("**/")] = None
    return tuple(patterns)


@functools.cache
def _manifest_regex() -> re.Pattern[str]:
    """Every manifest pattern in one expression (fnmatch's own translation of each)."""
    return re.compile("|".join(fnmatch.translate(p) for p in manifest_patterns()))


@functools.lru_cache(maxsize=65536)
def is_manifest(path: str) -> bool:
    """A dependency manifest or lock file of a known ecosystem (see `manifest_patterns`): its
    name or its whole path matches one of the patterns."""
    regex = _manifest_regex()
    return bool(regex.match(posixpath.basename(path)) or regex.match(path))


def is_volatile_arg(name: str, has_default: bool) -> bool:
    """ARGs whose value changes with every build (version, commit, date)."""
    words = name.upper().split("_")
    pairs = itertools.pairwise(words)
    stamp = (
        bool(_STAMP_WORDS.intersection(words))
        or any(a == "BUILD" and b in _BUILD_WORDS for a, b in pairs)
        or name.upper() in ("BUILDDATE", "BUILDTIME", "BUILDNUMBER", "BUILDID", "GITCOMMIT")
        or bool(_OWN_VERSION.fullmatch(name))
    )
    return stamp and not has_default


@dataclass(frozen=True)
class History:
    """The files each of the repository's recent commits changed."""

    commits: int
    touched: Mapping[str, int]
    # The files of each commit, newest first.
    changes: tuple[frozenset[str], ...] = ()

    def _changing(self, wanted: set[str]) -> int:
        """How many commits changed at least one of `wanted`."""
        if self.changes:
            return sum(1 for files in self.changes if not files.isdisjoint(wanted))
        return max((self.touched.get(f, 0) for f in wanted), default=0)

    def estimate(self, files: Iterable[str], prior: float) -> float:
        """P(a commit changes one of `files`): the share of commits that changed any of them,
        pulled toward the class `prior` as if it had been seen over PRIOR_COMMITS more
        commits, so a short history refines the prior instead of replacing it."""
        hits = self._changing(set(files))
        share = (hits + prior * PRIOR_COMMITS) / (self.commits + PRIOR_COMMITS)
        return min(0.99, max(share, 0.01))

    def in_turn(self, groups: Sequence[Iterable[str]], priors: Sequence[float]) -> list[float]:
        """The chance of each group of files changing given that the groups before it did
        not, so that the groups' product is the chance the history gives their union (with
        the highest class prior of the groups so far): the first group's chance is its own.

        One commit often changes several of them (a dependency bump edits package.json and
        its lock file, in several workspace members): as independent chances they would
        add up to far more than the commits that changed any of them.
        """
        if not self.changes:  # commit counts only: nothing says which changed together
            return [self.estimate(g, p) for g, p in zip(groups, priors, strict=True)]
        out: list[float] = []
        files: set[str] = set()
        before = 0.0  # P(some earlier group changed)
        prior = 0.0
        for group, own in zip(groups, priors, strict=True):
            files.update(group)
            prior = max(prior, own)
            joint = max(before, self.estimate(files, prior))
            out.append(1.0 - (1.0 - joint) / (1.0 - before))
            before = joint
        return out


# Histories read in this process, by git dir, context folder, commit count and HEAD; the
# most recent KEEP_HISTORIES are kept.
KEEP_HISTORIES = 16
_Key = tuple[str, str, int, str]
_HISTORIES: dict[_Key, History | None] = {}
# git runs started ahead of need by `start_history`, with the time each started.
_RUNNING: dict[_Key, tuple[subprocess.Popen[str], float]] = {}


def start_history(context: Path, max_commits: int = 300) -> None:
    """Start reading `context`'s history in the background; `load_history` collects it, so
    git runs while the build context is walked."""
    found = _where(context, max_commits)
    if found is None or found[0] in _HISTORIES or found[0] in _RUNNING:
        return
    here, key = found
    if key is not None and _cached(key) is not None:
        return
    proc = _start_log(context, max_commits)
    if proc is not None:
        _RUNNING[here] = (proc, time.monotonic())


def load_history(context: Path, max_commits: int = 300, timeout: float = 2.0) -> History | None:
    """Recent commits' touched files; None when there is no usable history.

    git runs once per repository and context folder in a process, and not at all when the
    result cache holds the history of the same HEAD commit. It gets `timeout` seconds from
    its start.
    """
    found = _where(context, max_commits)
    if found is None:
        return None
    here, key = found
    if here in _HISTORIES:
        return _HISTORIES[here]
    stored = _cached(key) if key is not None else None
    if stored is not None:
        history: History | None = _history(stored) if stored else None
    else:
        running = _RUNNING.pop(here, None)
        started = running[1] if running is not None else time.monotonic()
        proc = running[0] if running is not None else _start_log(context, max_commits)
        changes = _finish_log(proc, timeout - (time.monotonic() - started)) if proc else None
        history = _history(changes) if changes else None
        if key is not None and changes is not None:
            from dockerfix.integrations import cache

            cache.store_history(key, changes)
    _HISTORIES[here] = history
    while len(_HISTORIES) > KEEP_HISTORIES:  # the oldest first: a batch goes folder by folder
        del _HISTORIES[next(iter(_HISTORIES))]
    return history


def _where(context: Path, max_commits: int) -> tuple[_Key, str | None] | None:
    """The in-process key of `context`'s history and its result-cache key (None when HEAD is
    no commit or the cache is off); None outside a git work tree, found without starting git."""
    from dockerfix.integrations import cache
    from dockerfix.integrations.gitrepo import find_git_dir, head_commit, is_commit_id

    git_dir = find_git_dir(context)
    if git_dir is None:
        return None
    # HEAD is part of the key: a long-lived process (the language server) sees new commits.
    head = head_commit(git_dir)
    here = (str(git_dir), os.path.realpath(context), max_commits, head)
    # No result-cache key with the cache off (nothing is read or stored under it then).
    keyed = is_commit_id(head) and cache.cache_dir() is not None
    return here, cache.history_key(*here) if keyed else None


def _cached(key: str) -> list[frozenset[str]] | None:
    """The history stored in the result cache under `key`."""
    from dockerfix.integrations import cache

    return cache.load_history(key)


def _history(changes: list[frozenset[str]]) -> History:
    """The history of these commits' file lists (newest first)."""
    touched: dict[str, int] = {}
    for names in changes:
        for name in names:
            touched[name] = touched.get(name, 0) + 1
    return History(len(changes), touched, tuple(changes))


def _start_log(context: Path, max_commits: int) -> subprocess.Popen[str] | None:
    """Start `git log` listing the files each recent commit changed under `context`."""
    import subprocess

    try:
        return subprocess.Popen(
            [
                "git",
                "-C",
                str(context),
                "log",
                f"-n{max_commits}",
                "--name-only",
                "--format=%x00",
                "--relative",
                "--",
                ".",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError:
        return None


def _finish_log(proc: subprocess.Popen[str], timeout: float) -> list[frozenset[str]] | None:
    """The file lists of the commits `proc` lists, newest first; None when git fails or
    takes longer than `timeout` seconds more."""
    import subprocess

    try:
        stdout, _ = proc.communicate(timeout=max(timeout, 0.0))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        return None
    changes: list[frozenset[str]] = []
    for block in stdout.split("\x00"):
        names = {line.strip() for line in block.splitlines() if line.strip()}
        if not names and not changes and not block.strip():
            continue
        changes.append(frozenset(names))
    return changes


# Program sources, which every change of the code edits (`main.go`, `app.py`), unlike the
# configuration files a COPY of a few named files usually sends.
SOURCE_SUFFIXES = (
    ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java", ".kt", ".scala",
    ".rb", ".php", ".cs", ".fs", ".ex", ".exs", ".dart", ".c", ".cc", ".cpp", ".h", ".hpp",
    ".swift", ".vue", ".svelte",
)  # fmt: skip
# Package archives (wheels, tarballs, gems, jars, …), whose names carry their versions.
ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".gem", ".jar", ".nupkg", ".deb", ".apk", ".rpm")
# Folders of a package manager's own release and plugin files (`.yarn/releases/yarn-4.3.1.cjs`).
_TOOL_FOLDERS = (".yarn/releases/", ".yarn/plugins/")


def is_package_file(path: str) -> bool:
    """A package archive, or a release or plugin file of the package manager: named after
    its version, and changed only by an upgrade."""
    text = path.lstrip("/")
    return text.endswith(ARCHIVES) or any(
        text.startswith(f) or f"/{f}" in text for f in _TOOL_FOLDERS
    )


def _names_files(pattern: str, files: tuple[tuple[str, str], ...] | None) -> bool:
    """The source names files directly (no directory, no glob): config, not source trees."""
    if files is None or any(ch in pattern for ch in "*?["):
        return False
    return len(files) == 1 and files[0][0].strip("/") == pattern.strip("/").removeprefix("./")


def copy_prior(effect: Effect, inserted: bool = False) -> float:
    """The chance, before any history is read, that a commit changes the files of a known
    copy from the build context: by the kind of files it sends. ``inserted``: a manifest
    copy dockerfix adds, of files an install reads (a crate's `src/main.rs` among them),
    counted as configuration."""
    files = effect.context_files
    if all(is_manifest(f) for f in files):
        return P_MANIFEST
    if (
        effect.copy is not None
        and effect.copy.sources
        and all(_names_files(s.pattern, s.files) for s in effect.copy.sources)
    ):
        if (
            not inserted
            and any(is_manifest(f) for f in files)
            and any(
                f.endswith(SOURCE_SUFFIXES) and not is_manifest(f) and not is_package_file(f)
                for f in files
            )
        ):
            # `COPY go.mod go.sum main.go ./`: manifests sent with a program's source change
            # whenever the code does.
            return P_SOURCE
        return P_CONFIG  # a few named files (configuration), not a tree of sources
    if all(is_package_file(f) for f in files):
        return P_CONFIG  # a folder of package archives: a new version now and then
    return P_SOURCE


def step_volatility(
    step: Step, effect: Effect, history: History | None = None, inserted: bool = False
) -> float:
    """The chance that a typical commit changes what this step reads (its cache key);
    ``inserted``: a manifest copy dockerfix adds (see `copy_prior`)."""
    keyword = step.keyword
    if keyword == "ARG":
        from dockerfix.syntax.lineparse import parse_words

        words = parse_words(step.instruction.args, "\\")
        if any(is_volatile_arg(w.partition("=")[0], "=" in w) for w in words):
            return P_BUILD_ARG
        return P_TEXT
    if effect.kind == "copy-stage":
        return P_STAGE
    files = effect.context_files
    if effect.kind == "copy-context":
        if effect.copy is None or not effect.copy.known:
            sources = [s.pattern for s in effect.copy.sources] if effect.copy else []
            single = len(sources) == 1 and sources[0] not in (".", "./") and "*" not in sources[0]
            return P_CONFIG if single and "." in posixpath.basename(sources[0]) else P_SOURCE
        if not files:
            return P_TEXT
        prior = copy_prior(effect, inserted)
        return history.estimate(files, prior) if history is not None else prior
    if keyword == "RUN":
        if files:
            measured = history.estimate(files, P_SOURCE) if history is not None else P_SOURCE
            return max(P_RUN, measured)
        return P_RUN
    return P_TEXT
