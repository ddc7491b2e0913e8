"""Exact parse results for each construct, under current BuildKit rules."""

from __future__ import annotations

import pytest

from dockerfix.syntax import BUILDKIT_0_12, LATEST, Heredoc, Instruction, Trivia, parse


def fields(ins: Instruction) -> tuple[object, ...]:
    return (ins.cmd, ins.flags, ins.value, ins.json, ins.start_line, ins.end_line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM alpine:3.20 AS base\n", [("FROM", (), ("alpine:3.20", "AS", "base"), False, 1, 1)]),
        ("from alpine\n", [("from", (), ("alpine",), False, 1, 1)]),
        ("RUN echo hi\n", [("RUN", (), ("echo hi",), False, 1, 1)]),
        ('CMD ["a", "b c"]\n', [("CMD", (), ("a", "b c"), True, 1, 1)]),
        ("CMD [foo]\n", [("CMD", (), ("[foo]",), False, 1, 1)]),
        ("CMD ['a']\n", [("CMD", (), ("['a']",), False, 1, 1)]),
        ('CMD ["a", ]\n', [("CMD", (), ('["a", ]',), False, 1, 1)]),
        ('CMD ["a"] trailing\n', [("CMD", (), ('["a"] trailing',), False, 1, 1)]),
        ("CMD []\n", [("CMD", (), (), True, 1, 1)]),
        ("COPY a b /dst/\n", [("COPY", (), ("a", "b", "/dst/"), False, 1, 1)]),
        ('COPY ["a b", "/x"]\n', [("COPY", (), ("a b", "/x"), True, 1, 1)]),
        (
            "COPY --from=build --chown=app:app --link /out /app\n",
            [
                (
                    "COPY",
                    ("--from=build", "--chown=app:app", "--link"),
                    ("/out", "/app"),
                    False,
                    1,
                    1,
                )
            ],
        ),
        ('COPY --chown="a b" x y\n', [("COPY", ("--chown=a b",), ("x", "y"), False, 1, 1)]),
        ("RUN -- --not-a-flag\n", [("RUN", (), ("--not-a-flag",), False, 1, 1)]),
        (
            "RUN --mount=type=cache,target=/root/.cache pip install x\n",
            [("RUN", ("--mount=type=cache,target=/root/.cache",), ("pip install x",), False, 1, 1)],
        ),
        ("ENV A b c\n", [("ENV", (), ("A", "b c"), False, 1, 1)]),
        ('ENV A=1 B="2 3"\n', [("ENV", (), ("A", "1", "B", '"2 3"'), False, 1, 1)]),
        ('LABEL a=b "c d"=e\n', [("LABEL", (), ("a", "b", '"c d"', "e"), False, 1, 1)]),
        ('ARG V="1 2" W\n', [("ARG", (), ('V="1 2"', "W"), False, 1, 1)]),
        ("EXPOSE 80/tcp  443\n", [("EXPOSE", (), ("80/tcp", "443"), False, 1, 1)]),
        ("VOLUME /a /b\n", [("VOLUME", (), ("/a", "/b"), False, 1, 1)]),
        ("WORKDIR /app dir\n", [("WORKDIR", (), ("/app dir",), False, 1, 1)]),
        ("USER app:app\n", [("USER", (), ("app:app",), False, 1, 1)]),
        ("HEALTHCHECK NONE\n", [("HEALTHCHECK", (), ("NONE",), False, 1, 1)]),
        (
            'HEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]\n',
            [("HEALTHCHECK", ("--interval=5s",), ("CMD", "curl", "-f", "x"), True, 1, 1)],
        ),
        ("HEALTHCHECK CMD curl -f x\n", [("HEALTHCHECK", (), ("CMD", "curl -f x"), False, 1, 1)]),
        ("FOO bar\n", [("FOO", (), ("",), False, 1, 1)]),
        ("CMD\n", [("CMD", (), (), False, 1, 1)]),
        ("RUN a \\\n  b\n", [("RUN", (), ("a   b",), False, 1, 2)]),
        ("RUN a \\\n# comment\n\n  b\n", [("RUN", (), ("a   b",), False, 1, 4)]),
        ("RUN a \\", [("RUN", (), ("a",), False, 1, 1)]),
        ("RUN a \\\n", [("RUN", (), ("a",), False, 1, 1)]),
        ("RUN a \\\\\n", [("RUN", (), ("a \\\\",), False, 1, 1)]),
        ("RUN a \\  \t\n  b\n", [("RUN", (), ("a   b",), False, 1, 2)]),
        ("\\\nRUN x\n", [("RUN", (), ("x",), False, 1, 2)]),
        ("# escape=`\nRUN a `\n  b\n", [("RUN", (), ("a   b",), False, 2, 3)]),
        (
            "# escape=`\nRUN dir c:\\ \\\nRUN x\n",
            [("RUN", (), ("dir c:\\ \\",), False, 2, 2), ("RUN", (), ("x",), False, 3, 3)],
        ),
        ("\ufeffFROM a\n", [("FROM", (), ("a",), False, 1, 1)]),
        (
            "FROM a\r\nRUN b\r\n",
            [("FROM", (), ("a",), False, 1, 1), ("RUN", (), ("b",), False, 2, 2)],
        ),
        ("  RUN\tx  \n", [("RUN", (), ("x",), False, 1, 1)]),
        (
            "FROM a\nRUN x\rRUN y\n",
            [("FROM", (), ("a",), False, 1, 1), ("RUN", (), ("x\rRUN y",), False, 2, 2)],
        ),
    ],
)
def test_instruction_fields(text: str, expected: list[tuple[object, ...]]) -> None:
    tree = parse(text)
    assert tree.code == text
    assert [fields(i) for i in tree.instructions] == expected


def test_onbuild_exposes_the_trigger() -> None:
    (ins,) = parse("ONBUILD COPY --chown=1 a b\n").instructions
    assert (ins.cmd, ins.sub_cmd, ins.flags, ins.sub_flags, ins.value) == (
        "ONBUILD",
        "COPY",
        (),
        ("--chown=1",),
        ("a", "b"),
    )


@pytest.mark.parametrize(
    ("text", "heredocs", "end_line"),
    [
        ("RUN <<EOF\necho hi\nEOF\n", (Heredoc("EOF", 0, "echo hi\n", True, False),), 3),
        ("RUN <<-EOF\n\techo hi\n\tEOF\n", (Heredoc("EOF", 0, "\techo hi\n", True, True),), 3),
        ("RUN <<'EOF'\n$x\nEOF\n", (Heredoc("EOF", 0, "$x\n", False, False),), 3),
        ('RUN <<"EOF"\n$x\nEOF\n', (Heredoc("EOF", 0, "$x\n", False, False),), 3),
        (
            "RUN <<A cat - <<B\n1\nA\n2\nB\n",
            (Heredoc("A", 0, "1\n", True, False), Heredoc("B", 0, "2\n", True, False)),
            5,
        ),
        ("COPY <<EOF /app/x.txt\nhello\nEOF\n", (Heredoc("EOF", 0, "hello\n", True, False),), 3),
        ("RUN 3<<EOF cat /dev/fd/3\nx\nEOF\n", (Heredoc("EOF", 3, "x\n", True, False),), 3),
        ("RUN <<EOF\r\nx\r\nEOF\r\n", (Heredoc("EOF", 0, "x\r\n", True, False),), 3),
        ("RUN << EOF\nx\nEOF\n", (Heredoc("EOF", 0, "x\n", True, False),), 3),
        ('RUN ["cat", "<<EOF"]\n', (), 1),
        ("CMD <<EOF\n", (), 1),
        ("RUN echo '<<EOF\n", (), 1),
    ],
)
def test_heredocs(text: str, heredocs: tuple[Heredoc, ...], end_line: int) -> None:
    tree = parse(text)
    assert tree.code == text
    ins = tree.instructions[0]
    assert ins.heredocs == heredocs
    assert ins.end_line == end_line


def test_older_buildkit_needs_heredoc_name_right_after_marker() -> None:
    tree = parse("RUN << EOF\nx\nEOF\n", dialect=BUILDKIT_0_12)
    assert [i.cmd for i in tree.instructions] == ["RUN", "x", "EOF"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file with no instructions"),
        ("# only a comment\n", "file with no instructions"),
        ("FROM a\nRUN <<EOF\nx\n", "unterminated heredoc"),
        ("FROM a\nENV X\n", "ENV must have two arguments"),
        ("FROM a\nLABEL X\n", "LABEL must have two arguments"),
        (
            "FROM a\nENV a=b c\n",
            'Syntax error - can\'t find = in "c". Must be of the form: name=value',
        ),
        (
            'FROM a\nCMD ["a", 1]\n',
            "when using JSON array syntax, arrays must be comprised of strings only",
        ),
        ("# escape=x\nFROM a\n", "invalid escape token 'x' does not match ` or \\"),
        ("# escape=`\n# escape=\\\nFROM a\n", "only one escape parser directive can be used"),
        ("FROM a\nONBUILD ENV X\n", "ENV must have two arguments"),
        (
            "FROM a\nRUN x" + "y" * 70000 + "\n",
            "dockerfile line greater than max allowed size of 65535",
        ),
    ],
)
def test_errors_are_recorded_not_raised(text: str, message: str) -> None:
    tree = parse(text)
    assert tree.code == text
    assert message in [e.message for e in tree.errors]


@pytest.mark.parametrize(
    ("text", "directives", "escape"),
    [
        ("# syntax=docker/dockerfile:1\nFROM a\n", [("syntax", "docker/dockerfile:1")], "\\"),
        ("#SYNTAX = x \n# Escape=`\nFROM a\n", [("syntax", "x"), ("escape", "`")], "`"),
        ("  # escape=`\nFROM a\n", [("escape", "`")], "`"),
        ("# check=skip=all\n# escape=`\nFROM a\n", [("check", "skip=all"), ("escape", "`")], "`"),
        ("# a comment\n# escape=`\nFROM a\n", [], "\\"),
        ("\n# escape=`\nFROM a\n", [], "\\"),
        ("FROM a\n# escape=`\n", [], "\\"),
        ("# escape=`\n\n# syntax=x\nFROM a\n", [("escape", "`")], "`"),
    ],
)
def test_directives_only_at_the_top(
    text: str, directives: list[tuple[str, str]], escape: str
) -> None:
    tree = parse(text)
    assert [(d.name, d.value) for d in tree.directives] == directives
    assert tree.escape == escape
    assert tree.code == text


def test_check_directive_unknown_to_older_buildkit() -> None:
    tree = parse("# check=skip=all\n# escape=`\nFROM a\n", dialect=BUILDKIT_0_12)
    assert tree.directives == ()
    assert tree.escape == "\\"


def test_comment_block_attaches_to_the_instruction_below() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "# header, separate\n"
        "\n"
        "# install deps\n"
        "# (two lines)\n"
        "RUN pip install -r r.txt\n"
        "# trailing\n"
    )
    tree = parse(text)
    kinds = [(type(e).__name__, e.kind if isinstance(e, Trivia) else e.cmd) for e in tree.elements]
    assert kinds == [
        ("Trivia", "directive"),
        ("Trivia", "comment"),
        ("Trivia", "blank"),
        ("Instruction", "RUN"),
        ("Trivia", "comment"),
    ]
    run = tree.instructions[0]
    assert run.code == "# install deps\n# (two lines)\nRUN pip install -r r.txt\n"
    assert run.text == "RUN pip install -r r.txt\n"
    assert tree.code == text


def test_instruction_text_spans_continuations_and_heredocs() -> None:
    text = "FROM a\nRUN <<EOF \\\n  && true\nset -e\nEOF\nCMD x"
    tree = parse(text)
    run = tree.instructions[1]
    assert run.text == "RUN <<EOF \\\n  && true\nset -e\nEOF\n"
    assert run.heredocs[0].content == "set -e\n"
    assert tree.instructions[2].text == "CMD x"
    assert tree.instructions[2].line_ending == ""


def test_latest_is_the_default_dialect() -> None:
    assert parse("FROM a\n", dialect=LATEST).code == parse("FROM a\n").code


def test_nodes_are_immutable() -> None:
    ins = parse("RUN x\n").instructions[0]
    with pytest.raises(AttributeError):
        ins.cmd = "CMD"  # type: ignore[misc]
    changed = ins.with_changes(text="RUN y\n")
    assert (ins.text, changed.text) == ("RUN x\n", "RUN y\n")
