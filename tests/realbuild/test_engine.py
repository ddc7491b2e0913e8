"""Real builds: step caching (BuildKit and buildah), image snapshots and config comparison.

BuildKit shows only the steps that touch the filesystem (FROM, RUN, COPY, ADD, WORKDIR): the
other instructions only edit the image config and are never cached or rerun.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dockerfix.build.buildah import BuildahEngine, parse_steps
from dockerfix.build.compare import without_marker
from dockerfix.build.docker import DockerEngine
from dockerfix.build.engine import (
    BuildResult,
    Engine,
    EngineUnavailable,
    LogLine,
)
from dockerfix.build.find import find_engine
from dockerfix.build.imagediff import (
    ImageSnapshot,
    diff_configs,
    diff_snapshots,
    measure_noise,
    run_config,
    snapshot_tree,
)

RequireBase = Callable[[str], tuple[str, ...]]


FILESYSTEM_STEPS = ("FROM ", "RUN ", "COPY ", "ADD ", "WORKDIR ")


@pytest.fixture(scope="module")
def busybox(require_base: RequireBase) -> str:
    return require_base("busybox")[0]


@pytest.fixture(params=["docker", "buildah"])
def any_engine(
    request: pytest.FixtureRequest,
    require_base: RequireBase,
    require_buildah_base: RequireBase,
) -> Engine:
    """Each engine in turn, with its busybox stand-in."""
    if request.param == "docker":
        require_base("busybox")
        engine: Engine = request.getfixturevalue("engine")
    else:
        require_buildah_base("busybox")
        engine = request.getfixturevalue("buildah")
    return engine


def _shown(engine: Engine, steps: list[str]) -> list[str]:
    """The steps the engine reports: BuildKit leaves out the metadata instructions."""
    if engine.name == "buildah":
        return steps
    return [s for s in steps if s.startswith(FILESYSTEM_STEPS)]


def _fresh_base(engine: Engine, image: str, token: str) -> str:
    """A base image whose builds share no cache entries with those of other tokens."""
    return engine.separate(image, token) or image


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _build(engine: Engine, dockerfile: str, context: Path, tag: str) -> BuildResult:
    path = context.parent / f"{context.name}.Dockerfile"
    path.write_text(dockerfile)
    result = engine.build(path, context, tag)
    assert result.ok, result.tail()
    return result


# -- which steps rerun ------------------------------------------------------------------------

APP = """\
FROM {base}
ENV CASE={token}
WORKDIR /app
COPY deps.txt ./
RUN wc -l deps.txt > deps.count
COPY src.txt ./
RUN cat src.txt > built.txt
CMD ["cat", "/app/built.txt"]
"""
APP_STEPS = [
    "FROM {base}",
    "ENV CASE={token}",
    "WORKDIR /app",
    "COPY deps.txt ./",
    "RUN wc -l deps.txt > deps.count",
    "COPY src.txt ./",
    "RUN cat src.txt > built.txt",
    'CMD ["cat", "/app/built.txt"]',
]


def _edit_content(ctx: Path, name: str) -> None:
    (ctx / name).write_text((ctx / name).read_text() + "edited\n")


EDITS: dict[str, Callable[[Path], None]] = {
    "nothing": lambda ctx: None,
    "touch-source": lambda ctx: os.utime(ctx / "src.txt", (1, 1)),
    "edit-source": lambda ctx: _edit_content(ctx, "src.txt"),
    "chmod-source": lambda ctx: (ctx / "src.txt").chmod(0o755),
    "edit-deps": lambda ctx: _edit_content(ctx, "deps.txt"),
    "unrelated-file": lambda ctx: _write(ctx, {"notes.md": "not copied\n"}),
}


@pytest.mark.parametrize(
    ("edit", "expected_executed"),
    [
        ("nothing", []),
        ("touch-source", []),  # COPY keys on content and mode, never on mtime
        ("unrelated-file", []),  # only the files a COPY names count
        (
            "edit-source",
            ["COPY src.txt ./", "RUN cat src.txt > built.txt", 'CMD ["cat", "/app/built.txt"]'],
        ),
        (
            "chmod-source",
            ["COPY src.txt ./", "RUN cat src.txt > built.txt", 'CMD ["cat", "/app/built.txt"]'],
        ),
        ("edit-deps", APP_STEPS[3:]),
    ],
)
def test_rebuild_reruns_exactly_the_invalidated_steps(
    any_engine: Engine, tmp_path: Path, edit: str, expected_executed: list[str]
) -> None:
    engine = any_engine
    if engine.name == "buildah" and edit not in ("edit-source", "edit-deps"):
        pytest.skip("buildah runs two edits of the table; BuildKit, what users build with, all")
    token = uuid.uuid4().hex[:12]  # a fresh cache chain, whatever ran before in this store
    base = _fresh_base(engine, "docker.io/library/busybox:latest", token)
    ctx = tmp_path / "ctx"
    _write(ctx, {"deps.txt": "one\ntwo\n", "src.txt": "hello\n"})
    dockerfile = APP.format(token=token, base=base)
    first = _build(engine, dockerfile, ctx, f"localhost/steps-{edit}:1")
    all_steps = _shown(engine, [s.format(token=token, base=base) for s in APP_STEPS])
    assert [s.instruction for s in first.steps][1:] == all_steps[1:]
    assert first.executed == all_steps[1:]  # FROM resolves a local image and never runs

    EDITS[edit](ctx)
    second = _build(engine, dockerfile, ctx, f"localhost/steps-{edit}:2")

    assert second.executed == _shown(engine, expected_executed)
    assert [s.instruction for s in second.steps][1:] == all_steps[1:]
    assert second.image_id is not None
    if engine.name == "buildah":  # BuildKit writes a new config (its time) on every build
        assert (second.image_id == first.image_id) == (expected_executed == [])


def test_multi_stage_steps_carry_their_stage(any_engine: Engine, tmp_path: Path) -> None:
    engine = any_engine
    token = uuid.uuid4().hex[:12]
    base = _fresh_base(engine, "docker.io/library/busybox:latest", token)
    ctx = tmp_path / "ctx"
    _write(ctx, {"a.txt": "a\n"})
    dockerfile = (
        f"FROM {base} AS build\nRUN echo {token} > /out\n"
        f"FROM {base}\nCOPY --from=build /out /out\nCOPY a.txt /a.txt\n"
    )
    first = _build(engine, dockerfile, ctx, "localhost/multi:1")
    _edit_content(ctx, "a.txt")
    second = _build(engine, dockerfile, ctx, "localhost/multi:2")

    got = [(s.stage, s.index, s.cached) for s in first.steps]
    if engine.name == "docker":
        # BuildKit runs a step two stages share (the FROM) once, named after either stage.
        froms = [step for step in got if step[1] == 0]
        assert len(froms) == 1 and froms[0] in ((0, 0, True), (1, 0, True))
        got.remove(froms[0])
        assert got == [(0, 1, False), (1, 1, False), (1, 2, False)]
    else:
        assert got == [(0, 0, True), (0, 1, False), (1, 0, True), (1, 1, False), (1, 2, False)]
    assert second.executed == ["COPY a.txt /a.txt"]


def test_failed_build_reports_the_failing_step_and_leaves_no_container(
    buildah: BuildahEngine, require_buildah_base: RequireBase, tmp_path: Path
) -> None:
    busybox = require_buildah_base("busybox")[0]
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {busybox}\nRUN echo {uuid.uuid4().hex} && false\nENV X=1\n")

    result = buildah.build(dockerfile, ctx, "localhost/failing:1")

    assert (result.ok, result.image_id) == (False, None)
    assert result.executed[-1].endswith("&& false")
    assert buildah.run("containers", "--quiet").stdout.strip() == ""


HEX = "a" * 64


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], []),
        (["no steps here"], []),
        (
            ["STEP 1/2: FROM x", "STEP 2/2: ENV A=1", "COMMIT t"],
            [(0, 0, "FROM x", True, 1.0), (1, 0, "ENV A=1", False, 1.0)],
        ),
        (
            ["STEP 1/2: FROM x", "STEP 2/2: ENV A=1", f"--> Using cache {HEX}", "COMMIT t"],
            [(0, 0, "FROM x", True, 1.0), (1, 0, "ENV A=1", True, 2.0)],
        ),
        (
            # RUN output resembling a cache line does not count: the id is not 64 hex digits.
            ["STEP 1/2: FROM x", "STEP 2/2: RUN echo", "--> Using cache abc", "COMMIT t"],
            [(0, 0, "FROM x", True, 1.0), (1, 0, "RUN echo", False, 2.0)],
        ),
        (
            # A failed build ends without COMMIT: its last step runs to the end of the output.
            ["[1/2] STEP 1/2: FROM x AS a", "[1/2] STEP 2/2: RUN a", "[2/2] STEP 1/1: FROM a"],
            [
                (0, 0, "FROM x AS a", True, 1.0),
                (1, 0, "RUN a", False, 1.0),
                (0, 1, "FROM a", True, 8.0),
            ],
        ),
    ],
    ids=["empty", "no-steps", "executed", "cached", "not-a-cache-line", "multi-stage"],
)
def test_parse_steps(lines: list[str], expected: list[tuple[int, int, str, bool, float]]) -> None:
    stamped = [LogLine(float(n), text) for n, text in enumerate(lines)]

    steps = parse_steps(stamped, end=10.0)

    assert [(s.index, s.stage, s.instruction, s.cached, s.seconds) for s in steps] == expected


# -- comparing images ---------------------------------------------------------------------------

IMAGE = """\
FROM {base}
LABEL run={token}
WORKDIR /app
COPY . /app/
RUN od -An -N8 -tx8 /dev/urandom > /app/stamp && mkdir -p /app/data && echo ok > /app/data/result
"""
FILES = {"a.txt": "aaaa\n", "b.txt": "bbbb\n", "sub/c.txt": "cccc\n"}


def _snapshot_of(
    engine: Engine, root: Path, edit: Callable[[Path], None] = lambda ctx: None
) -> ImageSnapshot:
    token = uuid.uuid4().hex[:12]  # every build runs afresh: compares two executions
    base = _fresh_base(engine, "docker.io/library/busybox:latest", token)
    ctx = root / token
    _write(ctx, FILES)
    (ctx / "link").symlink_to("a.txt")
    edit(ctx)
    _build(engine, IMAGE.format(token=token, base=base), ctx, f"localhost/snap-{token}:1")
    return without_marker(engine.snapshot(f"localhost/snap-{token}:1"))


@dataclass(frozen=True)
class Baseline:
    snapshot: ImageSnapshot
    noise: set[str]


@pytest.fixture(scope="module")
def baseline(engine: Engine, busybox: str, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    root = tmp_path_factory.mktemp("snapshots")
    first, second = _snapshot_of(engine, root), _snapshot_of(engine, root)
    return Baseline(first, measure_noise(first, second))


def test_two_builds_of_the_same_dockerfile_differ_only_in_measured_noise(
    baseline: Baseline,
) -> None:
    assert baseline.noise == {"/app/stamp"}  # the RUN writes random bytes; nothing else varies
    assert baseline.snapshot["/app/a.txt"].uid == 0
    assert baseline.snapshot["/app/link"].target == "a.txt"


def _relink(ctx: Path) -> None:
    (ctx / "link").unlink()
    (ctx / "link").symlink_to("b.txt")


@pytest.mark.parametrize(
    ("edit", "added", "removed", "changed"),
    [
        (lambda ctx: None, [], [], []),
        (lambda ctx: os.utime(ctx / "a.txt", (5, 5)), [], [], []),
        (lambda ctx: _write(ctx, {"a.txt": "AAAA\n"}), [], [], [("/app/a.txt", ("sha256",))]),
        (
            lambda ctx: _write(ctx, {"a.txt": "longer\n"}),
            [],
            [],
            [("/app/a.txt", ("size", "sha256"))],
        ),
        (lambda ctx: (ctx / "b.txt").chmod(0o600), [], [], [("/app/b.txt", ("mode",))]),
        (lambda ctx: _write(ctx, {"sub/new.txt": "n\n"}), ["/app/sub/new.txt"], [], []),
        (lambda ctx: (ctx / "sub" / "c.txt").unlink(), [], ["/app/sub/c.txt"], []),
        (_relink, [], [], [("/app/link", ("target",))]),
    ],
    ids=["same", "touch", "content", "size", "mode", "added", "removed", "symlink"],
)
def test_snapshot_diff_names_exactly_the_changed_paths(
    engine: Engine,
    baseline: Baseline,
    tmp_path: Path,
    edit: Callable[[Path], None],
    added: list[str],
    removed: list[str],
    changed: list[tuple[str, tuple[str, ...]]],
) -> None:
    other = _snapshot_of(engine, tmp_path, edit)

    diff = diff_snapshots(baseline.snapshot, other, baseline.noise)

    assert (list(diff.added), list(diff.removed), list(diff.changed)) == (added, removed, changed)
    assert bool(diff) == bool(added or removed or changed)


def test_pyc_mtime_bytes_are_masked(tmp_path: Path) -> None:
    header = b"\x6f\x0d\x0d\x0a" + bytes(4)
    for name, mtime in (("a", b"\x01\x02\x03\x04"), ("b", b"\x09\x09\x09\x09")):
        _write(tmp_path, {f"{name}/m.txt": "x"})
        (tmp_path / name / "m.pyc").write_bytes(header + mtime + b"\x10\x00\x00\x00code")
        (tmp_path / name / "m.bin").write_bytes(header + mtime + b"\x10\x00\x00\x00code")

    diff = diff_snapshots(snapshot_tree(tmp_path / "a"), snapshot_tree(tmp_path / "b"))

    assert list(diff.changed) == [("/m.bin", ("sha256",))]


CONFIG = 'FROM docker.io/library/busybox:latest\nENV MODE=prod LEVEL=3\nCMD ["run"]\n'


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        (CONFIG, []),
        ('FROM docker.io/library/busybox:latest\nENV LEVEL=3\nENV MODE=prod\nCMD ["run"]\n', []),
        (CONFIG.replace("MODE=prod", "MODE=dev"), ["Env MODE: 'prod' != 'dev'"]),
        (CONFIG + "ENV EXTRA=1\n", ["Env EXTRA: only in second ('1')"]),
        (CONFIG.replace('["run"]', '["serve"]'), ["Cmd: ['run'] != ['serve']"]),
        (
            CONFIG + "WORKDIR /srv\nUSER 1000\n",
            ["WorkingDir: None != '/srv'", "User: None != '1000'"],
        ),
        (CONFIG + "EXPOSE 8080\n", ["ExposedPorts: None != ['8080/tcp']"]),
        (CONFIG + "LABEL team=core\n", ["Labels team: only in second ('core')"]),
    ],
    ids=["same", "env-order", "env-value", "env-added", "cmd", "workdir-user", "expose", "label"],
)
def test_config_diff(
    engine: Engine, busybox: str, tmp_path: Path, dockerfile: str, expected: list[str]
) -> None:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    _build(engine, CONFIG, ctx, "localhost/config-base:1")
    _build(engine, dockerfile, ctx, "localhost/config-other:1")

    base, other = (
        engine.config("localhost/config-base:1"),
        engine.config("localhost/config-other:1"),
    )

    # BuildKit records the working directory of an image without WORKDIR as "/".
    workdir = run_config(base).get("WorkingDir") or None
    expected = [e.replace("WorkingDir: None", f"WorkingDir: {workdir!r}") for e in expected]
    assert diff_configs(base, other) == expected
    assert diff_configs(run_config(base), run_config(other)) == expected


# -- engines, network, base images ------------------------------------------------------------


def test_find_engine_returns_the_engine_asked_for(
    engine: DockerEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", engine.where())
    found = [find_engine(name, store=tmp_path / "store") for name in ("auto", "docker", "buildah")]

    assert [(type(e), e.name) for e in found] == [
        (DockerEngine, "docker"),
        (DockerEngine, "docker"),
        (BuildahEngine, "buildah"),
    ]


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [
        ("rkt", "unknown engine 'rkt': choose auto, docker, buildah"),
        ("docker", "no Docker daemon answers at unix:///nonexistent/docker.sock (start dockerd;"),
    ],
)
def test_find_engine_refuses_in_one_line(
    preferred: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(EngineUnavailable) as caught:
        find_engine(preferred, store=tmp_path / "store")

    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_python_standin_installs_from_pypi(
    engine: Engine, require_base: RequireBase, tmp_path: Path
) -> None:
    assert "docker.io/library/python:3.11-slim" in require_base("python")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    dockerfile = (
        "FROM python:3.11-slim\n"
        f"ENV CASE={uuid.uuid4().hex}\n"
        "RUN pip install --no-cache-dir six==1.16.0"
        " && python3 -c 'import six; print(\"six\", six.__version__)'\n"
    )

    result = _build(engine, dockerfile, ctx, "localhost/pypi:1")

    # BuildKit prefixes a step's output with `#N <seconds>`.
    assert [line.text for line in result.log if line.text.endswith("six 1.16.0")] != []
    files = engine.snapshot("localhost/pypi:1")
    assert [p for p in files if p.endswith("-packages/six.py")] == [
        "/usr/local/lib/python3.11/dist-packages/six.py"
    ]


def test_node_standin_installs_from_npm(
    engine: Engine, require_base: RequireBase, tmp_path: Path
) -> None:
    assert "docker.io/library/node:20" in require_base("node")
    ctx = tmp_path / "ctx"
    _write(ctx, {"package.json": '{"name": "t", "version": "1.0.0"}\n'})
    dockerfile = (
        "FROM node:20\nWORKDIR /app\nCOPY package.json ./\n"
        f"ENV CASE={uuid.uuid4().hex}\n"
        "RUN npm install --no-audit --no-fund is-number@7.0.0\n"
    )

    _build(engine, dockerfile, ctx, "localhost/npm:1")

    files = engine.snapshot("localhost/npm:1")
    assert files["/app/node_modules/is-number/package.json"].kind == "file"


def test_remove_and_prune_make_the_next_build_cold(
    buildah: BuildahEngine, require_buildah_base: RequireBase, tmp_path: Path
) -> None:
    busybox = require_buildah_base("busybox")[0]
    token = uuid.uuid4().hex[:12]
    ctx = tmp_path / "ctx"
    _write(ctx, {"deps.txt": "one\n", "src.txt": "hello\n"})
    dockerfile = APP.format(token=token, base=busybox)
    _build(buildah, dockerfile, ctx, "localhost/cold:1")

    buildah.remove("localhost/cold:1")
    buildah.prune()
    again = _build(buildah, dockerfile, ctx, "localhost/cold:1")

    assert again.executed == [s.format(token=token, base=busybox) for s in APP_STEPS[1:]]
    assert buildah.exists(busybox)  # tagged images survive a prune
