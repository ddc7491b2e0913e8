"""Table tests for the Swift package manager: exact reads, declines with reasons."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "swift package resolve",
        {"Package.swift": 'let package = Package(name: "App")\n'},
        "download",
        "swift",
        ("Package.swift", "Package.resolved", "Package@swift-*.swift"),
        False,
        (),
    ),
    (
        "swift package resolve",
        {"Package.swift": 'dependencies: [.package(path: "../Shared")]\n'},
        "download",
        "swift",
        ("Package.swift", "Package.resolved", "Package@swift-*.swift"),
        True,
        ("Package.swift has a local package ../Shared: swift reads it",),
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
