"""Table tests for Dart and Flutter (pub): exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

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
        {"pubspec.yaml": "name: app\ndependencies:\n  flutter:\n    sdk: flutter\n"},
        "install",
        "dart",
        ("pubspec.yaml", "pubspec.lock", "pubspec_overrides.yaml"),
        True,
        (
            "flutter pub get also writes plugin files into the platform folders it finds "
            "(android/, ios/, linux/, macos/, windows/): run before the sources are copied it "
            "finds none, so those generated files in the image may differ",
        ),
    ),
    (
        "flutter clean",
        {"pubspec.yaml": "name: app\n"},
        "filesystem",
        "dart",
        ("pubspec.yaml",),
        False,
        (),
    ),
]


test_classify = classify_test(CASES)

test_writes = writes_test(
    [
        (
            "flutter clean",
            {},
            (
                "build",
                ".dart_tool",
                ".flutter-plugins",
                ".flutter-plugins-dependencies",
                ".packages",
                "android",
                "ios",
                "linux",
                "macos",
                "windows",
            ),
            False,
            False,
        ),
    ]
)
