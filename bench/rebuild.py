"""Real rebuild times on BuildKit: original vs `--write` vs `--write --cache-mounts`.

    python bench/rebuild.py [--engine docker|buildah] [--only python node ...] [--repeat N]

For each project and each variant of its Dockerfile: a cold build, a rebuild after a source
edit (one line appended to a source file), and a rebuild after a dependency edit (one
package added: a line in requirements.txt; `npm install --package-lock-only` of one more
package, run once on this machine). Every variant starts from its own copy of the base image
(no shared cache entries). The images after both edits are compared with the original's,
with build noise measured by building the original once more. Prints one table; with
`--repeat N` each variant is measured N times afresh and the table shows the medians (on a
shared machine single timings vary by seconds).

Docker: the daemon that answers, or a private dockerd started (and stopped) here. Base
images are local stand-ins (the debootstrap tarball is cached in $DOCKERFIX_BASE_CACHE when
set); the node stand-in takes minutes the first time. Needs root and, for npm, `npm`.

Not benchmarked, and why: poetry and uv need lock files generated against PyPI by the tool
itself, which the stand-in images do not carry; Go modules, crates and Maven Central are out
of reach from here.
"""

from __future__ import annotations

import argparse
import posixpath
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dockerfix  # noqa: E402
from dockerfix.build.base_images import base_cache_dir, import_base_image  # noqa: E402
from dockerfix.build.buildah import BuildahEngine  # noqa: E402
from dockerfix.build.compare import (  # noqa: E402
    edit_line,
    variant_text,
    without_marker,
)
from dockerfix.build.daemon import docker_daemon  # noqa: E402
from dockerfix.build.engine import BuildResult, Engine  # noqa: E402
from dockerfix.build.imagediff import ImageSnapshot, diff_snapshots, measure_noise  # noqa: E402
from dockerfix.fixes.cache_mounts import ROWS  # noqa: E402


@dataclass(frozen=True)
class Project:
    name: str
    context: Path
    base: str
    source: str  # the file the source edit appends to
    add_dependency: Callable[[Path], None]


def _add_pip(package: str) -> Callable[[Path], None]:
    def add(context: Path) -> None:
        with (context / "requirements.txt").open("a") as f:
            f.write(f"{package}\n")

    return add


def _add_npm(package: str) -> Callable[[Path], None]:
    def add(context: Path) -> None:
        command = ["npm", "install", "--package-lock-only", "--no-audit", "--no-fund", package]
        subprocess.run(command, cwd=context, check=True, capture_output=True)

    return add


PROJECTS = (
    Project("python pip (examples/python-app)", ROOT / "examples/python-app", "python",
            "app/__main__.py", _add_pip("idna==3.7")),
    Project("node npm (examples/node-app)", ROOT / "examples/node-app", "node",
            "server.js", _add_npm("is-odd@3.0.1")),
)  # fmt: skip
VARIANTS = ("original", "--write", "--write --cache-mounts")


@dataclass(frozen=True)
class Row:
    project: str
    variant: str
    runs: tuple[tuple[BuildResult, BuildResult, BuildResult], ...]  # cold, source, dependency
    images: str

    def median(self, which: int) -> float:
        return statistics.median(run[which].wall_seconds for run in self.runs)


def _texts(project: Project) -> dict[str, str]:
    original = (project.context / "Dockerfile").read_text()
    fix = dockerfix.fix
    return {
        "original": original,
        "--write": fix(original, context=project.context, use_git=False).code,
        "--write --cache-mounts": fix(
            original, context=project.context, use_git=False, cache_mounts=True
        ).code,
    }


def _build(engine: Engine, text: str, context: Path, tag: str) -> BuildResult:
    dockerfile = context.parent / f"{uuid.uuid4().hex[:8]}.Dockerfile"
    dockerfile.write_text(text)
    result = engine.build(dockerfile, context, tag)
    if not result.ok:
        raise SystemExit(f"build of {tag} failed:\n{result.tail()}")
    return result


def _run_variant(
    engine: Engine, project: Project, text: str, work: Path, edited: Path
) -> tuple[BuildResult, BuildResult, BuildResult, ImageSnapshot]:
    """Cold build, source edit, dependency edit; the snapshot of the last image."""
    context = work / "context"
    shutil.copytree(project.context, context, symlinks=True)
    key = uuid.uuid4().hex[:10]
    labelled, _ = variant_text(engine, text, key)
    tag = f"localhost/dockerfix-bench:{key}"
    cold = _build(engine, labelled, context, tag)
    target = context / project.source
    target.write_text(target.read_text() + edit_line(project.source))
    source = _build(engine, labelled, context, tag)
    for name in ("requirements.txt", "package.json", "package-lock.json"):
        if (edited / name).is_file():
            shutil.copy2(edited / name, context / name)
    dependency = _build(engine, labelled, context, tag)
    snapshot = without_marker(engine.snapshot(tag))
    engine.remove(tag)
    return cold, source, dependency, snapshot


def _verdict(original: ImageSnapshot, other: ImageSnapshot, noise: set[str]) -> str:
    diff = diff_snapshots(original, other, noise)
    noisy_dirs = {posixpath.dirname(p) for p in noise}
    paths = [p for p in (*diff.added, *diff.removed) if posixpath.dirname(p) not in noisy_dirs]
    paths += [p for p, _ in diff.changed]
    if not paths:
        return "equivalent"
    caches = {p for p in paths if _in_cache(p)}
    if caches == set(paths):
        return f"equivalent but cache dirs ({len(paths)} paths)"
    return f"DIFFERENT ({len(paths)} paths, e.g. {sorted(set(paths) - caches)[0]})"


def _in_cache(path: str) -> bool:
    """Whether `path` is (or leads to) a folder DFX008 mounts a cache on."""
    targets = [t for row in ROWS for t in row.targets]
    return any(path == t or path.startswith(t + "/") or t.startswith(path + "/") for t in targets)


def bench_project(engine: Engine, project: Project, tmp: Path, repeat: int) -> list[Row]:
    say = lambda message: print(f"{project.name}: {message}", file=sys.stderr)  # noqa: E731
    edited = tmp / "edited"
    shutil.copytree(project.context, edited, symlinks=True)
    say("preparing the dependency edit")
    project.add_dependency(edited)
    texts = _texts(project)
    runs: dict[str, list[tuple[BuildResult, BuildResult, BuildResult]]] = {v: [] for v in texts}
    snapshots: dict[str, ImageSnapshot] = {}
    for n in range(repeat):
        for variant, text in texts.items():
            say(f"building {variant} ({n + 1}/{repeat})")
            *builds, snapshots[variant] = _run_variant(
                engine, project, text, tmp / f"{variant.strip('-')}-{n}", edited
            )
            runs[variant].append((builds[0], builds[1], builds[2]))
    say("building the original again, to measure noise")
    *_, noise_snapshot = _run_variant(engine, project, texts["original"], tmp / "noise", edited)
    reference = snapshots["original"]
    noise = measure_noise(reference, noise_snapshot)
    return [
        Row(project.name, variant, tuple(results),
            "-" if variant == "original" else _verdict(reference, snapshots[variant], noise))
        for variant, results in runs.items()
    ]  # fmt: skip


def _rerun(result: BuildResult) -> str:
    steps = [s for s in result.steps if not s.instruction.upper().startswith("FROM ")]
    return f"{sum(not s.cached for s in steps)}/{len(steps)}"


def render(rows: list[Row]) -> str:
    header = ["project", "variant", "cold s", "source edit s", "dependency edit s",
              "rerun src/dep", "image vs original"]  # fmt: skip
    table = [header]
    for row in rows:
        _, source, dependency = row.runs[-1]
        table.append([
            row.project, row.variant, f"{row.median(0):.1f}", f"{row.median(1):.1f}",
            f"{row.median(2):.1f}", f"{_rerun(source)} {_rerun(dependency)}", row.images,
        ])  # fmt: skip
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in table]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


@contextmanager
def _engine(name: str, tmp: Path) -> Iterator[Engine]:
    if name == "buildah":
        engine = BuildahEngine(tmp / "store")
        try:
            yield engine
        finally:
            engine.cleanup()
        return
    (tmp / "dockerd").mkdir()
    with docker_daemon(tmp / "dockerd") as docker:
        try:
            yield docker
        finally:
            docker.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["docker", "buildah"], default="docker")
    parser.add_argument("--only", nargs="*", default=None, help="python, node")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (medians)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dockerfix-bench-"))
    rows: list[Row] = []
    try:
        with _engine(args.engine, tmp) as engine:
            for n, project in enumerate(PROJECTS):
                if args.only and project.base not in args.only:
                    continue
                import_base_image(engine, project.base, base_cache_dir(tmp / "base-cache"))
                rows += bench_project(engine, project, tmp / f"project-{n}", args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"engine: {args.engine}, medians of {args.repeat} run(s)")
    print(render(rows))


if __name__ == "__main__":
    main()
