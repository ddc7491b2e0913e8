"""parse(text).code == text for every input: fixtures and generated text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerfix import parse
from tests.syntax.strategies import any_text, dockerfiles

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_FILES = sorted(
    [*ROOT.glob("fixtures/**/*Dockerfile"), *ROOT.glob("fixtures/**/*.Dockerfile")]
)


def test_fixture_corpus_is_not_empty() -> None:
    assert len(FIXTURE_FILES) >= 40


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_round_trip(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert parse(text).code == text


@settings(max_examples=6000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles())
def test_generated_dockerfiles_round_trip(text: str) -> None:
    tree = parse(text)
    assert tree.code == text
    # Line numbers cover the file: every instruction starts after the previous one ends.
    last = 0
    for ins in tree.instructions:
        assert last < ins.start_line <= ins.end_line
        last = ins.end_line


@settings(max_examples=4000, deadline=None)
@given(any_text())
def test_arbitrary_text_round_trips(text: str) -> None:
    assert parse(text).code == text


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_unicode_round_trips(text: str) -> None:
    assert parse(text).code == text
