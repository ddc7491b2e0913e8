"""Reach on real Dockerfiles: what dockerfix does to each file of the corpus, by ecosystem.

    python bench/reach.py --trees DIR [--json OUT] [--only REPO] [--jobs N]

`bench/corpus/INDEX.tsv` lists public repositories with a Dockerfile each, at a commit,
with the build context and a label given by reading the file and its context by hand:

- `safe`: a rewrite exists that provably builds the same image by moves and manifest copies;
- `unsafe`: a sound rewrite exists only by changing or adding a command (a fused install);
- `none`: nothing to gain, or no sound rewrite.

The trees are not part of the project: clone each repository into `DIR/<owner>+<name>` and
check out the indexed commit (`git clone https://github.com/OWNER/NAME DIR/OWNER+NAME &&
git -C DIR/OWNER+NAME checkout COMMIT`). Each Dockerfile is run through the command line as
a user runs it, read-only (`--format json`, the result cache off), once in safe mode and once
with `--unsafe-fixes`, and once more with `--unsafe-fixes` named alone from the repository's
top, without `--context` (does dockerfix find the build context itself?). For each safe
rewrite, `dockerfix explain` checks that a source-only edit no longer reruns the dependency
installs it reran before (the most expensive step it reran, when none is an install).

Printed: per ecosystem, files, cache-unfriendly (labelled safe or unsafe), rewritten in safe
mode, rewritten with --unsafe-fixes, crashes; the hit rates against the labels; and the
decline reasons, counted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

INDEX = Path(__file__).resolve().parent / "corpus" / "INDEX.tsv"
SOURCE_SUFFIXES = (
    ".py", ".js", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java", ".kt", ".scala", ".rb",
    ".php", ".cs", ".ex", ".exs", ".dart", ".c", ".cc", ".cpp", ".h", ".vue", ".svelte",
)  # fmt: skip
EXPLAIN_TIMEOUT = 120


@dataclass
class Row:
    repo: str
    commit: str
    dockerfile: str
    context: str
    ecosystem: str
    label: str
    manifests: str
    note: str


@dataclass
class Outcome:
    row: Row
    status: str = "ok"  # ok, missing, crash, error (exit 2)
    safe_changed: bool = False
    unsafe_changed: bool = False
    safe_codes: list[str] = field(default_factory=list)
    unsafe_codes: list[str] = field(default_factory=list)
    declines: list[str] = field(default_factory=list)
    stderr: str = ""
    install_survives: bool | None = None
    diff: str = ""
    # The --unsafe-fixes answer for the file named alone from its repository's top (the
    # build context found as a new user's run finds it) is the one with the indexed context.
    same_alone: bool | None = None


def read_index(path: Path) -> list[Row]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    assert header == [f for f in Row.__dataclass_fields__], header
    return [Row(*line.split("\t")) for line in lines[1:] if line.strip()]


def _dockerfix(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKERFIX_NO_CACHE": "1", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "dockerfix.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def _report(
    proc: subprocess.CompletedProcess[str], dockerfile: Path, cwd: Path | None = None
) -> dict[str, Any] | None:
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        return None
    for entry in data["files"]:
        if ((cwd or Path.cwd()) / entry["path"]).resolve() == dockerfile.resolve():
            return dict(entry)
    return None


def _source_file(context: Path, manifests: set[str]) -> str | None:
    """A source file of the context that no manifest list names (the edit a developer makes)."""
    for folder, dirs, files in os.walk(context):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(folder, name), context)
            if name.endswith(SOURCE_SUFFIXES) and rel not in manifests:
                return rel
    return None


def _install_survives(dockerfile: Path, context: Path, manifests: set[str]) -> bool | None:
    """Whether every dependency install a source edit reran (a step explain calls
    `run-install`; else the costliest step it reran) is taken from the cache after the
    rewrite (None when no source file or no rerun is found)."""
    source = _source_file(context, manifests)
    if source is None:
        return None
    args = ["explain", str(dockerfile), "--context", str(context), "--format", "json"]
    try:
        proc = _dockerfix([*args, "--changed", source])
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    changes = json.loads(proc.stdout).get("changes") or {}
    stages = json.loads(proc.stdout)["stages"]
    steps = {s["line"]: s["cost"] for st in stages for s in st["steps"]}
    kinds = {s["line"]: s["kind"] for st in stages for s in st["steps"]}
    before = changes.get("current", {}).get("rerun_lines", [])
    if not before:
        return None
    installs = [line for line in before if kinds.get(line) == "run-install"]
    wanted = installs or [max(before, key=lambda line: steps.get(line, 0.0))]
    reruns = {
        row.get("current_line"): row.get("rewritten_reruns", True)
        for row in changes.get("rows", [])
    }
    if not all(line in reruns for line in wanted):
        return None
    return not any(reruns[line] for line in wanted)


def run_one(row: Row, trees: Path, explain: bool) -> Outcome:
    out = Outcome(row)
    root = trees / row.repo.replace("/", "+")
    dockerfile = root / row.dockerfile
    context = root / row.context
    if not dockerfile.is_file() or not context.is_dir():
        out.status = "missing"
        return out
    base = ["--format", "json", "--context", str(context), str(dockerfile)]
    for mode, extra in (("safe", []), ("unsafe", ["--unsafe-fixes"])):
        proc = _dockerfix([*extra, *base])
        if proc.returncode == 3 or "Traceback" in proc.stderr:
            out.status, out.stderr = "crash", proc.stderr.strip()[-400:]
            return out
        report = _report(proc, dockerfile)
        if proc.returncode == 2 and (report is None or report.get("error")):
            out.status, out.stderr = "error", proc.stderr.strip()[-400:]
            return out
        if report is None:
            out.status, out.stderr = "crash", (proc.stderr or proc.stdout).strip()[-400:]
            return out
        applied = sorted({f["code"] for f in report["fixes"] if f["applied"]})
        if mode == "safe":
            out.safe_changed, out.safe_codes, out.diff = report["changed"], applied, report["diff"]
            out.declines = [
                f"{f['code']}: {f['reason']}"
                for f in report["fixes"]
                if not f["applied"] and f["reason"] and f["code"] in ("DFX001", "DFX002")
            ]
        else:
            out.unsafe_changed, out.unsafe_codes = report["changed"], applied
            alone = _report(
                _dockerfix(["--unsafe-fixes", "--format", "json", row.dockerfile], cwd=root),
                dockerfile,
                root,
            )
            out.same_alone = alone is not None and (alone["changed"], _body(alone["diff"])) == (
                report["changed"],
                _body(report["diff"]),
            )
    if explain and out.safe_changed:
        manifests = {m.strip() for m in row.manifests.split(",") if m.strip()}
        out.install_survives = _install_survives(dockerfile, context, manifests)
    return out


def _body(diff: str) -> list[str]:
    """A diff without its file names (given one way, then the other)."""
    return [line for line in diff.splitlines() if not line.startswith(("--- ", "+++ "))]


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def summarise(outcomes: list[Outcome]) -> str:
    lines = []
    by_eco: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_eco[o.row.ecosystem].append(o)
    head = f"{'ecosystem':<10} {'files':>5} {'unfriendly':>10} {'safe rw':>7} {'unsafe rw':>9}"
    lines.append(head + f" {'none rw':>7} {'crash':>5} {'error':>5} {'missing':>7}")
    for eco in [*sorted(by_eco), "total"]:
        group = outcomes if eco == "total" else by_eco[eco]
        lines.append(
            f"{eco:<10} {len(group):>5} "
            f"{sum(o.row.label in ('safe', 'unsafe') for o in group):>10} "
            f"{sum(o.safe_changed for o in group):>7} "
            f"{sum(o.unsafe_changed for o in group):>9} "
            f"{sum(o.row.label == 'none' and o.unsafe_changed for o in group):>7} "
            f"{sum(o.status == 'crash' for o in group):>5} "
            f"{sum(o.status == 'error' for o in group):>5} "
            f"{sum(o.status == 'missing' for o in group):>7}"
        )
    safe = [o for o in outcomes if o.row.label == "safe"]
    sound = [o for o in outcomes if o.row.label in ("safe", "unsafe")]
    none = [o for o in outcomes if o.row.label == "none"]
    lines.append("")
    safe_hits = sum(o.safe_changed for o in safe)
    lines.append(f"safe mode rewrites of files labelled safe: {_pct(safe_hits, len(safe))}")
    lines.append(
        "--unsafe-fixes rewrites of files labelled safe or unsafe: "
        + _pct(sum(o.unsafe_changed for o in sound), len(sound))
    )
    lines.append(
        "rewrites of files labelled none (safe / unsafe mode): "
        f"{sum(o.safe_changed for o in none)} / {sum(o.unsafe_changed for o in none)}"
    )
    alone = [o for o in outcomes if o.same_alone is not None]
    lines.append(
        "the same --unsafe-fixes answer without --context (the file named alone): "
        + _pct(sum(bool(o.same_alone) for o in alone), len(alone))
    )
    checked = [o for o in outcomes if o.install_survives is not None]
    lines.append(
        "safe rewrites whose dependency installs survive a source edit (explain): "
        + _pct(sum(bool(o.install_survives) for o in checked), len(checked))
    )
    reasons = Counter(
        r.split(": ", 1)[0] + ": " + _reason_kind(r.split(": ", 1)[1])
        for o in outcomes
        for r in o.declines
        if not o.safe_changed
    )
    if reasons:
        lines.append("")
        lines.append("decline reasons of files not rewritten in safe mode:")
        for reason, count in reasons.most_common():
            lines.append(f"  {count:>3}  {reason}")
    return "\n".join(lines) + "\n"


def _reason_kind(reason: str) -> str:
    """A decline reason without the file names and instruction text that vary per file."""
    cut = reason.split("`")
    return "`…`".join(cut[::2]) if len(cut) > 2 else reason


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", type=Path, required=True, help="folder of the clones")
    parser.add_argument("--index", type=Path, default=INDEX)
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("--only", help="only the rows of this repository (owner/name)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-explain", action="store_true", help="skip the explain check")
    args = parser.parse_args()
    rows = [r for r in read_index(args.index) if args.only in (None, r.repo)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda r: run_one(r, args.trees, not args.no_explain), rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
    sys.stdout.write(summarise(outcomes))
    return 1 if any(o.status == "crash" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
