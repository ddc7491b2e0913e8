"""DFX004-DFX006: the planned `.dockerignore` block, exact text for every case."""

from __future__ import annotations

import difflib
import shutil
import sys
from pathlib import Path

import pytest

from dockerfix.fixes.dockerignore import HEADER, RULES, DockerignorePlan, plan_dockerignore
from dockerfix.model.context import BuildContext
from dockerfix.model.dockerignore import parse_dockerignore
from dockerfix.syntax import parse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "fixtures" / "dockerignore"
H = HEADER


def _make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return root


def _plan(tmp_path: Path, files: dict[str, str], dockerfile: str) -> DockerignorePlan:
    ctx = _make(tmp_path / "ctx", files)
    return plan_dockerignore(parse(dockerfile), ctx, ctx / "Dockerfile")


APP = "FROM busybox\nWORKDIR /app\nCOPY . .\n"

# (files in the context, Dockerfile, expected new text or None, expected declined entries)
CASES_TABLE: list[tuple[str, dict[str, str], str, str | None, list[str]]] = [
    (
        "log-and-git",
        {"app.log": "x\n", ".git/HEAD": "ref\n", "main.sh": "echo\n"},
        APP,
        f"{H}\n.git\n**/*.log\n.dockerignore\n",
        [],
    ),
    (
        "nested-pycache-and-loose-pyc",
        {"a/__pycache__/m.pyc": "x", "b/old.pyc": "x", "a/m.py": ""},
        APP,
        f"{H}\n**/__pycache__\n**/*.pyc\n.dockerignore\n",
        [],
    ),
    (
        "node-modules-regenerated-by-npm-ci",
        {"package.json": "{}\n", "node_modules/x/i.js": "1\n"},
        APP + "RUN npm ci\n",
        f"{H}\nnode_modules\n.dockerignore\n",
        [],
    ),
    (
        "node-modules-installed-elsewhere-is-kept",
        {"package.json": "{}\n", "node_modules/x/i.js": "1\n"},
        APP + "RUN cd /tmp && npm ci\n",
        None,
        ["node_modules"],
    ),
    (
        "node-modules-without-install-is-kept",
        {"index.js": "1\n", "node_modules/x/i.js": "1\n"},
        APP + 'CMD ["node", "index.js"]\n',
        None,
        ["node_modules"],
    ),
    (
        "venv-recreated-by-python-m-venv",
        {".venv/pyvenv.cfg": "x\n", "main.py": ""},
        APP + "RUN python3 -m venv .venv\n",
        f"{H}\n.venv\n.dockerignore\n",
        [],
    ),
    (
        "git-kept-when-a-run-may-read-it",
        {".git/HEAD": "ref\n", ".idea/x.xml": "<x/>\n"},
        APP + "RUN make\n",
        f"{H}\n.idea\n.dockerignore\n",
        [".git"],
    ),
    (
        "dist-named-by-copy",
        {"dist/a.js": "1\n", "x.log": "1\n"},
        "FROM busybox\nCOPY dist/ /srv/\nCOPY . /app/\n",
        f"{H}\n**/*.log\n.dockerignore\n",
        ["dist"],
    ),
    (
        "dist-in-final-image-kept",
        {"dist/a.js": "1\n"},
        APP,
        None,
        ["dist"],
    ),
    (
        "dist-in-builder-stage-not-shipped",
        {"dist/a.js": "1\n", "m.sh": "echo\n"},
        "FROM busybox AS b\nWORKDIR /app\nCOPY . .\nRUN wc -l m.sh\n"
        "FROM busybox\nCOPY --from=b /app/m.sh /m.sh\n",
        f"{H}\ndist\n.dockerignore\n",
        [],
    ),
    (
        "log-copied-out-of-builder-stage",
        {"out.log": "1\n"},
        "FROM busybox AS b\nWORKDIR /app\nCOPY . .\nFROM busybox\nCOPY --from=b /app/out.log /x\n",
        None,
        ["**/*.log"],
    ),
    (
        "bind-mount-names-build",
        {"build/x.sh": "echo\n", "a.log": "1\n"},
        "FROM busybox\nRUN --mount=type=bind,source=build,target=/b sh /b/x.sh\n",
        None,
        ["build"],
    ),
    (
        "bind-mount-of-root-keeps-git",
        {".git/HEAD": "ref\n", "a.log": "1\n"},
        "FROM busybox\nRUN --mount=type=bind,target=/src wc -l /src/x\n",
        f"{H}\n**/*.log\n.dockerignore\n",
        [".git"],
    ),
    (
        "unresolved-source-declines-everything",
        {"a.log": "1\n", ".env": "K=1\n"},
        "FROM busybox\nCOPY $SRC /app/\nCOPY . /app/\n",
        None,
        ["**/*.log", ".env"],
    ),
    (
        "secret-not-copied-is-still-excluded",
        {".env": "K=1\n", "main.sh": "echo\n"},
        "FROM busybox\nCOPY main.sh /\n",
        f"{H}\n.env\n",
        [],
    ),
    (
        "secret-read-by-run-is-kept",
        {"secrets/.env": "K=1\n"},
        APP + "RUN cat secrets/.env\n",
        None,
        ["secrets/.env"],
    ),
    (
        "env-kept-when-a-bundler-build-follows",
        {
            ".env": "VITE_API_URL=http://api\n",
            "package.json": '{"scripts": {"build": "vite build"}}\n',
            "package-lock.json": "{}\n",
            "src/main.js": "x\n",
        },
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n",
        None,
        [".env"],
    ),
    (
        "env-files-kept-when-an-opaque-run-follows",
        {".env": "K=1\n", ".env.test": "K=2\n", "build.sh": "x\n"},
        APP + "RUN ./build.sh\n",
        None,
        [".env", ".env.test"],
    ),
    (
        "env-excluded-when-only-known-readers-follow",
        {".env": "K=1\n", "requirements.txt": "flask\n"},
        APP + "RUN pip install -r requirements.txt\n",
        f"{H}\n.env\n.dockerignore\n",
        [],
    ),
    (
        "git-kept-for-a-project-install",
        {".git/HEAD": "ref\n", "pyproject.toml": "[build-system]\n", "src/m.py": ""},
        APP + "RUN pip install .\n",
        None,
        [".git"],
    ),
    (
        "git-kept-for-git-describe",
        {".git/HEAD": "ref\n", "m.sh": ""},
        APP + "RUN git describe --tags > VERSION\n",
        None,
        [".git"],
    ),
    (
        "ignore-file-named-by-copy-is-not-self-excluded",
        {".dockerignore": "", "a.log": "1\n"},
        "FROM busybox\nCOPY .dockerignore /etc/x\nCOPY . /app/\n",
        f"{H}\n**/*.log\n",
        [],
    ),
    (
        "wildcard-in-secret-name-is-escaped",
        {"k[1].key": "-----BEGIN PRIVATE KEY-----\n", "k1.key": "ssh-rsa AAAA\n"},
        APP,
        f"{H}\nk\\[1\\].key\n.dockerignore\n",
        [],
    ),
]

NO_OP: list[tuple[str, dict[str, str], str]] = [
    ("clean-context", {"main.py": "", "requirements.txt": "flask\n"}, APP),
    ("junk-not-sent", {"a.log": "1\n", "main.sh": ""}, "FROM busybox\nCOPY main.sh /\n"),
    (
        "env-template-is-no-secret",
        {".env.example": "K=\n", "x.pem": "-----BEGIN CERTIFICATE\n"},
        APP,
    ),
    ("public-key-is-no-secret", {"id_rsa.pub": "ssh-rsa A\n", "deploy.key": "ssh-rsa A\n"}, APP),
    ("log-needed-by-glob-copy", {"x.log": "1\n"}, "FROM busybox\nCOPY *.log /logs/\n"),
    ("no-copy-at-all", {"a.log": "1\n", ".DS_Store": "x"}, "FROM busybox\nRUN echo hi\n"),
]


@pytest.mark.parametrize(
    ("files", "dockerfile", "expected", "declined"),
    [c[1:] for c in CASES_TABLE],
    ids=[c[0] for c in CASES_TABLE],
)
def test_plan(
    tmp_path: Path,
    files: dict[str, str],
    dockerfile: str,
    expected: str | None,
    declined: list[str],
) -> None:
    plan = _plan(tmp_path, files, dockerfile)
    assert plan.new_text == expected
    assert [entry for entry, _ in plan.declined] == declined
    assert all(reason for _, reason in plan.declined)


@pytest.mark.parametrize(("files", "dockerfile"), [c[1:] for c in NO_OP], ids=[c[0] for c in NO_OP])
def test_no_op(tmp_path: Path, files: dict[str, str], dockerfile: str) -> None:
    plan = _plan(tmp_path, files, dockerfile)
    assert plan.new_text is None
    assert plan.added == ()
    assert not any(d.code == "DFX004" and d.applied for d in plan.diagnostics)


@pytest.mark.parametrize(
    ("original", "expected_tail"),
    [
        ("a\n", "a\n\n" + H + "\n**/*.log\n.dockerignore\n"),
        ("a", "a\n\n" + H + "\n**/*.log\n.dockerignore\n"),
        ("a\r\nb\r\n", "a\r\nb\r\n\r\n" + H + "\r\n**/*.log\r\n.dockerignore\r\n"),
        ("a\r\nb", "a\r\nb\r\n\r\n" + H + "\r\n**/*.log\r\n.dockerignore\r\n"),
        ("", H + "\n**/*.log\n.dockerignore\n"),
        ("\ufeff# bom\n", "\ufeff# bom\n\n" + H + "\n**/*.log\n.dockerignore\n"),
    ],
    ids=["lf", "no-final-newline", "crlf", "crlf-no-final-newline", "empty", "bom"],
)
def test_existing_bytes_kept(tmp_path: Path, original: str, expected_tail: str) -> None:
    ctx = _make(tmp_path / "ctx", {"app.log": "1\n", "main.sh": ""})
    (ctx / ".dockerignore").write_bytes(original.encode())
    plan = plan_dockerignore(parse(APP), ctx, ctx / "Dockerfile")
    assert plan.original_text == original
    assert plan.new_text == expected_tail
    assert plan.new_text is not None and plan.new_text.encode().startswith(original.encode())


@pytest.mark.parametrize(
    ("ignore_bytes", "reason_part"),
    [(b"\xff\xfe\n", "UTF-8"), (b"[\n", "BuildKit would refuse")],
    ids=["not-utf8", "invalid-pattern"],
)
def test_refuses_unreadable_ignore_file(
    tmp_path: Path, ignore_bytes: bytes, reason_part: str
) -> None:
    ctx = _make(tmp_path / "ctx", {"app.log": "1\n"})
    (ctx / ".dockerignore").write_bytes(ignore_bytes)
    plan = plan_dockerignore(parse(APP), ctx, ctx / "Dockerfile")
    assert plan.new_text is None
    assert [d.code for d in plan.diagnostics] == ["DFX004"]
    assert reason_part in plan.diagnostics[0].reason


def test_sharing_dockerfile_needs_count(tmp_path: Path) -> None:
    ctx = _make(tmp_path / "ctx", {"a.log": "1\n", ".idea/x": "1\n"})
    other = parse("FROM busybox\nCOPY a.log /a.log\n")
    plan = plan_dockerignore(parse(APP), ctx, ctx / "Dockerfile", sharing=[other])
    assert plan.new_text == f"{H}\n.idea\n.dockerignore\n"
    assert [e for e, _ in plan.declined] == ["**/*.log"]


def test_accepts_a_loaded_build_context(tmp_path: Path) -> None:
    ctx = _make(tmp_path / "ctx", {"a.log": "1\n"})
    plan = plan_dockerignore(parse(APP), BuildContext.load(ctx), ctx / "Dockerfile")
    assert plan.path == ctx / ".dockerignore"
    assert plan.new_text == f"{H}\n**/*.log\n.dockerignore\n"


def test_new_text_excludes_exactly_the_planned_files(tmp_path: Path) -> None:
    files = {"a.log": "1\n", "src/b.log": "1\n", "src/c.py": "", ".vscode/s": "", "keep.txt": ""}
    plan = _plan(tmp_path, files, APP)
    assert plan.new_text is not None
    ignore = parse_dockerignore(plan.new_text)
    assert sorted(f for f in files if ignore.matches(f)) == [".vscode/s", "a.log", "src/b.log"]


def test_every_entry_is_unsafe_and_says_what_leaves_the_image(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        {".git/HEAD": "ref\n", ".git/config": "[core]\n", "a.log": "1\n", "m.sh": ""},
        "FROM busybox\nWORKDIR /srv\nCOPY . .\n",
    )
    added = [d for d in plan.diagnostics if d.code == "DFX004"]
    assert [d.tier for d in added] == ["unsafe", "unsafe", "unsafe"]
    assert added[0].message.endswith("leaves the image: `/srv/.git` (2 files)")
    assert added[1].message.endswith("leaves the image: `/srv/a.log`")


def test_rule_docs_match_the_doc_page() -> None:
    page = (REPO / "docs" / "fixes" / "DFX004.md").read_text()
    assert [r.code for r in RULES] == ["DFX004", "DFX005", "DFX006"]
    for code, name, tier, summary, doc in (
        (r.code, r.name, r.tier, r.summary, r.doc) for r in RULES
    ):
        assert f"# {code} {name}" in page
        assert f"Tier: {tier}" in page
        assert summary in page
        assert doc.strip() in page


# --------------------------------------------------------------------------- fixtures


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "Dockerfile").is_file())


def _materialise(case: Path, tmp_path: Path) -> tuple[Path, Path, dict[str, object]]:
    """Copy the case; create the files git cannot store (a `.git` folder) from case.toml."""
    work = tmp_path / case.name
    shutil.copytree(case, work)
    toml = work / "case.toml"
    options = tomllib.loads(toml.read_text()) if toml.is_file() else {}
    create = options.get("create", {})
    assert isinstance(create, dict)
    for rel, text in create.items():
        _make(work / "context", {rel: str(text)})
    return work / "context", work / "Dockerfile", options


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_fixture(case: Path, tmp_path: Path) -> None:
    context, dockerfile, options = _materialise(case, tmp_path)
    plan = plan_dockerignore(parse(dockerfile.read_text()), context, dockerfile)
    expected_path = case / "expected.dockerignore"
    expected = expected_path.read_bytes().decode() if expected_path.is_file() else None
    if plan.new_text != expected:
        diff = "".join(
            difflib.unified_diff(
                (expected or "").splitlines(True), (plan.new_text or "").splitlines(True)
            )
        )
        pytest.fail(f"{case.name}: planned text differs from expected.dockerignore:\n{diff}")
    target = str(options.get("target", ".dockerignore"))
    assert plan.path.name == target
    if plan.original_text is not None and plan.new_text is not None:
        assert plan.new_text.startswith(plan.original_text)
    expect = options.get("expect", {})
    assert isinstance(expect, dict)
    assert [e for e, _ in plan.declined] == expect["declined"]
    assert sorted({d.code for d in plan.diagnostics}) == expect["codes"]
    reasons = " | ".join(r for _, r in plan.declined)
    for part in expect.get("reason_contains", []):
        assert part in reasons, reasons
    if "secrets" in expect:
        reported = [d.message.split("`")[1] for d in plan.diagnostics if d.code == "DFX005"]
        assert reported == expect["secrets"]


def test_secrets_of_one_kind_in_one_folder_are_one_finding(tmp_path: Path) -> None:
    key = "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n"
    for name in ("a.pem", "b.pem", "c.pem", "d.pem"):
        (tmp_path / "keys" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "keys" / name).write_text(key)
    (tmp_path / "deploy.pem").write_text(key)
    (tmp_path / "requirements.txt").write_text("flask\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12\nWORKDIR /app\nCOPY . .\n")
    plan = plan_dockerignore(parse(dockerfile.read_text()), tmp_path, dockerfile)
    found = sorted(d.message for d in plan.diagnostics if d.code == "DFX005")
    assert found == [
        "4 files in `keys/` (private key: a.pem, b.pem, c.pem, 1 more) are in the build "
        "context and line 3 copies them into the image; DFX004's .dockerignore block excludes "
        "them (applied with --unsafe-fixes)",
        "`deploy.pem` (private key) is in the build context and line 3 copies it into the "
        "image; DFX004's .dockerignore block excludes it (applied with --unsafe-fixes)",
    ]


def test_an_empty_folder_is_not_blamed_on_the_ignore_file(tmp_path: Path) -> None:
    # A Git submodule that is not checked out is an empty folder: nothing excludes it.
    (tmp_path / "ui").mkdir()
    (tmp_path / "app.py").write_text("print(1)\n")
    (tmp_path / ".dockerignore").write_text("*.log\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM node:20\nWORKDIR /app\nCOPY ui .\nCOPY app.py .\n")
    plan = plan_dockerignore(parse(dockerfile.read_text()), tmp_path, dockerfile)
    found = [(d.message, d.reason) for d in plan.diagnostics if d.code == "DFX006"]
    assert found == [
        (
            "`ui` in `COPY ui .` is an empty folder in the build context (a Git submodule not "
            "checked out?): the build copies nothing or fails",
            "ui holds no files",
        )
    ]


def test_a_folder_with_files_excluded_inside_it_names_the_ignore_file(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "index.js").write_text("x\n")
    (tmp_path / ".dockerignore").write_text("ui/**\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM node:20\nWORKDIR /app\nCOPY ui .\n")
    plan = plan_dockerignore(parse(dockerfile.read_text()), tmp_path, dockerfile)
    found = [(d.message, d.reason) for d in plan.diagnostics if d.code == "DFX006"]
    # `ui/**` matches the files, not the folder's own name: no single line to point at.
    assert found == [
        (
            "`ui` in `COPY ui .` is excluded by .dockerignore: the build copies nothing or fails",
            ".dockerignore excludes ui",
        )
    ]
