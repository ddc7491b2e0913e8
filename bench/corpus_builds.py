"""Real builds of the corpus rewrites: does each safe-mode rewrite build the same image?

    python bench/corpus_builds.py --trees DIR [--only REPO ...] [--max N] [--store DIR]
                                  [--json OUT] [--budget SECONDS] [--unsafe-fixes]
                                  [--resume EARLIER.json]

For every row of `bench/corpus/INDEX.tsv` of ecosystem python or node whose Dockerfile
dockerfix rewrites in safe mode (`dockerfix.fix` with the row's context; with
`--unsafe-fixes`, the rewrites of that tier), smallest context
first: the context is copied to a temporary folder and `dockerfix.build.compare` builds the
original twice (what differs between those two builds is noise) and the rewrite once with
buildah, compares the file trees and run configurations, then appends a comment to one source
file and rebuilds both, to see whether the dependency install ran again.

There is no route to an image registry, so each FROM is mapped to a local stand-in: a Debian
12 debootstrap root filesystem plus Debian's python3/pip or nodejs/npm (see
`dockerfix.build.buildah.import_base_image`), tagged with the exact name the Dockerfile uses
(`python:3.8.5`, `node:lts-slim`, ...). The stand-in is not the real image (Python 3.11 and
Node 18 whatever the tag says), which is enough to compare an original with its rewrite: both
build on the same base. Rows are skipped, with the reason printed, when a FROM has no stand-in
(images other than python, node and debian, private registries, a FROM built from an ARG) or
a RUN uses Alpine's apk on what is here a Debian base. A build is stopped after the time budget
(default 5 minutes); a failed build is reported with the line that explains it.

Needs buildah and root: RUN steps of the corpus Dockerfiles run as real root with chroot
isolation, so use a machine you can throw away. The trees are not part of the project (see
`bench/reach.py` for how to fetch them) and are never modified: all builds use a copy.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from reach import INDEX, Row, read_index  # noqa: E402

import dockerfix  # noqa: E402
from dockerfix.build.base_images import base_cache_dir, import_base_image  # noqa: E402
from dockerfix.build.buildah import BuildahEngine, BuildResult  # noqa: E402
from dockerfix.build.compare import (  # noqa: E402
    VerifyError,
    VerifyReport,
    normalize_image,
    verify_dockerfile,
)

ECOSYSTEMS = ("python", "node")
DEFAULT_BUDGET = 300.0
_LIBRARY = "docker.io/library/"
STANDIN_VERSIONS = {
    "python": "python3.11+pip on Debian 12",
    "node": "nodejs18+npm on Debian 12",
    "debian": "Debian 12 minbase",
}
_APK = re.compile(r"(^|[\s;&|(])apk\s+(add|update|upgrade|del)\b")
_INSTALL = re.compile(
    r"\b(pip3?|python3?\s+-m\s+pip|pipenv|poetry|uv|npm|yarn|pnpm|bun)\b[^&;|]*?"
    r"\b(install|ci|sync|i|add)\b"
)
# Lines of a failed build log that say why, most telling first.
_WHY = (
    re.compile(r"No matching distribution found for .*|Could not find a version .*"),
    re.compile(r"Unable to locate package .*|has no installation candidate"),
    re.compile(r"npm ERR! .*(?:404|E404|ETARGET|ENOTFOUND|code \w+).*"),
    re.compile(r".*: (?:command )?not found$"),
    re.compile(r"ModuleNotFoundError: .*|Python \S+ was not found.*|requires-python.*"),
    re.compile(r"error: subprocess-exited-with-error.*"),
    re.compile(r"ERROR: .*|error: .*|Error: .*"),
)


@dataclass(frozen=True)
class StandIn:
    """The local image a FROM is built on, or why there is none."""

    image: str  # the name as the Dockerfile writes it
    kind: str | None  # python, node, debian; None: no stand-in
    reason: str = ""


def stand_in_for(image: str) -> StandIn:
    """The stand-in kind for a FROM image name (python, node or debian of Docker Hub)."""
    if "$" in image:
        return StandIn(image, None, f"FROM {image} depends on a build ARG")
    if "@sha256:" in image:
        return StandIn(image, None, f"FROM {image} is pinned by digest")
    full = normalize_image(image)
    if full.count("/") == 1 and full.startswith("docker.io/"):  # docker.io/node:20
        full = _LIBRARY + full.removeprefix("docker.io/")
    if not full.startswith(_LIBRARY):
        return StandIn(image, None, f"no stand-in for {image} (not python/node/debian)")
    name = full.removeprefix(_LIBRARY).split(":", 1)[0]
    if name not in STANDIN_VERSIONS:
        return StandIn(image, None, f"no stand-in for {image} (not python/node/debian)")
    return StandIn(image, name)


@dataclass(frozen=True)
class Plan:
    """What a Dockerfile needs to be built here: one stand-in per FROM image, or a skip."""

    stand_ins: tuple[StandIn, ...]
    skip: str | None


def plan_build(text: str) -> Plan:
    """Map every FROM that is not an earlier stage or scratch to a stand-in."""
    from dockerfix.model.stages import build_model
    from dockerfix.syntax import parse

    model = build_model(parse(text))
    found: dict[str, StandIn] = {}
    for stage in model.stages:
        if stage.base_stage is not None or stage.base.lower() == "scratch" or not stage.base:
            continue
        found.setdefault(stage.base, stand_in_for(stage.base))
    stand_ins = tuple(found.values())
    missing = [s.reason for s in stand_ins if s.kind is None]
    if missing:
        return Plan(stand_ins, missing[0])
    if any(_APK.search(step.instruction.text) for stage in model.stages for step in stage.steps):
        return Plan(stand_ins, "a RUN uses apk (Alpine packages); the stand-in is Debian")
    return Plan(stand_ins, None)


def describe_stand_ins(stand_ins: Sequence[StandIn]) -> str:
    return ", ".join(
        f"{s.image}→{STANDIN_VERSIONS[s.kind]}" if s.kind else f"{s.image}→none" for s in stand_ins
    )


@dataclass
class Outcome:
    repo: str
    dockerfile: str
    stand_in: str = ""
    built: str = ""  # "yes" or why not
    equivalent: str = ""  # "yes", "no: <first differences>" or "" when not compared
    install_reran: str = ""  # "<original> / <rewrite>", e.g. "reran / cached"
    seconds: float = 0.0
    differences: list[str] = field(default_factory=list)
    edited: str | None = None
    diff: str = ""


class BudgetedEngine(BuildahEngine):
    """buildah whose every command is stopped after a time budget; keeps the last build."""

    def __init__(self, store: Path, budget: float) -> None:
        super().__init__(store)
        self.budget = budget
        self.last_build: BuildResult | None = None

    def _global_args(self) -> list[str]:
        # `timeout` rather than a watchdog: the build streams its output and has no deadline.
        return ["timeout", "--kill-after=20", str(int(self.budget)), *super()._global_args()]

    def build(self, dockerfile: Path, context: Path, tag: str, **kwargs: object) -> BuildResult:
        result = super().build(dockerfile, context, tag, **kwargs)  # type: ignore[arg-type]
        self.last_build = result
        return result


def failure_reason(result: BuildResult | None, budget: float) -> str:
    """One line saying why a build failed: over budget, or the most telling log line."""
    if result is None:
        return "did not build"
    if result.wall_seconds >= budget - 1:
        return f"over the time budget ({budget:.0f} s)"
    step = next((s.instruction for s in reversed(result.steps)), "")
    # buildah's own closing line only repeats the step; the tool's message comes before it.
    texts = [t for line in result.log if not (t := line.text.strip()).startswith("Error: building")]
    for pattern in _WHY:
        hit = next((m.group(0) for t in texts if (m := pattern.search(t))), None)
        if hit:
            return f"{_short(hit, 90)} (at {_short(step, 50)})"
    return f"failed at {_short(step, 60)}"


def install_reran(report: VerifyReport) -> str:
    """Whether the install steps reran after the source edit: original / rewrite."""
    if report.rebuild is None:
        return "no edit/rebuild"
    return f"{_install_state(report.rebuild.original)} / {_install_state(report.rebuild.rewritten)}"


def _install_state(summary: object) -> str:
    executed = getattr(summary, "executed", ())
    cached = getattr(summary, "cached", ())
    if any(_INSTALL.search(s) for s in executed):
        return "reran"
    if any(_INSTALL.search(s) for s in cached):
        return "cached"
    return "no install step"


def format_table(outcomes: Sequence[Outcome]) -> str:
    """A plain-text table of the outcomes, one row each, columns padded to fit."""
    header = ["repo", "dockerfile", "stand-in", "built", "equivalent", "install reran (orig/rw)"]
    rows = [
        [o.repo, o.dockerfile, o.stand_in, o.built, o.equivalent or "-", o.install_reran or "-"]
        for o in outcomes
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in lines)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tree_size(path: Path) -> int:
    done = subprocess.run(
        ["du", "-sk", "--exclude=.git", str(path)], capture_output=True, text=True, check=False
    )
    return int(done.stdout.split()[0]) if done.returncode == 0 and done.stdout else 0


def candidates(
    rows: Sequence[Row], trees: Path, unsafe: bool = False
) -> list[tuple[int, Row, str, str]]:
    """Rows of python/node that safe mode (or, with ``unsafe``, `--unsafe-fixes`) rewrites:
    (context size in KiB, row, original, new)."""
    found = []
    for row in rows:
        if row.ecosystem not in ECOSYSTEMS:
            continue
        root = trees / row.repo.replace("/", "+")
        dockerfile, context = root / row.dockerfile, root / row.context
        if not dockerfile.is_file() or not context.is_dir():
            continue
        original = dockerfile.read_text(encoding="utf-8", errors="replace")
        rewritten = dockerfix.fix(
            original,
            context=context,
            use_git=False,
            dockerfile_path=dockerfile,
            unsafe_fixes=unsafe,
        ).code
        if rewritten != original:
            found.append((_tree_size(context), row, original, rewritten))
    return sorted(found, key=lambda item: (item[0], item[1].repo))


def ensure_stand_ins(engine: BuildahEngine, plan: Plan, cache: Path) -> None:
    """Build each stand-in once and tag it with the names this Dockerfile uses."""
    for stand_in in plan.stand_ins:
        assert stand_in.kind is not None
        full = normalize_image(stand_in.image)
        if not engine.exists(full):
            engine.tag(_corpus_base(engine, stand_in.kind, cache), full)


def _corpus_base(engine: BuildahEngine, kind: str, cache: Path) -> str:
    """The stand-in of `kind`, with `python` on PATH for python as the official images have."""
    tags = import_base_image(engine, kind, cache)
    if kind != "python":
        return tags[0]
    tag = "localhost/dockerfix-corpus/python:stand-in"
    if not engine.exists(tag):
        with tempfile.TemporaryDirectory(prefix="dockerfix-corpus-base-") as tmp:
            dockerfile = Path(tmp) / "Dockerfile"
            dockerfile.write_text(
                f"FROM {tags[0]}\nRUN ln -s /usr/bin/python3 /usr/local/bin/python\n"
            )
            result = engine.build(dockerfile, Path(tmp), tag)
        if not result.ok:
            raise VerifyError("the python stand-in does not build: " + result.tail(3))
    return tag


def build_one(
    engine: BudgetedEngine, row: Row, trees: Path, original: str, rewritten: str, cache: Path
) -> Outcome:
    out = Outcome(row.repo, row.dockerfile)
    plan = plan_build(original)
    out.stand_in = describe_stand_ins(plan.stand_ins)
    if plan.skip:
        out.built = f"skipped: {plan.skip}"
        return out
    context = trees / row.repo.replace("/", "+") / row.context
    start = time.monotonic()
    try:
        ensure_stand_ins(engine, plan, cache)
        engine.last_build = None
        report = verify_dockerfile(original, rewritten, context, engine, progress=_progress(row))
    except VerifyError as error:
        reason = failure_reason(engine.last_build, engine.budget)
        out.built = f"no: {reason}" if engine.last_build else f"no: {error}"
        return out
    finally:
        out.seconds = round(time.monotonic() - start, 1)
    if report.rewritten_build_failure is not None:
        out.built = "original only: rewrite failed"
        out.equivalent = "no: " + _short(report.rewritten_build_failure.splitlines()[-1], 80)
        return out
    out.built = "yes"
    out.differences = [*report.differing_paths, *report.config_differences]
    out.equivalent = "yes" if report.equivalent else "no: " + "; ".join(out.differences[:3])
    out.install_reran = install_reran(report)
    out.edited = report.rebuild.edited if report.rebuild else None
    return out


def _progress(row: Row):  # type: ignore[no-untyped-def]
    return lambda message: print(f"{row.repo}: {message}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", type=Path, required=True, help="folder of the clones")
    parser.add_argument("--index", type=Path, default=INDEX)
    parser.add_argument("--only", nargs="*", default=None, help="only these repositories")
    parser.add_argument("--max", type=int, default=None, help="at most N rewrites")
    parser.add_argument("--store", type=Path, default=None, help="buildah store (kept)")
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET, help="seconds per build")
    parser.add_argument(
        "--unsafe-fixes", action="store_true", help="build the --unsafe-fixes rewrites"
    )
    parser.add_argument(
        "--resume",
        type=Path,
        help="a --json file of an earlier run: keep its outcome for a rewrite whose diff is"
        " unchanged (unless it differed or ran out of time), build the rest",
    )
    args = parser.parse_args()
    earlier = earlier_outcomes(args.resume) if args.resume else {}
    rows = [r for r in read_index(args.index) if not args.only or r.repo in args.only]
    todo = candidates(rows, args.trees, args.unsafe_fixes)[: args.max]
    tmp = Path(tempfile.mkdtemp(prefix="dockerfix-corpus-"))
    engine = BudgetedEngine(args.store or tmp / "store", args.budget)
    cache = base_cache_dir(engine.store / "base-cache")
    outcomes: list[Outcome] = []
    try:
        for _size, row, original, rewritten in todo:
            diff = "".join(_unified(original, rewritten, row.dockerfile))
            outcome = earlier.get((row.repo, row.dockerfile, diff)) or build_one(
                engine, row, args.trees, original, rewritten, cache
            )
            outcome.diff = diff
            outcomes.append(outcome)
            print(f"{row.repo}: {outcome.built}; {outcome.equivalent}", file=sys.stderr)
            engine.run("rm", "--all", check=False)
            if args.json:
                args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
    except KeyboardInterrupt:  # the table of what finished is still worth printing
        print(f"interrupted after {len(outcomes)} of {len(todo)} rewrites", file=sys.stderr)
    finally:
        if args.store is None:
            engine.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    print(format_table(outcomes))
    return 1 if any(o.equivalent.startswith("no") for o in outcomes) else 0


def earlier_outcomes(path: Path) -> dict[tuple[str, str, str], Outcome]:
    """The outcomes of an earlier run worth keeping, by (repository, Dockerfile, diff): every
    one but those that differed or ran out of time, which are built again."""
    kept = {}
    for item in json.loads(path.read_text(encoding="utf-8")):
        outcome = Outcome(**item)
        if outcome.equivalent.startswith("no") or "time budget" in outcome.built:
            continue
        kept[(outcome.repo, outcome.dockerfile, outcome.diff)] = outcome
    return kept


def _unified(original: str, rewritten: str, name: str) -> list[str]:
    import difflib

    return list(
        difflib.unified_diff(
            original.splitlines(keepends=True), rewritten.splitlines(keepends=True), name, name
        )
    )


if __name__ == "__main__":
    sys.exit(main())
