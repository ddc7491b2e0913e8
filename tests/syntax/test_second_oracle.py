"""A second, independent oracle: dockerfile-parse must agree on plain Dockerfiles.

dockerfile-parse is a line-based parser with known gaps (no BOM handling,
heredocs, comment or blank lines inside a continuation, continuation at end of
file), so only files without those constructs are compared: instruction
keywords and line spans must be identical.  (It also reads a line ending in an
escaped escape character as a continuation; BuildKit does not.)
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from dockerfix import parse

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [*ROOT.glob("fixtures/syntax/*.Dockerfile"), *ROOT.glob("fixtures/cases/*/*Dockerfile")]
)
_CONT_INTO_TRIVIA = re.compile(r"[\\`][ \t]*\r?\n[ \t]*(#|\r?\n)")


def plain(text: str) -> bool:
    return not (
        text.startswith("\ufeff")
        or "<<" in text
        or _CONT_INTO_TRIVIA.search(text)
        or re.search(r"[\\`][ \t]*\r?\n?\Z", text.rstrip("\r\n") + "\n")
        or "escape=" in text
        or re.search(r"\\\\[ \t]*\r?\n", text)  # an escaped escape at line end
    )


PLAIN = [p for p in FILES if plain(p.read_bytes().decode()) and parse(p.read_bytes().decode()).ok]


def test_enough_plain_files() -> None:
    assert len(PLAIN) >= 60


@pytest.mark.parametrize("path", PLAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_parse_agrees_on_keywords_and_lines(path: Path) -> None:
    text = path.read_bytes().decode()
    theirs = [
        (s["instruction"], s["startline"] + 1, s["endline"] + 1)
        for s in DockerfileParser(fileobj=io.BytesIO(text.encode())).structure
        if s["instruction"] != "COMMENT"
    ]
    ours = [(i.cmd.upper(), i.start_line, i.end_line) for i in parse(text).instructions]
    assert ours == theirs
