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
    ],
    ids=["unchanged", "split", "independent-move"],
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
    ],
)
def test_unsound_rewrites_are_refused(
    ctx: BuildContext, original: str, rewritten: str, problem: str
) -> None:
    problems = verify_rewrite(parse(original), rewritten, ctx)
    assert problems, "the check accepted an unsound rewrite"
    assert problem in problems[0]
