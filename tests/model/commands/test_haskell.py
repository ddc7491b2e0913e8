"""Table tests for cabal and stack: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "cabal build --only-dependencies",
        {"cabal.project": "packages: core/ app/\n"},
        "build",
        "cabal",
        (
            "cabal.project",
            "cabal.project.local",
            "cabal.project.freeze",
            "core/*.cabal",
            "app/*.cabal",
        ),
        False,
        (),
    ),
    (
        "cabal v2-build exe:app",
        {},
        "build",
        "cabal",
        (),
        True,
        ("cabal build compiles the project sources",),
    ),
    (
        "cabal update",
        {},
        "download",
        "cabal",
        ("cabal.project", "cabal.project.local", "cabal.project.freeze"),
        False,
        (),
    ),
    (
        "stack build --only-dependencies",
        {"stack.yaml": "resolver: lts-22.0\n"},
        "build",
        "stack",
        ("stack.yaml", "stack.yaml.lock", "package.yaml", "*.cabal"),
        False,
        (),
    ),
    ("stack build", {}, "build", "stack", (), True, ("stack build compiles the project sources",)),
]


test_classify = classify_test(CASES)
