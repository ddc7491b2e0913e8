"""Table tests for cargo and rustup: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "cargo fetch",
        {"Cargo.toml": '[package]\nname = "app"\n'},
        "download",
        "cargo",
        (
            "Cargo.toml",
            "src/main.rs",
            "src/lib.rs",
            "build.rs",
            "Cargo.lock",
            ".cargo/config.toml",
            ".cargo/config",
            "rust-toolchain.toml",
            "rust-toolchain",
        ),
        False,
        (
            "cargo loads every package's targets with its manifest: src/main.rs or src/lib.rs must "
            "exist (their content is not read)",
        ),
    ),
    (
        "cargo fetch",
        {
            "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
            "crates/cli/Cargo.toml": '[package]\nname = "cli"\n[[bin]]\nname = "cli"\n'
            'path = "main.rs"\n',
        },
        "download",
        "cargo",
        (
            "Cargo.toml",
            "crates/cli/Cargo.toml",
            "crates/cli/main.rs",
            "crates/cli/build.rs",
            "Cargo.lock",
            ".cargo/config.toml",
            ".cargo/config",
            "rust-toolchain.toml",
            "rust-toolchain",
        ),
        False,
        (
            "cargo loads every package's targets with its manifest: src/main.rs or src/lib.rs must "
            "exist (their content is not read)",
        ),
    ),
    (
        "cargo build --release --locked",
        {},
        "build",
        "cargo",
        (),
        True,
        ("cargo build compiles the crate sources",),
    ),
    (
        "cargo chef cook --release --recipe-path recipe.json",
        {},
        "install",
        "cargo",
        ("recipe.json",),
        False,
        (),
    ),
    ("cargo install ripgrep --locked", {}, "install", "cargo", (), False, ()),
]


test_classify = classify_test(CASES)
