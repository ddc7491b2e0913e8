"""Table tests for the Swift package manager: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

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


test_classify = classify_test(CASES)
