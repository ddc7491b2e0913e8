"""Field-by-field agreement with BuildKit's own parser (the `dockerfile` package).

The package embeds BuildKit v0.12, so the comparison uses that dialect; the
differences of current BuildKit are pinned by explicit cases in test_parser.py.
The binding passes text as a C string, so it stops at a NUL character: the
comparison cuts inputs there (dockerfix refuses NUL bytes on input anyway).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.syntax.oracle import Incomparable, compare
from tests.syntax.strategies import any_text, dockerfiles

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_FILES = sorted(
    [*ROOT.glob("fixtures/**/*Dockerfile"), *ROOT.glob("fixtures/**/*.Dockerfile")]
)


def _cut(text: str) -> str:
    return text.split("\x00", 1)[0]


def _compare_generated(text: str) -> None:
    try:
        ours, theirs = compare(_cut(text))
    except Incomparable:
        assume(False)
        return
    assert ours == theirs


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_agrees_with_buildkit(path: Path) -> None:
    ours, theirs = compare(_cut(path.read_bytes().decode("utf-8")))
    assert ours == theirs


def test_oracle_record_matches_the_syntax_corpus() -> None:
    record = json.loads((ROOT / "fixtures/syntax/oracle.json").read_text())
    for name, entry in record.items():
        path = ROOT / "fixtures/syntax" / f"{name}.Dockerfile"
        ours, theirs = compare(path.read_bytes().decode("utf-8"))
        assert (theirs == "error") == (entry["error"] is not None), name
        assert ours == theirs, name


@settings(max_examples=6000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles())
def test_generated_dockerfiles_agree_with_buildkit(text: str) -> None:
    _compare_generated(text)


@settings(max_examples=3000, deadline=None)
@given(any_text())
def test_arbitrary_text_agrees_with_buildkit(text: str) -> None:
    _compare_generated(text)
