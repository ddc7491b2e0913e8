"""Real builds of rewritten fixtures on BuildKit: the same image, and a source edit reuses the
install."""

from __future__ import annotations

import posixpath
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import dockerfix
from dockerfix.build.compare import variant_text, without_label, without_marker
from dockerfix.build.engine import BuildResult, Engine
from dockerfix.build.imagediff import ImageSnapshot, diff_configs, diff_snapshots, measure_noise

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realbuild"

# case → (base image, source file to edit, the install step that must be reused)
# pip-app is built the same way by tests/realbuild/test_verify.py (through `verify`).
CASES = {
    "npm-app": ("node", "index.js", "RUN npm ci"),
    "apt-reorder": ("debian", "run.sh", "RUN apt-get update"),
    # WORKDIR after the broad copy: the manifest copy creates /app before the WORKDIR does.
    "pip-workdir-after-copy": ("python", "app/__main__.py", "RUN pip install"),
}


def _build(engine: Engine, dockerfile: str, context: Path, tag: str) -> BuildResult:
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
    engine: Engine,
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
    # Each variant starts from its own copy of the base image: no build reuses another's steps.
    run = uuid.uuid4().hex[:10]
    texts = {
        name: variant_text(engine, text, f"{run}-{name}")[0]
        for name, text in (("before", original), ("after", result.code), ("noise", original))
    }
    snaps: dict[str, ImageSnapshot] = {}
    for name, text in texts.items():
        _build(engine, text, context, f"localhost/{case}-{name}:{run}")
        snaps[name] = without_marker(engine.snapshot(f"localhost/{case}-{name}:{run}"))
    # The original built a second time shows what differs between builds anyway: log file
    # names, timestamps inside caches.
    noise = measure_noise(snaps["before"], snaps["noise"])
    # Files whose very names vary between builds (npm's timestamped logs) make their
    # folder noisy: entries appearing or vanishing there are not a difference.
    noisy_dirs = {
        posixpath.dirname(p) for p in noise if (p in snaps["before"]) != (p in snaps["noise"])
    }
    difference = diff_snapshots(snaps["before"], snaps["after"], noise)
    added = [p for p in difference.added if posixpath.dirname(p) not in noisy_dirs]
    removed = [p for p in difference.removed if posixpath.dirname(p) not in noisy_dirs]
    assert (added, removed, difference.changed) == ([], [], ())
    configs = [without_label(engine.config(f"localhost/{case}-{n}:{run}")) for n in texts]
    assert diff_configs(configs[0], configs[1]) == []

    # A source-only edit: the original reruns the install, the rewrite reuses it.
    target = context / edited
    target.write_text(target.read_text() + "\n# edited\n")
    before2 = _build(engine, texts["before"], context, f"localhost/{case}-before:{run}-2")
    after2 = _build(engine, texts["after"], context, f"localhost/{case}-after:{run}-2")
    assert _step(before2, install) is False
    assert _step(after2, install) is True
    for name in texts:
        engine.remove(f"localhost/{case}-{name}:{run}")
        engine.remove(f"localhost/{case}-{name}:{run}-2")


def test_cache_mounts_build_the_same_image_on_buildkit(
    engine: Engine, require_base: Callable[[str], tuple[str, ...]], tmp_path: Path
) -> None:
    """DFX008 on a real build: the same files (pip's cache never was in the image), and a
    rebuild after a dependency edit still installs everything the requirements name."""
    require_base("python")
    context = tmp_path / "context"
    shutil.copytree(FIXTURES / "pip-app" / "context", context)
    original = (FIXTURES / "pip-app" / "Dockerfile").read_text()
    mounted = dockerfix.fix(original, context=context, use_git=False, cache_mounts=True).code
    assert "RUN --mount=type=cache,target=/root/.cache/pip pip install -r" in mounted
    run = uuid.uuid4().hex[:10]
    snaps: dict[str, ImageSnapshot] = {}
    for name, text in (("before", original), ("mounted", mounted)):
        labelled = variant_text(engine, text, f"{run}-{name}")[0]
        _build(engine, labelled, context, f"localhost/mounts-{name}:{run}")
        snaps[name] = without_marker(engine.snapshot(f"localhost/mounts-{name}:{run}"))
        engine.remove(f"localhost/mounts-{name}:{run}")
    # No noise build: two builds of this install differ in nothing (verify measures 0 paths).
    difference = diff_snapshots(snaps["before"], snaps["mounted"])
    # BuildKit makes the mount point; nothing else differs.
    assert set(difference.added) <= {"/root/.cache", "/root/.cache/pip"}
    assert (difference.removed, difference.changed) == ((), ())
