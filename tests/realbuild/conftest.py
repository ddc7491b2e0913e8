"""Real-build tests: marked slow, run on Docker's BuildKit (a few on buildah too).

`engine` is Docker with BuildKit: the daemon that answers, or a private dockerd started for
the session and stopped at its end. `buildah` is a buildah engine with a store of its own.
Base images are made on first request (`require_base("python")`, `require_buildah_base`);
the debootstrap tarball is cached under the session's temp dir, or in $DOCKERFIX_BASE_CACHE
when set, to reuse it between runs. Without the tools the tests skip, saying what is missing;
in CI (CI set) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dockerfix.build.base_images import base_cache_dir, import_base_image
from dockerfix.build.buildah import BuildahEngine
from dockerfix.build.daemon import docker_daemon
from dockerfix.build.docker import DockerEngine
from dockerfix.build.engine import Engine, EngineUnavailable

HERE = Path(__file__).resolve().parent


def _missing_reason() -> str | None:
    if os.geteuid() != 0:
        return "real builds need root (buildah's chroot isolation, a private dockerd)"
    missing = [tool for tool in ("dockerd", "buildah") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (run .ci/install-builders.sh)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Collection hooks of a sub-directory conftest still see every item of the session.
    reason = _missing_reason()
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.xdist_group("builds"))
        if reason and not os.environ.get("CI"):
            item.add_marker(pytest.mark.skip(reason=f"real-build tests skipped: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def _builders_required_in_ci() -> None:
    reason = _missing_reason()
    if reason:
        pytest.fail(f"CI is set but real builds cannot run: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerEngine]:
    """Docker with BuildKit; a dockerd started here when none answers, stopped at the end."""
    try:
        with docker_daemon(tmp_path_factory.mktemp("dockerd")) as docker:
            yield docker
            docker.cleanup()
    except EngineUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Docker cannot run: {exc}", pytrace=False)
        pytest.skip(f"real-build tests on Docker skipped: {exc}")


@pytest.fixture(scope="session")
def buildah(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildahEngine]:
    """A buildah engine with a store of its own, removed at the end of the session."""
    eng = BuildahEngine(tmp_path_factory.mktemp("buildah") / "store")
    yield eng
    eng.cleanup()


class BaseImages:
    """Makes local base images in one engine on first request and remembers which exist."""

    def __init__(self, engine: Engine, cache_dir: Path) -> None:
        self.engine = engine
        self.cache_dir = cache_dir
        self.made: dict[str, tuple[str, ...]] = {}

    def require(self, name: str) -> tuple[str, ...]:
        """Tags of base image `name` (busybox, debian, python, node), built if needed."""
        if name not in self.made:
            self.made[name] = import_base_image(self.engine, name, self.cache_dir)
        return self.made[name]


@pytest.fixture(scope="session")
def base_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_cache_dir(tmp_path_factory.mktemp("base-cache"))


@pytest.fixture(scope="session")
def require_base(engine: DockerEngine, base_cache: Path) -> Callable[[str], tuple[str, ...]]:
    return BaseImages(engine, base_cache).require


@pytest.fixture(scope="session")
def require_buildah_base(
    buildah: BuildahEngine, base_cache: Path
) -> Callable[[str], tuple[str, ...]]:
    return BaseImages(buildah, base_cache).require
