"""Table tests for the JavaScript tools: exact reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from dockerfix.model.commands import classify
from tests.model.commands.helpers import classify_test, run, writes_test

NPM_WS = {
    "package.json": '{"name": "root", "workspaces": ["packages/*"]}',
    "packages/a/package.json": '{"name": "a", "bin": {"a": "cli.js"}}',
    "packages/b/package.json": '{"name": "b"}',
}
NPM_POSTINSTALL = {"package.json": '{"scripts": {"postinstall": "node scripts/setup.js"}}'}
# With no lockfile of its own, bun migrates (and so reads) another tool's lockfile.
BUN_READS = (
    "package.json",
    "bun.lock",
    "bun.lockb",
    "bunfig.toml",
    ".npmrc",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
)
NPM_PLAIN = {"package.json": '{"name": "app", "scripts": {"build": "tsc", "start": "node ."}}'}


# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "npm ci",
        NPM_PLAIN,
        "install",
        "npm",
        ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc", "yarn.lock"),
        False,
        (),
    ),
    (
        "npm ci --omit=dev",
        NPM_POSTINSTALL,
        "install",
        "npm",
        ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc", "yarn.lock"),
        True,
        ("package.json has a postinstall script: npm install runs it and it may read any file",),
    ),
    (
        "npm ci --ignore-scripts",
        NPM_POSTINSTALL,
        "install",
        "npm",
        ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc", "yarn.lock"),
        False,
        (),
    ),
    (
        "npm install",
        NPM_WS,
        "install",
        "npm",
        (
            "package.json",
            "package-lock.json",
            "npm-shrinkwrap.json",
            ".npmrc",
            "packages/a/package.json",
            "packages/a/cli.js",
            "packages/b/package.json",
            "yarn.lock",
        ),
        False,
        (),
    ),
    (
        "npm ci",
        {},
        "install",
        "npm",
        ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc", "yarn.lock"),
        True,
        ("package.json is not known: cannot tell its lifecycle scripts and workspaces",),
    ),
    ("npm install -g pnpm@9", {}, "install", "npm", (), False, ()),
    (
        "npm run build",
        NPM_PLAIN,
        "build",
        "npm",
        (),
        True,
        ("npm run build runs the package.json script build: it may read any file",),
    ),
    ("npm --version", {}, "noop", "npm", (), False, ()),
    (
        "yarn install --frozen-lockfile",
        {"package.json": '{"packageManager": "yarn@1.22.19"}'},
        "install",
        "yarn",
        ("package.json", "yarn.lock", ".yarnrc", ".npmrc"),
        False,
        (),
    ),
    (
        "yarn install --immutable",
        {"package.json": '{"packageManager": "yarn@4.1.0"}', ".yarnrc.yml": "nodeLinker: pnp\n"},
        "install",
        "yarn",
        (
            "package.json",
            "yarn.lock",
            ".yarnrc.yml",
            ".yarn/releases",
            ".yarn/plugins",
            ".yarn/patches",
        ),
        False,
        (),
    ),
    (
        "yarn",
        {"package.json": '{"packageManager": "yarn@1.22.19", "scripts": {"prepare": "husky"}}'},
        "install",
        "yarn",
        ("package.json", "yarn.lock", ".yarnrc", ".npmrc"),
        True,
        (
            "package.json has a prepare script `husky`, which only installs Git hooks: run "
            "before the sources are copied it finds no .git, so the image's .git (and hook "
            "folder) may differ",
        ),
    ),
    (
        "yarn build",
        NPM_PLAIN,
        "build",
        "yarn",
        (),
        True,
        ("yarn build runs the package.json script build: it may read any file",),
    ),
    (
        "pnpm fetch --prod",
        {},
        "download",
        "pnpm",
        ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"),
        False,
        (),
    ),
    (
        "pnpm install --offline --frozen-lockfile",
        {
            "package.json": '{"name": "root"}',
            "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - '!apps/legacy'\n",
            "apps/web/package.json": '{"name": "web"}',
            "apps/legacy/package.json": "{}",
        },
        "install",
        "pnpm",
        (
            "package.json",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
            ".npmrc",
            ".pnpmfile.cjs",
            "patches",
            "apps/web/package.json",
        ),
        False,
        (),
    ),
    (
        "pnpm install",
        {
            "package.json": '{"name": "root"}',
            "pnpm-workspace.yaml": "packages:\n  - apps/*\n",
            "apps/web/package.json": '{"scripts": {"postinstall": "prisma generate"}}',
        },
        "install",
        "pnpm",
        (
            "package.json",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
            ".npmrc",
            ".pnpmfile.cjs",
            "patches",
            "apps/web/package.json",
        ),
        True,
        (
            "apps/web/package.json has a postinstall script: pnpm install runs it and it may read "
            "any file",
        ),
    ),
    (
        "bun install --frozen-lockfile",
        NPM_PLAIN,
        "install",
        "bun",
        BUN_READS,
        False,
        (),
    ),
    (
        "bun install",
        {"package.json": '{"scripts": {"preinstall": "node check.js"}}'},
        "install",
        "bun",
        BUN_READS,
        True,
        ("package.json has a preinstall script: bun install runs it and it may read any file",),
    ),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("npm ci", {"HOME": "/root"}, ("node_modules", "/root/.npm"), False, True),
]


test_writes = writes_test(WRITE_CASES)


def test_workspaces_without_a_listing_decline() -> None:
    effect = classify(["npm", "ci"], read_file=NPM_WS.get)
    assert (effect.reads_all, effect.reasons) == (
        True,
        ("cannot list the workspace packages packages/*: their install scripts are unknown",),
    )


@pytest.mark.parametrize(
    ("scripts", "assumed"),
    [
        ('{"prepare": "husky install"}', True),
        ('{"postinstall": "cd .. && husky install"}', True),
        ('{"prepare": "is-ci || husky install"}', True),
        ('{"prepare": "husky install && node gen.js"}', False),
        ('{"postinstall": "prisma generate"}', False),
    ],
)
def test_git_hook_scripts_are_an_assumption(scripts: str, assumed: bool) -> None:
    """A lifecycle script that only installs Git hooks reads everything only on an assumption
    the unsafe tier may make; any other script stays a plain decline."""
    effect = run("npm ci", {"package.json": f'{{"scripts": {scripts}}}', "package-lock.json": ""})
    assert effect.reads_all
    assert (effect.assumed is not None) is assumed
    if effect.assumed is not None:
        assert not effect.assumed.reads_all
        assert effect.assumed.reads == (
            "package.json",
            "package-lock.json",
            "npm-shrinkwrap.json",
            ".npmrc",
            "yarn.lock",
        )
        assert "only installs Git hooks" in effect.assumption


def test_a_git_hook_package_beside_a_build_script_is_no_assumption() -> None:
    files = {"package.json": '{"scripts": {"prepare": "tsc"}, "devDependencies": {"husky": "9"}}'}
    effect = run("npm ci", files)
    assert effect.reads_all and effect.assumed is None


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ("file:./shared", "./shared"),
        ("shared@file:../shared", "../shared"),
        ("link:../ui", "../ui"),
        ("portal:./tools", "./tools"),
        ("./vendor/x", "./vendor/x"),
        ("~/lib", "~/lib"),
        ("vendor/x-1.0.0.tgz", "vendor/x-1.0.0.tgz"),
        ("~5.4.0", None),
        ("^1.2.3", None),
        ("lodash@4", None),
        ("github:user/repo", None),
    ],
)
def test_local_spec(spec: str, path: str | None) -> None:
    from dockerfix.model.commands.node import _local_spec

    assert _local_spec(spec) == path


def test_npm_install_of_a_file_spec_declines() -> None:
    from tests.model.commands.helpers import run

    effect = run("npm install file:./shared", {"package.json": '{"name": "a"}'})
    assert effect.reads_all
    assert "npm install file:./shared installs a local folder" in " ".join(effect.reasons)


YARN_CLASSIC = {"package.json": '{"packageManager": "yarn@1.22.22"}', "yarn.lock": ""}
YARN_EITHER = {"package.json": '{"name": "x"}', "yarn.lock": ""}
YARN_BERRY = {"package.json": '{"name": "x"}', "yarn.lock": "__metadata:\n", ".yarnrc.yml": ""}
PNPM = {"package.json": '{"name": "x"}', "pnpm-lock.yaml": "lockfileVersion: '9.0'\n"}


@pytest.mark.parametrize(
    ("command", "files", "env", "lock"),
    [
        # An install that may bring the lock file up to date with package.json writes it.
        ("yarn install", YARN_CLASSIC, {}, "yarn.lock"),
        ("yarn", YARN_BERRY, {}, "yarn.lock"),
        ("yarn install", YARN_CLASSIC, {"CI": "true"}, "yarn.lock"),  # Yarn 1 ignores CI
        ("pnpm install", PNPM, {}, "pnpm-lock.yaml"),
        ("pnpm i --no-frozen-lockfile", PNPM, {"CI": "true"}, "pnpm-lock.yaml"),
        ("pnpm install --prefer-frozen-lockfile", PNPM, {}, "pnpm-lock.yaml"),
        # Frozen: it fails rather than rewrite it.
        ("yarn install --frozen-lockfile", YARN_CLASSIC, {}, None),
        ("yarn install --pure-lockfile", YARN_CLASSIC, {}, None),
        ("yarn install", YARN_EITHER, {}, "yarn.lock"),
        ("yarn install --frozen-lockfile", YARN_EITHER, {}, None),
        ("yarn install --immutable", YARN_BERRY, {}, None),
        ("yarn install", YARN_BERRY, {"CI": "1"}, None),
        ("pnpm install --frozen-lockfile", PNPM, {}, None),
        ("pnpm install", PNPM, {"CI": "true"}, None),
    ],
)
def test_an_install_not_frozen_may_rewrite_its_lock(
    command: str, files: dict[str, str], env: dict[str, str], lock: str | None
) -> None:
    writes = set(run(command, files, env).writes)
    locks = {w for w in writes if w.endswith((".lock", "-lock.yaml"))}
    assert locks == ({lock} if lock else set())


HUSKY_DEV = {"package.json": '{"devDependencies": {"husky": "^4.3.8"}}'}
HUSKY_PROD = {"package.json": '{"dependencies": {"husky": "^4.3.8"}}'}


@pytest.mark.parametrize(
    ("command", "files", "env", "assumed"),
    [
        ("npm ci", HUSKY_DEV, {}, True),
        # devDependencies left out: husky is not installed, and its install script never runs.
        ("npm ci", HUSKY_DEV, {"NODE_ENV": "production"}, False),
        ("npm ci --omit=dev", HUSKY_DEV, {}, False),
        ("npm install --production", HUSKY_DEV, {}, False),
        ("npm ci --include=dev", HUSKY_DEV, {"NODE_ENV": "production"}, True),
        ("pnpm install --prod --frozen-lockfile", HUSKY_DEV, {}, False),
        ("yarn install --production --frozen-lockfile", HUSKY_DEV, {}, False),
        # A runtime dependency is installed all the same.
        ("npm ci --omit=dev", HUSKY_PROD, {}, True),
    ],
)
def test_lifecycle_packages_among_dev_dependencies_left_out_do_not_run(
    command: str, files: dict[str, str], env: dict[str, str], assumed: bool
) -> None:
    effect = run(command, files, env)
    assert (effect.assumed is not None) == assumed, effect.assumption
