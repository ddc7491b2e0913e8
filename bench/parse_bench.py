"""Parse throughput and import cost of dockerfix, beside baselines measured in the same run.

    python bench/parse_bench.py [DIR ...] [--rounds N]

Prints files/s and peak RSS for parsing every Dockerfile under DIR (default:
the fixtures), the same for BuildKit's parser through the `dockerfile` package
when it is installed (the ratio is the headline: these machines are shared and
noisy), and the import time of `dockerfix` with the modules it loads.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def collect(dirs: list[Path]) -> list[str]:
    texts = []
    for d in dirs:
        for path in sorted(d.rglob("*")):
            if path.is_file() and ("Dockerfile" in path.name or path.suffix == ".Dockerfile"):
                try:
                    texts.append(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, OSError):
                    continue
    return texts


def rate(func: object, texts: list[str], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            with contextlib.suppress(Exception):  # the oracle raises on invalid files
                func(text)  # type: ignore[operator]
    return rounds * len(texts) / (time.perf_counter() - start)


def import_cost() -> tuple[float, list[str]]:
    """Self time (ms) of dockerfix's own modules at import, and heavy modules it pulled in."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-X", "importtime", "-c", "import dockerfix"]
    subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)  # warm bytecode
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=True).stderr
    own = 0
    heavy = []
    for line in out.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line.split("|")
        try:
            self_us = int(fields[0].split(":")[1])
        except ValueError:
            continue
        name = fields[2].strip()
        if name.startswith("dockerfix"):
            own += self_us
        if name.split(".")[0] in ("networkx", "tree_sitter", "tree_sitter_bash"):
            heavy.append(name)
    return own / 1000, heavy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="*", type=Path, default=[ROOT / "fixtures"])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    texts = collect(args.dirs)
    from dockerfix import parse

    ours = rate(parse, texts, args.rounds)
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"files: {len(texts)} x {args.rounds} rounds")
    print(f"dockerfix.parse: {ours:,.0f} files/s, peak RSS {rss_kib / 1024:.1f} MiB")
    try:
        import dockerfile
    except ImportError:
        print("BuildKit parser (dockerfile package): not installed, no ratio")
    else:
        theirs = rate(dockerfile.parse_string, texts, args.rounds)
        print(f"BuildKit parser (Go, via dockerfile): {theirs:,.0f} files/s")
        print(f"ratio dockerfix/BuildKit: {ours / theirs:.2f}")
    own_ms, heavy = import_cost()
    print(f"import dockerfix: {own_ms:.1f} ms own time; heavy modules loaded: {heavy or 'none'}")


if __name__ == "__main__":
    main()
