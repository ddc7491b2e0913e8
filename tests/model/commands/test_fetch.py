"""Table tests for downloads (git, curl, wget): exact reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz", {}, "download", None, (), False, ()),
    ("wget -q https://example.com/a.zip", {}, "download", None, (), False, ()),
    (
        "git clone --depth 1 https://github.com/org/repo.git /src",
        {},
        "download",
        "git",
        (),
        False,
        (),
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
    (
        "curl -fsSL -o /usr/local/bin/tini https://example.com/tini",
        {},
        ("/usr/local/bin/tini",),
        False,
        True,
    ),
    ("curl -fsSLO https://example.com/dl/tool.tar.gz", {}, ("tool.tar.gz",), False, True),
    ("wget -O - https://example.com/key.asc", {}, (), False, True),
    ("wget -P /tmp https://example.com/dl/a.zip?x=1", {}, ("/tmp/a.zip",), False, True),
    ("git clone https://github.com/org/tool.git", {}, ("tool",), False, True),
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
