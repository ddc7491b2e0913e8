"""Start-up cost of `dockerfix --check` for editors and pre-commit, beside `python -c pass`.

    python bench/startup_bench.py [--runs N]

Median wall time of N runs each: the bare interpreter (baseline, same run), `--check` on an
optimal Dockerfile, and `--check` on one that needs a rewrite.  Targets: optimal under 60 ms
and rewrite under 250 ms above the interpreter's own start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPTIMAL = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
"""
NEEDS_REWRITE = """FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "app"]
"""


def median_ms(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def write_samples(root: Path) -> None:
    """The two sample projects under ``root``: `optimal/` needs nothing, `rewrite/` a split."""
    for name, text in (("optimal", OPTIMAL), ("rewrite", NEEDS_REWRITE)):
        (root / name).mkdir()
        (root / name / "Dockerfile").write_text(text)
        (root / name / "requirements.txt").write_text("flask\n")
        (root / name / "app.py").write_text("print(1)\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with compiled bytecode, as installed
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_samples(root)
        cli = [sys.executable, "-m", "dockerfix.cli", "--check", "-q"]
        for name in ("optimal", "rewrite"):  # warm the bytecode cache
            subprocess.run([*cli, str(root / name / "Dockerfile")], capture_output=True, env=env)
        base = median_ms([sys.executable, "-c", "pass"], args.runs, env)
        optimal = median_ms([*cli, str(root / "optimal" / "Dockerfile")], args.runs, env)
        rewrite = median_ms([*cli, str(root / "rewrite" / "Dockerfile")], args.runs, env)
    print(f"python -c pass:              {base:6.1f} ms (baseline)")
    print(
        f"dockerfix --check (optimal): {optimal:6.1f} ms  (+{optimal - base:.1f} ms, "
        f"target +60 ms: {'ok' if optimal - base < 60 else 'MISSED'})"
    )
    print(
        f"dockerfix --check (rewrite): {rewrite:6.1f} ms  (+{rewrite - base:.1f} ms, "
        f"target +250 ms: {'ok' if rewrite - base < 250 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
