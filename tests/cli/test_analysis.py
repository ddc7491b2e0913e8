"""`dockerfix explain` and `dockerfix verify` without builds: outputs, change sets, refusals."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dockerfix.build.compare import default_edit, edit_line, normalize_image, with_label
from dockerfix.cli.main import main

SINGLE = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    'CMD ["python", "app.py"]\n'
)
MULTI = (
    "FROM busybox AS build\n"
    "WORKDIR /src\n"
    "COPY src/ src/\n"
    "RUN cat src/*.sh > /out.sh\n"
    "\n"
    "FROM busybox\n"
    "WORKDIR /app\n"
    "COPY --from=build /out.sh run.sh\n"
    'ENV MODE="prod"\n'
    'CMD ["sh", "run.sh"]\n'
)
STEP_TABLE = """\
{path}: 1 stage(s); context {ctx} (4 files)
A step also reruns whenever its base or any step above it reruns.

stage 0: FROM python:3.12-slim
  line  instruction                                    cost  vol   invalidated by
     2  WORKDIR /app                                    0.0  0.00  -
     3  COPY . .                                        0.2  0.90  \
4 files (.dockerignore, Dockerfile, app.py, ...); after L2
     4  RUN pip install --no-cache-dir -r require...   20.0  0.02  all variables; after L3
     5  CMD ["python", "app.py"]                        0.0  0.00  -
"""
SOURCE_EDIT = """\
change set (explicit, 1 file): app.py
  step                                          current     rewritten
  stage 0
  WORKDIR /app                                  L2 cached   L2 cached
  COPY requirements.txt ./                      -           L3 cached
  RUN pip install --no-cache-dir -r require...  L4 RERUN    L4 cached
  COPY . .                                      L3 RERUN    L5 RERUN
  CMD ["python", "app.py"]                      L5 RERUN    L6 RERUN
reruns: current 3/4 steps (cost 20.2), rewritten 2/5 steps (cost 0.2); \
estimated cost saved: 20.0
"""
DOT = """\
digraph dockerfile {
  rankdir=TB;
  node [shape=box, fontname="monospace", fontsize=10];
  edge [fontsize=9];
  subgraph cluster_0 {
    label="stage 0 (build)";
    n0 [label="L1 FROM busybox AS build", style=filled, fillcolor=lightgrey];
    n1 [label="L2 WORKDIR /src"];
    n2 [label="L3 COPY src/ src/"];
    n3 [label="L4 RUN cat src/*.sh > /out.sh"];
  }
  subgraph cluster_1 {
    label="stage 1";
    n4 [label="L6 FROM busybox", style=filled, fillcolor=lightgrey];
    n5 [label="L7 WORKDIR /app"];
    n6 [label="L8 COPY --from=build /out.sh run.sh"];
    n7 [label="L9 ENV MODE=\\"prod\\""];
    n8 [label="L10 CMD [\\"sh\\", \\"run.sh\\"]"];
  }
  n0 -> n1 [label="base image"];
  n1 -> n2 [label="state: workdir"];
  n2 -> n3 [label="files: /src/src/a.sh"];
  n4 -> n5 [label="base image"];
  n4 -> n7 [label="base image"];
  n4 -> n8 [label="base image"];
  n5 -> n6 [label="files: /app; state: workdir"];
  n3 -> n6 [label="COPY --from", style=dashed];
}
"""
MERMAID = """\
flowchart TD
  subgraph s0["stage 0 (build)"]
    n0["L1 FROM busybox AS build"]
    n1["L2 WORKDIR /src"]
    n2["L3 COPY src/ src/"]
    n3["L4 RUN cat src/*.sh > /out.sh"]
  end
  subgraph s1["stage 1"]
    n4["L6 FROM busybox"]
    n5["L7 WORKDIR /app"]
    n6["L8 COPY --from=build /out.sh run.sh"]
    n7["L9 ENV MODE=#quot;prod#quot;"]
    n8["L10 CMD [#quot;sh#quot;, #quot;run.sh#quot;]"]
  end
  n0 -->|"base image"| n1
  n1 -->|"state: workdir"| n2
  n2 -->|"files: /src/src/a.sh"| n3
  n4 -->|"base image"| n5
  n4 -->|"base image"| n7
  n4 -->|"base image"| n8
  n5 -->|"files: /app; state: workdir"| n6
  n3 -.->|"COPY --from"| n6
"""


def project(root: Path, dockerfile: str = SINGLE) -> Path:
    """A context with a manifest, a source file and an ignored notes folder."""
    (root / "requirements.txt").write_text("flask==3.0.3\n")
    (root / "app.py").write_text("print('hi')\n")
    (root / ".dockerignore").write_text("notes/\n")
    (root / "notes").mkdir()
    (root / "notes" / "todo.md").write_text("later\n")
    (root / "Dockerfile").write_text(dockerfile)
    return root / "Dockerfile"


def multi_project(root: Path) -> Path:
    (root / "src").mkdir()
    (root / "src" / "a.sh").write_text("echo a\n")
    (root / "Dockerfile").write_text(MULTI)
    return root / "Dockerfile"


def explain(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["explain", *args])
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
    )


def test_text_shows_steps_and_the_change_side_by_side(tmp_path: Path) -> None:
    path = project(tmp_path)
    code, out, _ = explain(str(path), "--changed", "app.py")
    assert code == 0
    assert out == STEP_TABLE.format(path=path, ctx=tmp_path) + "\n" + SOURCE_EDIT


def test_text_without_git_or_change_set_says_how_to_give_one(tmp_path: Path) -> None:
    path = project(tmp_path)
    code, out, _ = explain(str(path))
    assert code == 0
    assert out == STEP_TABLE.format(path=path, ctx=tmp_path) + (
        "\nno change set: not a git work tree (use --changed FILE or --since REF)\n"
    )


@pytest.mark.parametrize(
    ("changed", "current", "rewritten", "saved"),
    [
        (["app.py"], [3, 4, 5], [5, 6], 20.0),
        (["requirements.txt"], [3, 4, 5], [3, 4, 5, 6], -0.201),
        (["requirements.txt", "app.py"], [3, 4, 5], [3, 4, 5, 6], -0.201),
        # Ignored by .dockerignore: no step sees it.
        (["notes/todo.md"], [], [], 0.0),
        (["not/there.txt"], [], [], 0.0),
    ],
)
def test_json_reruns_per_change_set(
    tmp_path: Path, changed: list[str], current: list[int], rewritten: list[int], saved: float
) -> None:
    path = project(tmp_path)
    args = [a for name in changed for a in ("--changed", name)]
    code, out, _ = explain(str(path), *args, "--format", "json")
    assert code == 0
    changes = json.loads(out)["changes"]
    assert changes["files"] == sorted(changed)
    assert changes["current"]["rerun_lines"] == current
    assert changes["rewritten"]["rerun_lines"] == rewritten
    assert changes["cost_saved"] == saved


def test_json_describes_each_step(tmp_path: Path) -> None:
    path = project(tmp_path)
    code, out, _ = explain(str(path), "--changed", "app.py", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [s["line"] for s in data["stages"][0]["steps"]] == [2, 3, 4, 5]
    copy = data["stages"][0]["steps"][1]
    assert copy == {
        "stage": 0,
        "line": 3,
        "instruction": "COPY . .",
        "kind": "copy-context",
        "context_files": [".dockerignore", "Dockerfile", "app.py", "requirements.txt"],
        "variables": [],
        "stages": [],
        "after": [2],
        "cost": 0.204,
        "volatility": 0.9,
    }
    assert data["changes"]["rows"][1] == {
        "stage": 0,
        "instruction": "COPY requirements.txt ./",
        "current_line": None,
        "current_reruns": None,
        "rewritten_line": 3,
        "rewritten_reruns": False,
    }


@pytest.mark.parametrize(("fmt", "expected"), [("dot", DOT), ("mermaid", MERMAID)])
def test_graph_formats(tmp_path: Path, fmt: str, expected: str) -> None:
    code, out, _ = explain(str(multi_project(tmp_path)), "--format", fmt)
    assert (code, out) == (0, expected)


def test_multistage_change_reaches_the_copy_from(tmp_path: Path) -> None:
    code, out, _ = explain(
        str(multi_project(tmp_path)), "--changed", "src/a.sh", "--format", "json"
    )
    assert code == 0
    changes = json.loads(out)["changes"]
    assert changes["current"]["rerun_lines"] == [3, 4, 8, 9, 10]
    assert changes["current"]["causes"]["8"] == "copies from stage build, which reran"
    assert changes["rewrite_changes_file"] is False


def test_since_a_git_ref_and_the_working_tree(tmp_path: Path) -> None:
    path = project(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first")
    (tmp_path / "app.py").write_text("print('changed')\n")
    git(tmp_path, "commit", "-qam", "edit app")
    code, out, _ = explain(str(path), "--since", "HEAD~1", "--format", "json")
    assert code == 0
    changes = json.loads(out)["changes"]
    assert (changes["source"], changes["files"]) == ("since HEAD~1", ["app.py"])
    assert changes["rewritten"]["rerun_lines"] == [5, 6]
    # Nothing uncommitted yet: the working tree's change set is empty.
    code, out, _ = explain(str(path), "--format", "json")
    assert json.loads(out)["changes"]["files"] == []
    (tmp_path / "requirements.txt").write_text("flask==3.1.0\n")
    (tmp_path / "new.py").write_text("x = 1\n")
    code, out, _ = explain(str(path), "--format", "json")
    changes = json.loads(out)["changes"]
    assert (changes["source"], changes["files"]) == ("working tree", ["new.py", "requirements.txt"])
    assert changes["rewritten"]["rerun_lines"] == [3, 4, 5, 6]


def test_working_tree_paths_are_relative_to_a_context_below_the_top(tmp_path: Path) -> None:
    app = tmp_path / "services" / "app"
    app.mkdir(parents=True)
    path = project(app)
    (tmp_path / "top.txt").write_text("outside the context\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first")
    (app / "app.py").write_text("print('edited')\n")
    (tmp_path / "top.txt").write_text("edited too\n")
    code, out, _ = explain(str(path), "--format", "json")
    assert code == 0
    assert json.loads(out)["changes"]["files"] == ["app.py"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{d}/missing"], "{d}/missing: no such file"),
        (["{d}", "--format", "dot"], "{d}: is a directory, not a Dockerfile"),
        (["{d}/Dockerfile", "--context", "{d}/app.py"], "--context {d}/app.py: not a directory"),
        (
            ["{d}/Dockerfile", "--changed", "app.py", "--since", "HEAD"],
            "--changed and --since cannot be used together",
        ),
        (["{d}/Dockerfile", "--since", "HEAD"], "--since HEAD: {d} is not inside a git work tree"),
        (["{d}/Bad.Dockerfile"], "{d}/Bad.Dockerfile:2: unknown instruction: FETCH"),
        (
            ["{d}/Bad.Dockerfile", "--format", "dot"],
            "{d}/Bad.Dockerfile:2: unknown instruction: FETCH",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    project(tmp_path)
    (tmp_path / "Bad.Dockerfile").write_text("FROM busybox\nFETCH http://x\n")
    code, out, err = explain(*(a.format(d=tmp_path) for a in args))
    assert (code, out, err) == (2, "", f"dockerfix: error: {message.format(d=tmp_path)}\n")


def test_since_an_unknown_ref_is_refused(tmp_path: Path) -> None:
    path = project(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first")
    code, _, err = explain(str(path), "--since", "no-such-ref")
    assert (code, err) == (
        2,
        "dockerfix: error: --since no-such-ref: not a commit in this repository\n",
    )


def test_verify_without_an_engine_is_one_line_with_the_install_hints(tmp_path: Path) -> None:
    path = project(tmp_path)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {"PATH": str(empty_bin), "DOCKER_HOST": f"unix://{tmp_path}/no-daemon.sock"}
    result = CliRunner().invoke(main, ["verify", str(path)], env=env)
    assert result.exit_code == 2
    # /usr/bin/docker is looked for even off PATH: without it, docker "is not installed".
    docker = (
        f"no Docker daemon answers at unix://{tmp_path}/no-daemon.sock (start dockerd; "
        if Path("/usr/bin/docker").is_file()
        else "docker is not installed ("
    )
    assert result.stderr == (
        f"dockerfix: error: {docker}apt-get install docker.io gives dockerd and a client with "
        "BuildKit built in); buildah is not installed or does not run "
        "(install it with: apt-get install buildah)\n"
    )


def test_verify_refuses_bad_input_before_looking_for_an_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "missing")])
    assert (result.exit_code, result.stderr) == (
        2,
        f"dockerfix: error: {tmp_path}/missing: no such file\n",
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["verify", "--help"], "as root"),
        (["verify", "--help"], "--base-images"),
        (["explain", "--help"], "--since"),
        (["--help"], "dockerfix --write"),
    ],
)
def test_subcommands_route_and_document(args: list[str], needle: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert needle in " ".join(result.output.split())


def test_a_plain_path_still_goes_to_the_rewrite(tmp_path: Path) -> None:
    path = project(tmp_path)
    result = CliRunner().invoke(main, [str(path)])
    assert result.exit_code == 0
    assert "+COPY requirements.txt ./" in result.stdout


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("app/main.py", "# dockerfix verify: simulated source edit\n"),
        ("index.js", "// dockerfix verify: simulated source edit\n"),
        ("cmd/server/main.go", "// dockerfix verify: simulated source edit\n"),
        ("site/style.css", "/* dockerfix verify: simulated source edit */\n"),
        ("README.md", "<!-- dockerfix verify: simulated source edit -->\n"),
        ("db/schema.sql", "-- dockerfix verify: simulated source edit\n"),
        ("data.json", "\n"),
        ("Makefile", "\n"),
    ],
)
def test_edit_line_matches_the_file_type(path: str, line: str) -> None:
    assert edit_line(path) == line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM a\nRUN x\n", "FROM a\nLABEL dockerfix.verify=v\nRUN x\n"),
        ("FROM a AS b\r\nRUN x\r\n", "FROM a AS b\r\nLABEL dockerfix.verify=v\r\nRUN x\r\n"),
        (
            "FROM \\\n  a\nFROM b",
            "FROM \\\n  a\nLABEL dockerfix.verify=v\nFROM b\nLABEL dockerfix.verify=v\n",
        ),
        ("# no instructions\n", "# no instructions\n"),
    ],
)
def test_with_label_follows_every_from(text: str, expected: str) -> None:
    assert with_label(text, "v") == expected


@pytest.mark.parametrize(
    ("name", "full"),
    [
        ("python:3.11-slim", "docker.io/library/python:3.11-slim"),
        ("busybox", "docker.io/library/busybox:latest"),
        ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
        ("ghcr.io/org/img", "ghcr.io/org/img:latest"),
        ("localhost:5000/img:1", "localhost:5000/img:1"),
        ("debian@sha256:abc", "docker.io/library/debian@sha256:abc"),
    ],
)
def test_normalize_image(name: str, full: str) -> None:
    assert normalize_image(name) == full


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        (SINGLE, "app.py"),
        # Only manifests are copied: there is no source file to edit.
        ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\n", None),
        ("FROM busybox\nRUN true\n", None),
    ],
)
def test_default_edit_is_a_source_file_of_the_broad_copy(
    tmp_path: Path, dockerfile: str, expected: str | None
) -> None:
    project(tmp_path, dockerfile)
    assert default_edit(dockerfile, dockerfile, tmp_path) == expected


def test_explain_follows_the_configuration_select_and_ignore(tmp_path: Path) -> None:
    # With DFX002 ignored in the project's configuration, dockerfix's rewrite is the file
    # itself, and explain's "rewritten" column must say so (it once used the defaults).
    path = project(tmp_path)
    (tmp_path / ".dockerfix.toml").write_text('ignore = ["DFX002"]\n')
    code, out, _ = explain(str(path), "--changed", "app.py", "--format", "json")
    assert code == 0
    changes = json.loads(out)["changes"]
    assert changes["rewrite_changes_file"] is False
    assert changes["rewritten"]["rerun_lines"] == changes["current"]["rerun_lines"] == [3, 4, 5]
    # And `select` the same way: only DFX001, which has nothing to move here.
    (tmp_path / ".dockerfix.toml").write_text('select = ["DFX001"]\n')
    _, out, _ = explain(str(path), "--changed", "app.py", "--format", "json")
    assert json.loads(out)["changes"]["rewrite_changes_file"] is False
    # The no-op twin: without a configuration the split is what explain predicts.
    (tmp_path / ".dockerfix.toml").unlink()
    _, out, _ = explain(str(path), "--changed", "app.py", "--format", "json")
    assert json.loads(out)["changes"]["rewritten"]["rerun_lines"] == [5, 6]


def test_explain_uses_the_dockerfiles_own_dockerignore(tmp_path: Path) -> None:
    # BuildKit reads `api.Dockerfile.dockerignore` for `api.Dockerfile`, not `.dockerignore`.
    (tmp_path / "app.py").write_text("print()\n")
    (tmp_path / "notes.md").write_text("later\n")
    (tmp_path / "api.Dockerfile.dockerignore").write_text("notes.md\n")
    path = tmp_path / "api.Dockerfile"
    path.write_text("FROM busybox\nWORKDIR /app\nCOPY . .\nRUN wc -l app.py\n")
    code, out, _ = explain(str(path), "--changed", "notes.md", "--format", "json")
    assert code == 0
    assert json.loads(out)["changes"]["current"]["rerun_lines"] == []
    # The no-op twin: a file the Dockerfile's ignore file keeps does rerun the copy.
    _, out, _ = explain(str(path), "--changed", "app.py", "--format", "json")
    assert json.loads(out)["changes"]["current"]["rerun_lines"] == [3, 4]


def test_verify_rewrites_with_the_configuration(tmp_path: Path) -> None:
    from dockerfix.cli.load import load as _load
    from dockerfix.cli.verify import _rewritten_text

    path = project(tmp_path)
    (tmp_path / ".dockerfix.toml").write_text('ignore = ["DFX002"]\n')
    _, analysis = _load(path, None)
    assert _rewritten_text(analysis, None) == path.read_text()
    (tmp_path / ".dockerfix.toml").unlink()
    _, analysis = _load(path, None)
    assert "COPY requirements.txt ./\n" in _rewritten_text(analysis, None)
