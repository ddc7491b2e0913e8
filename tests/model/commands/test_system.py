"""Table tests for system package managers and native builds: reads, declines, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("apt-get update", {}, "system-packages", "apt", (), False, ()),
    (
        "apt-get install -y --no-install-recommends curl ca-certificates",
        {},
        "system-packages",
        "apt",
        (),
        False,
        (),
    ),
    (
        "apt-get install -y ./vendor/tool.deb",
        {},
        "system-packages",
        "apt",
        ("vendor/tool.deb",),
        False,
        (),
    ),
    ("apt-get -o Acquire::Retries=3 purge -y gcc", {}, "system-packages", "apt", (), False, ()),
    ("apt-get clean", {}, "system-packages", "apt", (), False, ()),
    ("apt install -y git", {}, "system-packages", "apt", (), False, ()),
    (
        "apk add --no-cache --virtual .build-deps gcc musl-dev",
        {},
        "system-packages",
        "apk",
        (),
        False,
        (),
    ),
    ("apk del .build-deps", {}, "system-packages", "apk", (), False, ()),
    ("dnf install -y --setopt=tsflags=nodocs python3", {}, "system-packages", "dnf", (), False, ()),
    ("yum clean all", {}, "system-packages", "yum", (), False, ()),
    ("microdnf install -y shadow-utils", {}, "system-packages", "dnf", (), False, ()),
    ("zypper --non-interactive install -y curl", {}, "system-packages", "zypper", (), False, ()),
    ("dpkg -i pkg.deb", {}, "system-packages", "apt", ("pkg.deb",), False, ()),
    ("a2enmod rewrite ssl", {}, "filesystem", None, (), False, ()),
    ("a2dissite 000-default", {}, "filesystem", None, (), False, ()),
    (
        "make -j4",
        {},
        "build",
        None,
        (),
        True,
        ("make runs build rules that may read and write any file",),
    ),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("apt-get update", {}, ("/var/lib/apt/lists",), False, True),
    ("apt-get clean", {}, ("/var/cache/apt",), False, False),
    ("make install", {}, (), True, True),
    ("a2enmod rewrite", {}, ("/etc/apache2",), False, False),
]


test_writes = writes_test(WRITE_CASES)


def test_cross_compilation_wrappers_are_the_tools_they_wrap() -> None:
    """tonistiigi/xx's `xx-apk`, `xx-apt-get` and `xx-go` act as apk, apt-get and go."""
    from dockerfix.model.commands import classify, program_name

    assert [program_name(w) for w in ("xx-apk", "xx-apt-get", "xx-apt", "xx-go")] == [
        "apk",
        "apt-get",
        "apt",
        "go",
    ]
    assert classify(["xx-apk", "add", "musl-dev"]) == classify(["apk", "add", "musl-dev"])
    assert program_name("xx-verify") == "xx-verify"
