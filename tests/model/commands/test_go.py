"""Table tests for the go command: exact reads, declines with reasons, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

# go looks for go.work in the working directory and in every folder above it.
WORK = tuple(
    name
    for depth in range(9)
    for name in ("../" * depth + "go.work", "../" * depth + "go.work.sum")
)

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "go mod download",
        {"go.mod": "module example.com/app\n\ngo 1.22\n"},
        "download",
        "go",
        ("go.mod", "go.sum", *WORK),
        False,
        (),
    ),
    (
        "go mod download",
        {"go.mod": "module x\nreplace example.com/lib => ./lib\n", "lib/go.mod": "module lib\n"},
        "download",
        "go",
        ("go.mod", "go.sum", "lib/go.mod", "lib/go.sum", *WORK),
        False,
        ("go.mod replaces a module with the local directory ./lib",),
    ),
    (
        "go mod download",
        {},
        "download",
        "go",
        ("go.mod", "go.sum", *WORK),
        True,
        ("go.mod is not known: cannot tell whether replace directives point at local directories",),
    ),
    (
        "go build -o /bin/app ./cmd/app",
        {},
        "build",
        "go",
        (),
        True,
        ("go build reads the Go sources of the packages it loads",),
    ),
    ("go install github.com/go-delve/delve/cmd/dlv@latest", {}, "install", "go", (), False, ()),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("go mod download", {"GOPATH": "/go"}, ("/go/pkg/mod",), False, True),
]


test_writes = writes_test(WRITE_CASES)


def test_go_mod_download_uses_the_go_mod_above_the_working_directory() -> None:
    from tests.model.commands.helpers import run

    files = {"../../go.mod": "module example.com/shop\n"}
    effect = run("go mod download", files)
    assert not effect.reads_all
    assert effect.reads[:4] == ("../../go.mod", "../../go.sum", "go.mod", "../go.mod")
