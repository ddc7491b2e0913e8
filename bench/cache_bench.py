"""What the rewrite saves, per fixture: steps rerun after a source edit and a manifest edit.

    python bench/cache_bench.py [--rounds N]

For every rewrite case under fixtures/cases, simulates a source-only edit (a
non-manifest file the broad COPY sends) and a manifest edit, and prints how many
steps rerun before → after the rewrite with the estimated cost.  Then measures
the throughput of the whole pipeline (dockerfix.fix) against parse-only, both in
this run, and peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dockerfix  # noqa: E402
from dockerfix.analysis import Analysis  # noqa: E402
from dockerfix.model.context import BuildContext  # noqa: E402
from dockerfix.model.volatility import is_manifest  # noqa: E402
from dockerfix.pipeline.explain import predict, rerun_cost  # noqa: E402


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _copied_early(tree: dockerfix.Dockerfile, ctx: BuildContext) -> set[str]:
    """Context files sent by COPY steps that do not send the whole source tree."""
    from dockerfix.model.stages import build_model
    from dockerfix.pipeline.planner import stage_effects

    model = build_model(tree)
    early: set[str] = set()
    for stage in model.stages:
        for effect in stage_effects(model, stage, ctx).values():
            files = set(effect.context_files)
            if effect.kind == "copy-context" and files and len(files) < len(ctx.files):
                early |= files
    return early


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = sorted(
        p for p in (ROOT / "fixtures" / "cases").iterdir() if (p / "expected.Dockerfile").is_file()
    )
    rows = []
    for case in cases:
        ctx_dir = case / "context"
        ctx = BuildContext.load(ctx_dir) if ctx_dir.is_dir() else None
        if ctx is None:
            continue
        before = dockerfix.parse(_read(case / "Dockerfile"))
        after = dockerfix.parse(_read(case / "expected.Dockerfile"))
        # A source edit: a file only the broad copy sends (not one the rewrite copies early).
        early = _copied_early(after, ctx)
        sources = [
            f for f in ctx.files if f not in early and not f.startswith(".") and not is_manifest(f)
        ]
        manifests = [f for f in ctx.files if is_manifest(f)]
        row = [case.name]
        for changed in (sources[:1], manifests[:1]):
            if not changed:
                row.append("-")
                continue
            nb, cb = rerun_cost(predict(Analysis.in_context(before, ctx), changed))
            na, ca = rerun_cost(predict(Analysis.in_context(after, ctx), changed))
            row.append(f"{nb}→{na} (cost {cb:.0f}→{ca:.0f})")
        rows.append(row)
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'case':<{width}}  {'source edit: steps rerun':<30}  manifest edit: steps rerun")
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:<30}  {r[2]}")

    texts = [
        (c, _read(c / "Dockerfile"))
        for c in sorted((ROOT / "fixtures" / "cases").iterdir())
        if (c / "Dockerfile").is_file()
    ]
    start = time.perf_counter()
    for _ in range(args.rounds):
        for _case, text in texts:
            dockerfix.parse(text)
    parse_rate = args.rounds * len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(args.rounds):
        for case, text in texts:
            ctx_dir = case / "context"
            with contextlib.suppress(ValueError):
                dockerfix.fix(text, context=ctx_dir if ctx_dir.is_dir() else None, use_git=False)
    fix_rate = args.rounds * len(texts) / (time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nparse only: {parse_rate:,.0f} files/s; whole pipeline: {fix_rate:,.0f} files/s "
        f"(ratio {fix_rate / parse_rate:.3f}); peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
