"""Real rebuild times before and after the rewrite, on bundled example projects.

    python bench/rebuild.py [--store DIR] [--only NAME ...] [--keep-store]

For each project: a cold build of the original and of the rewritten Dockerfile, an edit of
one source file, and a rebuild of both (dockerfix.build.compare does the work, with a
cache-busting label per variant).  Prints a table of rebuild wall times, the ratio
after/before, and whether the two images are equivalent.  Needs buildah and root; base
images are built locally (the debootstrap tarball is cached in $DOCKERFIX_BASE_CACHE when
set).  The node stand-in takes about two minutes to build the first time.

Not benchmarked, and why:
- poetry and uv: `poetry install --no-root` / `uv sync --frozen` need a lock file whose
  hashes match the project, which must be generated against PyPI by the tool itself; the
  rewrite also needs --unsafe-fixes.  The stand-in images carry neither tool.
- Go: there is no Go stand-in image (golang-go would make another large Debian layer), and
  the Go module proxy is out of reach, so only a stdlib-only service could build at all.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dockerfix  # noqa: E402
from dockerfix.build.buildah import BuildahEngine, base_cache_dir, import_base_image  # noqa: E402
from dockerfix.build.compare import VerifyReport, verify_dockerfile  # noqa: E402


@dataclass(frozen=True)
class Project:
    name: str
    dockerfile: Path
    context: Path
    base: str


PROJECTS = (
    Project(
        "python pip (examples/python-app)",
        ROOT / "examples/python-app/Dockerfile",
        ROOT / "examples/python-app",
        "python",
    ),
    Project(
        "python pip (fixtures pip-app)",
        ROOT / "fixtures/realbuild/pip-app/Dockerfile",
        ROOT / "fixtures/realbuild/pip-app/context",
        "python",
    ),
    Project(
        "node npm (fixtures npm-app)",
        ROOT / "fixtures/realbuild/npm-app/Dockerfile",
        ROOT / "fixtures/realbuild/npm-app/context",
        "node",
    ),
)


def _row(project: Project, report: VerifyReport) -> list[str]:
    rebuild = report.rebuild
    cold = (report.cold_original, report.cold_rewritten)
    verdict = "equivalent" if report.equivalent else "DIFFERENT"
    if rebuild is None or cold[0] is None or cold[1] is None:
        return [project.name, "-", "-", "-", "-", "-", "-", verdict]
    before, after = rebuild.original.wall_seconds, rebuild.rewritten.wall_seconds
    return [
        project.name,
        f"{cold[0].wall_seconds:.1f}",
        f"{cold[1].wall_seconds:.1f}",
        f"{before:.1f}",
        f"{after:.1f}",
        f"{after / before:.2f}" if before else "-",
        f"{len(rebuild.original.executed)}→{len(rebuild.rewritten.executed)}",
        verdict,
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--only", nargs="*", default=None, help="python, node")
    parser.add_argument("--keep-store", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dockerfix-bench-"))
    engine = BuildahEngine(args.store or tmp / "store")
    header = [
        "project",
        "cold orig s",
        "cold new s",
        "rebuild orig s",
        "rebuild new s",
        "new/orig",
        "steps rerun",
        "images",
    ]
    rows = []
    try:
        for project in PROJECTS:
            if args.only and project.base not in args.only:
                continue
            print(f"{project.name}: preparing base image {project.base}", file=sys.stderr)
            import_base_image(engine, project.base, base_cache_dir(tmp / "base-cache"))
            original = project.dockerfile.read_text()
            rewritten = dockerfix.fix(original, context=project.context, use_git=False).code
            report = verify_dockerfile(
                original,
                rewritten,
                project.context,
                engine,
                progress=lambda m, n=project.name: print(f"{n}: {m}", file=sys.stderr),
            )
            rows.append(_row(project, report))
    finally:
        if not args.keep_store and args.store is None:
            engine.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
