"""The safety check refuses rewrites that could change the image, and accepts sound ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.model.context import BuildContext
from dockerfix.pipeline.safe_mode import verify_rewrite
from dockerfix.syntax import parse

BASE = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    'CMD ["python", "main.py"]\n'
)


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "main.py").write_text("print(1)\n")
    (tmp_path / "setup.sh").write_text("echo\n")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "package.json").write_text("{}\n")
    (tmp_path / "web" / "index.js").write_text("1\n")
    return BuildContext.load(tmp_path)


@pytest.mark.parametrize(
    ("original", "rewritten"),
    [
        (BASE, BASE),
        (
            BASE,
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\n"
            "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
            'CMD ["python", "main.py"]\n',
        ),
        (
            "FROM debian:12\nWORKDIR /src\nCOPY . .\nRUN apt-get update\n",
            "FROM debian:12\nWORKDIR /src\nRUN apt-get update\nCOPY . .\n",
        ),
        (
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd web && npm install\n",
            "FROM node:20\nWORKDIR /app\nCOPY web/package.json web/\nRUN cd web && npm install\n"
            "COPY . .\n",
        ),
    ],
    ids=["unchanged", "split", "independent-move", "split-creates-the-folder"],
)
def test_sound_rewrites_pass(ctx: BuildContext, original: str, rewritten: str) -> None:
    assert verify_rewrite(parse(original), rewritten, ctx) == []


@pytest.mark.parametrize(
    ("original", "rewritten", "problem"),
    [
        (BASE, BASE.replace("CMD [", "CMD  ["), "an instruction was lost or changed"),
        (BASE, "# escape=`\n" + BASE, "parser directives changed"),
        (BASE, BASE.replace("python:3.12-slim", "python:3.11-slim"), "the stages changed"),
        (BASE, BASE + "RUN <<EOF\n", "does not parse"),
        (
            "FROM a\nWORKDIR /app\nCOPY . .\nRUN sh setup.sh\n",
            "FROM a\nWORKDIR /app\nRUN sh setup.sh\nCOPY . .\n",
            "must stay after `COPY . .`",
        ),
        (
            "FROM a\nWORKDIR /app\nENV MODE=prod\nRUN apt-get update\n",
            "FROM a\nWORKDIR /app\nRUN apt-get update\nENV MODE=prod\n",
            "would run in a different state",
        ),
        (
            "FROM a\nWORKDIR /app\nCOPY . .\nWORKDIR /srv\n",
            "FROM a\nWORKDIR /app\nWORKDIR /srv\nCOPY . .\n",
            "would run in a different state",
        ),
        (
            'FROM a\nLABEL a=1\nLABEL a=2\nCMD ["x"]\n',
            'FROM a\nLABEL a=2\nLABEL a=1\nCMD ["x"]\n',
            "metadata instructions changed order",
        ),
        (
            BASE,
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCOPY requirements.txt ./\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
            'CMD ["python", "main.py"]\n',
            "is not copied again identically later",
        ),
        (
            "FROM a\nWORKDIR /app\nCOPY . .\nRUN cd web && pip install flask\n",
            "FROM a\nWORKDIR /app\nRUN cd web && pip install flask\nCOPY . .\n",
            "(folder: /app/web)",
        ),
    ],
    ids=[
        "text-changed",
        "directive-added",
        "base-changed",
        "unparsable",
        "reader-above-copy",
        "run-above-env",
        "copy-below-workdir",
        "metadata-swapped",
        "insert-not-recopied",
        "cd-above-the-copy-creating-its-folder",
    ],
)
def test_unsound_rewrites_are_refused(
    ctx: BuildContext, original: str, rewritten: str, problem: str
) -> None:
    problems = verify_rewrite(parse(original), rewritten, ctx)
    assert problems, "the check accepted an unsound rewrite"
    assert problem in problems[0]


GO_BUILD = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENV X=1\nRUN go build -o /app .\n"
GO_PREFETCHED = (
    "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
    "COPY . .\nENV X=1\nRUN go build -o /app .\n"
)
NPM_CHAIN = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
NPM_SPLIT = (
    "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n"
)


@pytest.fixture
def go_ctx(tmp_path: Path) -> BuildContext:
    for name, text in {
        "go.mod": "module x\n",
        "go.sum": "",
        "main.go": "package main\n",
        "package.json": '{"name": "x", "scripts": {"build": "tsc"}}',
    }.items():
        (tmp_path / name).write_text(text)
    return BuildContext.load(tmp_path)


def test_an_added_run_is_refused_unless_planned(go_ctx: BuildContext) -> None:
    from dockerfix.pipeline.plan import PlannedRun

    original = GO_BUILD.replace("ENV X=1\n", "")
    rewritten = GO_PREFETCHED.replace("ENV X=1\n", "")
    assert verify_rewrite(parse(original), rewritten, go_ctx) != []
    planned = [PlannedRun("RUN go mod download", "RUN go build -o /app .")]
    assert verify_rewrite(parse(original), rewritten, go_ctx, planned=planned) == []
    other = [PlannedRun("RUN go mod tidy", "RUN go build -o /app .")]
    assert verify_rewrite(parse(original), rewritten, go_ctx, planned=other) != []


def test_an_added_run_must_run_in_the_state_of_its_build(go_ctx: BuildContext) -> None:
    from dockerfix.pipeline.plan import PlannedRun

    planned = [PlannedRun("RUN go mod download", "RUN go build -o /app .")]
    problems = verify_rewrite(parse(GO_BUILD), GO_PREFETCHED, go_ctx, planned=planned)
    assert problems and "different state" in problems[0]


def test_a_split_chain_is_accepted_only_as_the_same_commands(go_ctx: BuildContext) -> None:
    from dockerfix.pipeline.plan import PlannedRun

    planned = [PlannedRun("RUN npm ci", "RUN npm ci && npm run build", "RUN npm run build")]
    assert verify_rewrite(parse(NPM_CHAIN), NPM_SPLIT, go_ctx, planned=planned) == []
    assert verify_rewrite(parse(NPM_CHAIN), NPM_SPLIT, go_ctx) != []
    changed = NPM_SPLIT.replace("RUN npm run build", "RUN npm run lint")
    wrong = [PlannedRun("RUN npm ci", "RUN npm ci && npm run build", "RUN npm run lint")]
    assert verify_rewrite(parse(NPM_CHAIN), changed, go_ctx, planned=wrong) != []


def test_an_arg_moves_above_the_copy_only_with_its_planned_run(go_ctx: BuildContext) -> None:
    from dockerfix.pipeline.plan import PlannedRun

    original = "FROM golang:1.22\nCOPY . /src\nWORKDIR /src\nARG GOPROXY\nRUN go build -o /app .\n"
    rewritten = (
        "FROM golang:1.22\nARG GOPROXY\nCOPY go.mod go.sum /src/\n"
        "RUN cd /src && go mod download\nCOPY . /src\nWORKDIR /src\nRUN go build -o /app .\n"
    )
    run = PlannedRun("RUN cd /src && go mod download", "RUN go build -o /app .")
    moved = PlannedRun(run.text, run.anchor, args=("ARG GOPROXY",))
    problems = verify_rewrite(parse(original), rewritten, go_ctx, planned=[run])
    assert problems and "metadata instructions changed order" in problems[0]
    assert verify_rewrite(parse(original), rewritten, go_ctx, planned=[moved]) == []
    # Only the ARG it names: another one moved as well is still refused.
    two = original.replace("ARG GOPROXY\n", "ARG GOPROXY\nARG GOFLAGS\n")
    both = rewritten.replace("ARG GOPROXY\n", "ARG GOPROXY\nARG GOFLAGS\n")
    problems = verify_rewrite(parse(two), both, go_ctx, planned=[moved])
    assert problems and "metadata instructions changed order" in problems[0]


def test_an_added_run_may_cd_to_its_module_only_as_planned(tmp_path: Path) -> None:
    from dockerfix.pipeline.plan import PlannedRun

    (tmp_path / "cmd" / "api").mkdir(parents=True)
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.22\n\nrequire github.com/a/b v1.0.0\n")
    (tmp_path / "go.sum").write_text("")
    (tmp_path / "cmd" / "api" / "main.go").write_text("package main\n")
    ctx = BuildContext.load(tmp_path)
    original = "FROM golang:1.22\nCOPY . /src\nWORKDIR /src/cmd/api\nRUN go build -o /app .\n"
    rewritten = (
        "FROM golang:1.22\nCOPY go.mod go.sum /src/\nRUN cd /src && go mod download\n"
        "COPY . /src\nWORKDIR /src/cmd/api\nRUN go build -o /app .\n"
    )
    run = PlannedRun("RUN cd /src && go mod download", "RUN go build -o /app .")
    assert verify_rewrite(parse(original), rewritten, ctx, planned=[run]) != []
    there = PlannedRun(run.text, run.anchor, cwd="/src")
    assert verify_rewrite(parse(original), rewritten, ctx, planned=[there]) == []
