"""Table tests for `classify` itself: wrappers, empty commands and unknown programs; costs."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("", {}, "noop", None, (), False, ()),
    (
        "./build.sh --release",
        {},
        "unknown",
        None,
        (),
        True,
        ("`build.sh` is not a command dockerfix knows",),
    ),
    ("sudo -E env PIP_NO_CACHE_DIR=1 pip install six", {}, "install", "pip", (), False, ()),
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
    ("frobnicate", {}, (), True, True),
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


@pytest.mark.parametrize(
    ("command", "cost"),
    [
        ("true", 0.0),
        ("mkdir -p /x", 0.1),
        ("apt-get install -y curl", 30.0),
        ("pip install flask", 20.0),
        ("npm ci --ignore-scripts", 20.0),
        ("go build ./...", 20.0),
        ("cargo build", 60.0),
        ("apt-get update", 10.0),
    ],
)
def test_cost(command: str, cost: float) -> None:
    assert run(command, {"package.json": "{}"}).cost == cost
