"""Analyse a build context: what the COPY/ADD instructions send, which of it is junk or a secret.

"Junk" is a path that changes without the image needing it (a `.git` folder, caches, logs) or
that the image should build for itself (`node_modules`): sending it makes a broad `COPY . .`
rerun for edits nobody meant to ship. Each junk kind is a `.dockerignore` entry, and the files a
kind covers are exactly the files that entry would newly exclude, evaluated with Docker's own
matching rules: what is reported is what the entry would do.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from dockerfix.model.context import BuildContext, clean, files_size
from dockerfix.model.dockerignore import IgnoreFile, parse_dockerignore
from dockerfix.model.effects import Effect, flag_value, stage_effects
from dockerfix.model.stages import Model, Stage, Step, build_model
from dockerfix.model.variables import expand_word
from dockerfix.records import dataclass
from dockerfix.syntax import parse

__all__ = [
    "JUNK_RULES",
    "Category",
    "ContextReport",
    "ContextUse",
    "JunkPath",
    "JunkRule",
    "SecretFile",
    "SourceRef",
    "analyse_context",
    "context_for",
    "context_uses",
    "find_secrets",
    "newly_excluded",
]

Category = Literal["vcs", "dependencies", "cache", "build-output", "logs", "editor", "secret"]
UseKind = Literal["copy", "mount"]

# Only the head of a candidate key file is read: enough to see its PEM armour.
_SNIFF_BYTES = 64 * 1024
_GLOB_CHARS = frozenset("*?[")
# `.env.example` and friends are committed templates, not secrets.
_ENV_TEMPLATES = frozenset(
    {"example", "sample", "template", "dist", "defaults", "default", "schema"}
)
_KEY_PREFIXES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")


@dataclass(frozen=True)
class JunkRule:
    """One kind of junk: the `.dockerignore` entry that excludes it and why it is junk."""

    entry: str
    category: Category
    what: str

    @property
    def needle(self) -> str:
        """A literal every matching path contains (a cheap filter before real matching)."""
        text = self.entry.removeprefix("**/")
        pieces = [p for p in text.replace("?", "*").replace("[", "*").split("*") if p]
        return max(pieces, key=len) if pieces else ""


JUNK_RULES: tuple[JunkRule, ...] = (
    JunkRule(".git", "vcs", "Git history and index"),
    JunkRule(".hg", "vcs", "Mercurial history"),
    JunkRule(".svn", "vcs", "Subversion metadata"),
    JunkRule("node_modules", "dependencies", "installed npm packages"),
    JunkRule(".venv", "dependencies", "a local Python virtual environment"),
    JunkRule("venv", "dependencies", "a local Python virtual environment"),
    JunkRule("**/__pycache__", "cache", "Python bytecode caches"),
    JunkRule("**/*.pyc", "cache", "Python bytecode"),
    JunkRule(".pytest_cache", "cache", "pytest cache"),
    JunkRule(".mypy_cache", "cache", "mypy cache"),
    JunkRule(".ruff_cache", "cache", "ruff cache"),
    JunkRule(".tox", "cache", "tox environments"),
    JunkRule(".nox", "cache", "nox environments"),
    JunkRule("**/.terraform", "cache", "Terraform providers and modules"),
    JunkRule(".coverage", "cache", "coverage data"),
    JunkRule("htmlcov", "cache", "coverage report"),
    JunkRule("coverage", "cache", "coverage report"),
    JunkRule("dist", "build-output", "build output"),
    JunkRule("build", "build-output", "build output"),
    JunkRule("target", "build-output", "build output"),
    JunkRule("**/*.log", "logs", "log files"),
    JunkRule(".idea", "editor", "JetBrains IDE settings"),
    JunkRule(".vscode", "editor", "VS Code settings"),
    JunkRule("**/.DS_Store", "editor", "macOS Finder metadata"),
    JunkRule("docker-compose.override.yml", "editor", "local Compose overrides"),
    JunkRule("docker-compose.override.yaml", "editor", "local Compose overrides"),
)


@dataclass(frozen=True)
class SecretFile:
    """A file in the build context that holds a credential."""

    path: str
    kind: str
    size: int


@dataclass(frozen=True)
class SourceRef:
    """One COPY/ADD source or bind-mount source: its text and the context paths it names.

    `roots` is None when the source cannot be resolved (an unknown variable); '' is the root.
    """

    raw: str
    rel: str | None
    roots: tuple[str, ...] | None


@dataclass(frozen=True)
class ContextUse:
    """An instruction that reads the build context: a COPY/ADD or a RUN bind mount."""

    kind: UseKind
    stage: int
    position: int
    line: int
    text: str
    sources: tuple[SourceRef, ...]
    # Context file -> image path, for every file a COPY/ADD copies ('' for a mount).
    files: Mapping[str, str]

    @property
    def resolved(self) -> bool:
        return all(s.roots is not None for s in self.sources)

    @property
    def broad(self) -> bool:
        """Whether a source is a directory (its whole tree is sent, junk included)."""
        return any(r == "" or self._is_dir(r) for s in self.sources for r in s.roots or ())

    def _is_dir(self, root: str) -> bool:
        prefix = root + "/"
        return any(f.startswith(prefix) for f in self.files)


@dataclass(frozen=True)
class JunkPath:
    """Junk present in the context: the entry, the files it would exclude and their size."""

    rule: JunkRule
    files: tuple[str, ...]
    size: int
    # Lines of the instructions that send at least one of the files.
    sent_by: tuple[int, ...]


@dataclass(frozen=True)
class ContextReport:
    """What a build of this Dockerfile sends and what of it is junk or secret."""

    context_files: int
    context_bytes: int
    broad_lines: tuple[int, ...]
    sent_files: int
    sent_bytes: int
    junk: tuple[JunkPath, ...]
    secrets: tuple[SecretFile, ...]
    # Secret path -> lines of the instructions that send it.
    secrets_sent_by: Mapping[str, tuple[int, ...]]


# --------------------------------------------------------------------------- entry points


def analyse_context(root: Path, ignore: IgnoreFile | None, dockerfile_text: str) -> ContextReport:
    """Report the files the Dockerfile's broad copies send, the junk among them and secrets."""
    ctx = context_for(root, ignore)
    tree = parse(dockerfile_text)
    model = build_model(tree)
    uses = context_uses(model, ctx)
    broad = [u for u in uses if u.broad]
    sent = sorted({f for u in broad for f in u.files})
    base_text = ignore.text if ignore is not None else ""
    remaining = set(ctx.files)
    junk: list[JunkPath] = []
    for rule in JUNK_RULES:
        files = newly_excluded(base_text, [rule.entry], remaining, rule.needle)
        if files:
            remaining -= set(files)
            junk.append(JunkPath(rule, files, files_size(root, files), _senders(uses, files)))
    secrets = find_secrets(root, ctx.files)
    return ContextReport(
        context_files=len(ctx.files),
        context_bytes=ctx.total_bytes,
        broad_lines=tuple(u.line for u in broad),
        sent_files=len(sent),
        sent_bytes=files_size(root, sent),
        junk=tuple(junk),
        secrets=secrets,
        secrets_sent_by={s.path: _senders(uses, (s.path,)) for s in secrets},
    )


def context_for(root: Path, ignore: IgnoreFile | None) -> BuildContext:
    """The build context as a build with `ignore` sees it (every file, when it is None)."""
    return BuildContext.walk(root, ignore)


def newly_excluded(
    base_text: str, entries: Sequence[str], files: Iterable[str], needle: str = ""
) -> tuple[str, ...]:
    """Files among `files` that the ignore file `base_text` plus `entries` (appended) excludes.

    `files` should be files `base_text` keeps; `needle` is a literal every hit contains.
    """
    single = parse_dockerignore("\n".join(entries[-1:]))
    hits = [f for f in files if needle in f and single.matches(f)]
    if not hits:
        return ()
    combined = parse_dockerignore(_joined(base_text, entries))
    return tuple(sorted(f for f in hits if combined.matches(f)))


def find_secrets(root: Path, files: Iterable[str]) -> tuple[SecretFile, ...]:
    """Files that hold credentials: env files, private keys, registry tokens."""
    found: list[SecretFile] = []
    for rel in sorted(files):
        kind = _secret_kind(root, rel)
        if kind is not None:
            found.append(SecretFile(rel, kind, files_size(root, (rel,))))
    return tuple(found)


def context_uses(
    model: Model,
    ctx: BuildContext,
    effects_of: Mapping[int, Mapping[int, Effect]] | None = None,
) -> tuple[ContextUse, ...]:
    """Every COPY/ADD from the context and every RUN bind mount, in every stage.

    `effects_of` maps a stage index to its step effects in `ctx`, when the caller has them.
    """
    uses: list[ContextUse] = []
    for stage in model.stages:
        known = effects_of.get(stage.index) if effects_of is not None else None
        effects = known if known is not None else stage_effects(model, stage, ctx)
        for step in stage.steps:
            use = _use_of(step, stage, model, ctx, effects[step.position])
            if use is not None:
                uses.append(use)
    return tuple(uses)


# --------------------------------------------------------------------------- instructions


def short(text: str) -> str:
    """An instruction on one line, shortened for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def _use_of(
    step: Step, stage: Stage, model: Model, ctx: BuildContext, effect: Effect
) -> ContextUse | None:
    ins = step.instruction
    line, text = ins.start_line, short(ins.original)
    if ins.keyword == "RUN":
        sources = _mount_sources(step, ctx)
        if not sources:
            return None
        files = {f: "" for s in sources for r in s.roots or () for f in _files_at(ctx, r)}
        return ContextUse("mount", stage.index, step.position, line, text, sources, files)
    if ins.keyword not in ("COPY", "ADD") or ins.heredocs or len(ins.value) < 2:
        return None
    if flag_value(ins.flags, "--from") is not None:
        return None
    raws = [s for s in ins.value[:-1] if "://" not in s and not s.startswith("git@")]
    if not raws:
        return None
    refs = tuple(_source_ref(raw, step, model, ctx) for raw in raws)
    mapping: dict[str, str] = {}
    if effect.copy is not None:
        for src in effect.copy.sources:
            mapping.update(src.files or ())
    if effect.copy is None or not effect.copy.known:
        # Destination unknown: the files are still sent, to an image path nobody can name.
        mapping.update({f: "" for s in refs for r in s.roots or () for f in _files_at(ctx, r)})
    return ContextUse("copy", stage.index, step.position, line, text, refs, mapping)


def _source_ref(raw: str, step: Step, model: Model, ctx: BuildContext) -> SourceRef:
    value = expand_word(raw, step.state.env, model.tree.escape)
    if value is None:
        return SourceRef(raw, None, None)
    rel = clean(value)
    if _GLOB_CHARS & set(rel):
        return SourceRef(raw, rel, tuple(ctx.glob(rel)))
    return SourceRef(raw, rel, (rel,) if ctx.exists(rel) else ())


def _mount_sources(step: Step, ctx: BuildContext) -> tuple[SourceRef, ...]:
    refs: list[SourceRef] = []
    for flag in step.instruction.flags:
        if not flag.startswith("--mount="):
            continue
        opts = dict([*kv.split("=", 1), ""][:2] for kv in flag[len("--mount=") :].split(",") if kv)
        if opts.get("type", "bind") != "bind" or "from" in opts:
            continue
        raw = opts.get("source", opts.get("src", "."))
        if "$" in raw:
            refs.append(SourceRef(raw, None, None))
            continue
        rel = clean(raw)
        refs.append(SourceRef(raw, rel, (rel,) if ctx.exists(rel) else ()))
    return tuple(refs)


def _files_at(ctx: BuildContext, rel: str) -> list[str]:
    return ctx.files_under(rel) if ctx.is_dir(rel) else [rel] if ctx.is_file(rel) else []


def _senders(uses: Sequence[ContextUse], files: Iterable[str]) -> tuple[int, ...]:
    wanted = set(files)
    return tuple(sorted({u.line for u in uses if wanted.intersection(u.files)}))


# --------------------------------------------------------------------------- files


def _joined(base_text: str, entries: Sequence[str]) -> str:
    head = base_text if base_text == "" or base_text.endswith("\n") else base_text + "\n"
    return head + "".join(e + "\n" for e in entries)


# Every name `_secret_kind` looks at (most files are ruled out by this alone).
_SECRET_NAMES = re.compile(
    r"(?:\.env(?:\..*)?|(?:id_rsa|id_dsa|id_ecdsa|id_ed25519).*|.*\.key|.*\.pem|\.npmrc"
    r"|\.pypirc|\.netrc)\Z",
    re.DOTALL,
)


def _secret_kind(root: Path, rel: str) -> str | None:
    name = posixpath.basename(rel)
    if _SECRET_NAMES.match(name) is None:
        return None
    if name == ".env" or (
        name.startswith(".env.") and name.rsplit(".", 1)[-1].lower() not in _ENV_TEMPLATES
    ):
        return "environment file"
    if name.startswith(_KEY_PREFIXES) and not name.endswith(".pub"):
        return "SSH private key" if not _looks_public(root / rel) else None
    if fnmatch.fnmatchcase(name, "*.key") and not _looks_public(root / rel):
        return "private key"
    if fnmatch.fnmatchcase(name, "*.pem") and b"PRIVATE KEY" in _head(root / rel):
        return "private key"
    if name == ".npmrc" and any(
        t in _head(root / rel) for t in (b"_authToken", b"_auth", b"_password")
    ):
        return "npm registry token"
    if name in (".pypirc", ".netrc") and b"password" in _head(root / rel):
        return "registry password"
    return None


def _looks_public(path: Path) -> bool:
    """A key-named file that holds a certificate or a public key, not a private key."""
    head = _head(path).lstrip()
    return head.startswith((b"-----BEGIN CERTIFICATE", b"-----BEGIN PUBLIC KEY", b"ssh-")) and (
        b"PRIVATE KEY" not in head
    )


def _head(path: Path) -> bytes:
    if path.is_symlink():
        return b""
    try:
        with path.open("rb") as handle:
            return handle.read(_SNIFF_BYTES)
    except OSError:
        return b""
