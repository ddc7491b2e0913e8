"""The command line: modes, exit codes, stdin byte-exactness and refused input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockerfix.cli.main import main

UNOPTIMIZED = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    'CMD ["python", "app.py"]\n'
)
OPTIMIZED = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY requirements.txt ./\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    "COPY . .\n"
    'CMD ["python", "app.py"]\n'
)


def project(tmp_path: Path, dockerfile: str = UNOPTIMIZED) -> Path:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "Dockerfile").write_bytes(dockerfile.encode())
    return tmp_path / "Dockerfile"


def run(
    *args: str, input: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dockerfix.cli", *args],
        input=input,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("dockerfix, version ")


def test_help_shows_examples() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "dockerfix --write" in result.output and "Exit codes" in result.output


def test_default_prints_a_diff_and_changes_nothing(tmp_path: Path) -> None:
    path = project(tmp_path)
    result = run(str(path))
    assert result.returncode == 0
    assert b"+COPY requirements.txt ./\n" in result.stdout
    assert path.read_text() == UNOPTIMIZED


def test_check_exits_1_when_a_file_would_change(tmp_path: Path) -> None:
    assert run("--check", str(project(tmp_path))).returncode == 1


def test_check_exits_0_on_an_optimal_file(tmp_path: Path) -> None:
    result = run("--check", str(project(tmp_path, OPTIMIZED)))
    assert result.returncode == 0
    assert result.stdout == b""


def test_write_applies_and_is_idempotent(tmp_path: Path) -> None:
    path = project(tmp_path)
    path.chmod(0o640)
    assert run("--write", str(path)).returncode == 0
    assert path.read_text() == OPTIMIZED
    assert path.stat().st_mode & 0o777 == 0o640
    assert run("--write", str(path)).returncode == 0
    assert path.read_text() == OPTIMIZED
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_directory_mode_finds_dockerfiles(tmp_path: Path) -> None:
    project(tmp_path)
    sub = tmp_path / "svc"
    sub.mkdir()
    (sub / "api.Dockerfile").write_text("FROM alpine\nCMD x\n")
    result = run("--check", str(tmp_path))
    assert result.returncode == 1
    assert b"1 file would be rewritten, 1 unchanged" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        UNOPTIMIZED.replace("\n", "\r\n"),
        "\ufeff" + UNOPTIMIZED,
        UNOPTIMIZED.rstrip("\n"),
    ],
    ids=["crlf", "bom", "no-final-newline"],
)
def test_stdin_mode_is_byte_exact(tmp_path: Path, text: str) -> None:
    project(tmp_path)
    result = run("-", "--stdin-filename", str(tmp_path / "Dockerfile"), input=text.encode())
    assert result.returncode == 0, result.stderr
    expected = OPTIMIZED
    if text.startswith("\ufeff"):
        expected = "\ufeff" + expected
    if "\r\n" in text:
        expected = expected.replace("\n", "\r\n")
    if not text.endswith("\n"):
        expected = expected.rstrip("\n")
    assert result.stdout.decode() == expected


def test_stdin_unchanged_text_comes_back(tmp_path: Path) -> None:
    result = run("-", input=b"FROM alpine\nCMD x")
    assert (result.returncode, result.stdout) == (0, b"FROM alpine\nCMD x")


@pytest.mark.parametrize(
    "fmt,needle",
    [
        ("json", b'"code": "DFX002"'),
        ("sarif", b'"version": "2.1.0"'),
        ("rdjson", b'"suggestions"'),
        ("github", b"::warning file="),
        ("gnu", b":3:1: warning: DFX002 "),
    ],
)
def test_formats(tmp_path: Path, fmt: str, needle: bytes) -> None:
    result = run("--format", fmt, str(project(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert needle in result.stdout


def _bad_inputs(tmp_path: Path) -> dict[str, list[str]]:
    cases: dict[str, list[str]] = {}

    def file(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    cases["missing file"] = [str(tmp_path / "nope" / "Dockerfile")]
    cases["binary"] = [file("bin/Dockerfile", b"FROM a\n\x00\x01\x02")]
    cases["invalid utf-8"] = [file("latin1/Dockerfile", b"FROM a\nLABEL x=\xe9\n")]
    (tmp_path / "dir" / "Dockerfile").mkdir(parents=True)
    cases["directory named Dockerfile"] = [str(tmp_path / "dir" / "Dockerfile")]
    (tmp_path / "dangling").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling" / "Dockerfile")
    cases["dangling symlink"] = [str(tmp_path / "dangling" / "Dockerfile")]
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path / "loop" / "b", tmp_path / "loop" / "a")
    os.symlink(tmp_path / "loop" / "a", tmp_path / "loop" / "b")
    cases["symlink loop"] = [str(tmp_path / "loop" / "a")]
    cases["empty file"] = [file("empty/Dockerfile", b"")]
    cases["only comments"] = [file("comments/Dockerfile", b"# nothing\n# here\n")]
    cases["huge file"] = [file("huge/Dockerfile", b"FROM a\n" + b"# x\n" * (3 * 1024 * 1024))]
    cases["unterminated heredoc"] = [file("heredoc/Dockerfile", b"FROM a\nRUN <<EOF\necho\n")]
    cases["non-string JSON"] = [file("json/Dockerfile", b'FROM a\nCMD ["a", 1]\n')]
    cases["unknown instruction"] = [file("unknown/Dockerfile", b"FROM a\nFROB x\n")]
    cases["ENV without value"] = [file("env/Dockerfile", b"FROM a\nENV X\n")]
    cases["bad escape directive"] = [file("esc/Dockerfile", b"# escape=x\nFROM a\n")]
    cases["duplicate directive"] = [file("dup/Dockerfile", b"# escape=`\n# escape=`\nFROM a\n")]
    cases["line over 64 KiB"] = [file("long/Dockerfile", b"FROM a\nRUN " + b"x" * 70000 + b"\n")]
    cases["unknown fix code"] = ["--select", "DFX999", file("ok1/Dockerfile", b"FROM a\n")]
    cases["context missing"] = [
        "--context",
        str(tmp_path / "nope"),
        file("ok2/Dockerfile", b"FROM a\n"),
    ]
    cases["check with write"] = ["--check", "--write", file("ok3/Dockerfile", b"FROM a\n")]
    cases["stdin with paths"] = ["-", file("ok4/Dockerfile", b"FROM a\n")]
    cases["unknown option"] = ["--frobnicate"]
    cases["jobs zero"] = ["--jobs", "0", file("ok6/Dockerfile", b"FROM a\n")]
    cases["config file missing"] = [
        "--config",
        str(tmp_path / "nope.toml"),
        file("ok7/Dockerfile", b"FROM a\n"),
    ]
    cases["nested JSON array"] = [file("nested/Dockerfile", b'FROM a\nCMD [["a"]]\n')]
    cases["ONBUILD trigger error"] = [file("onbuild/Dockerfile", b"FROM a\nONBUILD ENV X\n")]
    cases["stray continuation only"] = [file("stray/Dockerfile", b"FROM a\n\\\n")]
    fifo = tmp_path / "fifo" / "Dockerfile"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    cases["FIFO named Dockerfile"] = [str(fifo)]
    compose = tmp_path / "compose-bad"
    compose.mkdir()
    (compose / "Dockerfile").write_text("FROM a\n")
    (compose / "compose.yaml").write_text("services:\n  web:\n    build: [1, 2\n")
    cases["compose invalid YAML"] = [str(compose)]
    compose2 = tmp_path / "compose-type"
    compose2.mkdir()
    (compose2 / "compose.yaml").write_text("services:\n  web:\n    build: 3\n")
    cases["compose build not a mapping"] = [str(compose2)]
    cases["bad format"] = ["--format", "xml", file("ok5/Dockerfile", b"FROM a\n")]
    return cases


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def test_bad_input_catalogue(tmp_path: Path) -> None:
    cases = _bad_inputs(tmp_path)
    assert len(cases) >= 30
    for name, args in cases.items():
        before = {
            p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()
        }
        result = run(*args)
        err = result.stderr.decode()
        assert result.returncode == 2, (name, result.returncode, err)
        assert "Traceback" not in err, (name, err)
        lines = [line for line in err.splitlines() if not line.startswith("dockerfix: 0 files")]
        assert len(lines) == 1, (name, err)
        after = {
            p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()
        }
        assert before == after, name


def test_stdin_invalid_utf8_is_refused() -> None:
    result = run("-", input=b"FROM a\nLABEL x=\xff\n")
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1 and b"not valid UTF-8" in result.stderr


def test_config_file_selects_fixes(tmp_path: Path) -> None:
    path = project(tmp_path)
    (tmp_path / ".dockerfix.toml").write_text('ignore = ["DFX002"]\n')
    assert run("--check", str(path)).returncode == 0
    (tmp_path / ".dockerfix.toml").write_text("")
    assert run("--check", str(path)).returncode == 1


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    path = project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.dockerfix]\nselect = ["DFX001"]\n')
    assert run("--check", str(path)).returncode == 0


def test_config_maps_a_dockerfile_to_its_context(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    project(app)
    docker = tmp_path / "docker"
    docker.mkdir()
    (docker / "app.Dockerfile").write_text(UNOPTIMIZED)
    (app / "Dockerfile").unlink()
    assert run("--check", str(docker / "app.Dockerfile")).returncode == 0  # no manifests here
    (tmp_path / ".dockerfix.toml").write_text('[context]\n"docker/app.Dockerfile" = "app"\n')
    assert run("--check", str(docker / "app.Dockerfile")).returncode == 1


@pytest.mark.parametrize(
    "text",
    ["ignore = [1]\n", "frobnicate = true\n", "unsafe-fixes = 'yes'\n", "select = [\n"],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, text: str) -> None:
    path = project(tmp_path)
    (tmp_path / ".dockerfix.toml").write_text(text)
    result = run("--check", str(path))
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1 and b".dockerfix.toml" in result.stderr


def test_json_output_matches_its_schema(tmp_path: Path) -> None:
    import json

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "docs/json-schema.json").read_text())
    result = run("--format", "json", str(project(tmp_path)))
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, schema)
    assert [f["code"] for f in doc["files"][0]["fixes"]] == ["DFX002"]


def test_write_failure_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = CliRunner().invoke(main, ["--write", str(path)])
    assert result.exit_code == 2
    assert path.read_text() == UNOPTIMIZED
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Dockerfile",
        "app.py",
        "requirements.txt",
    ]


def test_write_refuses_a_symlink_leaving_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    real = project(outside)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("flask\n")
    (repo / "Dockerfile").symlink_to(real)
    result = run("--write", str(repo))
    assert result.returncode == 2
    assert b"outside" in result.stderr
    assert real.read_text() == UNOPTIMIZED


def test_write_refuses_a_file_changed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dockerfix.api

    path = project(tmp_path)
    real_fix = dockerfix.api.fix_tree

    def fix_and_edit(tree: object, settings: object, **kwargs: object) -> object:
        path.write_text(UNOPTIMIZED + "# edited meanwhile\n")
        return real_fix(tree, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dockerfix.api, "fix_tree", fix_and_edit)
    result = CliRunner().invoke(main, ["--write", str(path)])
    assert result.exit_code == 2
    assert path.read_text() == UNOPTIMIZED + "# edited meanwhile\n"


def test_rules_lists_every_code_and_prints_docs() -> None:
    listing = CliRunner().invoke(main, ["rules"])
    assert listing.exit_code == 0
    assert [line.split()[0] for line in listing.output.splitlines()] == [
        "DFX000",
        "DFX001",
        "DFX002",
        "DFX003",
        "DFX004",
        "DFX005",
        "DFX006",
        "DFX007",
        "DFX008",
        "DFX010",
    ]
    doc = CliRunner().invoke(main, ["rules", "dfx002"])
    assert doc.output.startswith("# DFX002 split-copy (safe)\n")
    assert "## Fix safety" in doc.output
    assert run("rules", "DFX999").returncode == 2


def test_diff_is_coloured_only_on_request() -> None:
    from dockerfix.cli.main import _colour

    coloured = _colour("--- a/D\n+++ b/D\n@@ -1 +1 @@\n-old\n+new\n same\n")
    assert "\x1b[32m+new\n\x1b[0m" in coloured and "\x1b[31m-old\n\x1b[0m" in coloured
    assert " same\n" in coloured
    # Not a terminal: plain text.
    assert (
        b"\x1b[" not in run(str(Path(__file__).resolve().parents[2] / "examples/python-app")).stdout
    )


def test_directory_search_honours_gitignore(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project(tmp_path)
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "Dockerfile").write_text("FROM a\nFROB\n")  # would be exit 2
    (tmp_path / ".gitignore").write_text("generated/\n")
    result = run("--check", str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert b"1 file would be rewritten, 0 unchanged" in result.stderr


def _node_modules_project(tmp_path: Path) -> Path:
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (tmp_path / "package-lock.json").write_text("{}\n")
    (tmp_path / "node_modules" / "left-pad").mkdir(parents=True)
    (tmp_path / "node_modules" / "left-pad" / "index.js").write_text("x\n")
    (tmp_path / "index.js").write_text("x\n")
    path = tmp_path / "Dockerfile"
    path.write_text("FROM node:20\nWORKDIR /srv\nCOPY . .\nRUN npm ci\n")
    return path


def test_safe_write_never_changes_what_copy_sends(tmp_path: Path) -> None:
    # The split needs node_modules kept out of the context; excluding it changes the image
    # (the copy no longer sends it), so safe mode reports it and writes nothing at all.
    path = _node_modules_project(tmp_path)
    before = path.read_text()
    result = run("--write", str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_text() == before
    assert not (tmp_path / ".dockerignore").exists()
    assert b"applied only with --unsafe-fixes" in result.stderr
    assert b"leaves the image: `/srv/node_modules`" in result.stderr
    assert run("--check", str(path)).returncode == 0


def test_unsafe_write_creates_the_dockerignore_the_rewrite_needs(tmp_path: Path) -> None:
    path = _node_modules_project(tmp_path)
    diff = run("--unsafe-fixes", str(path))
    assert b"+++ b/" in diff.stdout and b"--- /dev/null\n" in diff.stdout
    assert run("--unsafe-fixes", "--check", str(path)).returncode == 1
    assert run("--unsafe-fixes", "--write", str(path)).returncode == 0
    assert path.read_text() == (
        "FROM node:20\nWORKDIR /srv\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n"
    )
    assert (tmp_path / ".dockerignore").read_text().splitlines()[1:] == [
        "node_modules",
        ".dockerignore",
    ]
    assert run("--unsafe-fixes", "--check", str(path)).returncode == 0


def test_stdin_mode_never_relies_on_an_unwritten_dockerignore(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (tmp_path / "package-lock.json").write_text("{}\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text("x\n")
    text = "FROM node:20\nWORKDIR /srv\nCOPY . .\nRUN npm ci\n"
    result = run("-", "--stdin-filename", str(tmp_path / "Dockerfile"), input=text.encode())
    assert result.stdout.decode() == text  # the split needs node_modules ignored
    assert not (tmp_path / ".dockerignore").exists()


def test_compose_file_gives_the_build_context(tmp_path: Path) -> None:
    app = tmp_path / "services" / "api"
    app.mkdir(parents=True)
    project(app)
    docker = tmp_path / "docker"
    docker.mkdir()
    (docker / "api.Dockerfile").write_text(UNOPTIMIZED)
    (app / "Dockerfile").unlink()
    # Without the compose file the context is docker/, which has no manifests: no change.
    assert run("--check", str(tmp_path)).returncode == 0
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build:\n      context: services/api\n"
        "      dockerfile: ../../docker/api.Dockerfile\n  db:\n    image: postgres\n"
    )
    result = run("--check", str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert b"1 file would be rewritten" in result.stderr


def test_stdin_mode_finds_the_compose_files_build_context(tmp_path: Path) -> None:
    app = tmp_path / "services" / "api"
    app.mkdir(parents=True)
    project(app)
    (app / "Dockerfile").unlink()
    docker = tmp_path / "docker"
    docker.mkdir()
    name = str(docker / "api.Dockerfile")
    # Compose files are looked for up to the repository's top.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    # Without the compose file the context is docker/, which has no manifests: no change.
    alone = run("-", "--stdin-filename", name, input=UNOPTIMIZED.encode())
    assert alone.returncode == 0 and alone.stdout.decode() == UNOPTIMIZED
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build:\n      context: services/api\n"
        "      dockerfile: ../../docker/api.Dockerfile\n"
    )
    composed = run("-", "--stdin-filename", name, input=UNOPTIMIZED.encode())
    (docker / "api.Dockerfile").write_text(UNOPTIMIZED)
    file_mode = run("--write", str(docker / "api.Dockerfile"))
    assert composed.returncode == file_mode.returncode == 0, composed.stderr
    assert composed.stdout.decode() != UNOPTIMIZED
    assert composed.stdout.decode() == (docker / "api.Dockerfile").read_text()


def test_jobs_give_the_same_output(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"svc{i}").mkdir()
        project(tmp_path / f"svc{i}")
    # Without the cache, so the worker processes really analyse the files.
    fresh = {"DOCKERFIX_NO_CACHE": "1"}
    one = run("--format", "json", str(tmp_path), env=fresh)
    two = run("--format", "json", "--jobs", "2", str(tmp_path), env=fresh)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and b'"changed": true' in one.stdout


def test_cache_serves_unchanged_files_and_notices_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dockerfix.api

    monkeypatch.setenv("DOCKERFIX_CACHE_DIR", str(tmp_path / "cache"))
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "package.json").write_text('{"name": "x", "version": "1.0.0"}\n')
    (project_dir / "package-lock.json").write_text("{}\n")
    (project_dir / "index.js").write_text("x\n")
    path = project_dir / "Dockerfile"
    path.write_text("FROM node:20\nWORKDIR /srv\nCOPY . .\nRUN npm ci\n")
    calls: list[str] = []
    real_fix = dockerfix.api.fix_tree

    def counting_fix(tree: dockerfix.Dockerfile, settings: object, **kwargs: object) -> object:
        calls.append(tree.code)
        return real_fix(tree, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dockerfix.api, "fix_tree", counting_fix)
    first = CliRunner().invoke(main, ["--format", "json", str(path)])
    again = CliRunner().invoke(main, ["--format", "json", str(path)])
    assert first.output == again.output and '"changed": true' in first.output
    assert len(calls) == 1  # the second run was served from the cache
    # A lifecycle script makes the split unsafe: the cached answer must not be reused.
    (project_dir / "package.json").write_text(
        '{"name": "x", "version": "1.0.0", "scripts": {"postinstall": "node x.js"}}\n'
    )
    after = CliRunner().invoke(main, ["--format", "json", str(path)])
    assert len(calls) == 2
    assert '"changed": false' in after.output and "postinstall" in after.output


def test_rdjson_output_matches_the_format(tmp_path: Path) -> None:
    import json

    import jsonschema

    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/rdjson-schema.json").read_text()
    )
    doc = json.loads(run("--format", "rdjson", str(project(tmp_path))).stdout)
    jsonschema.validate(doc, schema)
    (suggestion,) = [d for d in doc["diagnostics"] if "suggestions" in d]
    assert suggestion["code"] == {"value": "DFX002"}
    # One suggestion for the whole rewrite: lines 3-4 become the split.
    assert suggestion["suggestions"][0]["text"] == (
        "COPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
    )
    assert suggestion["suggestions"][0]["range"] == {
        "start": {"line": 3, "column": 1},
        "end": {"line": 5, "column": 1},
    }


def test_rdjson_keeps_the_findings_left_for_unsafe_fixes(tmp_path: Path) -> None:
    """A build stamp (DFX003) is reported to the review bot as a warning, as in SARIF."""
    import json

    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nARG GIT_COMMIT\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nLABEL rev=$GIT_COMMIT\n"
    )
    doc = json.loads(run("--format", "rdjson", str(tmp_path / "Dockerfile")).stdout)
    found = [(d["code"]["value"], d["severity"]) for d in doc["diagnostics"]]
    assert ("DFX003", "WARNING") in found
    sarif = json.loads(run("--format", "sarif", str(tmp_path / "Dockerfile")).stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == [c for c, _ in found]


def test_shell_completion_script() -> None:
    import os as _os

    result = subprocess.run(
        [sys.executable, "-m", "dockerfix.cli"],
        env={**_os.environ, "_DOCKERFIX_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "_dockerfix_completion()" in result.stdout


def test_internal_error_is_exit_3_with_a_report_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dockerfix.api

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(dockerfix.api, "fix_tree", broken)
    monkeypatch.setenv("DOCKERFIX_NO_CACHE", "1")
    result = CliRunner().invoke(main, ["--check", str(project(tmp_path))])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.output
    assert "please report this" in result.output


def test_a_file_that_fails_to_parse_appears_in_every_format(tmp_path: Path) -> None:
    project(tmp_path)
    bad = tmp_path / "broken" / "Dockerfile"
    bad.parent.mkdir()
    bad.write_text("FROM busybox\nRUN echo hi\nFROB x\n")
    shown = str(bad)
    out = {fmt: run("--format", fmt, str(tmp_path)) for fmt in ("json", "sarif", "github", "gnu")}
    assert {fmt: r.returncode for fmt, r in out.items()} == dict.fromkeys(out, 2)
    files = {f["path"]: f for f in json.loads(out["json"].stdout)["files"]}
    assert files[shown]["error"] and files[shown]["changed"] is False
    assert files[str(tmp_path / "Dockerfile")]["error"] is None
    invocation = json.loads(out["sarif"].stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    location = note["locations"][0]["physicalLocation"]
    assert (note["level"], location["artifactLocation"]["uri"]) == ("error", shown)
    assert location["region"]["startLine"] == 3
    assert f"::error file={shown},line=3::".encode() in out["github"].stdout
    assert f"{shown}:3:1: error: ".encode() in out["gnu"].stdout
    # The no-op twin: a clean run reports a successful execution with no notification.
    bad.unlink()
    clean = json.loads(run("--format", "sarif", str(tmp_path)).stdout)["runs"][0]
    assert clean["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_check_names_each_file_that_would_change(tmp_path: Path) -> None:
    project(tmp_path)
    clean = tmp_path / "ok" / "Dockerfile"
    clean.parent.mkdir()
    clean.write_text('FROM busybox\nCMD ["true"]\n')
    result = run("--check", str(tmp_path), env={"DOCKERFIX_NO_CACHE": "1"})
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert f"would rewrite {tmp_path / 'Dockerfile'}" in lines
    assert not any(str(clean) in line for line in lines)  # the unchanged file is not named


def test_first_steps_mistakes_get_a_hint(tmp_path: Path) -> None:
    typo = run("explian", env={"DOCKERFIX_NO_CACHE": "1"})
    assert (typo.returncode, typo.stderr) == (
        2,
        b"dockerfix: error: unknown command 'explian' (did you mean 'explain'?)\n",
    )
    fix = run("--fix", str(project(tmp_path)))
    assert fix.returncode == 2 and b"applies fixes with --write" in fix.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run(str(empty))
    assert nothing.returncode == 0
    assert nothing.stderr.splitlines()[0] == b"dockerfix: no Dockerfiles found"


def test_stdin_mode_reports_findings_and_accepts_a_name_in_no_folder(tmp_path: Path) -> None:
    text = "FROM python\nCOPY . .\nRUN pip install -r requirements.txt\n"
    env = {"DOCKERFIX_NO_CACHE": "1"}
    nowhere = run("-", "--stdin-filename", "nosuchdir/Dockerfile", input=text.encode(), env=env)
    assert (nowhere.returncode, nowhere.stdout) == (0, text.encode())
    assert nowhere.stderr.decode().startswith("nosuchdir/Dockerfile:3: DFX002 ")
    assert "no build context is known" in nowhere.stderr.decode()
    # With the context there, the findings on stderr are the file mode's, the text on stdout.
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    here = run("-", "--stdin-filename", str(tmp_path / "Dockerfile"), input=text.encode(), env=env)
    assert here.returncode == 0
    assert here.stdout.decode() == (
        "FROM python\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n"
    )
    quiet = run("-", "-q", "--stdin-filename", "nosuchdir/Dockerfile", input=text.encode(), env=env)
    assert quiet.stderr == b""


def test_secrets_are_reported_even_when_quiet(tmp_path: Path) -> None:
    path = project(tmp_path)
    (tmp_path / ".env").write_text("API_TOKEN=abc\n")
    quiet = run("--check", "-q", str(path), env={"DOCKERFIX_NO_CACHE": "1"})
    assert b"DFX005" in quiet.stderr and b".env" in quiet.stderr
    # The no-op twin: without a secret, --quiet says nothing.
    (tmp_path / ".env").unlink()
    silent = run("--check", "-q", str(path), env={"DOCKERFIX_NO_CACHE": "1"})
    assert silent.stderr == b""


def test_a_secret_is_a_warning_in_sarif_and_github(tmp_path: Path) -> None:
    path = project(tmp_path)
    (tmp_path / ".env").write_text("API_TOKEN=abc\n")
    env = {"DOCKERFIX_NO_CACHE": "1"}
    sarif = json.loads(run("--format", "sarif", str(path), env=env).stdout)
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels["DFX005"] == "warning"
    github = run("--format", "github", str(path), env=env).stdout.decode()
    assert any(line.startswith("::warning ") and "DFX005" in line for line in github.splitlines())


def test_compose_file_gives_the_context_of_a_file_argument(tmp_path: Path) -> None:
    # As pre-commit and the Action call it: the Dockerfile by name, not the folder.
    app = tmp_path / "services" / "api"
    app.mkdir(parents=True)
    project(app)
    (app / "Dockerfile").unlink()
    docker = tmp_path / "docker"
    docker.mkdir()
    dockerfile = docker / "api.Dockerfile"
    dockerfile.write_text(UNOPTIMIZED)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    env = {"DOCKERFIX_NO_CACHE": "1"}
    # The no-op twin: without a compose file, the context is docker/ (no manifests there).
    assert run("--check", str(dockerfile), env=env).returncode == 0
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build:\n      context: services/api\n"
        "      dockerfile: ../../docker/api.Dockerfile\n"
    )
    by_file = run("--check", str(dockerfile), env=env)
    by_folder = run("--check", str(tmp_path), env=env)
    assert by_file.returncode == by_folder.returncode == 1, by_file.stderr
    assert f"would rewrite {dockerfile}".encode() in by_file.stderr


def test_help_shows_the_usage_and_the_subcommands() -> None:
    out = run("--help").stdout.decode()
    assert out.startswith("Usage: dockerfix [OPTIONS] [PATHS]...\n")
    for name in ("explain", "verify", "rules"):
        assert f"\n    {name} " in out


@pytest.mark.parametrize("fmt", ["json", "gnu", "sarif"])
def test_stdin_mode_reports_in_the_format_asked_for(tmp_path: Path, fmt: str) -> None:
    """`--format` with `-` prints the findings report on stdout, as for a file argument."""
    path = project(tmp_path)
    by_stdin = run("--format", fmt, "-", "--stdin-filename", str(path), input=path.read_bytes())
    by_file = run("--format", fmt, str(path))
    assert by_stdin.returncode == by_file.returncode == 0, by_stdin.stderr
    assert by_stdin.stdout == by_file.stdout
    assert b"DFX002" in by_stdin.stdout


def test_stdin_mode_reports_nothing_for_a_friendly_file(tmp_path: Path) -> None:
    import json

    path = project(tmp_path, OPTIMIZED)
    result = run("--format", "json", "-", "--stdin-filename", str(path), input=path.read_bytes())
    (entry,) = json.loads(result.stdout)["files"]
    assert entry["changed"] is False and entry["fixes"] == []


def test_sarif_gives_each_result_its_own_part_of_the_rewrite(tmp_path: Path) -> None:
    """Two stages, two splits: each SARIF result carries the replacements of its own stage,
    and the parts together make the whole rewrite."""
    import json

    (tmp_path / "package.json").write_text('{"name": "ui"}')
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM node:20 AS ui\nWORKDIR /ui\nCOPY . .\nRUN npm ci\nRUN npm run build\n\n"
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'COPY --from=ui /ui/dist /app/static\nCMD ["python", "app.py"]\n'
    )
    log = json.loads(run("--format", "sarif", str(tmp_path / "Dockerfile")).stdout)
    parts = [
        [
            (r["deletedRegion"]["startLine"], r["insertedContent"]["text"])
            for r in result["fixes"][0]["artifactChanges"][0]["replacements"]
        ]
        for result in log["runs"][0]["results"]
    ]
    assert parts == [
        [(3, "COPY package.json package-lock.json ./\nRUN npm ci\n"), (4, "")],
        [(9, "COPY requirements.txt ./\nRUN pip install -r requirements.txt\n"), (10, "")],
    ]


def test_dockerignore_findings_point_at_their_entry_in_the_new_file(tmp_path: Path) -> None:
    """A created .dockerignore: each DFX004 finding names it, at its entry's line."""
    (tmp_path / "package.json").write_text('{"name": "a"}')
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("")
    (tmp_path / "Dockerfile").write_text(
        'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "a.js"]\n'
    )
    result = run("--format", "gnu", "--unsafe-fixes", str(tmp_path / "Dockerfile"))
    ignore = str(tmp_path / ".dockerignore")
    lines = [line for line in result.stdout.decode().splitlines() if "DFX004" in line]
    assert [line.split(": ", 1)[0] for line in lines] == [f"{ignore}:2:1", f"{ignore}:3:1"]
    assert "`node_modules`" in lines[0] and "`.dockerignore` itself" in lines[1]


def _repo_with_docker_folder(tmp_path: Path, dockerfile: str = UNOPTIMIZED) -> Path:
    """A repository whose Dockerfile lives in docker/ and builds from the top."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project(tmp_path)
    (tmp_path / "Dockerfile").unlink()
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(dockerfile)
    return tmp_path / "docker" / "Dockerfile"


def test_a_makefile_build_command_gives_the_build_context(tmp_path: Path) -> None:
    dockerfile = _repo_with_docker_folder(tmp_path)
    (tmp_path / "Makefile").write_text(
        "image:\n\tdocker buildx build $(if $(PUSH),--push) -t app:$(VERSION) \\\n"
        "\t\t--build-arg V=1 -f docker/Dockerfile .\n"
    )
    for args in ([str(tmp_path)], [str(dockerfile)]):
        result = run("--check", *args)
        assert result.returncode == 1, result.stderr
        assert b"1 file would be rewritten" in result.stderr
        assert b"the build context is taken to be" not in result.stderr


def test_a_workflow_gives_the_build_context(tmp_path: Path) -> None:
    dockerfile = _repo_with_docker_folder(tmp_path)
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "image.yml").write_text(
        "jobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n"
        "          file: docker/Dockerfile\n"
    )
    result = run("--check", str(dockerfile))
    assert result.returncode == 1, result.stderr
    assert b"the build context is taken to be" not in result.stderr


def test_the_folder_that_holds_the_copy_sources_is_the_build_context(tmp_path: Path) -> None:
    dockerfile = _repo_with_docker_folder(
        tmp_path, UNOPTIMIZED.replace("COPY . .", "COPY requirements.txt app.py ./")
    )
    result = run("--check", str(dockerfile))
    # The context is the top, where both files are: the copy sends the manifest with the
    # program's source, and the install moves between requirements.txt and app.py.
    assert result.returncode == 1, result.stderr
    assert b"1 file would be rewritten" in result.stderr
    assert (
        f"the build context is taken to be {tmp_path.resolve()}, which holds the files its "
        "COPY instructions send".encode()
    ) in result.stderr
    # Quiet: no note. An explicit --context: no guess.
    assert b"taken to be" not in run("--check", "-q", str(dockerfile)).stderr
    explicit = run("--check", "--context", str(tmp_path / "docker"), str(dockerfile))
    assert b"taken to be" not in explicit.stderr


def test_a_docker_folder_without_evidence_stays_the_build_context(tmp_path: Path) -> None:
    # `COPY . .` sends whatever the context holds: nothing says the top is meant.
    dockerfile = _repo_with_docker_folder(tmp_path)
    result = run("--check", str(dockerfile))
    assert result.returncode == 0, result.stderr
    assert b"taken to be" not in result.stderr
