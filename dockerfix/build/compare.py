"""Build a Dockerfile and its rewrite for real, compare the images, time a rebuild after an edit.

Every build carries a ``LABEL dockerfix.verify=<run>-<variant>`` right after each FROM.  The
label changes no file and is left out of the config comparison; it keeps each variant's
layers apart in the build cache, so that no build reuses layers of another variant or of
an earlier run: the rebuild timings then measure the Dockerfile, not the store's history.
BuildKit leaves labels out of its cache keys, so with Docker each variant also starts FROM
its own relabelled copy of the base image (``Engine.separate``).
The original is built twice under two labels; what differs between those two builds
(timestamps inside caches, log names) is noise, ignored when comparing with the rewrite.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from dockerfix.build.base_images import BASE_IMAGES, base_cache_dir, import_base_image
from dockerfix.build.engine import SEPARATION_MARKER, BuildResult, Engine
from dockerfix.build.imagediff import (
    ImageSnapshot,
    SnapshotDiff,
    diff_configs,
    diff_snapshots,
    measure_noise,
    run_config,
)
from dockerfix.records import dataclass

__all__ = [
    "BuildSummary",
    "Rebuild",
    "VerifyError",
    "VerifyReport",
    "default_edit",
    "edit_line",
    "render_text",
    "required_images",
    "variant_text",
    "verify_dockerfile",
    "with_label",
    "without_label",
    "without_marker",
    "without_syntax_directive",
]

LABEL_KEY = "dockerfix.verify"
EDIT_MARK = "dockerfix verify: simulated source edit"

# Comment syntax by file suffix, for the line appended to simulate an edit.
_COMMENTS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            ".py",
            ".sh",
            ".bash",
            ".rb",
            ".pl",
            ".yaml",
            ".yml",
            ".toml",
            ".cfg",
            ".ini",
            ".conf",
            ".r",
            ".txt",
            ".env",
            ".properties",
            ".ex",
            ".exs",
            ".nim",
            ".tf",
        ),
        ("# ", ""),
    ),
    **dict.fromkeys(
        (
            ".js",
            ".mjs",
            ".cjs",
            ".ts",
            ".tsx",
            ".jsx",
            ".go",
            ".c",
            ".h",
            ".cc",
            ".cpp",
            ".hpp",
            ".java",
            ".kt",
            ".rs",
            ".swift",
            ".scala",
            ".cs",
            ".dart",
            ".php",
            ".groovy",
        ),
        ("// ", ""),
    ),
    **dict.fromkeys((".css", ".scss", ".less"), ("/* ", " */")),
    **dict.fromkeys((".html", ".htm", ".xml", ".md", ".vue", ".svg"), ("<!-- ", " -->")),
    **dict.fromkeys((".sql", ".lua", ".hs", ".elm"), ("-- ", "")),
}


class VerifyError(Exception):
    """verify cannot run on this input (message is one line): exit code 2."""


@dataclass(frozen=True)
class BuildSummary:
    """One build: wall time and its steps that ran or came from the cache (FROM left out)."""

    wall_seconds: float
    executed: tuple[str, ...]
    cached: tuple[str, ...]


@dataclass(frozen=True)
class Rebuild:
    """Both Dockerfiles rebuilt after appending ``appended`` to context file ``edited``."""

    edited: str
    appended: str
    original: BuildSummary
    rewritten: BuildSummary


@dataclass(frozen=True)
class VerifyReport:
    """The verdict and what it rests on."""

    equivalent: bool
    rewrite_changes_file: bool
    engine: str
    store: str
    paths_compared: int = 0
    noise_paths: tuple[str, ...] = ()
    differing_paths: tuple[str, ...] = ()
    config_differences: tuple[str, ...] = ()
    rewritten_build_failure: str | None = None
    cold_original: BuildSummary | None = None
    cold_rewritten: BuildSummary | None = None
    rebuild: Rebuild | None = None
    kept_images: tuple[str, ...] = ()


Progress = Callable[[str], None]


def with_label(text: str, value: str) -> str:
    """``text`` with ``LABEL dockerfix.verify=<value>`` after every FROM instruction."""
    from dockerfix.syntax import parse

    lines = text.splitlines(keepends=True)
    ends = {ins.end_line for ins in parse(text).instructions if ins.keyword == "FROM"}
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        out.append(line)
        if number in ends:
            newline = "\r\n" if line.endswith("\r\n") else "\n"
            if not line.endswith("\n"):
                out.append(newline)
            out.append(f"LABEL {LABEL_KEY}={value}{newline}")
    return "".join(out)


def variant_text(engine: Engine, text: str, key: str) -> tuple[str, list[str]]:
    """``text`` labelled with ``key`` and, where the engine needs it, FROM images renamed to
    copies whose builds share no cache with other keys; also the names of those copies."""
    from dockerfix.syntax import parse

    labelled = with_label(text, key)
    if engine.name == "docker":
        labelled = without_syntax_directive(labelled)
    lines = labelled.splitlines(keepends=True)
    stages: set[str] = set()
    copies: list[str] = []
    for ins in parse(labelled).instructions:
        if ins.keyword != "FROM" or not ins.value:
            continue
        image = ins.value[0]
        if image.lower() not in stages and image.lower() != "scratch" and "$" not in image:
            copy = engine.separate(normalize_image(image), key)
            if copy is not None:
                row = ins.start_line - 1
                lines[row] = _replace_word(lines[row], image, copy)
                copies.append(copy)
        if len(ins.value) >= 3 and ins.value[-2].lower() == "as":
            stages.add(ins.value[-1].lower())
    return "".join(lines), copies


def without_syntax_directive(text: str) -> str:
    """``text`` with its ``# syntax=`` line made a plain comment (the line count kept).

    BuildKit pulls the frontend such a line names from a registry; verify never pulls, so it
    builds both variants with the daemon's built-in frontend instead.
    """
    from dockerfix.syntax import parse

    rows = {d.line for d in parse(text).directives if d.name.lower() == "syntax"}
    lines = text.splitlines(keepends=True)
    for row in rows:
        line = lines[row - 1]
        newline = line[len(line.rstrip("\r\n")) :]
        lines[row - 1] = "# syntax line left out: built with the daemon's own frontend" + newline
    return "".join(lines)


def _replace_word(line: str, word: str, new: str) -> str:
    """``line`` with the first whitespace-separated occurrence of ``word`` replaced."""
    parts = line.split(" ")
    for n, part in enumerate(parts):
        if part.rstrip("\r\n") == word:
            parts[n] = new + part[len(word) :]
            return " ".join(parts)
    return line


def normalize_image(name: str) -> str:
    """The full reference a short image name stands for (``python:3`` → docker.io/library/...)."""
    first, _, rest = name.partition("/")
    if not rest:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    last = name.rsplit("/", 1)[-1]
    return name if (":" in last or "@" in last) else name + ":latest"


def required_images(text: str) -> list[str]:
    """Full names of the images the Dockerfile's stages start FROM (not stages, not scratch)."""
    from dockerfix.model.stages import build_model
    from dockerfix.syntax import parse

    names = []
    for stage in build_model(parse(text)).stages:
        base = stage.base
        if stage.base_stage is not None or base.lower() == "scratch" or "$" in base or not base:
            continue
        full = normalize_image(base)
        if full not in names:
            names.append(full)
    return names


def _ensure_base_images(
    engine: Engine, texts: Sequence[str], stand_ins: bool, progress: Progress
) -> None:
    wanted = {name for text in texts for name in required_images(text)}
    for name in sorted(wanted):
        if engine.exists(name):
            continue
        kind = next((k for k, tags in BASE_IMAGES.items() if name in tags), None)
        if not stand_ins or kind is None:
            hint = (
                "add --base-images to build a local stand-in"
                if kind is not None
                else f"load it into the image store first ({_load_hint(engine)})"
            )
            raise VerifyError(
                f"base image {name} is not in the image store {engine.where()} "
                f"(verify never pulls); {hint}"
            )
        progress(f"building a local stand-in for {name} (once)")
        import_base_image(engine, kind, base_cache_dir(_default_base_cache()))


def _load_hint(engine: Engine) -> str:
    if engine.name == "docker":
        return "docker pull or docker load"
    return f"buildah --root {engine.where()}/root pull ..."


def _default_base_cache() -> Path:
    """Where the debootstrap tarball of the Debian stand-in is kept between runs."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(cache) / "dockerfix" / "base-cache"


def edit_line(path: str) -> str:
    """The text appended to simulate an edit: a comment in the file's language, or a newline."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix not in _COMMENTS:
        return "\n"
    start, end = _COMMENTS[suffix]
    return f"{start}{EDIT_MARK}{end}\n"


def default_edit(original: str, rewritten: str, context: Path) -> str | None:
    """A source file the broad COPY sends and no narrower COPY (of manifests) names.

    Visible files come first (``.dockerignore`` and dot-files are rarely what one edits).
    """
    from dockerfix.model.context import BuildContext
    from dockerfix.model.effects import stage_effects
    from dockerfix.model.stages import build_model
    from dockerfix.model.volatility import P_SOURCE, step_volatility
    from dockerfix.syntax import parse

    ctx = BuildContext.load(context)
    broad: set[str] = set()
    narrow: set[str] = set()
    for text in (original, rewritten):
        model = build_model(parse(text))
        for stage in model.stages:
            effects = stage_effects(model, stage, ctx)
            for step in stage.steps:
                effect = effects[step.position]
                if effect.kind != "copy-context":
                    continue
                wide = step_volatility(step, effect, None) >= P_SOURCE
                (broad if wide else narrow).update(effect.context_files)
    candidates = sorted(
        (f for f in broad - narrow if not _is_build_file(f)), key=lambda f: (_hidden(f), f)
    )
    return candidates[0] if candidates else None


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/"))


def _is_build_file(path: str) -> bool:
    """Dockerfiles and ignore files: editing them in the copy changes nothing verify builds."""
    name = posixpath.basename(path).lower()
    return (
        name in ("dockerfile", "containerfile", ".dockerignore")
        or name.startswith(("dockerfile.", "containerfile."))
        or name.endswith((".dockerfile", ".containerfile", ".dockerignore"))
    )


def _summary(result: BuildResult) -> BuildSummary:
    steps = [
        s
        for s in result.steps
        if not s.instruction.upper().startswith("FROM ")
        and not s.instruction.startswith(f"LABEL {LABEL_KEY}=")
    ]
    return BuildSummary(
        round(result.wall_seconds, 2),
        tuple(s.instruction for s in steps if not s.cached),
        tuple(s.instruction for s in steps if s.cached),
    )


class _Builds:
    """Builds of one verify run in a work directory, tagged so they can be removed after."""

    def __init__(self, engine: Engine, work: Path, progress: Progress) -> None:
        self.engine = engine
        self.work = work
        self.progress = progress
        self.run = uuid.uuid4().hex[:12]
        self.tags: list[str] = []
        self.base_copies: list[str] = []

    def build(self, text: str, variant: str, what: str) -> BuildResult:
        dockerfile = self.work / f"{variant}.Dockerfile"
        labelled, copies = variant_text(self.engine, text, f"{self.run}-{variant}")
        self.base_copies += [c for c in copies if c not in self.base_copies]
        dockerfile.write_text(labelled, encoding="utf-8")
        tag = f"localhost/dockerfix-verify-{variant}:{self.run}"
        self.progress(f"building {what}")
        result = self.engine.build(dockerfile, self.work / "context", tag)
        if result.ok:
            self.tags.append(tag)
        return result

    def tag(self, variant: str) -> str:
        return f"localhost/dockerfix-verify-{variant}:{self.run}"

    def remove_all(self) -> None:
        for tag in [*reversed(self.tags), *self.base_copies]:
            self.engine.remove(tag)


def verify_dockerfile(
    original: str,
    rewritten: str,
    context: Path,
    engine: Engine,
    *,
    edit: str | None = None,
    keep_images: bool = False,
    base_images: bool = False,
    progress: Progress | None = None,
) -> VerifyReport:
    """Build both Dockerfiles on a copy of ``context`` and report whether the images agree.

    Raises VerifyError when a base image is missing, the original does not build, or
    ``edit`` names no file of the context.
    """
    say: Progress = progress or (lambda _message: None)
    if rewritten == original:
        return VerifyReport(True, False, engine.name, engine.where())
    _ensure_base_images(engine, (original, rewritten), base_images, say)
    with tempfile.TemporaryDirectory(prefix="dockerfix-verify-") as tmp:
        work = Path(tmp)
        # symlinks=True: a link is sent to the build as a link, exactly as from the real context.
        shutil.copytree(context, work / "context", symlinks=True)
        edited = edit if edit is not None else default_edit(original, rewritten, work / "context")
        if edit is not None:
            _check_edit_target(work / "context", edit)
        builds = _Builds(engine, work, say)
        try:
            report = _compare(builds, original, rewritten, edited)
        finally:
            if not keep_images:
                builds.remove_all()
    kept = tuple(builds.tags) if keep_images else ()
    return replace(report, engine=engine.name, store=engine.where(), kept_images=kept)


def _check_edit_target(context: Path, edit: str) -> None:
    target = context / edit
    if Path(edit).is_absolute() or ".." in Path(edit).parts or not target.is_file():
        raise VerifyError(f"--edit {edit}: not a file of the build context")


def _compare(builds: _Builds, original: str, rewritten: str, edited: str | None) -> VerifyReport:
    first = builds.build(original, "original", "the original Dockerfile (1/5)")
    if not first.ok:
        raise VerifyError("the original Dockerfile does not build: " + _last_line(first))
    second = builds.build(rewritten, "rewritten", "the rewritten Dockerfile (2/5)")
    if not second.ok:
        return VerifyReport(
            equivalent=False,
            rewrite_changes_file=True,
            engine="",
            store="",
            rewritten_build_failure=second.tail(),
            cold_original=_summary(first),
        )
    noise = builds.build(original, "noise", "the original again, to measure noise (3/5)")
    if not noise.ok:
        raise VerifyError("the original Dockerfile builds only sometimes: " + _last_line(noise))
    snap_original, snap_rewritten, snap_noise = (
        without_marker(builds.engine.snapshot(builds.tag(variant)))
        for variant in ("original", "rewritten", "noise")
    )
    noisy = measure_noise(snap_original, snap_noise)
    differing = _real_differences(snap_original, snap_rewritten, snap_noise, noisy)
    configs = diff_configs(
        without_label(builds.engine.config(builds.tag("original"))),
        without_label(builds.engine.config(builds.tag("rewritten"))),
    )
    rebuild = _rebuild(builds, original, rewritten, edited) if edited is not None else None
    return VerifyReport(
        equivalent=not differing and not configs,
        rewrite_changes_file=True,
        engine="",
        store="",
        paths_compared=len(snap_original.keys() | snap_rewritten.keys()),
        noise_paths=tuple(sorted(noisy)),
        differing_paths=tuple(differing),
        config_differences=tuple(configs),
        cold_original=_summary(first),
        cold_rewritten=_summary(second),
        rebuild=rebuild,
    )


def without_marker(snapshot: ImageSnapshot) -> ImageSnapshot:
    """``snapshot`` without the file that kept this variant's cache apart (Engine.separate)."""
    return ImageSnapshot({p: e for p, e in snapshot.items() if p != SEPARATION_MARKER})


def _last_line(result: BuildResult) -> str:
    lines = [line.text.strip() for line in result.log if line.text.strip()]
    return lines[-1] if lines else "(no output)"


def _real_differences(
    original: ImageSnapshot, rewritten: ImageSnapshot, noise_build: ImageSnapshot, noisy: set[str]
) -> list[str]:
    """Differences between original and rewrite that the noise build does not explain.

    Entries whose very names vary between builds (npm's timestamped logs, the build-id folder
    of a Next.js build) make their folder noisy: entries appearing or vanishing there are not
    a difference.
    """
    noisy_dirs = {
        posixpath.dirname(_topmost_alone(p, noise_build if p in original else original))
        for p in noisy
        if (p in original) != (p in noise_build)
    }
    diff = diff_snapshots(original, rewritten, noisy)
    kept = SnapshotDiff(
        tuple(
            p
            for p in diff.added
            if posixpath.dirname(_topmost_alone(p, original)) not in noisy_dirs
        ),
        tuple(
            p
            for p in diff.removed
            if posixpath.dirname(_topmost_alone(p, rewritten)) not in noisy_dirs
        ),
        diff.changed,
    )
    return kept.summary(limit=50)


def _topmost_alone(path: str, other: Mapping[str, Any]) -> str:
    """The highest of ``path`` and its folders that ``other`` does not have (``path`` itself
    when its folder is there): what appeared or vanished as a whole."""
    while posixpath.dirname(path) not in ("/", "") and posixpath.dirname(path) not in other:
        path = posixpath.dirname(path)
    return path


def without_label(config: Mapping[str, Any]) -> dict[str, Any]:
    """The run config minus verify's own label (the only intended difference)."""
    inner = dict(run_config(config))
    labels = dict(inner.get("Labels") or {})
    labels.pop(LABEL_KEY, None)
    return {**inner, "Labels": labels}


def _rebuild(builds: _Builds, original: str, rewritten: str, edited: str) -> Rebuild | None:
    target = builds.work / "context" / edited
    appended = edit_line(edited)
    data = target.read_bytes()
    prefix = b"" if not data or data.endswith(b"\n") else b"\n"
    target.write_bytes(data + prefix + appended.encode("utf-8"))
    again = builds.build(original, "original", f"the original after editing {edited} (4/5)")
    again_new = builds.build(rewritten, "rewritten", f"the rewrite after editing {edited} (5/5)")
    if not (again.ok and again_new.ok):
        return None
    return Rebuild(edited, appended, _summary(again), _summary(again_new))


def render_text(report: VerifyReport, display: str) -> str:
    """The human report: verdict first, then the evidence, then the rebuild comparison."""
    out = [f"dockerfix verify {display} (engine {report.engine}, store {report.store})"]
    if not report.rewrite_changes_file:
        out.append("equivalent: the rewrite changes nothing, so there is nothing to build")
        return "\n".join(out)
    if report.rewritten_build_failure is not None:
        out.append("DIFFERENT: the rewritten Dockerfile does not build; its last output:")
        out += ["  " + line for line in report.rewritten_build_failure.splitlines()]
        return "\n".join(out)
    verdict = "EQUIVALENT" if report.equivalent else "DIFFERENT"
    out.append(
        f"{verdict}: {report.paths_compared} paths compared, "
        f"{len(report.noise_paths)} noisy paths ignored "
        "(they differ between two builds of the original)"
    )
    if report.differing_paths:
        out.append("differing paths:")
        out += ["  " + line for line in report.differing_paths]
    if report.config_differences:
        out.append("differing config fields:")
        out += ["  " + line for line in report.config_differences]
    out += _timing_lines(report)
    if report.kept_images:
        out.append("kept images: " + ", ".join(report.kept_images))
    return "\n".join(out)


def _timing_lines(report: VerifyReport) -> list[str]:
    out: list[str] = []
    if report.cold_original and report.cold_rewritten:
        out.append(
            f"cold build: original {report.cold_original.wall_seconds:.1f} s, "
            f"rewritten {report.cold_rewritten.wall_seconds:.1f} s"
        )
    rebuild = report.rebuild
    if rebuild is None:
        out.append("rebuild check skipped: no source file to edit")
        return out
    before, after = rebuild.original, rebuild.rewritten
    ratio = after.wall_seconds / before.wall_seconds if before.wall_seconds else 0.0
    out += [
        f"rebuild after editing {rebuild.edited}:",
        f"  {'':<10}{'rerun':>7}{'cached':>8}{'wall':>10}",
        f"  {'original':<10}{len(before.executed):>7}{len(before.cached):>8}"
        f"{before.wall_seconds:>9.1f}s",
        f"  {'rewritten':<10}{len(after.executed):>7}{len(after.cached):>8}"
        f"{after.wall_seconds:>9.1f}s",
        f"  rebuild time after/before: {ratio:.2f}",
    ]
    saved = [s for s in before.executed if s in after.cached]
    if saved:
        out.append("  reused by the rewrite: " + "; ".join(_short(s) for s in saved))
    return out


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
