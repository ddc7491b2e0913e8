"""Table tests for Dart and Flutter (pub): exact reads, declines with reasons."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "dart pub get",
        {"pubspec.yaml": "name: app\ndependencies:\n  http: ^1.0.0\n"},
        "install",
        "dart",
        ("pubspec.yaml", "pubspec.lock", "pubspec_overrides.yaml"),
        False,
        (),
    ),
    (
        "flutter pub get",
        {},
        "build",
        "dart",
        (),
        True,
        (
            "flutter pub get also regenerates plugin files in the platform folders (android/, ios/ "
            "…): it may read any file",
        ),
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
