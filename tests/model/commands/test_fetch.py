"""Table tests for downloads (git, curl, wget): exact reads, declines with reasons, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz", {}, "download", None, (), False, ()),
    ("wget -q https://example.com/a.zip", {}, "download", None, (), False, ()),
    (
        "git clone --depth 1 https://github.com/org/repo.git /src",
        {},
        "download",
        "git",
        (),
        False,
        (),
    ),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    (
        "curl -fsSL -o /usr/local/bin/tini https://example.com/tini",
        {},
        ("/usr/local/bin/tini",),
        False,
        True,
    ),
    ("curl -fsSLO https://example.com/dl/tool.tar.gz", {}, ("tool.tar.gz",), False, True),
    ("wget -O - https://example.com/key.asc", {}, (), False, True),
    ("wget -P /tmp https://example.com/dl/a.zip?x=1", {}, ("/tmp/a.zip",), False, True),
    ("git clone https://github.com/org/tool.git", {}, ("tool",), False, True),
]


test_writes = writes_test(WRITE_CASES)
