"""Tests for the RUN shell analysis: commands, cwd, conditions, words, variables, opacity."""

from __future__ import annotations

import pytest

from dockerfix.model.shell import Command, Redirect, Script, Word, analyze, analyze_exec


def argvs(script: Script) -> list[tuple[str | None, ...]]:
    return [tuple(word.value for word in command.argv) for command in script.commands]


def static(text: str) -> Word:
    return Word(text, text, (), glob=False)


def first(script: Script, name: str) -> Command:
    return next(c for c in script.commands if c.argv and c.argv[0].value == name)


# Realistic RUN lines, continuations joined the way BuildKit joins them.
APT = (
    "apt-get update &&     apt-get install -y --no-install-recommends "
    "ca-certificates curl git &&     rm -rf /var/lib/apt/lists/*"
)
SET_EUX = (
    "set -eux;     apt-get update;     apt-get install -y --no-install-recommends gosu;"
    "     rm -rf /var/lib/apt/lists/*;     gosu nobody true"
)
CURL_TAR = (
    "cd /tmp && curl -fsSL https://example.com/tool-1.2.tar.gz | tar xz "
    "&& mv tool /usr/local/bin/tool"
)
ARCH = (
    'if [ "$TARGETARCH" = "arm64" ]; then     ARCH=aarch64;     else ARCH=x86_64;     fi '
    '&& curl -fsSLo /usr/local/bin/yq "https://example.com/yq_linux_${ARCH}"'
)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("", []),
        ("# only a comment", []),
        ("make", [("make",)]),
        ("a && b ; c || d", [("a",), ("b",), ("c",), ("d",)]),
        ("a\nb\n\nc", [("a",), ("b",), ("c",)]),
        ("a | b | c", [("a",), ("b",), ("c",)]),
        ("a & b", [("a",), ("b",)]),
        ("! grep -q x f", [("grep", "-q", "x", "f")]),
        ("make # build it\n# done", [("make",)]),
        ("rm -- -weird", [("rm", "--", "-weird")]),
        ("true", [("true",)]),
        ("exec nginx -g 'daemon off;'", [("exec", "nginx", "-g", "daemon off;")]),
        ("command -v curl || apt-get install -y curl",
         [("command", "-v", "curl"), ("apt-get", "install", "-y", "curl")]),
        ("[ -f x ] && test -d y", [("[", "-f", "x", "]"), ("test", "-d", "y")]),
        ('[[ -n "$A" && $B == x* ]]', [("[[", "-n", None, "&&", None, "==", "x*", "]]")]),
        ("if [ -f x ]; then a; elif b; then c; else d; fi",
         [("[", "-f", "x", "]"), ("a",), ("b",), ("c",), ("d",)]),
        ("for f in *.txt; do cat $f; done", [("cat", None)]),
        ("case $A in a|b) x;; *) y;; esac", [("x",), ("y",)]),
        ("while read -r l; do echo; done < f", [("read", "-r", "l"), ("echo",)]),
        ("echo $(ls `pwd`)", [("echo", None), ("ls", None), ("pwd",)]),
        ("x=$(uname -m)", [("uname", "-m")]),
        ("f() { echo in; }; f; f", [("f",), ("echo", "in"), ("f",), ("echo", "in")]),
        ("g() { echo never; }", []),
        ("{ a; b; } > log", [("a",), ("b",)]),
        ("export A=1 B", [("export", "A=1", "B")]),
        ("unset A", [("unset", "A")]),
        ("> empty", [()]),
        (APT, [("apt-get", "update"),
               ("apt-get", "install", "-y", "--no-install-recommends", "ca-certificates",
                "curl", "git"),
               ("rm", "-rf", "/var/lib/apt/lists/*")]),
        ("pip install --no-cache-dir -r requirements.txt",
         [("pip", "install", "--no-cache-dir", "-r", "requirements.txt")]),
        ("npm ci && npm run build", [("npm", "ci"), ("npm", "run", "build")]),
        (SET_EUX, [("set", "-eux"), ("apt-get", "update"),
                   ("apt-get", "install", "-y", "--no-install-recommends", "gosu"),
                   ("rm", "-rf", "/var/lib/apt/lists/*"), ("gosu", "nobody", "true")]),
        (CURL_TAR, [("cd", "/tmp"),
                    ("curl", "-fsSL", "https://example.com/tool-1.2.tar.gz"),
                    ("tar", "xz"), ("mv", "tool", "/usr/local/bin/tool")]),
        # An escaped blank is a word character to the shell.
        ("apt-get install -y \\ curl", [("apt-get", "install", "-y", " curl")]),
        ("echo a\\ b \\  c", [("echo", "a b", " ", "c")]),
    ],
)  # fmt: skip
def test_argv(script: str, expected: list[tuple[str | None, ...]]) -> None:
    assert argvs(analyze(script)) == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("make", [()]),
        ("cd d && x", [(), ("d",)]),
        ("cd /app; make", [(), ("/app",)]),
        ("cd /app\nmake", [(), ("/app",)]),
        ("(cd sub && make) && ls", [(), ("sub",), ()]),
        ("cd a && cd b && make", [(), ("a",), ("a", "b")]),
        ("cd .. && pwd", [(), ("..",)]),
        ("cd -P -- /x && pwd", [(), ("/x",)]),
        (CURL_TAR, [(), ("/tmp",), ("/tmp",), ("/tmp",)]),
        ("cd $DIR && make", [(), None]),
        ("cd - ; make", [(), None]),
        ("cd; make", [(), None]),
        ("pushd /x; make", [(), None]),
        ("if [ -d x ]; then cd x; fi; make", [(), (), None]),
        ("if [ -f a ]; then cd x; else cd x; fi; make", [(), (), (), ("x",)]),
        ("if true; then cd x; else cd y; fi; make", [(), (), None, ("x",)]),
        ("for d in a b; do cd $d; done; make", [None, None]),
        ("for d in a b; do make; done", [()]),
        ("a && cd x; make", [(), (), None]),
        ("cd x && make; ls", [(), ("x",), ("x",)]),
        ("cd x || exit 1; make", [(), None, ("x",)]),
        ("echo $(cd /y && pwd); ls", [(), (), ("/y",), ()]),
        ("cd /y | cat; ls", [(), (), ()]),
        ("cd /y & ls", [(), ()]),
        ("sh -c 'cd /n && make'; ls", [(), (), ("/n",), ()]),
        ("eval 'cd /e'; ls", [(), (), ("/e",)]),
        ("f() { cd /fn; }; f; ls", [(), (), ("/fn",)]),
        ("cd /app && sh -c 'make'", [(), ("/app",), ("/app",)]),
    ],
)  # fmt: skip
def test_cwd(script: str, expected: list[tuple[str, ...] | None]) -> None:
    assert [c.cwd for c in analyze(script).commands] == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a; b", [False, False]),
        ("a && b && c", [False, True, True]),
        ("a || true", [False, True]),
        ("a || true; b", [False, True, False]),
        ("if a; then b; elif c; then d; else e; fi; f",
         [False, True, True, True, True, False]),
        ("while a; do b; done", [False, True]),
        ("for x in 1; do b; done", [True]),
        ("case x in y) b;; esac", [True]),
        ("! a; b", [False, False]),
        ("[ -f x ] && exit 0; make", [False, True, True]),
        ("[ -f x ] || exit 1; make", [False, True, False]),
        ("exit 0; make", [False, True]),
        ("exec nginx; echo never", [False, True]),
        ("exec >log 2>&1; make", [False, False]),
        ("a && (b; c)", [False, True, True]),
        ("f() { return 0; echo x; }; f; make", [False, False, True, False]),
        ("true || echo skipped", [False, True]),
    ],
)  # fmt: skip
def test_conditional(script: str, expected: list[bool]) -> None:
    assert [c.conditional for c in analyze(script).commands] == expected


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a; b", [False, False]),
        ("(a; b); c", [True, True, False]),
        ("a | b", [True, True]),
        ("echo $(a) `b`", [False, True, True]),
        ("cat <(a)", [False, True]),
        ("a & b", [True, False]),
        ("{ a; }", [False]),
    ],
)
def test_in_subshell(script: str, expected: list[bool]) -> None:
    assert [c.in_subshell for c in analyze(script).commands] == expected


@pytest.mark.parametrize(
    ("word", "value", "variables", "glob"),
    [
        ("plain", "plain", (), False),
        ("'a b'", "a b", (), False),
        ('"a b"', "a b", (), False),
        ('"a $B"', None, ("B",), False),
        ("$'a\\tb\\x41'", "a\tbA", (), False),
        ("'a'\"b\"c", "abc", (), False),
        ('"\\$x \\" \\q"', '$x " \\q', (), False),
        ("${X:-default}", None, ("X",), False),
        ("${A:-$B}", None, ("A", "B"), False),
        ("${#A}", None, ("A",), False),
        ("${F//a/b}", None, ("F",), False),
        ('"${C[@]}"', None, ("C",), False),
        ("$((N + 1))", None, ("N",), False),
        ("$1", None, (), False),
        ("$@", None, (), False),
        ("$V$V", None, ("V",), False),
        ("*.txt", "*.txt", (), True),
        ("/var/lib/apt/lists/*", "/var/lib/apt/lists/*", (), True),
        ("file[0-9]", "file[0-9]", (), True),
        ("x?", "x?", (), True),
        ("'*.txt'", "*.txt", (), False),
        ("\\*.txt", "*.txt", (), False),
        ("a{b,c}", None, (), False),
        ("~/bin", None, ("HOME",), False),
        ("a~b", "a~b", (), False),
        ("--", "--", (), False),
        ('$"hello"', "hello", (), False),
        ("$(date)", None, (), False),
    ],
)
def test_word(word: str, value: str | None, variables: tuple[str, ...], glob: bool) -> None:
    (command,) = [c for c in analyze(f"echo {word}").commands if c.argv[0].value == "echo"]
    assert command.argv[1] == Word(word, value, variables, glob)


@pytest.mark.parametrize(
    ("script", "read", "assigned", "exported"),
    [
        ("make", set(), set(), set()),
        ('echo $A ${B:-x} "$C"', {"A", "B", "C"}, set(), set()),
        ("X=1", set(), {"X"}, set()),
        ("X=1 make", set(), set(), set()),
        ("X=$Y make", {"Y"}, set(), set()),
        ("export A=1 B", set(), {"A"}, {"A", "B"}),
        ("export -n A", set(), set(), set()),
        ("declare -x C=2; local D; readonly E=3", set(), {"C", "D", "E"}, {"C"}),
        ("read -r X Y", set(), {"X", "Y"}, set()),
        ("read -rp prompt X", set(), {"X"}, set()),
        ("printf -v P %s 1; mapfile -t L < f", set(), {"P", "L"}, set()),
        ("for f in a; do :; done", set(), {"f"}, set()),
        ("for ((i = 0; i < N; i++)); do :; done", {"i", "N"}, {"i"}, set()),
        ("set -a; X=1", set(), {"X"}, {"X"}),
        ("cat <<EOF\n$V\nEOF", {"V"}, set(), set()),
        ("cat <<'EOF'\n$V\nEOF", set(), set(), set()),
        ("sh -c 'echo $INNER'", {"INNER"}, set(), set()),
        ('[ "$TARGETARCH" = arm64 ]', {"TARGETARCH"}, set(), set()),
        (ARCH, {"ARCH", "TARGETARCH"}, {"ARCH"}, set()),
    ],
)
def test_variables(script: str, read: set[str], assigned: set[str], exported: set[str]) -> None:
    result = analyze(script)
    assert (result.variables_read, result.variables_set, result.exported) == (
        read,
        assigned,
        exported,
    )


@pytest.mark.parametrize(
    ("script", "options"),
    [
        ("make", set()),
        ("set -eux", {"e", "u", "x"}),
        ("set -o pipefail", {"pipefail"}),
        ("set -euo pipefail", {"e", "u", "pipefail"}),
        ("set -o errexit -o nounset", {"e", "u"}),
        ("set +e", set()),
        ("set -- -e", set()),
        ("(set -e)", set()),
        ("sh -c 'set -e'", set()),
        (SET_EUX, {"e", "u", "x"}),
    ],
)
def test_set_options(script: str, options: set[str]) -> None:
    assert analyze(script).set_options == options


@pytest.mark.parametrize(
    ("script", "opaque"),
    [
        (APT, ()),
        ('eval "$CMD"', ("eval of dynamic text",)),
        ("eval 'make'", ()),
        (". /etc/os-release", ("source/. of a file (/etc/os-release)",)),
        ("source ./env.sh", ("source/. of a file (./env.sh)",)),
        ("$CMD a", ("command name is dynamic ($CMD)",)),
        ('"$(which python)" x', ('command name is dynamic ("$(which python)")',)),
        ("f() { :; }", ("function definition (f)",)),
        ('bash -c "$SCRIPT"', ("non-static sh -c argument",)),
        ('echo "abc', ("parse error at line 1 col 6",)),
        ("a\nif x; then y", ("parse error at line 2 col 1",)),
        ("echo $(ls", ("parse error at line 1 col 10",)),
        ("cat <<EOF\nno end", ("unterminated heredoc (EOF)",)),
        ("sh -c 'echo \"x'", ("nested script: parse error at line 1 col 6",)),
        ("f() { f; }; f", ("function definition (f)", "recursive function (f)")),
    ],
)
def test_opaque(script: str, opaque: tuple[str, ...]) -> None:
    assert analyze(script).opaque == opaque


def test_parse_error_keeps_what_it_can() -> None:
    result = analyze("apt-get update && echo 'unterminated")
    assert argvs(result)[0] == ("apt-get", "update")
    assert result.opaque and result.opaque[0].startswith("parse error at line 1")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("make > log 2>&1", [(">", "log", None), ("2>&", "1", None)]),
        ("make >> log", [(">>", "log", None)]),
        ("make &> /dev/null", [("&>", "/dev/null", None)]),
        ("make < in", [("<", "in", None)]),
        ("cat <<< hi", [("<<<", "hi", None)]),
        ('x 2>&1 <<< "hi"', [("2>&", "1", None), ("<<<", "hi", None)]),
        ("cat <<EOF\na $B \\\nc\nEOF", [("<<", None, "a $B \\\nc\n")]),
        ("cat <<-EOF\n\tindented\n\tEOF", [("<<-", None, "indented\n")]),
        ("cat <<'EOF' > f\nx\nEOF", [("<<", None, "x\n"), (">", "f", None)]),
        ("cat <<A <<B\n1\nA\n2\nB", [("<<", None, "1\n"), ("<<", None, "2\n")]),
        ("cat <<EOF\nEOF", [("<<", None, "")]),
    ],
)
def test_redirects_of_first_command(
    script: str, expected: list[tuple[str, str | None, str | None]]
) -> None:
    redirects = analyze(script).commands[0].redirects
    assert [
        (r.operator, r.target.value if r.target else None, r.heredoc_body) for r in redirects
    ] == (expected)


@pytest.mark.parametrize(
    ("script", "name", "expected"),
    [
        # tree-sitter-bash hangs a trailing redirect on the whole list; the shell does not.
        ("cd d && make 2>/dev/null", "cd", ()),
        ("cd d && make 2>/dev/null", "make", (Redirect("2>", static("/dev/null"), None),)),
        ("a | b > f", "a", ()),
        ("while read l; do x; done < in", "x", (Redirect("<", static("in"), None),)),
        ("(a) > out", "a", (Redirect(">", static("out"), None),)),
    ],
)  # fmt: skip
def test_redirect_placement(script: str, name: str, expected: tuple[Redirect, ...]) -> None:
    assert first(analyze(script), name).redirects == expected


def test_heredoc_line_continues_after_operator() -> None:
    result = analyze("cat <<EOF > f && ls -l; echo z\nbody\nEOF\necho after")
    assert argvs(result) == [("cat",), ("ls", "-l"), ("echo", "z"), ("echo", "after")]
    assert result.commands[0].redirects[0].heredoc_body == "body\n"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('sh -c "apt-get update && apt-get install -y curl"',
         [(("sh", "-c", "apt-get update && apt-get install -y curl"), False),
          (("apt-get", "update"), True), (("apt-get", "install", "-y", "curl"), True)]),
        ("/bin/bash -eux -c 'make'",
         [(("/bin/bash", "-eux", "-c", "make"), False), (("make",), True)]),
        ("bash -o pipefail -c 'a | b'",
         [(("bash", "-o", "pipefail", "-c", "a | b"), False), (("a",), True), (("b",), True)]),
        ("exec sh -c 'x'", [(("exec", "sh", "-c", "x"), False), (("x",), True)]),
        ("sudo -u app sh -c 'x'",
         [(("sudo", "-u", "app", "sh", "-c", "x"), False), (("x",), True)]),
        ("env A=1 bash -c 'x'", [(("env", "A=1", "bash", "-c", "x"), False), (("x",), True)]),
        ("sh script.sh", [(("sh", "script.sh"), False)]),
        ("eval 'a; b'", [(("eval", "a; b"), False), (("a",), True), (("b",), True)]),
        ("bash <<'EOF'\ncd /opt\nmake\nEOF",
         [(("bash",), False), (("cd", "/opt"), True), (("make",), True)]),
        ("sh -s <<EOF\nx \\$V\nEOF", [(("sh", "-s"), False), (("x", None), True)]),
        ("bash <<< 'make all'", [(("bash",), False), (("make", "all"), True)]),
        ("python3 <<EOF\nimport os\nEOF", [(("python3",), False)]),
        ("exec bash <<EOF\necho $(date)\nEOF",
         [(("exec", "bash"), False), (("echo", None), True), (("date",), True)]),
        ("cat <<EOF | sh\necho hi\nEOF", [(("cat",), False), (("sh",), False)]),
        ("sh -c 'sh -c \"deep\"'",
         [(("sh", "-c", 'sh -c "deep"'), False), (("sh", "-c", "deep"), True), (("deep",), True)]),
    ],
)  # fmt: skip
def test_nested(script: str, expected: list[tuple[tuple[str | None, ...], bool]]) -> None:
    result = analyze(script)
    assert [(tuple(w.value for w in c.argv), c.nested) for c in result.commands] == expected


def test_heredoc_script_keeps_literal_backslash_newline() -> None:
    body = "apt-get install -y \\\n    curl\n"
    result = analyze(f"bash <<'EOF'\n{body}EOF\n")
    assert result.commands[0].redirects[0].heredoc_body == body
    assert argvs(result)[1] == ("apt-get", "install", "-y", "curl")


def test_heredoc_body_as_script() -> None:
    """`RUN <<EOF` hands over the body itself."""
    result = analyze("set -e\ncd /src\nmake install\n")
    assert [(argv, c.cwd) for argv, c in zip(argvs(result), result.commands, strict=True)] == [
        (("set", "-e"), ()),
        (("cd", "/src"), ()),
        (("make", "install"), ("/src",)),
    ]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("X=1 make", (("X", "1"),)),
        ("A=1 B=$C make", (("A", "1"), ("B", None))),
        ("DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata",
         (("DEBIAN_FRONTEND", "noninteractive"),)),
        ("EMPTY= make", (("EMPTY", ""),)),
        ("make X=1", ()),
    ],
)  # fmt: skip
def test_assignments(script: str, expected: tuple[tuple[str, str | None], ...]) -> None:
    command = analyze(script).commands[0]
    assert tuple((name, word.value) for name, word in command.assignments) == expected


def test_substituted_commands_follow_their_command() -> None:
    result = analyze('tar xf "$(ls *.tgz)" -C /opt')
    assert argvs(result) == [("tar", "xf", None, "-C", "/opt"), ("ls", "*.tgz")]
    assert result.commands[1].argv[1].glob is True


@pytest.mark.parametrize(
    ("argv", "expected", "nested"),
    [
        ([], [], []),
        (["make", "all"], [("make", "all")], [False]),
        (["echo", "$HOME", "*"], [("echo", "$HOME", "*")], [False]),
        (["sh", "-c", "cd /x && make"],
         [("sh", "-c", "cd /x && make"), ("cd", "/x"), ("make",)], [False, True, True]),
        (["/bin/bash", "-ec", "make"], [("/bin/bash", "-ec", "make"), ("make",)], [False, True]),
        (["bash", "script.sh"], [("bash", "script.sh")], [False]),
    ],
)  # fmt: skip
def test_analyze_exec(argv: list[str], expected: list[tuple[str, ...]], nested: list[bool]) -> None:
    result = analyze_exec(argv)
    assert argvs(result) == expected
    assert [c.nested for c in result.commands] == nested
    assert result.variables_read == frozenset()
    assert all(not w.glob and not w.variables for c in result.commands[:1] for w in c.argv)


def test_exec_nested_cwd() -> None:
    assert [c.cwd for c in analyze_exec(["sh", "-c", "cd /x && make"]).commands] == [
        (),
        (),
        ("/x",),
    ]


@pytest.mark.parametrize(
    "script",
    [
        "if",
        "fi",
        "((",
        "$(",
        "case x in",
        "'",
        '"',
        "<<",
        "cat <<",
        "a && ",
        "| b",
        "for",
        "`",
        "${",
        "f() {",
    ],
)
def test_broken_text_is_reported_not_raised(script: str) -> None:
    assert analyze(script).opaque != ()


@pytest.mark.parametrize(
    ("script", "exclusive"),
    [
        # Other branches of one `if` never both run.
        ("if a; then b; else c; fi", {("b", "c")}),
        ("if a; then b; elif c; then d; else e; fi", {("b", "d"), ("b", "e"), ("d", "e")}),
        # The condition runs on every way through; what follows the `if` too.
        ("if a; then b; fi; c", set()),
        # A nested `if` inside one branch: its condition and branches exclude the other one.
        (
            "if a; then if b; then c; else d; fi; else e; fi",
            {("b", "e"), ("c", "d"), ("c", "e"), ("d", "e")},
        ),
        ("for x in 1 2; do a; b; done", set()),
    ],
)
def test_exclusive_branches(script: str, exclusive: set[tuple[str, str]]) -> None:
    commands = [c for c in analyze(script).commands if c.argv]
    found = {
        (first.argv[0].raw, second.argv[0].raw)
        for i, first in enumerate(commands)
        for second in commands[i + 1 :]
        if first.exclusive(second)
    }
    assert found == exclusive
    assert all(not c.exclusive(c) for c in commands)


def test_bash_grammar_is_the_packages_and_loads_without_its_init() -> None:
    import subprocess
    import sys

    import tree_sitter
    import tree_sitter_bash

    from dockerfix.model.shell._walk import bash_grammar

    script = b"cd web && npm ci || { echo failed; exit 1; }"
    ours = tree_sitter.Parser(tree_sitter.Language(bash_grammar())).parse(script)
    theirs = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language())).parse(script)
    assert str(ours.root_node) == str(theirs.root_node)
    assert "(list (command name: (command_name (word))" in str(ours.root_node)
    probe = (
        "import sys; from dockerfix.model.shell import analyze; "
        "analyze('cd web && npm ci'); "
        "print(*(m in sys.modules for m in ('tree_sitter', 'tree_sitter_bash', "
        "'importlib.resources')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split() == ["True", "False", "False"], loaded.stderr
