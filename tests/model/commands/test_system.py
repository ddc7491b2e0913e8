"""Table tests for system package managers and native builds: reads, declines, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("apt-get update", {}, "system-packages", "apt", (), False, ()),
    (
        "apt-get install -y --no-install-recommends curl ca-certificates",
        {},
        "system-packages",
        "apt",
        (),
        False,
        (),
    ),
    (
        "apt-get install -y ./vendor/tool.deb",
        {},
        "system-packages",
        "apt",
        ("vendor/tool.deb",),
        False,
        (),
    ),
    ("apt-get -o Acquire::Retries=3 purge -y gcc", {}, "system-packages", "apt", (), False, ()),
    ("apt-get clean", {}, "system-packages", "apt", (), False, ()),
    ("apt install -y git", {}, "system-packages", "apt", (), False, ()),
    (
        "apk add --no-cache --virtual .build-deps gcc musl-dev",
        {},
        "system-packages",
        "apk",
        (),
        False,
        (),
    ),
    ("apk del .build-deps", {}, "system-packages", "apk", (), False, ()),
    ("dnf install -y --setopt=tsflags=nodocs python3", {}, "system-packages", "dnf", (), False, ()),
    ("yum clean all", {}, "system-packages", "yum", (), False, ()),
    ("microdnf install -y shadow-utils", {}, "system-packages", "dnf", (), False, ()),
    ("zypper --non-interactive install -y curl", {}, "system-packages", "zypper", (), False, ()),
    ("dpkg -i pkg.deb", {}, "system-packages", "apt", ("pkg.deb",), False, ()),
    (
        "make -j4",
        {},
        "build",
        None,
        (),
        True,
        ("make runs build rules that may read and write any file",),
    ),
]


@pytest.mark.parametrize(
    ("command", "files", "kind", "eco", "reads", "reads_all", "reasons"),
    CASES,
    ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(CASES)],
)
def test_classify(
    command: str,
    files: dict[str, str],
    kind: str,
    eco: str | None,
    reads: tuple[str, ...],
    reads_all: bool,
    reasons: tuple[str, ...],
) -> None:
    effect = run(command, files)
    assert (effect.kind, effect.ecosystem, effect.reads, effect.reads_all, effect.reasons) == (
        kind,
        eco,
        reads,
        reads_all,
        reasons,
    )


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("apt-get update", {}, ("/var/lib/apt/lists",), False, True),
    ("apt-get clean", {}, ("/var/cache/apt",), False, False),
    ("make install", {}, (), True, True),
]


@pytest.mark.parametrize(
    ("command", "env", "writes", "writes_all", "network"),
    WRITE_CASES,
    ids=[c[0][:40] for c in WRITE_CASES],
)
def test_writes(
    command: str, env: dict[str, str], writes: tuple[str, ...], writes_all: bool, network: bool
) -> None:
    effect = run(command, {"package.json": "{}"}, env)
    assert (effect.writes, effect.writes_all, effect.network) == (writes, writes_all, network)
