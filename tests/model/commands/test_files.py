"""Table tests for file, user and text tools and no-ops: reads, declines with reasons, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

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


test_classify = classify_test(CASES)


# The files a user or group tool writes (every such row expects exactly these).
USER_FILES = (
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/gshadow",
    "/etc/subuid",
    "/etc/subgid",
    "/var/log/lastlog",
    "/var/log/faillog",
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
        USER_FILES,
        False,
        False,
    ),
    (
        "useradd -r -M -u 1000 app",
        {},
        USER_FILES,
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


test_writes = writes_test(WRITE_CASES)
