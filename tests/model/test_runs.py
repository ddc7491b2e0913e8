"""What a RUN that writes nothing (a listing, a test) does to the ordering constraints."""

from __future__ import annotations

from pathlib import Path

from dockerfix.analysis import Analysis
from dockerfix.model.constraints import conflicts
from dockerfix.model.effect import Effect
from dockerfix.model.paths import PathSet
from dockerfix.settings import Settings
from dockerfix.syntax import parse


def _effects(text: str, context: Path | None = None) -> list[Effect]:
    analysis = Analysis(parse(text), Settings.make(), context, None)
    stage = analysis.model.stages[0]
    effects = analysis.effects(stage)
    return [effects[s.position] for s in stage.steps]


def _run(script: str) -> Effect:
    return _effects(f"FROM debian:12\nWORKDIR /app\nRUN {script}\n")[-1]


def test_a_listing_only_prints() -> None:
    effect = _run('ls -la /app && echo "copied" && pwd')
    assert effect.prints_only
    assert effect.writes == PathSet()
    assert "/app" in effect.reads.paths


def test_a_test_writes_nothing_but_is_no_print() -> None:
    effect = _run("test -f package.json && grep -q left-pad package.json")
    assert not effect.prints_only
    assert effect.writes == PathSet()


def test_a_redirect_or_another_command_writes() -> None:
    listed = _run("ls -la /app > /app/listing.txt")
    assert not listed.prints_only
    assert listed.writes.paths == frozenset({"/app/listing.txt"})
    removed = _run("ls /app/build && rm -rf /app/build")
    assert not removed.prints_only
    assert removed.writes.paths == frozenset({"/app/build"})


def test_a_print_may_move_after_a_copy_or_an_install_but_not_after_a_removal(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.0\n")
    ls, copy, install, remove = _effects(
        "FROM python:3.12\nWORKDIR /app\nRUN ls -la /app\nCOPY . .\n"
        "RUN pip install -r requirements.txt\nRUN rm -rf /app/build\n",
        tmp_path,
    )[1:]
    assert conflicts(ls, copy) == []
    assert conflicts(ls, install) == []
    assert conflicts(ls, remove) == ["files: /app/build, anything outside /app"]
    # The other way round it stays after what it lists.
    assert conflicts(copy, ls) != []
