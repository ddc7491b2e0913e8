"""Table tests for the ecosystem table: manifests, detection, dependency sets, the docs page."""

from __future__ import annotations

import pathlib

import pytest

from dockerfix.model.commands import classify
from dockerfix.model.ecosystems import (
    BY_NAME,
    ECOSYSTEMS,
    DependencySetUnknown,
    dependency_files,
    detect_ecosystems,
    manifests_present,
    render_markdown,
)

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "ecosystems.md"
SRC = {"src/app.py": "print()\n", "README.md": "# app\n"}

# (ecosystem, context files with contents, exact dependency files in copy order)
DEPENDENCY_SETS = [
    (
        "pip",
        {
            **SRC,
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "flask\n",
            "requirements-dev.txt": "pytest\n",
        },
        ["requirements-dev.txt", "requirements.txt", "requirements/base.txt"],
    ),
    (
        "pip-tools",
        {**SRC, "requirements.in": "flask\n", "requirements.txt": "flask==3\n"},
        ["requirements.txt"],
    ),
    (
        "pipenv",
        {**SRC, "Pipfile": "[packages]\nflask = '*'\n", "Pipfile.lock": "{}"},
        ["Pipfile", "Pipfile.lock"],
    ),
    (
        "poetry",
        {**SRC, "pyproject.toml": "[tool.poetry]\nname = 'a'\n", "poetry.lock": ""},
        ["pyproject.toml", "poetry.lock"],
    ),
    (
        "uv",
        {
            **SRC,
            "pyproject.toml": "[project]\nname = 'a'\n[tool.uv.workspace]\nmembers = ['libs/*']\n",
            "uv.lock": "",
            ".python-version": "3.12\n",
            "libs/core/pyproject.toml": "",
            "libs/core/core.py": "",
        },
        ["pyproject.toml", "uv.lock", ".python-version", "libs/core/pyproject.toml"],
    ),
    (
        "pdm",
        {**SRC, "pyproject.toml": "[project]\nname = 'a'\n", "pdm.lock": ""},
        ["pyproject.toml", "pdm.lock"],
    ),
    (
        "conda",
        {
            **SRC,
            "environment.yml": "dependencies:\n  - pip:\n    - -r requirements.txt\n",
            "requirements.txt": "numpy\n",
        },
        ["environment.yml", "requirements.txt"],
    ),
    (
        "npm",
        {
            **SRC,
            "package.json": '{"workspaces": ["packages/*"]}',
            "package-lock.json": "{}",
            ".npmrc": "",
            "packages/ui/package.json": "{}",
            "packages/ui/index.js": "",
            "node_modules/x/package.json": "{}",
        },
        ["package.json", "package-lock.json", ".npmrc", "packages/ui/package.json"],
    ),
    (
        "yarn-classic",
        {**SRC, "package.json": '{"packageManager": "yarn@1.22.22"}', "yarn.lock": ""},
        ["package.json", "yarn.lock"],
    ),
    (
        "yarn-berry",
        {
            **SRC,
            "package.json": '{"packageManager": "yarn@4.2.0"}',
            "yarn.lock": "",
            ".yarnrc.yml": "yarnPath: .yarn/releases/yarn-4.2.0.cjs\n",
            ".yarn/releases/yarn-4.2.0.cjs": "",
            ".yarn/plugins/p.cjs": "",
        },
        ["package.json", "yarn.lock", ".yarnrc.yml", ".yarn/releases/", ".yarn/plugins/"],
    ),
    (
        "pnpm",
        {
            **SRC,
            "package.json": "{}",
            "pnpm-lock.yaml": "",
            "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n",
            "apps/web/package.json": "{}",
            "patches/lodash.patch": "",
        },
        [
            "package.json",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
            "patches/",
            "apps/web/package.json",
        ],
    ),
    ("bun", {**SRC, "package.json": "{}", "bun.lock": ""}, ["package.json", "bun.lock"]),
    (
        "go",
        {**SRC, "go.mod": "module x\nreplace y => ./y\n", "go.sum": "", "y/go.mod": "module y"},
        ["go.mod", "go.sum", "y/go.mod"],
    ),
    (
        "cargo",
        {
            **SRC,
            "Cargo.toml": "[package]\nname = 'a'\n",
            "Cargo.lock": "",
            "src/main.rs": "fn main() {}\n",
        },
        ["Cargo.toml", "Cargo.lock", "src/main.rs"],
    ),
    (
        "maven",
        {
            **SRC,
            "pom.xml": "<project><modules><module>api</module></modules></project>",
            "api/pom.xml": "<project/>",
            ".mvn/wrapper/maven-wrapper.properties": "",
            "mvnw": "",
        },
        ["pom.xml", ".mvn/", "mvnw", "api/pom.xml"],
    ),
    (
        "gradle",
        {
            **SRC,
            "settings.gradle.kts": 'include(":app")\n',
            "build.gradle.kts": "",
            "gradle/libs.versions.toml": "",
            "gradlew": "",
            "app/build.gradle.kts": "",
        },
        ["settings.gradle.kts", "build.gradle.kts", "gradle/", "gradlew", "app/build.gradle.kts"],
    ),
    (
        "bundler",
        {**SRC, "Gemfile": "gem 'rails'\n", "Gemfile.lock": ""},
        ["Gemfile", "Gemfile.lock"],
    ),
    (
        "composer",
        {**SRC, "composer.json": '{"require": {"php": ">=8.2"}}', "composer.lock": ""},
        ["composer.json", "composer.lock"],
    ),
    (
        "mix",
        {**SRC, "mix.exs": "defmodule A do\nend\n", "mix.lock": "", "config/config.exs": ""},
        ["mix.exs", "mix.lock", "config/"],
    ),
    (
        "dotnet",
        {
            **SRC,
            "src/Api/Api.csproj": "<Project/>",
            "NuGet.config": "",
            "src/Api/bin/Debug/x.csproj": "",
        },
        ["src/Api/Api.csproj", "NuGet.config"],
    ),
    (
        "swift",
        {**SRC, "Package.swift": "let p = Package()\n", "Package.resolved": ""},
        ["Package.swift", "Package.resolved"],
    ),
    (
        "sbt",
        {
            **SRC,
            "build.sbt": "",
            "project/build.properties": "sbt.version=1.10\n",
            "project/plugins.sbt": "",
        },
        ["build.sbt", "project/"],
    ),
    (
        "dart",
        {**SRC, "pubspec.yaml": "name: a\n", "pubspec.lock": ""},
        ["pubspec.yaml", "pubspec.lock"],
    ),
    (
        "cabal",
        {**SRC, "app.cabal": "", "cabal.project": "packages: .\n"},
        ["app.cabal", "cabal.project"],
    ),
    (
        "stack",
        {**SRC, "stack.yaml": "packages:\n- .\n", "package.yaml": "", "app.cabal": ""},
        ["stack.yaml", "package.yaml", "app.cabal"],
    ),
    (
        "renv",
        {
            **SRC,
            "renv.lock": "{}",
            ".Rprofile": 'source("renv/activate.R")\n',
            "renv/activate.R": "",
        },
        ["renv.lock", ".Rprofile", "renv/activate.R"],
    ),
]

# (ecosystem, context files with contents, exact decline reasons)
DECLINES = [
    (
        "pip",
        {"requirements.txt": "-e .\n"},
        ("requirements.txt installs the local project .: building it may read any file",),
    ),
    (
        "pip-tools",
        {"requirements.txt": "-e ./lib\n", "requirements.in": ""},
        ("requirements.txt installs the local project ./lib: building it may read any file",),
    ),
    (
        "pipenv",
        {"Pipfile": "[packages]\nlib = {path = './lib'}\n"},
        ("Pipfile installs lib from the local path ./lib",),
    ),
    (
        "poetry",
        {"pyproject.toml": "[tool.poetry.group.dev.dependencies]\nx = {path = 'x'}\n"},
        ("pyproject.toml has a path dependency x: poetry builds it",),
    ),
    (
        "uv",
        {"pyproject.toml": "[project]\nname='a'\n[tool.uv.sources]\nlib = {path = 'lib'}\n"},
        ("pyproject.toml has a path source lib: uv builds it",),
    ),
    (
        "pdm",
        {
            "pyproject.toml": "[project]\nname = 'a'\n"
            "dependencies = ['lib @ file:///${PROJECT_ROOT}/lib']\n"
        },
        (
            "pyproject.toml depends on a local path (lib @ file:///${PROJECT_ROOT}/lib): building it "
            "may read any file",
        ),
    ),
    (
        "conda",
        {"environment.yml": "dependencies:\n  - pip:\n    - -e .\n"},
        ("environment.yml installs the local project .: building it may read any file",),
    ),
    (
        "npm",
        {"package.json": '{"scripts": {"prepare": "node scripts/prepare.js"}}'},
        ("package.json has a prepare script: npm install runs it and it may read any file",),
    ),
    (
        "npm",
        {"package.json": '{"scripts": {"prepare": "husky install"}}'},
        (
            "package.json has a prepare script `husky install`, which only installs Git hooks: "
            "run before the sources are copied it finds no .git, so the image's .git (and hook "
            "folder) may differ",
        ),
    ),
    (
        "yarn-classic",
        {"package.json": '{"scripts": {"postinstall": "patch-package"}}', "yarn.lock": ""},
        ("package.json has a postinstall script: yarn install runs it and it may read any file",),
    ),
    (
        "yarn-berry",
        {
            "package.json": '{"packageManager": "yarn@3.6.0", "scripts": '
            '{"postinstall": "node x.js"}}',
            ".yarnrc.yml": "",
        },
        ("package.json has a postinstall script: yarn install runs it and it may read any file",),
    ),
    (
        "pnpm",
        # `npx only-allow pnpm` reads no project file (fixtures/cases/pnpm-only-allow-preinstall);
        # any other preinstall may.
        {"package.json": '{"scripts": {"preinstall": "node scripts/check-engines.js"}}'},
        ("package.json has a preinstall script: pnpm install runs it and it may read any file",),
    ),
    (
        "bun",
        {"package.json": '{"scripts": {"postinstall": "prisma generate"}}'},
        ("package.json has a postinstall script: bun install runs it and it may read any file",),
    ),
    (
        "go",
        {"go.mod": "module x\nreplace y => ../y\n"},
        (
            "go.mod replaces a module with the local directory ../y",
            "../y/go.mod is not known: cannot tell whether replace directives point at local "
            "directories",
        ),
    ),
    (
        "cargo",
        {"Cargo.toml": "[package]\nname='a'\n[dependencies]\nb = {path = '../b'}\n"},
        (
            "../b/Cargo.toml is not known: cannot tell its workspace members and path dependencies",
            "cargo loads every package's targets with its manifest: src/main.rs or src/lib.rs must "
            "exist (their content is not read)",
        ),
    ),
    (
        "maven",
        {"pom.xml": "<project><modules><module>web</module></modules></project>"},
        ("web/pom.xml is not known: cannot tell its modules and parent",),
    ),
    (
        "gradle",
        {"settings.gradle": "rootDir.eachDir { include it.name }\n"},
        (
            "settings.gradle computes its project layout: the subprojects cannot be listed "
            "statically",
        ),
    ),
    (
        "bundler",
        {"Gemfile": "source 'https://rubygems.org'\ngemspec\n"},
        (
            "Gemfile has a gemspec line: bundler loads the *.gemspec, which usually reads "
            "lib/…/version.rb and lists files with git ls-files",
        ),
    ),
    (
        "composer",
        {"composer.json": '{"repositories": [{"type": "path", "url": "packages/*"}]}'},
        ("composer.json has a path repository packages/*: composer reads it",),
    ),
    (
        "mix",
        {"mix.exs": '{:shared, path: "../shared"}\n'},
        (
            "mix.exs has a path dependency ../shared: mix reads that project",
            "mix loads config/ before every task",
        ),
    ),
    (
        "dotnet",
        {"Api.csproj": '<ProjectReference Include="Lib/Lib.csproj" />'},
        ("Lib/Lib.csproj is not known: cannot tell which projects it references",),
    ),
    (
        "swift",
        {"Package.swift": '.package(name: "Core", path: "Core")\n'},
        ("Package.swift has a local package Core: swift reads it",),
    ),
    (
        "sbt",
        {"build.sbt": 'lazy val shared = RootProject(file("../shared"))\n'},
        ("build.sbt refers to a project outside the build directory: ../shared",),
    ),
    (
        "dart",
        {"pubspec.yaml": "name: a\ndependencies:\n  core:\n    path: packages/core\n"},
        (
            "pubspec.yaml has a path dependency packages/core: pub reads its pubspec.yaml",
            "packages/core/pubspec.yaml is not known: cannot tell its path dependencies",
        ),
    ),
    ("cabal", {}, ()),
    (
        "stack",
        {"stack.yaml": "packages:\n- .\nextra-deps:\n- ./vendor/lib\n"},
        ("stack.yaml has a local extra-dep ./vendor/lib: stack builds it",),
    ),
    (
        "renv",
        {".Rprofile": 'source("renv/activate.R")\nsource("R/setup.R")\n'},
        (
            ".Rprofile sources R/setup.R at startup: R runs it and it may read any file",
            ".Rprofile activates renv through renv/activate.R",
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "files", "expected"), DEPENDENCY_SETS, ids=[c[0] for c in DEPENDENCY_SETS]
)
def test_dependency_files(name: str, files: dict[str, str], expected: list[str]) -> None:
    assert dependency_files(BY_NAME[name], files, files.get) == expected


@pytest.mark.parametrize(("name", "files", "reasons"), DECLINES, ids=[c[0] for c in DECLINES])
def test_dependency_files_decline(
    name: str, files: dict[str, str], reasons: tuple[str, ...]
) -> None:
    if not reasons:
        # These installs read no manifest content, so nothing can widen them.
        assert dependency_files(BY_NAME[name], files, files.get) == []
        return
    with pytest.raises(DependencySetUnknown) as caught:
        dependency_files(BY_NAME[name], files, files.get)
    assert caught.value.reasons == reasons


@pytest.mark.parametrize(
    ("name", "files", "expected"),
    [
        (
            "pip",
            [
                "requirements.txt",
                "requirements-dev.txt",
                "requirements/base.txt",
                "src/a.py",
                "docs/requirements.txt",
            ],
            ["requirements-dev.txt", "requirements.txt", "requirements/base.txt"],
        ),
        (
            "dotnet",
            [
                "App.sln",
                "src/Api/Api.csproj",
                "tests/T/T.csproj",
                "src/Api/obj/x.csproj",
                "Directory.Build.props",
            ],
            ["App.sln", "src/Api/Api.csproj", "tests/T/T.csproj", "Directory.Build.props"],
        ),
        (
            "yarn-berry",
            ["package.json", ".yarn/releases/yarn.cjs", ".yarnrc.yml"],
            ["package.json", ".yarnrc.yml", ".yarn/releases/"],
        ),
        ("npm", ["./package.json", "src/index.js"], ["package.json"]),
        ("npm", ["src/index.js"], []),
        (
            "swift",
            ["Package.swift", "Package@swift-5.9.swift"],
            ["Package.swift", "Package@swift-5.9.swift"],
        ),
    ],
)
def test_manifests_present(name: str, files: list[str], expected: list[str]) -> None:
    assert manifests_present(BY_NAME[name], files) == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["package.json", "package-lock.json"], ["npm"]),
        (["package.json", "yarn.lock"], ["yarn-classic"]),
        (["package.json", "yarn.lock", ".yarnrc.yml"], ["yarn-berry"]),
        (["package.json", "pnpm-lock.yaml"], ["pnpm"]),
        (["pyproject.toml", "poetry.lock", "requirements.txt"], ["pip", "poetry"]),
        (["stack.yaml", "app.cabal"], ["stack"]),
        (["src/Api/Api.csproj"], ["dotnet"]),
        (["go.mod", "web/package.json"], ["go"]),
        (["README.md", "src/main.c"], []),
    ],
)
def test_detect_ecosystems(files: list[str], expected: list[str]) -> None:
    assert [eco.name for eco in detect_ecosystems(files)] == expected


def test_every_ecosystem_has_cases() -> None:
    names = {eco.name for eco in ECOSYSTEMS}
    assert {c[0] for c in DEPENDENCY_SETS} == names
    assert {c[0] for c in DECLINES} == names


@pytest.mark.parametrize("eco", ECOSYSTEMS, ids=[eco.name for eco in ECOSYSTEMS])
def test_table_entries_are_complete(eco: object) -> None:
    from dockerfix.model.ecosystems import Ecosystem

    assert isinstance(eco, Ecosystem)
    assert eco.manifests and eco.detect and eco.install_examples and eco.extra_reads
    assert eco.dependency_install
    assert set(eco.superseded_by) <= set(BY_NAME)


def test_committed_docs_match_the_table() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown()


@pytest.mark.parametrize("eco", ECOSYSTEMS, ids=[eco.name for eco in ECOSYSTEMS])
def test_literal_manifests_are_read_by_the_dependency_install(eco: object) -> None:
    from dockerfix.model.ecosystems import Ecosystem

    assert isinstance(eco, Ecosystem)
    example = next((m for m in eco.each_of if "*" not in m), "requirements.txt")
    argv = [example if word == "{each}" else word for word in eco.dependency_install]
    reads = set(classify(argv).reads)
    literal = [m.rstrip("/") for m in eco.manifests if "*" not in m]
    wrapper_only = {"mvnw", "gradlew", "gems.rb", "gems.locked", "environment.yaml"}
    assert [m for m in literal if m not in reads and m not in wrapper_only] == []
