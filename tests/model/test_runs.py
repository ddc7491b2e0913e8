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
    assert conflicts(ls, remove) == ["files: /app/build"]
    # The other way round it stays after what it lists.
    assert conflicts(copy, ls) != []


def test_file_tools_touch_only_what_they_name() -> None:
    effect = _run('[ "$MODE" = "1" ] && chmod +x run.sh && mkdir -p /app/logs && cp a.conf b.conf')
    assert effect.reads == PathSet(frozenset({"/app/run.sh", "/app/a.conf"}))
    assert effect.writes == PathSet(frozenset({"/app/run.sh", "/app/logs", "/app/b.conf"}))
    # A test of a file whose name is not known, or a command that is no file tool: the step
    # may touch anything outside the project.
    assert _run('[ -f "$CONFIG" ] && cp a.conf b.conf').writes.outside == frozenset({"/app"})
    assert _run("chmod +x run.sh && sed -i s/a/b/ a.conf").writes.outside == frozenset({"/app"})


def test_a_new_file_needs_its_folder() -> None:
    # cp, a redirection: the folder must exist, so the step stays after what creates it.
    assert "/app/config" in _run("cp /etc/hostname /app/config/host").reads.paths
    assert "/app/config" in _run("echo x > /app/config/x").reads.paths
    # mkdir -p makes it, and the WORKDIR exists.
    assert "/app/config" not in _run("mkdir -p /app/config/a").reads.paths
    assert _run("cp /etc/hostname /app/host").reads.paths == frozenset({"/etc/hostname"})


def test_a_cd_needs_its_folder() -> None:
    assert _run("cd src && echo hi").reads.paths == frozenset({"/app/src"})
    assert _run("cd /opt/tool && ls").reads.paths >= frozenset({"/opt/tool"})


def test_any_command_after_a_cd_needs_the_folder_but_reads_nothing_there(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "seed.csv").write_text("1\n")
    workdir, copy, install, remove = _effects(
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN cd data && pip install flask\n"
        "RUN rm -rf /app/data\n",
        tmp_path,
    )
    assert install.needs_dirs == frozenset({"/app/data"})
    assert "/app/data" not in install.reads.paths
    # The copy creates data/: the install stays after it, and the removal after the install.
    assert conflicts(copy, install) == ["folder: /app/data"]
    assert conflicts(install, remove) == ["folder: /app/data"]
    # A WORKDIR creates only its own folder and those above it; without folders the caller
    # checks the need itself.
    assert conflicts(workdir, install) == ["state: workdir"]  # no folder
    assert conflicts(copy, install, folders=False) == []
    # The WORKDIR and the system's top folders exist already.
    assert _run("cd /app && pip install flask").needs_dirs == frozenset()
    assert _run("cd /tmp && pip install flask").needs_dirs == frozenset()
    assert _run("cd /opt/tool && pip install flask").needs_dirs == frozenset({"/opt/tool"})


def test_an_unknown_base_workdir_is_named_as_such_not_as_a_cd() -> None:
    # No WORKDIR on a base image dockerfix does not know: no `cd` is involved.
    install = _effects("FROM example.com/ruby-app:1\nCOPY . /usr/src/app\nRUN bundle install\n")[-1]
    assert install.notes == (
        "the directory `bundle install` runs in is not known (the base image's working "
        "directory is not known to dockerfix: add a WORKDIR before it)",
    )
    relative = _effects("FROM example.com/ruby-app:1\nRUN cd app && bundle install\n")[-1]
    assert relative.notes == install.notes
    moved = _effects("FROM example.com/ruby-app:1\nRUN cd $APP_DIR && bundle install\n")[-1]
    assert moved.notes == (
        "the directory `bundle install` runs in is not known (a `cd` dockerfix cannot follow)",
    )
