"""How a rewrite lays out what it moves: paragraphs (blank-line groups) stay paragraphs."""

from __future__ import annotations

from pathlib import Path

import dockerfix


def _fix(tmp_path: Path, text: str) -> str:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("")
    return dockerfix.fix(text, context=tmp_path, use_git=False).code


def test_a_moved_paragraph_takes_its_blank_line_along(tmp_path: Path) -> None:
    source = (
        "FROM python:3.12\n"
        "WORKDIR /app\n"
        "\n"
        "# The sources\n"
        "COPY . .\n"
        "\n"
        "# Tools\n"
        "RUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]\n'
    )
    assert _fix(tmp_path, source) == (
        "FROM python:3.12\n"
        "WORKDIR /app\n"
        "\n"
        "# Tools\n"
        "RUN apt-get update && apt-get install -y gcc\n"
        "COPY requirements.txt ./\n"
        "RUN pip install -r requirements.txt\n"
        "\n"
        "# The sources\n"
        "COPY . .\n"
        'CMD ["python", "app.py"]\n'
    )


def test_the_blank_line_after_from_stays_there(tmp_path: Path) -> None:
    source = "FROM python:3.12\n\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    assert _fix(tmp_path, source) == (
        "FROM python:3.12\n"
        "\n"
        "WORKDIR /app\n"
        "COPY requirements.txt ./\n"
        "RUN pip install -r requirements.txt\n"
        "COPY . .\n"
    )


def test_an_unchanged_file_keeps_every_blank_line(tmp_path: Path) -> None:
    source = (
        "FROM python:3.12\n\nWORKDIR /app\n\nCOPY requirements.txt .\n\n"
        "RUN pip install -r requirements.txt\n\nCOPY . .\n"
    )
    assert _fix(tmp_path, source) == source
