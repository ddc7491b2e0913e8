"""Table tests for the go command: exact reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "go mod download",
        {"go.mod": "module example.com/app\n\ngo 1.22\n"},
        "download",
        "go",
        ("go.mod", "go.sum", "go.work", "go.work.sum"),
        False,
        (),
    ),
    (
        "go mod download",
        {"go.mod": "module x\nreplace example.com/lib => ./lib\n", "lib/go.mod": "module lib\n"},
        "download",
        "go",
        ("go.mod", "go.sum", "lib/go.mod", "lib/go.sum", "go.work", "go.work.sum"),
        False,
        ("go.mod replaces a module with the local directory ./lib",),
    ),
    (
        "go mod download",
        {},
        "download",
        "go",
        ("go.mod", "go.sum", "go.work", "go.work.sum"),
        True,
        ("go.mod is not known: cannot tell whether replace directives point at local directories",),
    ),
    (
        "go build -o /bin/app ./cmd/app",
        {},
        "build",
        "go",
        (),
        True,
        ("go build reads the Go sources of the packages it loads",),
    ),
    ("go install github.com/go-delve/delve/cmd/dlv@latest", {}, "install", "go", (), False, ()),
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
    ("go mod download", {"GOPATH": "/go"}, ("/go/pkg/mod",), False, True),
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
