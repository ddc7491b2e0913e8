"""Table tests for Dart and Flutter (pub): exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

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


test_classify = classify_test(CASES)
