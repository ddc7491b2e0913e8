"""Real-build tests: marked slow, skipped without buildah (failing in CI), sharing one store.

The engine's image store and the base images live for the whole session. Base images are
made on first request (`require_base("python")`); the debootstrap tarball is cached under the
session's temp dir, or in $DOCKERFIX_BASE_CACHE when set, to reuse it between runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dockerfix.build.buildah import BuildahEngine, base_cache_dir, import_base_image

HERE = Path(__file__).resolve().parent


def _missing_reason() -> str | None:
    if shutil.which("buildah") is None:
        return "buildah is not installed (run .ci/install-buildah.sh)"
    if os.geteuid() != 0:
        return "real builds use chroot isolation, which needs root"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Collection hooks of a sub-directory conftest still see every item of the session.
    reason = _missing_reason()
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.slow)
        if reason and not os.environ.get("CI"):
            item.add_marker(pytest.mark.skip(reason=f"real-build tests skipped: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def _buildah_required_in_ci() -> None:
    reason = _missing_reason()
    if reason:
        pytest.fail(f"CI is set but real builds cannot run: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildahEngine]:
    """A buildah engine with a store of its own, removed at the end of the session."""
    eng = BuildahEngine(tmp_path_factory.mktemp("buildah") / "store")
    yield eng
    eng.cleanup()


class BaseImages:
    """Makes local base images on first request and remembers which exist."""

    def __init__(self, engine: BuildahEngine, cache_dir: Path) -> None:
        self.engine = engine
        self.cache_dir = cache_dir
        self.made: dict[str, tuple[str, ...]] = {}

    def require(self, name: str) -> tuple[str, ...]:
        """Tags of base image `name` (busybox, debian, python, node), built if needed."""
        if name not in self.made:
            self.made[name] = import_base_image(self.engine, name, self.cache_dir)
        return self.made[name]


@pytest.fixture(scope="session")
def base_images(engine: BuildahEngine, tmp_path_factory: pytest.TempPathFactory) -> BaseImages:
    return BaseImages(engine, base_cache_dir(tmp_path_factory.mktemp("base-cache")))


@pytest.fixture(scope="session")
def require_base(base_images: BaseImages) -> Callable[[str], tuple[str, ...]]:
    return base_images.require
