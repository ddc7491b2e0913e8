"""Tests for .dockerignore reading, matching, lookup and context walking."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockerfix.model.dockerignore import (
    ContextListing,
    IgnoreFile,
    find_dockerignore,
    parse_dockerignore,
    walk_context,
)

REFERENCE = Path(__file__).with_name("dockerignore_reference.json")


def ignore(*lines: str) -> IgnoreFile:
    return parse_dockerignore("\n".join(lines) + "\n")


# (lines of the file, context-relative path, excluded?)
MATCH_CASES: list[tuple[tuple[str, ...], str, bool]] = [
    # Anchored at the context root, unlike .gitignore.
    (("foo",), "foo", True),
    (("foo",), "a/foo", False),
    (("foo",), "foobar", False),
    (("Foo",), "foo", False),
    (("a/b",), "a", False),
    (("a/b",), "a/b", True),
    # A pattern matching a directory excludes everything below it.
    (("foo",), "foo/bar", True),
    (("a/b/c",), "a/b/c/d/e", True),
    (("a/*/c",), "a/b/c/d", True),
    # Cleaning: trailing, leading and doubled slashes, `.` and `..` segments.
    (("foo/",), "foo/bar", True),
    (("/foo",), "foo", True),
    (("./foo",), "foo", True),
    (("foo//bar",), "foo/bar", True),
    (("foo/./bar",), "foo/bar", True),
    (("foo/../bar",), "bar", True),
    (("foo/../bar",), "foo/bar", False),
    (("/",), "foo", False),
    ((".",), "foo", False),
    (("../foo",), "foo", False),
    # `*` matches within one path segment.
    (("*.md",), "README.md", True),
    (("*.md",), "docs/README.md", False),
    (("*/*.md",), "docs/README.md", True),
    (("*/*.md",), "a/b/README.md", False),
    (("*",), "anything", True),
    (("*",), "a/b/c", True),
    (("*/temp*",), "somedir/temporary.txt", True),
    (("*/temp*",), "somedir/sub/temp", False),
    (("*/*/temp*",), "somedir/subdir/temporary.txt", True),
    (("*.go",), ".go", True),
    (("foo*",), "foo", True),
    (("*foo",), "dir/foo", False),
    (("*.py[co]",), "a.pyc", True),
    (("*.py[co]",), "a.py", False),
    # `?` matches one character, never `/`.
    (("temp?",), "temp1", True),
    (("temp?",), "temp", False),
    (("temp?",), "temp12", False),
    (("a?c",), "a/c", False),
    # `**` matches any number of segments, including none.
    (("**/*.go",), "main.go", True),
    (("**/*.go",), "a/b/c/main.go", True),
    (("**/*.go",), "main.golang", False),
    (("**",), "x/y", True),
    (("**/",), "anything", True),
    (("**/node_modules",), "node_modules", True),
    (("**/node_modules",), "a/node_modules/x/y.js", True),
    (("**/node_modules",), "a/my_node_modules", False),
    (("src/**",), "src/a/b.py", True),
    (("src/**",), "src", False),
    (("src/**/*.pyc",), "src/x.pyc", True),
    (("src/**/*.pyc",), "src/a/b/x.pyc", True),
    (("src/**/*.pyc",), "lib/x.pyc", False),
    (("a/**/b",), "a/b", True),
    (("a/**/b",), "a/x/y/b", True),
    (("a/**/b",), "a/xb", False),
    (("**foo",), "x/barfoo", True),
    (("foo**",), "foobar/baz", True),
    # `**` glued to text stands for "any directories", not "any characters".
    (("a**b",), "ab", True),
    (("a**b",), "ax/b", True),
    (("a**b",), "axb", False),
    # Character classes.
    (("[abc].txt",), "a.txt", True),
    (("[abc].txt",), "d.txt", False),
    (("[a-c].txt",), "b.txt", True),
    (("[^a-c].txt",), "b.txt", False),
    (("[^a-c].txt",), "d.txt", True),
    (("[!a].txt",), "!.txt", True),
    (("[!a].txt",), "b.txt", False),
    (("file[0-9]",), "file7", True),
    (("dir/[ab]/x",), "dir/a/x", True),
    (("dir/[ab]/x",), "dir/c/x", False),
    (("[\\]]",), "]", True),
    (("[a-z]*",), "makefile", True),
    (("[a-z]*",), "Makefile", False),
    # BuildKit's regexp translation: a `*` inside brackets is not a literal star, and POSIX
    # classes work inside brackets.
    (("[*]",), "*", False),
    (("[*]",), "]", True),
    (("[[:digit:]]",), "5", True),
    (("[[:digit:]]",), "a]", False),
    # Escapes.
    (("\\*",), "*", True),
    (("\\*",), "a", False),
    (("foo\\?",), "foo?", True),
    (("foo\\?",), "fooa", False),
    (("\\[a]",), "[a]", True),
    (("\\#foo",), "#foo", True),
    (("\\d*",), "1x", True),
    (("\\d*",), "dx", False),
    # Regular-expression characters are literal.
    (("a.b",), "a.b", True),
    (("a.b",), "axb", False),
    (("a.*",), "a.txt", True),
    (("a.*",), "abtxt", False),
    (("(x)*",), "(x)y", True),
    (("a+b*",), "a+bc", True),
    (("a+b*",), "aab", False),
    (("{a,b}",), "a", False),
    (("{a,b}",), "{a,b}", True),
    (("$HOME*",), "$HOME/x", True),
    (("x^y",), "x^y", True),
    # ... except a bare `^` once the pattern has a wildcard: it anchors, so nothing matches.
    (("x^y*",), "x^y", False),
    (("ñ*",), "ñu", True),
    # `|`, `{` and `}` are not escaped by BuildKit: in a wildcard pattern they are regexp syntax.
    (("a|b",), "a|b", True),
    (("a|b*",), "xxb", True),
    (("a|b*",), "xx", False),
    (("x{2}*",), "xx", True),
    (("x{2}*",), "x{2}", False),
    (("x{,2}*",), "x{,2}", True),
    # Exceptions: the last matching line wins.
    (("*.md", "!README.md"), "README.md", False),
    (("*.md", "!README.md"), "CHANGES.md", True),
    (("*.md", "!README*.md", "README-secret.md"), "README-secret.md", True),
    (("*.md", "!README*.md", "README-secret.md"), "README-public.md", False),
    (("*.md", "README-secret.md", "!README*.md"), "README-secret.md", False),
    (("!README.md", "*.md"), "README.md", True),
    (("!foo",), "foo", False),
    (("foo", "!foo"), "foo/bar", False),
    # An exception re-includes a child of an excluded directory.
    (("docs", "!docs/README.md"), "docs/README.md", False),
    (("docs", "!docs/README.md"), "docs/other.md", True),
    (("docs/", "!docs/README.md"), "docs/README.md", False),
    (("docs/*", "!docs/README.md"), "docs/README.md", False),
    (("node_modules", "!node_modules/keep"), "node_modules/keep/a.js", False),
    (("node_modules", "!node_modules/keep"), "node_modules/other/a.js", True),
    (("*", "!src"), "src/app.py", False),
    (("*", "!src"), "README", True),
    (("*", "!src", "src/*.pyc"), "src/a.pyc", True),
    (("*", "!src", "src/*.pyc"), "src/a.py", False),
    (("a", "!a/b", "a/b/c"), "a/b/c", True),
    (("a", "!a/b", "a/b/c"), "a/b/d", False),
    (("**/*.log", "!keep/*.log"), "keep/x.log", False),
    (("**/*.log", "!keep/*.log"), "other/x.log", True),
    (("*", "! foo"), "foo", False),
    (("*", "!/foo"), "foo", False),
    (("*", "!./foo"), "foo", False),
    # The walker does not evaluate a pattern that cannot change the answer at that level, so a
    # parent directory only counts for patterns evaluated there.
    (("foo/bar", "!foo"), "foo/bar/baz", True),
    (("d", "!d/f", "d"), "d/f", False),
    # Cleaning sees the `!`: "!../../a" becomes the plain pattern "a".
    (("!../../a",), "a", True),
    # Comments and whitespace.
    (("# foo",), "# foo", False),
    ((" # foo",), "# foo", True),
    (("foo  ",), "foo", True),
    (("  foo",), "foo", True),
    (("foo\t",), "foo", True),
    (("foo\r",), "foo", True),
    (("foo bar",), "foo bar", True),
    ((), "foo", False),
]


@pytest.mark.parametrize(("lines", "path", "excluded"), MATCH_CASES)
def test_matches(lines: tuple[str, ...], path: str, excluded: bool) -> None:
    parsed = ignore(*lines)
    assert parsed.errors == ()
    assert parsed.matches(path) is excluded


@pytest.mark.parametrize(
    ("lines", "path", "excluded"),
    [
        (("foo",), "./foo", True),
        (("foo",), "foo/", True),
        (("foo",), "/foo", True),
        (("foo",), "a/../foo/x", True),
        (("*",), ".", False),
        (("*",), "", False),
    ],
)
def test_matches_cleans_the_path(lines: tuple[str, ...], path: str, excluded: bool) -> None:
    assert ignore(*lines).matches(path) is excluded


def test_excluded_files_keeps_input_order() -> None:
    parsed = ignore("*.pyc", "build", "!build/keep.txt")
    paths = ["z.pyc", "app.py", "build/out.o", "build/keep.txt", "a.pyc"]
    assert parsed.excluded_files(paths) == ["z.pyc", "build/out.o", "a.pyc"]


def test_excluded_files_empty_ignore_file() -> None:
    assert parse_dockerignore("").excluded_files(["a", "b/c"]) == []


# ----------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("text", "patterns"),
    [
        ("", []),
        ("\n\n  \n\t\n", []),
        ("# comment\nfoo\n", ["foo"]),
        ("#foo\n", []),
        ("  # not a comment\n", ["# not a comment"]),
        ("foo\r\nbar\r\n", ["foo", "bar"]),
        ("foo   \nbar\t\n", ["foo", "bar"]),
        ("./foo\n/bar\n//baz\n", ["foo", "bar", "baz"]),
        ("a//b\na/./b\na/../b\na/b/\n", ["a/b", "a/b", "b", "a/b"]),
        ("!foo\n! ./bar/\n", ["!foo", "!bar"]),
        ("\ufeff# comment\nfoo", ["foo"]),
        ("foo\n\ufeffbar\n", ["foo", "\ufeffbar"]),
        ("last-without-newline", ["last-without-newline"]),
        ("/\n", ["/"]),
        ("..\n../x\n", ["..", "../x"]),
    ],
)
def test_parse_patterns(text: str, patterns: list[str]) -> None:
    parsed = parse_dockerignore(text)
    read = [line.pattern for line in parsed.lines if line.kind == "pattern"]
    assert read == patterns


@pytest.mark.parametrize(
    ("text", "compiled"),
    [
        ("foo\n!bar\n", [("foo", False), ("bar", True)]),
        ("!../../a\n", [("a", False)]),
        ("*.go\n!**/keep/**\n", [("*.go", False), ("**/keep/**", True)]),
    ],
)
def test_parse_compiled_patterns(text: str, compiled: list[tuple[str, bool]]) -> None:
    parsed = parse_dockerignore(text)
    assert [(p.pattern, p.exception) for p in parsed.patterns] == compiled


def test_parse_keeps_lines_and_byte_offsets() -> None:
    text = "# cache\r\nnode_modules\n\nñ/*\n!keep"
    parsed = parse_dockerignore(text)
    spans = [(ln.number, ln.offset, ln.end, ln.text, ln.kind) for ln in parsed.lines]
    assert spans == [
        (1, 0, 9, "# cache", "comment"),
        (2, 9, 22, "node_modules", "pattern"),
        (3, 22, 23, "", "blank"),
        (4, 23, 28, "ñ/*", "pattern"),
        (5, 28, 33, "!keep", "pattern"),
    ]
    encoded = text.encode()
    assert encoded[parsed.lines[3].offset : parsed.lines[3].end] == "ñ/*\n".encode()
    assert parsed.byte_length == len(encoded) == 33
    assert parsed.ends_with_newline is False
    assert parsed.text == text


@pytest.mark.parametrize(
    ("text", "ends_with_newline"),
    [("", True), ("a\n", True), ("a", False), ("a\r\n", True)],
)
def test_ends_with_newline(text: str, ends_with_newline: bool) -> None:
    assert parse_dockerignore(text).ends_with_newline is ends_with_newline


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[", "syntax error in pattern"),
        ("a[", "syntax error in pattern"),
        ("[a-]", "syntax error in pattern"),
        ("[]a]", "syntax error in pattern"),
        ("[^]", "syntax error in pattern"),
        ("*\\", "syntax error in pattern"),
        ("!", 'illegal exclusion pattern: "!"'),
        ("! ", 'illegal exclusion pattern: "!"'),
        ("[z-a]", "syntax error in pattern"),
        ("\\y*", "syntax error in pattern"),
        ("[[:foo:]]", "syntax error in pattern"),
        ("x{1001}*", "syntax error in pattern"),
        ("a*\\", "syntax error in pattern"),
        ("\\p{L}*", "syntax error in pattern"),
    ],
)
def test_parse_records_errors(line: str, message: str) -> None:
    parsed = parse_dockerignore(f"keep\n{line}\nalso\n")
    assert [(e.line, e.message.split(" (")[0]) for e in parsed.errors] == [(2, message)]
    assert [p.pattern for p in parsed.patterns] == ["keep", "also"]
    assert parsed.matches("keep") is True


@pytest.mark.parametrize("line", ["[a-c]", "[\\]]", "[^a]", "\\[", "a]b", "[[]"])
def test_parse_valid_brackets_have_no_errors(line: str) -> None:
    assert parse_dockerignore(line).errors == ()


def test_parse_long_line_is_an_error() -> None:
    parsed = parse_dockerignore("a" * 70000 + "\nb\n")
    assert [e.line for e in parsed.errors] == [1]


# ----------------------------------------------------------------------------- lookup


def _touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("files", "dockerfile", "expected"),
    [
        (["ctx/.dockerignore", "ctx/Dockerfile"], "ctx/Dockerfile", "ctx/.dockerignore"),
        (
            ["build/app.Dockerfile", "build/app.Dockerfile.dockerignore", "ctx/.dockerignore"],
            "build/app.Dockerfile",
            "build/app.Dockerfile.dockerignore",
        ),
        (
            ["build/app.Dockerfile", "ctx/.dockerignore"],
            "build/app.Dockerfile",
            "ctx/.dockerignore",
        ),
        (
            ["ctx/Dockerfile", "ctx/Dockerfile.dockerignore", "ctx/.dockerignore"],
            "ctx/Dockerfile",
            "ctx/Dockerfile.dockerignore",
        ),
        (["build/app.Dockerfile", "build/.dockerignore"], "build/app.Dockerfile", None),
        (["ctx/Dockerfile"], "ctx/Dockerfile", None),
    ],
)
def test_find_dockerignore(
    tmp_path: Path, files: list[str], dockerfile: str, expected: str | None
) -> None:
    (tmp_path / "ctx").mkdir()
    for name in files:
        _touch(tmp_path / name)
    found = find_dockerignore(tmp_path / dockerfile, tmp_path / "ctx")
    assert found == (None if expected is None else tmp_path / expected)


def test_find_dockerignore_skips_a_directory_named_like_the_file(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile.dockerignore").mkdir()
    _touch(tmp_path / ".dockerignore")
    assert find_dockerignore(tmp_path / "Dockerfile", tmp_path) == tmp_path / ".dockerignore"


# ----------------------------------------------------------------------------- walking


@pytest.fixture
def context(tmp_path: Path) -> Path:
    _touch(tmp_path / "README.md", "hello\n")  # 6 bytes
    _touch(tmp_path / "src/app.py", "print()\n")  # 8 bytes
    _touch(tmp_path / "src/app.pyc", "xx")
    _touch(tmp_path / "node_modules/pkg/index.js", "x")
    _touch(tmp_path / "node_modules/keep/x.js", "abc")  # 3 bytes
    _touch(tmp_path / "build/out.bin", "0123456789")
    _touch(tmp_path / "build/notes/keep.txt", "k")
    os.symlink("src", tmp_path / "link")  # 3 bytes, a directory link
    os.symlink("README.md", tmp_path / "filelink")  # 9 bytes
    return tmp_path


def test_walk_prunes_and_reincludes(context: Path) -> None:
    listing = walk_context(
        context, ignore("node_modules", "!node_modules/keep", "**/*.pyc", "build")
    )
    assert listing == ContextListing(
        included=("README.md", "filelink", "link", "node_modules/keep/x.js", "src/app.py"),
        total_bytes=6 + 9 + 3 + 3 + 8,
        excluded=("src/app.pyc",),
        pruned_dirs=("build", "node_modules/pkg"),
    )


def test_walk_wildcard_exception_prevents_pruning(context: Path) -> None:
    listing = walk_context(context, ignore("build", "node_modules", "!build/**/*.txt"))
    assert listing.pruned_dirs == ()
    assert "build/notes/keep.txt" in listing.included
    assert set(listing.excluded) == {
        "build/out.bin",
        "node_modules/pkg/index.js",
        "node_modules/keep/x.js",
    }


def test_walk_without_exceptions_never_enters_excluded_dirs(context: Path) -> None:
    listing = walk_context(context, ignore("build", "node_modules", "src"))
    assert listing.pruned_dirs == ("build", "node_modules", "src")
    assert listing.excluded == ()
    assert listing.included == ("README.md", "filelink", "link")


def test_walk_empty_ignore_lists_everything_and_does_not_follow_links(context: Path) -> None:
    listing = walk_context(context, parse_dockerignore(""))
    assert "link" in listing.included
    assert not any(p.startswith("link/") for p in listing.included)
    assert len(listing.included) == 9
    assert listing.excluded == listing.pruned_dirs == ()


def test_walk_agrees_with_matches(context: Path) -> None:
    parsed = ignore("*", "!src", "src/*.pyc", "!node_modules/keep/**", "node_modules")
    listing = walk_context(context, parsed)
    # The last line is not evaluated at `node_modules` itself (already excluded there), so it
    # does not take back what the exception re-included below it.
    assert listing.included == ("node_modules/keep/x.js", "src/app.py")
    assert listing.excluded == ("README.md", "filelink", "link", "src/app.pyc")
    assert listing.pruned_dirs == ("build", "node_modules/pkg")
    for path in listing.included:
        assert parsed.matches(path) is False
    for path in listing.excluded:
        assert parsed.matches(path) is True


# ----------------------------------------------------------------------------- reference


def _reference_cases() -> list[dict[str, object]]:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    cases: list[dict[str, object]] = data["cases"]
    return cases


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference answers not present")
def test_agrees_with_reference_matcher() -> None:
    disagreements = []
    for case in _reference_cases():
        lines = case["lines"]
        assert isinstance(lines, list)
        parsed = parse_dockerignore("\n".join(lines))
        expected = "error" if case["error"] is not None else case["excluded"]
        ours = "error" if parsed.errors else parsed.matches(str(case["path"]))
        if ours != expected:
            disagreements.append((lines, case["path"], expected, ours))
    assert disagreements == []


def test_quick_match_gives_the_pattern_by_pattern_answer() -> None:
    """Without `!` patterns one expression decides the paths no pattern matches; the
    answers, and the states their children inherit, are those of the full loop."""
    text = "node_modules\n**/*.log\nbuild/**\n.git\ndocs/*.md\n[Tt]mp?\n**/.env\n"
    quick, slow = parse_dockerignore(text), parse_dockerignore(text)
    slow._any.append(None)  # the full loop only
    paths = [
        "node_modules",
        "src",
        "src/app.log",
        "build",
        "build/x",
        "docs",
        "docs/a.md",
        "docs/sub",
        "docs/sub/b.md",
        "Tmp1",
        "tmp",
        ".env",
        "a/.env",
        "a/b",
        ".git",
        "x.md",
    ]
    for path in paths:
        parent = quick.initial_state
        assert quick.matches_with_parent(path, parent) == slow.matches_with_parent(path, parent)
        assert quick.matches(path) == slow.matches(path)


def test_negated_class_compiles_as_a_negation() -> None:
    from dockerfix.model.dockerignore import _docker_regex, _GoRegex

    _, source = _docker_regex("src/*.py")
    translated = _GoRegex(source).translate()
    assert "[^/]" in translated and "\U0010ffff" not in translated
    ignore = parse_dockerignore("src/*.py\n")
    assert ignore.matches("src/a.py") and ignore.matches("src/\n.py")
    assert not ignore.matches("src/a/b.txt") and not ignore.matches("src.py")


_NAMES = st.sampled_from(["a", "b", "src", "node_modules", ".env", "x.log", "build", "*.log"])


@settings(max_examples=300, deadline=None)
@given(
    patterns=st.lists(
        st.builds(
            "/".join,
            st.lists(
                st.sampled_from(["a", "src", "*", "**", "*.log", "b?"]), min_size=1, max_size=3
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    paths=st.lists(st.builds("/".join, st.lists(_NAMES, min_size=1, max_size=4)), max_size=12),
)
def test_matches_without_exceptions_is_any_pattern_on_the_path_or_a_folder(
    patterns: list[str], paths: list[str]
) -> None:
    ignore = parse_dockerignore("\n".join(patterns) + "\n")
    assert ignore.quick_pattern() is not None or ignore.errors
    for path in paths:
        parts = path.split("/")
        prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
        expected = any(p.matches_path(q) for q in prefixes for p in ignore.patterns)
        assert ignore.matches(path) is expected, (patterns, path)
