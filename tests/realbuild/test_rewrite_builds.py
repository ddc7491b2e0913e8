"""Real builds of rewritten fixtures: the same image, and a source edit reuses the install."""

from __future__ import annotations

import posixpath
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import dockerfix
from dockerfix.build.buildah import BuildahEngine, BuildResult
from dockerfix.build.imagediff import diff_configs, diff_snapshots, measure_noise

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realbuild"

# case → (base image, source file to edit, the install step that must be reused)
CASES = {
    "pip-app": ("python", "app/__main__.py", "RUN pip install"),
    "npm-app": ("node", "index.js", "RUN npm ci"),
    "apt-reorder": ("debian", "run.sh", "RUN apt-get update"),
    # WORKDIR after the broad copy: the manifest copy creates /app before the WORKDIR does.
    "pip-workdir-after-copy": ("python", "app/__main__.py", "RUN pip install"),
}


def _build(engine: BuildahEngine, dockerfile: str, context: Path, tag: str) -> BuildResult:
    path = context.parent / f"{tag.split(':')[-1]}.Dockerfile"
    path.write_text(dockerfile)
    result = engine.build(path, context, tag)
    assert result.ok, result.tail()
    return result


def _step(result: BuildResult, prefix: str) -> bool:
    """Whether the step starting with ``prefix`` came from the cache."""
    matches = [s for s in result.steps if s.instruction.startswith(prefix)]
    assert len(matches) == 1, [s.instruction for s in result.steps]
    return matches[0].cached


@pytest.mark.parametrize("case", sorted(CASES))
def test_rewrite_builds_the_same_image_and_reuses_the_install(
    case: str,
    engine: BuildahEngine,
    require_base: Callable[[str], tuple[str, ...]],
    tmp_path: Path,
) -> None:
    base, edited, install = CASES[case]
    require_base(base)
    context = tmp_path / "context"
    shutil.copytree(FIXTURES / case / "context", context)
    original = (FIXTURES / case / "Dockerfile").read_text()
    result = dockerfix.fix(original, context=context, use_git=False)
    assert result.code == (FIXTURES / case / "expected.Dockerfile").read_text()
    # A fresh first line keeps this test's layers apart from other runs in the store.
    token = f"# run {uuid.uuid4().hex}\n"
    before_df, after_df = token + original, token + result.code

    tag = uuid.uuid4().hex[:10]
    _build(engine, before_df, context, f"localhost/{case}-before:{tag}")
    _build(engine, after_df, context, f"localhost/{case}-after:{tag}")
    snap_before = engine.snapshot(f"localhost/{case}-before:{tag}")
    snap_after = engine.snapshot(f"localhost/{case}-after:{tag}")
    # The original built a second time (a LABEL after FROM busts the cache) shows what
    # differs between builds anyway: log file names, timestamps inside caches.
    first, rest = before_df.split("\n", 2)[1], before_df.split("\n", 2)[2]
    noise_df = f"{token}{first}\nLABEL dockerfix.noise={tag}\n{rest}"
    _build(engine, noise_df, context, f"localhost/{case}-noise:{tag}")
    snap_noise = engine.snapshot(f"localhost/{case}-noise:{tag}")
    noise = measure_noise(snap_before, snap_noise)
    engine.remove(f"localhost/{case}-noise:{tag}")
    # Files whose very names vary between builds (npm's timestamped logs) make their
    # folder noisy: entries appearing or vanishing there are not a difference.
    noisy_dirs = {posixpath.dirname(p) for p in noise if (p in snap_before) != (p in snap_noise)}
    difference = diff_snapshots(snap_before, snap_after, noise)
    added = [p for p in difference.added if posixpath.dirname(p) not in noisy_dirs]
    removed = [p for p in difference.removed if posixpath.dirname(p) not in noisy_dirs]
    assert (added, removed, difference.changed) == ([], [], ())
    assert (
        diff_configs(
            engine.config(f"localhost/{case}-before:{tag}"),
            engine.config(f"localhost/{case}-after:{tag}"),
        )
        == []
    )

    # A source-only edit: the original reruns the install, the rewrite reuses it.
    target = context / edited
    target.write_text(target.read_text() + "\n# edited\n")
    before2 = _build(engine, before_df, context, f"localhost/{case}-before:{tag}-2")
    after2 = _build(engine, after_df, context, f"localhost/{case}-after:{tag}-2")
    assert _step(before2, install) is False
    assert _step(after2, install) is True
    for t in ("before", "after"):
        engine.remove(f"localhost/{case}-{t}:{tag}")
        engine.remove(f"localhost/{case}-{t}:{tag}-2")
