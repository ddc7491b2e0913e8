"""Table tests for file, user and text tools and no-ops: reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("mkdir -p /app/data", {}, "filesystem", None, (), False, ()),
    ("chmod +x entrypoint.sh", {}, "filesystem", None, ("entrypoint.sh",), False, ()),
    (
        "chown -R app:app /app",
        {},
        "filesystem",
        None,
        ("/etc/passwd", "/etc/group", "/app"),
        False,
        (),
    ),
    ("chown -R 1000:1000 /app", {}, "filesystem", None, ("/app",), False, ()),
    ("cp config/app.ini /etc/app.ini", {}, "filesystem", None, ("config/app.ini",), False, ()),
    (
        "cp -r . /srv",
        {},
        "filesystem",
        None,
        (),
        True,
        ("`cp .` reads the whole working directory",),
    ),
    ("sed -i 's/a/b/' conf/app.conf", {}, "filesystem", None, ("conf/app.conf",), False, ()),
    ("sed -e 's/a/b/' in.txt", {}, "noop", None, ("in.txt",), False, ()),
    ("tar xzf dist.tgz -C /opt", {}, "filesystem", None, ("dist.tgz",), False, ()),
    ("unzip -q bundle.zip -d /opt/app", {}, "filesystem", None, ("bundle.zip",), False, ()),
    ("rm -rf /var/lib/apt/lists/*", {}, "filesystem", None, (), False, ()),
    ("true", {}, "noop", None, (), False, ()),
    ("[ -f /etc/os-release ]", {}, "noop", None, ("/etc/os-release",), False, ()),
    ("echo done", {}, "noop", None, (), False, ()),
    ("test -d /app", {}, "noop", None, ("/app",), False, ()),
    ("ls", {}, "noop", None, (".",), False, ()),
    ("ls -R /app", {}, "noop", None, ("/app",), False, ()),
    ("du -sh", {}, "noop", None, (".",), False, ()),
]


@pytest.mark.parametrize(
    ("command", "files", "kind", "eco", "reads", "reads_all", "reasons"),
    CASES,
    ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(CASES)],
)
def test_classify(
    command: str,
    files: dict[str, str],
    kind: str,
    eco: str | None,
    reads: tuple[str, ...],
    reads_all: bool,
    reasons: tuple[str, ...],
) -> None:
    effect = run(command, files)
    assert (effect.kind, effect.ecosystem, effect.reads, effect.reads_all, effect.reasons) == (
        kind,
        eco,
        reads,
        reads_all,
        reasons,
    )


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("rm -rf /var/lib/apt/lists/*", {}, ("/var/lib/apt/lists/*",), False, False),
    ("mkdir -p /app /data", {}, ("/app", "/data"), False, False),
    ("ln -sf /usr/bin/python3 /usr/local/bin/python", {}, ("/usr/local/bin/python",), False, False),
    ("tar -xzf app.tgz", {}, (".",), False, False),
    (
        "groupadd -r app",
        {},
        (
            "/etc/passwd",
            "/etc/shadow",
            "/etc/group",
            "/etc/gshadow",
            "/etc/subuid",
            "/etc/subgid",
            "/var/log/lastlog",
            "/var/log/faillog",
        ),
        False,
        False,
    ),
    (
        "useradd -r -M -u 1000 app",
        {},
        (
            "/etc/passwd",
            "/etc/shadow",
            "/etc/group",
            "/etc/gshadow",
            "/etc/subuid",
            "/etc/subgid",
            "/var/log/lastlog",
            "/var/log/faillog",
        ),
        False,
        False,
    ),
    (
        "adduser -D -h /srv/app app",
        {},
        (
            "/etc/passwd",
            "/etc/shadow",
            "/etc/group",
            "/etc/gshadow",
            "/etc/subuid",
            "/etc/subgid",
            "/var/log/lastlog",
            "/var/log/faillog",
            "/srv/app",
        ),
        False,
        False,
    ),
    ("true", {}, (), False, False),
]


@pytest.mark.parametrize(
    ("command", "env", "writes", "writes_all", "network"),
    WRITE_CASES,
    ids=[c[0][:40] for c in WRITE_CASES],
)
def test_writes(
    command: str, env: dict[str, str], writes: tuple[str, ...], writes_all: bool, network: bool
) -> None:
    effect = run(command, {"package.json": "{}"}, env)
    assert (effect.writes, effect.writes_all, effect.network) == (writes, writes_all, network)
