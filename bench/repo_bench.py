"""Repo mode over a generated tree of many Dockerfiles, with --jobs 1 and --jobs 2.

    python bench/repo_bench.py [--files 5000]

Generates a tree of service folders (each a small Python, Node or Go project with its
Dockerfile, a third of them already optimal), runs `dockerfix --check` over it with one and
two worker processes, and prints files/s and peak RSS of each run beside `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATES = {
    "python": (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
        'RUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "main.py"]\n',
        {"requirements.txt": "flask==3.0.3\n", "main.py": "print(1)\n"},
    ),
    "node": (
        "FROM node:20\nWORKDIR /srv\nCOPY . .\nRUN npm ci\nRUN npm run build\n"
        'CMD ["node", "dist/index.js"]\n',
        {
            "package.json": '{"name": "x", "version": "1.0.0", "scripts": {"build": "tsc"}}\n',
            "package-lock.json": "{}\n",
            "src/index.ts": "export {}\n",
        },
    ),
    "optimal": (
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        'COPY . .\nRUN go build -o /app .\nCMD ["/app"]\n',
        {"go.mod": "module x\n\ngo 1.22\n", "go.sum": "", "main.go": "package main\n"},
    ),
}


def generate(root: Path, count: int) -> None:
    kinds = list(TEMPLATES)
    for i in range(count):
        dockerfile, files = TEMPLATES[kinds[i % len(kinds)]]
        folder = root / f"group{i // 100:03d}" / f"svc{i:05d}"
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        (folder / "Dockerfile").write_text(dockerfile)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of the slowest-growing child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(before, after) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.files)
        env_python = sys.executable
        base, _ = timed([env_python, "-c", "pass"])
        print(f"python -c pass: {base * 1000:.0f} ms")
        cache = str(root / ".bench-cache")
        runs = (
            (1, {"DOCKERFIX_NO_CACHE": "1"}, "no cache"),
            (2, {"DOCKERFIX_NO_CACHE": "1"}, "no cache"),
            (1, {"DOCKERFIX_CACHE_DIR": cache}, "filling the cache"),
            (1, {"DOCKERFIX_CACHE_DIR": cache}, "warm cache"),
        )
        for jobs, extra, label in runs:
            cmd = [env_python, "-m", "dockerfix.cli", "--check", "-q", "--jobs", str(jobs)]
            wall, rss = timed([*cmd, str(root)], {**os.environ, **extra})
            print(
                f"--jobs {jobs}, {label}: {args.files} files in {wall:.1f} s = "
                f"{args.files / wall:,.0f} files/s, peak RSS {rss:.0f} MiB"
            )
        print(f"(cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
