"""The GitHub Action: changed-file discovery, PR line ranges, the review payload, action.yml."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from dockerfix.integrations import ghaction
from dockerfix.integrations.ghaction import (
    MARKER,
    added_ranges,
    build_review,
    changed_dockerfiles,
    drop_posted,
    fold_comments,
    pr_added_lines,
    reviewdog_commands,
)

ROOT = Path(__file__).resolve().parents[2]
DOCKERFIX = str(Path(sys.executable).parent / "dockerfix")

PY_FINE = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
    'RUN pip install -r requirements.txt\nCOPY app.py ./\nCMD ["python", "app.py"]\n'
)
# The pull request replaces the manifest copy with `COPY . .`: lines 3-4 are in its diff.
PY_PR_BROAD_COPY = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
    'RUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n'
)
PY_UNOPTIMIZED = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
    'RUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'
)
WORKER = 'FROM alpine:3.20\nRUN apk add --no-cache curl\nCMD ["curl", "--version"]\n'
WORKER_PR = 'FROM alpine:3.20\nRUN apk add --no-cache curl jq\nCMD ["curl", "--version"]\n'
WEB = 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "index.js"]\n'
PACKAGE_JSON = '{"name": "web", "scripts": {"postinstall": "node scripts/setup.js"}}\n'

BASE_TREE = {
    "requirements.txt": "flask\n",
    "app.py": "print('hi')\n",
    ".dockerignore": ".git\n.dockerignore\n",
    "Dockerfile": PY_FINE,
    "worker/Dockerfile": WORKER,
    "web/Dockerfile": WEB,
    "web/package.json": PACKAGE_JSON,
    "web/package-lock.json": '{"lockfileVersion": 3}\n',
    "web/scripts/setup.js": "console.log('setup')\n",
    "docs/Dockerfile.md": "# notes\n",
}

SPLIT_MESSAGE = (
    "**dockerfix DFX002**: copy requirements.txt before "
    "`RUN pip install --no-cache-dir -r requirements.txt` so that source edits do not rerun it"
)
SPLIT_MESSAGE_PLAIN = SPLIT_MESSAGE.replace("--no-cache-dir ", "")
SUMMARY = (
    "**dockerfix** reviewed the Dockerfiles this pull request changes: {}. Each rewrite builds "
    "the same image, and after a source edit fewer of its steps rerun."
)


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def _write(repo: Path, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def make_pr(tmp_path: Path, base: dict[str, str], head: dict[str, str | None]) -> Path:
    """A repository with ``base`` on main and ``head``'s edits on the checked-out branch pr."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "t")
    _write(repo, dict(base))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "checkout", "-qb", "pr")
    _write(repo, head)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "head")
    return repo


def run_action(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_REPOSITORY")}
    return subprocess.run(
        [sys.executable, "-m", "dockerfix.integrations.ghaction", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=dict(env, PYTHONPATH=str(ROOT)),
        timeout=120,
        check=False,
    )


# --- end to end: python -m dockerfix.integrations.ghaction --dry-run -----------------------------------------


def test_dry_run_suggests_the_rewrite_on_lines_the_pr_changed(tmp_path: Path) -> None:
    head = {
        "Dockerfile": PY_PR_BROAD_COPY,
        "worker/Dockerfile": WORKER_PR,
        "web/Dockerfile": WEB.replace("node:20", "node:22"),
        "app.py": "print('hello')\n",
    }
    repo = make_pr(tmp_path, BASE_TREE, head)
    result = run_action(repo, "--dry-run", "--base", "main", "--head", "pr")
    assert result.returncode == 0, result.stderr
    web_note = (
        "- `web/Dockerfile` line 4: DFX002: `RUN npm ci` reruns after every source edit; not "
        "split: package.json has a postinstall script: npm install runs it and it may read any file"
    )
    assert json.loads(result.stdout) == {
        "commit_id": _git(repo, "rev-parse", "pr"),
        "event": "COMMENT",
        "body": f"{SUMMARY.format('1 suggestion, 0 other comments')}\n\n"
        f"Not rewritten:\n\n{web_note}\n\n{MARKER}",
        "comments": [
            {
                "path": "Dockerfile",
                "start_line": 3,
                "line": 4,
                "side": "RIGHT",
                "start_side": "RIGHT",
                "body": f"{SPLIT_MESSAGE}\n\n```suggestion\nCOPY requirements.txt ./\n"
                "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n```",
            }
        ],
    }


def test_dry_run_hunk_outside_the_pr_diff_becomes_a_plain_comment(tmp_path: Path) -> None:
    base = {**BASE_TREE, "Dockerfile": PY_UNOPTIMIZED}
    # Only the RUN line (4) changes; the rewrite also replaces line 3, which the PR leaves alone.
    repo = make_pr(tmp_path, base, {"Dockerfile": PY_PR_BROAD_COPY})
    result = run_action(repo, "--dry-run", "--base", "main", "--head", "pr")
    assert result.returncode == 0, result.stderr
    diff = (
        "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,5 +1,6 @@\n FROM python:3.12-slim\n"
        " WORKDIR /app\n+COPY requirements.txt ./\n"
        "+RUN pip install --no-cache-dir -r requirements.txt\n COPY . .\n"
        '-RUN pip install --no-cache-dir -r requirements.txt\n CMD ["python", "app.py"]\n'
    )
    assert json.loads(result.stdout) == {
        "commit_id": _git(repo, "rev-parse", "pr"),
        "event": "COMMENT",
        "body": f"{SUMMARY.format('0 suggestions, 1 other comment')}\n\n{MARKER}",
        "comments": [
            {
                "path": "Dockerfile",
                "line": 4,
                "side": "RIGHT",
                "body": f"{SPLIT_MESSAGE}\n\nThis rewrite also changes lines outside this pull "
                "request's changes, so it cannot be offered as a suggestion. Apply it with "
                f"`dockerfix --write Dockerfile`, or apply this diff:\n\n```diff\n{diff}```",
            }
        ],
    }


@pytest.mark.parametrize(
    ("head", "stderr"),
    [
        ({"worker/Dockerfile": WORKER_PR}, "dockerfix: nothing to suggest\n"),
        ({"app.py": "print(2)\n"}, "dockerfix: no Dockerfile changed in this pull request\n"),
        (
            {"docs/Dockerfile.md": "# more\n"},
            "dockerfix: no Dockerfile changed in this pull request\n",
        ),
        # A Dockerfile the pull request deletes has nothing left to review.
        ({"Dockerfile": None}, "dockerfix: no Dockerfile changed in this pull request\n"),
    ],
    ids=["fine-dockerfile", "no-dockerfile", "markdown-named-like-one", "deleted"],
)
def test_dry_run_posts_nothing_without_findings(
    tmp_path: Path, head: dict[str, str | None], stderr: str
) -> None:
    repo = make_pr(tmp_path, {**BASE_TREE, "web/Dockerfile": WORKER}, head)
    result = run_action(repo, "--dry-run", "--base", "main", "--head", "pr")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", stderr)


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (["--base", "main", "--head", "main"], "the checkout is not the pull request head"),
        (["--base", "main", "--head", "pr"], "GITHUB_TOKEN and GITHUB_REPOSITORY must be set"),
        (["--base", "nosuch", "--head", "pr"], "no merge base of nosuch and"),
    ],
    ids=["head-not-checked-out", "no-token", "no-base"],
)
def test_errors_are_one_line_and_exit_2(tmp_path: Path, args: list[str], stderr: str) -> None:
    repo = make_pr(tmp_path, BASE_TREE, {"Dockerfile": PY_PR_BROAD_COPY})
    result = run_action(repo, *args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"dockerfix: error: {stderr}"), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_reviewdog_mode_dry_run_prints_the_pipe(tmp_path: Path) -> None:
    head = {"Dockerfile": PY_PR_BROAD_COPY, "web/Dockerfile": WEB.replace("node:20", "node:22")}
    repo = make_pr(tmp_path, BASE_TREE, head)
    result = run_action(
        repo, "--dry-run", "--mode", "reviewdog", "--base", "main", "--head", "pr",
        "--dockerfix", "/opt/df/bin/dockerfix", "--dockerfix-args", "--ignore DFX004",
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (
        0,
        "/opt/df/bin/dockerfix --format rdjson --quiet --ignore DFX004 -- Dockerfile "
        "web/Dockerfile | reviewdog -f=rdjson -name=dockerfix -reporter=github-pr-review "
        "-filter-mode=added\n",
    )


# --- git helpers --------------------------------------------------------------------------------


def test_changed_dockerfiles_keeps_added_modified_renamed(tmp_path: Path) -> None:
    head: dict[str, str | None] = {
        "Dockerfile": PY_PR_BROAD_COPY,  # modified
        "worker/Dockerfile": None,  # deleted
        "worker/Containerfile": WORKER,  # ... and renamed
        "api/build.Dockerfile": WORKER,  # added
        "web/Dockerfile": None,  # deleted
        "docs/Dockerfile.md": "# more\n",  # not a Dockerfile
        "app.py": "print(2)\n",
    }
    repo = make_pr(tmp_path, BASE_TREE, head)
    assert changed_dockerfiles("main", "pr", repo) == [
        "Dockerfile",
        "api/build.Dockerfile",
        "worker/Containerfile",
    ]


@pytest.mark.parametrize(
    ("head", "path", "expected"),
    [
        ({"Dockerfile": PY_PR_BROAD_COPY}, "Dockerfile", [(3, 4)]),
        ({"Dockerfile": PY_FINE.replace("3.12", "3.13")}, "Dockerfile", [(1, 1)]),
        ({"Dockerfile": PY_FINE.replace("COPY app.py ./\n", "")}, "Dockerfile", []),
        ({"Dockerfile": "# build\n" + PY_FINE + "USER app\n"}, "Dockerfile", [(1, 1), (8, 8)]),
        ({"new.Dockerfile": WORKER}, "new.Dockerfile", [(1, 3)]),
        # Renamed with one edit: only the edit counts, as in GitHub's view of the rename.
        ({"worker/Dockerfile": None, "worker/Containerfile": WORKER_PR},
         "worker/Containerfile", [(2, 2)]),
        ({"Dockerfile": PY_PR_BROAD_COPY}, "worker/Dockerfile", []),
    ],
    ids=["two-lines", "first-line", "deletion-only", "two-ranges", "new-file", "renamed",
         "untouched"],
)  # fmt: skip
def test_pr_added_lines(
    tmp_path: Path, head: dict[str, str | None], path: str, expected: list[tuple[int, int]]
) -> None:
    repo = make_pr(tmp_path, BASE_TREE, head)
    assert pr_added_lines("main", "pr", path, repo) == expected


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        ("+++ b/Dockerfile\n@@ -3 +3 @@\n-a\n+b\n", [(3, 3)]),
        ("+++ b/Dockerfile\n@@ -3,2 +3,0 @@\n-a\n-b\n@@ -9,0 +8,3 @@\n", [(8, 10)]),
        ("+++ b/other\n@@ -1 +1 @@\n", []),
        ("+++ /dev/null\n@@ -1 +0,0 @@\n", []),
    ],
    ids=["count-omitted", "zero-count-skipped", "other-file", "deleted-file"],
)
def test_added_ranges(diff: str, expected: list[tuple[int, int]]) -> None:
    assert added_ranges(diff, "Dockerfile") == expected


# --- build_review: pure -------------------------------------------------------------------------


def _doc(*files: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "tool": {"name": "dockerfix", "version": "0"}, "files": list(files)}


def _entry(diff: str, path: str = "Dockerfile", fixes: Any = None) -> dict[str, Any]:
    fixes = fixes if fixes is not None else [_fix(1)]
    return {"path": path, "changed": bool(diff), "error": None, "fixes": fixes, "diff": diff}


def _fix(line: int, tier: str = "safe", applied: bool = True, code: str = "DFX001") -> Any:
    return {"code": code, "message": f"m{line}", "line": line, "tier": tier,
            "applied": applied, "reason": None}  # fmt: skip


def _diff(*hunks: str) -> str:
    return "--- a/Dockerfile\n+++ b/Dockerfile\n" + "".join(hunks)


INSERT_AT_3 = _diff("@@ -1,4 +1,5 @@\n a\n b\n+new\n c\n d\n")
INSERT_AT_1 = _diff("@@ -1,2 +1,3 @@\n+new\n a\n b\n")
DELETE_2 = _diff("@@ -1,3 +1,2 @@\n a\n-b\n c\n")
MOVE_FAR = _diff("@@ -1,3 +1,4 @@\n a\n+x\n b\n c\n", "@@ -10,3 +11,2 @@\n i\n-x\n j\n")
CRLF = _diff("@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\f d\r\n")
FENCED = _diff("@@ -1,2 +1,2 @@\n a\n-RUN echo ```\n+RUN echo ````x\n")


@pytest.mark.parametrize(
    ("diff", "ranges", "expected"),
    [
        # Insertion: anchored on the line above, repeating it ...
        (INSERT_AT_3, [(2, 2)], [{"line": 2, "body": "m1\n\n```suggestion\nb\nnew\n```"}]),
        # ... or on the line below when only that one is in the PR.
        (INSERT_AT_3, [(3, 3)], [{"line": 3, "body": "m1\n\n```suggestion\nnew\nc\n```"}]),
        (INSERT_AT_1, [(1, 2)], [{"line": 1, "body": "m1\n\n```suggestion\nnew\na\n```"}]),
        # Deletion: an empty suggestion removes the line.
        (DELETE_2, [(1, 3)], [{"line": 2, "body": "m1\n\n```suggestion\n```"}]),
        # CR dropped; a form feed inside a line is no line break.
        (CRLF, [(2, 2)], [{"line": 2, "body": "m1\n\n```suggestion\nc\f d\n```"}]),
        (FENCED, [(2, 2)], [{"line": 2, "body": "m1\n\n`````suggestion\nRUN echo ````x\n`````"}]),
        (
            MOVE_FAR,
            [(1, 1), (11, 11)],
            [
                {"line": 1, "body": "m1\n\n```suggestion\na\nx\n```\n\nPart 1 of 2 of this "
                 "file's rewrite: apply all 2 together (Add suggestion to batch); applying "
                 "only some of them can change the image."},
                {"line": 11, "body": "m1\n\n```suggestion\n```\n\nPart 2 of 2 of this file's "
                 "rewrite: apply all 2 together (Add suggestion to batch); applying only some "
                 "of them can change the image."},
            ],
        ),
    ],
    ids=["insert-above", "insert-below", "insert-at-top", "delete", "crlf", "backticks",
         "two-parts"],
)  # fmt: skip
def test_build_review_suggestions(
    diff: str, ranges: list[tuple[int, int]], expected: list[dict[str, Any]]
) -> None:
    review = build_review(_doc(_entry(diff)), {"Dockerfile": ranges}, "abc")
    got = [{"line": c["line"], "body": c["body"].replace("**dockerfix DFX001**: ", "")}
           for c in review["comments"]]  # fmt: skip
    assert got == expected
    assert all("start_line" not in c for c in review["comments"])


@pytest.mark.parametrize(
    ("diff", "ranges", "anchor"),
    [
        (INSERT_AT_3, [(5, 7)], 5),  # neither neighbour is in the PR: nearest PR line
        (DELETE_2, [(3, 3)], 3),
        (MOVE_FAR, [(1, 1)], 1),  # one part fits, the other not: the whole file as one diff
    ],
    ids=["insert-elsewhere", "delete-outside", "half-a-move"],
)
def test_build_review_plain_comment_with_the_whole_diff(
    diff: str, ranges: list[tuple[int, int]], anchor: int
) -> None:
    review = build_review(_doc(_entry(diff)), {"Dockerfile": ranges}, "abc")
    assert [(c["line"], c["body"].endswith(f"```diff\n{diff}```")) for c in review["comments"]] == [
        (anchor, True)
    ]
    assert "```suggestion" not in review["comments"][0]["body"]


def test_build_review_files_outside_the_pr_go_into_the_body() -> None:
    ignore = "--- a/.dockerignore\n+++ b/.dockerignore\n@@ -0,0 +1 @@\n+.git\n"
    review = build_review(_doc(_entry(ignore, ".dockerignore")), {".dockerignore": []}, "abc")
    assert review == {
        "commit_id": "abc",
        "event": "COMMENT",
        "body": f"{SUMMARY.format('0 suggestions, 0 other comments')}\n\n"
        "Changes to files this pull request does not change:\n\n"
        f"`.dockerignore`:\n\n```diff\n{ignore}```\n\n{MARKER}",
        "comments": [],
    }


@pytest.mark.parametrize(
    ("doc", "notes"),
    [
        (_doc(_entry("", fixes=[_fix(4, "display-only", False, "DFX002")])),
         ["- `Dockerfile` line 4: DFX002: m4"]),
        (_doc(_entry("", fixes=[_fix(2, "unsafe", False, "DFX003")])),
         ["- `Dockerfile` line 2: DFX003: m2 (an unsafe fix: `--unsafe-fixes` applies it)"]),
        (_doc(_entry("", fixes=[{**_fix(2, "unsafe", False), "message": "x; --unsafe-fixes y"}])),
         ["- `Dockerfile` line 2: DFX001: x; --unsafe-fixes y"]),  # no second hint
        ({**_doc(), "errors": ["bad/Dockerfile:3: unterminated heredoc"]},
         ["- not checked: bad/Dockerfile:3: unterminated heredoc"]),
    ],
    ids=["display-only", "unsafe-held-back", "unsafe-says-so", "unreadable"],
)  # fmt: skip
def test_build_review_notes_in_the_body(doc: dict[str, Any], notes: list[str]) -> None:
    review = build_review(json.dumps(doc), {}, "abc")
    expected = f"{SUMMARY.format('0 suggestions, 0 other comments')}\n\nNot rewritten:\n\n"
    assert review["body"] == expected + "\n".join(notes) + f"\n\n{MARKER}"
    assert review["comments"] == []


@pytest.mark.parametrize(
    "doc",
    [_doc(), _doc(_entry("", fixes=[])), _doc(_entry("", fixes=[_fix(1, "safe", True)]))],
    ids=["no-files", "no-fixes", "applied-without-diff"],
)
def test_build_review_nothing_to_say(doc: dict[str, Any]) -> None:
    assert build_review(doc, {"Dockerfile": [(1, 9)]}, "abc") == {
        "commit_id": "abc", "event": "COMMENT", "body": "", "comments": [],
    }  # fmt: skip


# --- posting helpers: pure ----------------------------------------------------------------------

COMMENT_A = {"path": "Dockerfile", "line": 4, "side": "RIGHT", "body": "a"}
COMMENT_B = {"path": "Dockerfile", "line": 9, "side": "RIGHT", "body": "b"}


@pytest.mark.parametrize(
    ("comments", "posted", "bodies", "expected"),
    [
        ([COMMENT_A, COMMENT_B], [], [], [COMMENT_A, COMMENT_B]),
        ([COMMENT_A, COMMENT_B], [{**COMMENT_A, "id": 7}], [], [COMMENT_B]),
        ([COMMENT_A], [{**COMMENT_A, "id": 7}], [], None),
        ([COMMENT_A], [{**COMMENT_A, "line": 5}], [], [COMMENT_A]),  # same text, other line
        ([], [], ["S"], None),  # a body-only review posted before
        ([], [], ["other"], []),
    ],
    ids=["fresh", "one-seen", "all-seen", "moved", "body-seen", "body-new"],
)
def test_drop_posted(
    comments: list[dict[str, Any]],
    posted: list[dict[str, Any]],
    bodies: list[str],
    expected: list[dict[str, Any]] | None,
) -> None:
    review = {"commit_id": "c", "event": "COMMENT", "body": "S", "comments": comments}
    result = drop_posted(review, posted, bodies)
    assert (result if result is None else result["comments"]) == expected


def test_fold_comments_moves_line_comments_into_the_body() -> None:
    multi = {**COMMENT_B, "start_line": 7, "start_side": "RIGHT"}
    review = {"commit_id": "c", "event": "COMMENT", "body": f"S\n\n{MARKER}",
              "comments": [COMMENT_A, multi]}  # fmt: skip
    assert fold_comments(review) == {
        "commit_id": "c",
        "event": "COMMENT",
        "body": f"S\n\n`Dockerfile` line 4:\n\na\n\n`Dockerfile` line 7:\n\nb\n\n{MARKER}",
        "comments": [],
    }


@pytest.mark.parametrize(
    ("extra", "reporter", "expected"),
    [
        ([], "github-pr-review",
         (["df", "--format", "rdjson", "--quiet", "--", "Dockerfile"],
          ["reviewdog", "-f=rdjson", "-name=dockerfix", "-reporter=github-pr-review",
           "-filter-mode=added"])),
        (["--unsafe-fixes"], "github-pr-check",
         (["df", "--format", "rdjson", "--quiet", "--unsafe-fixes", "--", "Dockerfile"],
          ["reviewdog", "-f=rdjson", "-name=dockerfix", "-reporter=github-pr-check",
           "-filter-mode=added"])),
    ],
    ids=["default", "unsafe-check-reporter"],
)  # fmt: skip
def test_reviewdog_commands(
    extra: list[str], reporter: str, expected: tuple[list[str], list[str]]
) -> None:
    assert reviewdog_commands(["df"], ["Dockerfile"], extra, reporter) == expected


# --- action.yml ---------------------------------------------------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def test_action_yml_inputs() -> None:
    inputs = {name: spec["default"] for name, spec in ACTION["inputs"].items()}
    assert inputs == {
        "github-token": "${{ github.token }}",
        "mode": "review",
        "version": "",
        "args": "",
        "python-version": "3.12",
        "reviewdog-reporter": "github-pr-review",
        "dry-run": "false",
    }
    assert all(spec["description"] and not spec["required"] for spec in ACTION["inputs"].values())


def test_action_yml_steps() -> None:
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    assert [s["name"] for s in steps] == [
        "Set up Python",
        "Install dockerfix",
        "Review the pull request",
    ]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert all(s["shell"] == "bash" for s in steps[1:])
    assert '"$venv/bin/pip" install' in steps[1]["run"] and '"$ACTION_PATH"' in steps[1]["run"]
    assert steps[2]["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert steps[2]["env"]["HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}"
    assert steps[2]["env"]["GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    # No input is pasted into a script (injection): they all arrive through env.
    assert all("${{" not in s["run"] for s in steps[1:])


def test_action_review_step_runs_the_module(tmp_path: Path) -> None:
    """The step's script itself, with the env the runner would give it, in dry-run mode."""
    repo = make_pr(tmp_path, BASE_TREE, {"Dockerfile": PY_PR_BROAD_COPY})
    step = ACTION["runs"]["steps"][2]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BASE_SHA": _git(repo, "rev-parse", "main"),
        "HEAD_SHA": _git(repo, "rev-parse", "pr"),
        "PYTHON": sys.executable,
        "DOCKERFIX": DOCKERFIX,
        "MODE": "review",
        "ARGS": "--select DFX002",
        "REPORTER": "github-pr-review",
        "DRY_RUN": "true",
    }
    result = subprocess.run(
        ["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    review = json.loads(result.stdout)
    assert [(c["start_line"], c["line"]) for c in review["comments"]] == [(3, 4)]


def test_main_in_process_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_pr(tmp_path, BASE_TREE, {"Dockerfile": PY_PR_BROAD_COPY})
    monkeypatch.chdir(repo)
    code = ghaction.main(["--dry-run", "--base", "main", "--head", "pr", "--dockerfix", DOCKERFIX])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["comments"][0]["path"] == "Dockerfile"


# --- posting, against a local stand-in for the GitHub API ---------------------------------------


class FakeGitHub(http.server.BaseHTTPRequestHandler):
    """Answers the three calls the action makes; records what it was sent."""

    posted_comments: ClassVar[list[dict[str, Any]]] = []
    refuse_lines: ClassVar[bool] = False
    requests: ClassVar[list[tuple[str, str, Any]]] = []

    def do_GET(self) -> None:
        self.requests.append(("GET", self.path, None))
        answer = self.posted_comments if "/comments" in self.path else []
        self._reply(200, answer)

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(("POST", self.path, payload))
        refused = self.refuse_lines and payload["comments"]
        self._reply(422 if refused else 200, {"message": "line must be part of the diff"})

    def _reply(self, status: int, answer: Any) -> None:
        assert self.headers["Authorization"] == "Bearer t0ken"
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("refuse_lines", "already_posted", "posts"),
    [
        (False, False, [1]),  # the review, with its one line comment
        (True, False, [1, 0]),  # refused (422): again, the comment folded into the body
        (False, True, []),  # posted before: nothing new to say
    ],
    ids=["posted", "folded-after-422", "not-repeated"],
)
def test_post_review(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refuse_lines: bool,
    already_posted: bool,
    posts: list[int],
) -> None:
    repo = make_pr(tmp_path, BASE_TREE, {"Dockerfile": PY_PR_BROAD_COPY})
    monkeypatch.chdir(repo)
    review = build_review(
        ghaction.run_dockerfix([DOCKERFIX], ["Dockerfile"], [], repo),
        {"Dockerfile": [(3, 4)]},
        "sha",
    )
    FakeGitHub.requests = []
    FakeGitHub.refuse_lines = refuse_lines
    FakeGitHub.posted_comments = review["comments"] if already_posted else []
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
        monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
        monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_port}")
        code = ghaction.main(
            ["--base", "main", "--head", "pr", "--pr", "7", "--dockerfix", DOCKERFIX]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0
    sent = [
        (path, len(body["comments"])) for verb, path, body in FakeGitHub.requests if verb == "POST"
    ]
    assert sent == [("/repos/o/r/pulls/7/reviews", n) for n in posts]
    if refuse_lines:
        assert "```suggestion" in FakeGitHub.requests[-1][2]["body"]


def test_action_review_step_takes_the_documented_args_verbatim(tmp_path: Path) -> None:
    """`args: --unsafe-fixes` (docs/github-action.md) starts with a dash: it must reach the
    module as the value of --dockerfix-args, not as an option of its own."""
    repo = make_pr(tmp_path, BASE_TREE, {"Dockerfile": PY_PR_BROAD_COPY})
    step = ACTION["runs"]["steps"][2]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BASE_SHA": _git(repo, "rev-parse", "main"),
        "HEAD_SHA": _git(repo, "rev-parse", "pr"),
        "PYTHON": sys.executable,
        "DOCKERFIX": DOCKERFIX,
        "MODE": "review",
        "ARGS": "--unsafe-fixes",
        "REPORTER": "github-pr-review",
        "DRY_RUN": "true",
    }
    result = subprocess.run(
        ["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert [c["path"] for c in json.loads(result.stdout)["comments"]][:1] == ["Dockerfile"]
