"""analyse_context: what the broad copies send, the junk among it (exact files), and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.model.context_report import (
    JUNK_RULES,
    analyse_context,
    find_secrets,
    newly_excluded,
)
from dockerfix.model.dockerignore import parse_dockerignore

APP = "FROM busybox\nWORKDIR /app\nCOPY . .\n"


def _make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return root


@pytest.mark.parametrize(
    ("files", "ignore", "dockerfile", "expected"),
    [
        (
            {".git/HEAD": "ref\n", "a.log": "12345\n", "src/m.py": "x\n"},
            None,
            APP,
            (
                3,
                12,
                (3,),
                3,
                12,
                [(".git", "vcs", (".git/HEAD",), 4), ("**/*.log", "logs", ("a.log",), 6)],
            ),
        ),
        (
            {".git/HEAD": "ref\n", "a.log": "12345\n", "src/m.py": "x\n"},
            ".git\n",
            APP,
            (2, 8, (3,), 2, 8, [("**/*.log", "logs", ("a.log",), 6)]),
        ),
        (
            {"p/__pycache__/m.pyc": "xx", "q.pyc": "x", "node_modules/a/i.js": "1\n"},
            None,
            "FROM busybox\nCOPY q.pyc /q.pyc\n",
            (
                3,
                5,
                (),
                0,
                0,
                [
                    ("node_modules", "dependencies", ("node_modules/a/i.js",), 2),
                    ("**/__pycache__", "cache", ("p/__pycache__/m.pyc",), 2),
                    ("**/*.pyc", "cache", ("q.pyc",), 1),
                ],
            ),
        ),
        ({"main.go": "package main\n"}, None, APP, (1, 13, (3,), 1, 13, [])),
    ],
    ids=["junk-sent", "git-already-ignored", "no-broad-copy", "clean"],
)
def test_analyse_context(
    tmp_path: Path,
    files: dict[str, str],
    ignore: str | None,
    dockerfile: str,
    expected: tuple[object, ...],
) -> None:
    root = _make(tmp_path, files)
    report = analyse_context(root, parse_dockerignore(ignore) if ignore else None, dockerfile)
    junk = [(j.rule.entry, j.rule.category, j.files, j.size) for j in report.junk]
    got = (
        report.context_files,
        report.context_bytes,
        report.broad_lines,
        report.sent_files,
        report.sent_bytes,
        junk,
    )
    assert got == expected


def test_junk_sent_by_lines(tmp_path: Path) -> None:
    root = _make(tmp_path, {"a.log": "1\n", "logs/b.log": "1\n"})
    dockerfile = "FROM busybox\nCOPY logs/ /l/\nCOPY a.log /a\n"
    report = analyse_context(root, None, dockerfile)
    assert [(j.rule.entry, j.sent_by) for j in report.junk] == [("**/*.log", (2, 3))]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".env": "K=1\n"}, [(".env", "environment file")]),
        ({".env.production": "K=1\n"}, [(".env.production", "environment file")]),
        ({".env.example": "K=\n", ".env.sample": "K=\n"}, []),
        ({"d/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n"}, [("d/id_rsa", "SSH private key")]),
        ({"d/id_ed25519.pub": "ssh-ed25519 AAAA\n"}, []),
        ({"tls.key": "-----BEGIN EC PRIVATE KEY-----\n"}, [("tls.key", "private key")]),
        ({"ca.key": "-----BEGIN CERTIFICATE-----\n"}, []),
        ({"all.pem": "-----BEGIN RSA PRIVATE KEY-----\n"}, [("all.pem", "private key")]),
        ({"ca.pem": "-----BEGIN CERTIFICATE-----\n"}, []),
        ({".npmrc": "//r/:_authToken=abc\n"}, [(".npmrc", "npm registry token")]),
        ({".npmrc": "registry=https://r/\n"}, []),
        ({".pypirc": "[pypi]\npassword = x\n"}, [(".pypirc", "registry password")]),
        ({"src/env.py": "x"}, []),
    ],
    ids=lambda v: str(v)[:30] if isinstance(v, dict) else None,
)
def test_find_secrets(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    root = _make(tmp_path, files)
    assert [(s.path, s.kind) for s in find_secrets(root, files)] == expected


def test_secrets_reported_with_senders(tmp_path: Path) -> None:
    root = _make(tmp_path, {".env": "K=1\n", "x": ""})
    report = analyse_context(root, None, "FROM busybox\nCOPY x /x\nCOPY . /app\n")
    assert [(s.path, s.size) for s in report.secrets] == [(".env", 4)]
    assert report.secrets_sent_by == {".env": (3,)}


@pytest.mark.parametrize(
    ("base", "entry", "files", "expected"),
    [
        ("", "node_modules", ["node_modules/a", "x/node_modules/b"], ("node_modules/a",)),
        (
            "",
            "**/node_modules",
            ["node_modules/a", "x/node_modules/b"],
            ("node_modules/a", "x/node_modules/b"),
        ),
        ("", "**/*.log", ["a.log", "d/b.log", "a.logx"], ("a.log", "d/b.log")),
        ("", "build", ["build", "build/x", "builder/x"], ("build", "build/x")),
        # An exception earlier in the file does not protect against a later plain entry.
        ("!keep.log\n", "**/*.log", ["keep.log"], ("keep.log",)),
        ("", ".git", ["a/.git/HEAD", ".gitignore"], ()),
    ],
)
def test_newly_excluded(base: str, entry: str, files: list[str], expected: tuple[str, ...]) -> None:
    assert newly_excluded(base, [entry], files) == expected


def test_needles_are_literals_of_their_entries() -> None:
    for rule in JUNK_RULES:
        assert rule.needle and rule.needle in rule.entry
