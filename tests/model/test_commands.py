"""Table tests for the known-command classifier: exact reads, declines with reasons, no-ops."""

from __future__ import annotations

import re
import shlex

import pytest

from dockerfix.model.commands import CommandEffect, classify, glob_regex, parse_args

NPM_WS = {
    "package.json": '{"name": "root", "workspaces": ["packages/*"]}',
    "packages/a/package.json": '{"name": "a", "bin": {"a": "cli.js"}}',
    "packages/b/package.json": '{"name": "b"}',
}
NPM_POSTINSTALL = {"package.json": '{"scripts": {"postinstall": "node scripts/setup.js"}}'}
NPM_PLAIN = {"package.json": '{"name": "app", "scripts": {"build": "tsc", "start": "node ."}}'}
REQS = {
    "requirements.txt": "# prod\n-r requirements/base.txt\nflask==3.0 \\\n  --hash=sha256:ab\n",
    "requirements/base.txt": "-c constraints.txt\nrequests>=2 ; python_version > '3'\n",
    "requirements/constraints.txt": "urllib3<3\n",
}
PYPROJECT_APP = '[project]\nname = "app"\ndependencies = ["fastapi"]\n'
PYPROJECT_PKG = PYPROJECT_APP + '[build-system]\nrequires = ["hatchling"]\n'


def _glob(files: dict[str, str]):  # type: ignore[no-untyped-def]
    def glob(pattern: str) -> list[str]:
        return sorted(f for f in files if re.fullmatch(glob_regex(pattern), f))
    return glob


def run(command: str, files: dict[str, str] | None = None,
        env: dict[str, str] | None = None) -> CommandEffect:
    known = files or {}
    return classify(shlex.split(command), env=env or {}, read_file=known.get, glob=_glob(known))


# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    # --- system packages
    ("apt-get update", {}, "system-packages", "apt", (), False, ()),
    ("apt-get install -y --no-install-recommends curl ca-certificates", {},
     "system-packages", "apt", (), False, ()),
    ("apt-get install -y ./vendor/tool.deb", {}, "system-packages", "apt",
     ("vendor/tool.deb",), False, ()),
    ("apt-get -o Acquire::Retries=3 purge -y gcc", {}, "system-packages", "apt", (), False, ()),
    ("apt-get clean", {}, "system-packages", "apt", (), False, ()),
    ("apt install -y git", {}, "system-packages", "apt", (), False, ()),
    ("apk add --no-cache --virtual .build-deps gcc musl-dev", {}, "system-packages", "apk",
     (), False, ()),
    ("apk del .build-deps", {}, "system-packages", "apk", (), False, ()),
    ("dnf install -y --setopt=tsflags=nodocs python3", {}, "system-packages", "dnf", (), False,
     ()),
    ("yum clean all", {}, "system-packages", "yum", (), False, ()),
    ("microdnf install -y shadow-utils", {}, "system-packages", "dnf", (), False, ()),
    ("zypper --non-interactive install -y curl", {}, "system-packages", "zypper", (), False, ()),
    ("dpkg -i pkg.deb", {}, "system-packages", "apt", ("pkg.deb",), False, ()),
    # --- pip
    ("pip install --no-cache-dir -r requirements.txt", REQS, "install", "pip",
     ("requirements.txt", "requirements/base.txt", "requirements/constraints.txt"), False,
     ("requirements.txt includes requirements/base.txt",
      "requirements/base.txt includes requirements/constraints.txt")),
    ("python3 -m pip install --requirement=requirements/base.txt", REQS, "install", "pip",
     ("requirements/base.txt", "requirements/constraints.txt"), False,
     ("requirements/base.txt includes requirements/constraints.txt",)),
    ("pip3.12 install -rrequirements/constraints.txt", REQS, "install", "pip",
     ("requirements/constraints.txt",), False, ()),
    ("pip install flask==3.0 'uvicorn[standard]>=0.20'", {}, "install", "pip", (), False, ()),
    ("pip install --no-deps --user ./dist/app-1.0-py3-none-any.whl", {}, "install", "pip",
     ("dist/app-1.0-py3-none-any.whl",), False, ()),
    ("pip install -e .", {}, "install", "pip", (), True,
     ("pip -e . installs the local project .: building it may read any file",)),
    ("pip install .", {}, "install", "pip", (), True,
     ("pip install . installs the local project .: building it may read any file",)),
    ("pip install --editable=./libs/core", {}, "install", "pip", (), True,
     ("pip -e ./libs/core installs the local project ./libs/core: building it may read any "
      "file",)),
    ("pip install -r requirements.txt", {"requirements.txt": "-e .\ndjango\n"}, "install", "pip",
     ("requirements.txt",), True,
     ("requirements.txt installs the local project .: building it may read any file",)),
    ("pip install -r requirements.txt", {}, "install", "pip", ("requirements.txt",), True,
     ("requirements.txt is not known: cannot tell which files it includes",)),
    ("pip install -r req.txt -c https://example.com/c.txt", {"req.txt": "numpy\n"}, "install",
     "pip", ("req.txt",), False, ()),
    ("pip install -r requirements.txt --find-links ./wheels",
     {"requirements.txt": "numpy\n"}, "install", "pip", ("requirements.txt", "wheels"), False,
     ()),
    ("pip install 'mylib @ file:///src/mylib'", {}, "install", "pip", (), True,
     ("pip install mylib @ file:///src/mylib installs the local project /src/mylib: building "
      "it may read any file",)),
    ("pip install git+https://github.com/org/repo.git@v1", {}, "install", "pip", (), False, ()),
    ("pip freeze", {}, "noop", "pip", (), False, ()),
    ("pip-sync requirements.txt", {"requirements.txt": "six==1.16\n"}, "install", "pip-tools",
     ("requirements.txt",), False, ()),
    ("pip-sync", {"requirements.txt": "-e .\n"}, "install", "pip-tools", ("requirements.txt",),
     True, ("requirements.txt installs the local project .: building it may read any file",)),
    # --- pipenv
    ("pipenv install --deploy --system", {"Pipfile": "[packages]\nflask = '*'\n"}, "install",
     "pipenv", ("Pipfile", "Pipfile.lock"), False, ()),
    ("pipenv sync", {"Pipfile": "[packages]\napp = {path = '.', editable = true}\n"}, "install",
     "pipenv", ("Pipfile", "Pipfile.lock"), True,
     ("Pipfile installs app from the local path .",)),
    ("pipenv install --deploy", {}, "install", "pipenv", ("Pipfile", "Pipfile.lock"), True,
     ("Pipfile is not known: cannot tell whether it installs local paths",)),
    # --- poetry
    ("poetry install --no-root --no-interaction", {"pyproject.toml": PYPROJECT_PKG}, "install",
     "poetry", ("pyproject.toml", "poetry.lock", "poetry.toml"), False, ()),
    ("poetry install --only main", {"pyproject.toml": PYPROJECT_PKG}, "install", "poetry",
     ("pyproject.toml", "poetry.lock", "poetry.toml"), True,
     ("poetry install without --no-root installs the project itself: it may read any file",)),
    ("poetry install", {"pyproject.toml": "[tool.poetry]\npackage-mode = false\n"}, "install",
     "poetry", ("pyproject.toml", "poetry.lock", "poetry.toml"), False, ()),
    ("poetry install --no-root",
     {"pyproject.toml": "[tool.poetry.dependencies]\nlib = {path = '../lib', develop = true}\n"},
     "install", "poetry", ("pyproject.toml", "poetry.lock", "poetry.toml"), True,
     ("pyproject.toml has a path dependency ../lib: poetry builds it",)),
    ("poetry install --no-root --no-directory",
     {"pyproject.toml": "[tool.poetry.dependencies]\nlib = {path = '../lib'}\n"},
     "install", "poetry", ("pyproject.toml", "poetry.lock", "poetry.toml"), False, ()),
    ("poetry config virtualenvs.create false", {}, "filesystem", "poetry", (), False, ()),
    # --- uv
    ("uv sync --locked --no-install-project", {"pyproject.toml": PYPROJECT_PKG}, "install", "uv",
     ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"), False, ()),
    ("uv sync --frozen", {"pyproject.toml": PYPROJECT_PKG}, "install", "uv",
     ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"), True,
     ("uv sync without --no-install-project installs the project itself: it may read any file",)),
    ("uv sync --frozen", {"pyproject.toml": PYPROJECT_APP}, "install", "uv",
     ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"), False, ()),
    ("uv sync --frozen --no-install-workspace",
     {"pyproject.toml": PYPROJECT_APP + '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
      "libs/a/pyproject.toml": "[project]\nname='a'\n"}, "install", "uv",
     ("pyproject.toml", "uv.lock", ".python-version", "uv.toml", "libs/a/pyproject.toml"), False,
     ()),
    ("uv sync --frozen --no-install-project",
     {"pyproject.toml": PYPROJECT_APP + '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
      "libs/a/pyproject.toml": "[project]\nname='a'\n"}, "install", "uv",
     ("pyproject.toml", "uv.lock", ".python-version", "uv.toml", "libs/a/pyproject.toml"), True,
     ("uv sync without --no-install-workspace installs the workspace members (libs/a): it may "
      "read any of their files",)),
    ("uv pip install --system -r requirements.txt", REQS, "install", "uv",
     ("requirements.txt", "requirements/base.txt", "requirements/constraints.txt"), False,
     ("requirements.txt includes requirements/base.txt",
      "requirements/base.txt includes requirements/constraints.txt")),
    ("uv pip install -r pyproject.toml", {"pyproject.toml": PYPROJECT_APP}, "install", "uv",
     ("pyproject.toml",), False, ()),
    # --- pdm
    ("pdm install --prod --no-self", {"pyproject.toml": PYPROJECT_PKG}, "install", "pdm",
     ("pyproject.toml", "pdm.lock", "pdm.toml", ".pdm-python"), False, ()),
    ("pdm sync --prod", {"pyproject.toml": PYPROJECT_PKG}, "install", "pdm",
     ("pyproject.toml", "pdm.lock", "pdm.toml", ".pdm-python"), True,
     ("pdm sync without --no-self installs the project itself: it may read any file",)),
    # --- conda
    ("conda env create -f environment.yml",
     {"environment.yml": "name: app\ndependencies:\n  - python=3.11\n  - pip:\n"
                         "    - -r requirements.txt\n",
      "requirements.txt": "numpy\n"}, "install", "conda",
     ("environment.yml", "requirements.txt"), False,
     ("environment.yml includes requirements.txt",)),
    ("micromamba install -y -n base -f env/environment.yml",
     {"env/environment.yml": "dependencies:\n  - pip\n  - pip:\n    - -e ..\n"}, "install",
     "conda", ("env/environment.yml",), True,
     ("env/environment.yml installs the local project ..: building it may read any file",)),
    ("conda clean -afy", {}, "filesystem", "conda", (), False, ()),
    # --- npm
    ("npm ci", NPM_PLAIN, "install", "npm",
     ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"), False, ()),
    ("npm ci --omit=dev", NPM_POSTINSTALL, "install", "npm",
     ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"), True,
     ("package.json has a postinstall script: npm install runs it and it may read any file",)),
    ("npm ci --ignore-scripts", NPM_POSTINSTALL, "install", "npm",
     ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"), False, ()),
    ("npm install", NPM_WS, "install", "npm",
     ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc",
      "packages/a/package.json", "packages/a/cli.js", "packages/b/package.json"), False, ()),
    ("npm ci", {}, "install", "npm",
     ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"), True,
     ("package.json is not known: cannot tell its lifecycle scripts and workspaces",)),
    ("npm install -g pnpm@9", {}, "install", "npm", (), False, ()),
    ("npm run build", NPM_PLAIN, "build", "npm", (), True,
     ("npm run build runs the package.json script build: it may read any file",)),
    ("npm --version", {}, "noop", "npm", (), False, ()),
    # --- yarn
    ("yarn install --frozen-lockfile",
     {"package.json": '{"packageManager": "yarn@1.22.19"}'}, "install", "yarn",
     ("package.json", "yarn.lock", ".yarnrc", ".npmrc"), False, ()),
    ("yarn install --immutable",
     {"package.json": '{"packageManager": "yarn@4.1.0"}', ".yarnrc.yml": "nodeLinker: pnp\n"},
     "install", "yarn",
     ("package.json", "yarn.lock", ".yarnrc.yml", ".yarn/releases", ".yarn/plugins",
      ".yarn/patches"), False, ()),
    ("yarn",
     {"package.json": '{"packageManager": "yarn@1.22.19", "scripts": {"prepare": "husky"}}'},
     "install", "yarn", ("package.json", "yarn.lock", ".yarnrc", ".npmrc"), True,
     ("package.json has a prepare script: yarn install runs it and it may read any file",)),
    ("yarn build", NPM_PLAIN, "build", "yarn", (), True,
     ("yarn build runs the package.json script build: it may read any file",)),
    # --- pnpm
    ("pnpm fetch --prod", {}, "download", "pnpm",
     ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"), False, ()),
    ("pnpm install --offline --frozen-lockfile",
     {"package.json": '{"name": "root"}',
      "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - '!apps/legacy'\n",
      "apps/web/package.json": '{"name": "web"}', "apps/legacy/package.json": "{}"},
     "install", "pnpm",
     ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs",
      "patches", "apps/web/package.json"), False, ()),
    ("pnpm install",
     {"package.json": '{"name": "root"}', "pnpm-workspace.yaml": "packages:\n  - apps/*\n",
      "apps/web/package.json": '{"scripts": {"postinstall": "prisma generate"}}'},
     "install", "pnpm",
     ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs",
      "patches", "apps/web/package.json"), True,
     ("apps/web/package.json has a postinstall script: pnpm install runs it and it may read "
      "any file",)),
    # --- bun
    ("bun install --frozen-lockfile", NPM_PLAIN, "install", "bun",
     ("package.json", "bun.lock", "bun.lockb", "bunfig.toml", ".npmrc"), False, ()),
    ("bun install", {"package.json": '{"scripts": {"preinstall": "node check.js"}}'}, "install",
     "bun", ("package.json", "bun.lock", "bun.lockb", "bunfig.toml", ".npmrc"), True,
     ("package.json has a preinstall script: bun install runs it and it may read any file",)),
    # --- go
    ("go mod download", {"go.mod": "module example.com/app\n\ngo 1.22\n"}, "download", "go",
     ("go.mod", "go.sum", "go.work", "go.work.sum"), False, ()),
    ("go mod download",
     {"go.mod": "module x\nreplace example.com/lib => ./lib\n", "lib/go.mod": "module lib\n"},
     "download", "go", ("go.mod", "go.sum", "lib/go.mod", "lib/go.sum", "go.work",
                        "go.work.sum"), False,
     ("go.mod replaces a module with the local directory ./lib",)),
    ("go mod download", {}, "download", "go", ("go.mod", "go.sum", "go.work", "go.work.sum"),
     True, ("go.mod is not known: cannot tell whether replace directives point at local "
            "directories",)),
    ("go build -o /bin/app ./cmd/app", {}, "build", "go", (), True,
     ("go build reads the Go sources of the packages it loads",)),
    ("go install github.com/go-delve/delve/cmd/dlv@latest", {}, "install", "go", (), False, ()),
    # --- cargo
    ("cargo fetch", {"Cargo.toml": '[package]\nname = "app"\n'}, "download", "cargo",
     ("Cargo.toml", "src/main.rs", "src/lib.rs", "build.rs", "Cargo.lock",
      ".cargo/config.toml", ".cargo/config", "rust-toolchain.toml", "rust-toolchain"), False,
     ("cargo loads every package's targets with its manifest: src/main.rs or src/lib.rs must "
      "exist (their content is not read)",)),
    ("cargo fetch",
     {"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
      "crates/cli/Cargo.toml": '[package]\nname = "cli"\n[[bin]]\nname = "cli"\n'
                               'path = "main.rs"\n'},
     "download", "cargo",
     ("Cargo.toml", "crates/cli/Cargo.toml", "crates/cli/main.rs", "crates/cli/build.rs",
      "Cargo.lock", ".cargo/config.toml", ".cargo/config", "rust-toolchain.toml",
      "rust-toolchain"), False,
     ("cargo loads every package's targets with its manifest: src/main.rs or src/lib.rs must "
      "exist (their content is not read)",)),
    ("cargo build --release --locked", {}, "build", "cargo", (), True,
     ("cargo build compiles the crate sources",)),
    ("cargo chef cook --release --recipe-path recipe.json", {}, "build", "cargo",
     ("recipe.json",), False, ()),
    ("cargo install ripgrep --locked", {}, "install", "cargo", (), False, ()),
    # --- maven
    ("mvn -B -ntp dependency:go-offline",
     {"pom.xml": "<project><modules><module>core</module></modules></project>",
      "core/pom.xml": "<project><parent><artifactId>p</artifactId></parent></project>"},
     "download", "maven", ("pom.xml", "core/pom.xml", ".mvn"), False, ()),
    ("./mvnw dependency:resolve -s settings.xml",
     {"pom.xml": "<project><parent><relativePath/></parent></project>"}, "download", "maven",
     ("pom.xml", ".mvn", "mvnw", ".mvn/wrapper", "settings.xml"), False, ()),
    ("mvn -B package -DskipTests", {}, "build", "maven", (), True,
     ("mvn package runs the build lifecycle: it reads the sources",)),
    ("mvn dependency:go-offline", {}, "download", "maven", ("pom.xml", ".mvn"), True,
     ("pom.xml is not known: cannot tell its modules and parent",)),
    # --- gradle
    ("gradle dependencies --no-daemon", {"settings.gradle": "include 'app'\n"}, "download",
     "gradle",
     ("settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts",
      "gradle.properties", "gradle", "buildSrc", "app/build.gradle", "app/build.gradle.kts",
      "app/gradle.properties"), False, ()),
    ("./gradlew build -x test", {}, "build", "gradle", (), True,
     ("gradle build compiles and packages the sources",)),
    ("gradle dependencies",
     {"settings.gradle.kts": 'file("modules").listFiles()!!.forEach { include(it.name) }\n'},
     "download", "gradle",
     ("settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts",
      "gradle.properties", "gradle", "buildSrc"), True,
     ("settings.gradle.kts computes its project layout: the subprojects cannot be listed "
      "statically",)),
    # --- bundler / gem
    ("bundle install --jobs 4", {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n"},
     "install", "bundler", ("Gemfile", "Gemfile.lock", ".bundle/config"), False, ()),
    ("bundle install", {"Gemfile": "source 'https://rubygems.org'\ngemspec\n"}, "install",
     "bundler", ("Gemfile", "*.gemspec", "Gemfile.lock", ".bundle/config"), True,
     ("Gemfile has a gemspec line: bundler loads the *.gemspec, which usually reads "
      "lib/…/version.rb and lists files with git ls-files",)),
    ("bundle install", {"Gemfile": "gem 'engine', path: 'engines/engine'\n"}, "install",
     "bundler", ("Gemfile", "Gemfile.lock", ".bundle/config"), True,
     ("Gemfile installs a gem from a local path (gem 'engine', path: 'engines/engine'): "
      "bundler reads its files",)),
    ("bundle install", {"Gemfile": "eval_gemfile 'Gemfile.shared'\n",
                        "Gemfile.shared": "gem 'pg'\n"}, "install", "bundler",
     ("Gemfile", "Gemfile.shared", "Gemfile.lock", ".bundle/config"), False, ()),
    ("gem install bundler -v 2.5.0 --no-document", {}, "install", "bundler", (), False, ()),
    # --- composer
    ("composer install --no-dev --no-scripts --no-autoloader",
     {"composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}, '
                       '"scripts": {"post-install-cmd": ["@php artisan optimize"]}}'},
     "install", "composer", ("composer.json", "composer.lock", "auth.json"), False, ()),
    ("composer install --no-dev",
     {"composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}}'}, "install", "composer",
     ("composer.json", "composer.lock", "auth.json"), True,
     ("composer install generates the autoloader from src/: it reads them (use "
      "--no-autoloader, then dump-autoload)",)),
    ("composer install --no-autoloader",
     {"composer.json": '{"scripts": {"post-autoload-dump": "php artisan package:discover"}}'},
     "install", "composer", ("composer.json", "composer.lock", "auth.json"), True,
     ("composer.json has a post-autoload-dump script: composer install runs it and it may read "
      "any file",)),
    # --- mix
    ("mix deps.get --only prod", {"mix.exs": "defmodule App.MixProject do\nend\n"}, "install",
     "mix", ("mix.exs", "mix.lock", "config"), False, ("mix loads config/ before every task",)),
    ("mix deps.get", {"mix.exs": 'defp deps, do: [{:lib, path: "../lib"}]\n'}, "install", "mix",
     ("mix.exs", "mix.lock", "config"), True,
     ("mix.exs has a path dependency ../lib: mix reads that project",
      "mix loads config/ before every task")),
    ("mix release", {}, "build", "mix", (), True, ("mix release compiles the project sources",)),
    # --- dotnet
    ("dotnet restore",
     {"App.sln": 'Project("{FAE}") = "Api", "src\\Api\\Api.csproj", "{1}"\n',
      "src/Api/Api.csproj": '<Project><ItemGroup><ProjectReference '
                            'Include="..\\Core\\Core.csproj" /></ItemGroup></Project>',
      "src/Core/Core.csproj": "<Project></Project>"},
     "install", "dotnet",
     ("global.json", "NuGet.config", "nuget.config", "NuGet.Config", "Directory.Build.props",
      "Directory.Build.targets", "Directory.Packages.props", "App.sln", "packages.lock.json",
      "src/Api/Api.csproj", "src/Api/packages.lock.json", "src/Api/Directory.Build.props",
      "src/Api/Directory.Build.targets", "src/Api/Directory.Packages.props",
      "src/Core/Core.csproj", "src/Core/packages.lock.json", "src/Core/Directory.Build.props",
      "src/Core/Directory.Build.targets", "src/Core/Directory.Packages.props"), False, ()),
    ("dotnet restore src/Api/Api.csproj", {}, "install", "dotnet",
     ("global.json", "NuGet.config", "nuget.config", "NuGet.Config", "Directory.Build.props",
      "Directory.Build.targets", "Directory.Packages.props", "src/Api/Api.csproj",
      "src/Api/packages.lock.json", "src/Api/Directory.Build.props",
      "src/Api/Directory.Build.targets", "src/Api/Directory.Packages.props"), True,
     ("src/Api/Api.csproj is not known: cannot tell which projects it references",)),
    ("dotnet publish -c Release -o /app", {}, "build", "dotnet", (), True,
     ("dotnet publish compiles the project sources",)),
    # --- swift, sbt, dart, cabal, stack, renv
    ("swift package resolve", {"Package.swift": "let package = Package(name: \"App\")\n"},
     "download", "swift", ("Package.swift", "Package.resolved", "Package@swift-*.swift"),
     False, ()),
    ("swift package resolve",
     {"Package.swift": 'dependencies: [.package(path: "../Shared")]\n'}, "download", "swift",
     ("Package.swift", "Package.resolved", "Package@swift-*.swift"), True,
     ("Package.swift has a local package ../Shared: swift reads it",)),
    ("sbt -batch update", {}, "download", "sbt",
     ("build.sbt", "*.sbt", "project", ".sbtopts", ".jvmopts"), False, ()),
    ("sbt clean stage", {}, "build", "sbt", (), True, ("sbt clean compiles the sources",)),
    ("dart pub get", {"pubspec.yaml": "name: app\ndependencies:\n  http: ^1.0.0\n"}, "install",
     "dart", ("pubspec.yaml", "pubspec.lock", "pubspec_overrides.yaml"), False, ()),
    ("flutter pub get", {}, "build", "dart", (), True,
     ("flutter pub get also regenerates plugin files in the platform folders (android/, ios/ "
      "…): it may read any file",)),
    ("cabal build --only-dependencies", {"cabal.project": "packages: core/ app/\n"}, "build",
     "cabal", ("cabal.project", "cabal.project.local", "cabal.project.freeze", "core/*.cabal",
               "app/*.cabal"), False, ()),
    ("cabal v2-build exe:app", {}, "build", "cabal", (), True,
     ("cabal build compiles the project sources",)),
    ("cabal update", {}, "download", "cabal",
     ("cabal.project", "cabal.project.local", "cabal.project.freeze"), False, ()),
    ("stack build --only-dependencies", {"stack.yaml": "resolver: lts-22.0\n"}, "build", "stack",
     ("stack.yaml", "stack.yaml.lock", "package.yaml", "*.cabal"), False, ()),
    ("stack build", {}, "build", "stack", (), True, ("stack build compiles the project sources",)),
    ("Rscript -e 'renv::restore()'", {}, "install", "renv",
     (".Rprofile", "renv.lock", "renv/activate.R", "renv/settings.json", "renv/settings.dcf"),
     False, (".Rprofile activates renv through renv/activate.R",)),
    ("R --vanilla -e \"install.packages('jsonlite', repos='https://cloud.r-project.org')\"", {},
     "install", "r", (), False, ()),
    ("Rscript -e 'devtools::install()'", {}, "install", "r", (".Rprofile",), True,
     ("devtools::install() installs the local package: it may read any file",)),
    ("Rscript app.R", {}, "unknown", None, (), True,
     ("Rscript runs an R program that may read any file",)),
    # --- downloads and files
    ("curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz", {}, "download", None, (), False,
     ()),
    ("wget -q https://example.com/a.zip", {}, "download", None, (), False, ()),
    ("git clone --depth 1 https://github.com/org/repo.git /src", {}, "download", "git", (),
     False, ()),
    ("mkdir -p /app/data", {}, "filesystem", None, (), False, ()),
    ("chmod +x entrypoint.sh", {}, "filesystem", None, ("entrypoint.sh",), False, ()),
    ("chown -R app:app /app", {}, "filesystem", None, ("/etc/passwd", "/etc/group", "/app"),
     False, ()),
    ("chown -R 1000:1000 /app", {}, "filesystem", None, ("/app",), False, ()),
    ("cp config/app.ini /etc/app.ini", {}, "filesystem", None, ("config/app.ini",), False, ()),
    ("cp -r . /srv", {}, "filesystem", None, (), True,
     ("`cp .` reads the whole working directory",)),
    ("sed -i 's/a/b/' conf/app.conf", {}, "filesystem", None, ("conf/app.conf",), False, ()),
    ("sed -e 's/a/b/' in.txt", {}, "noop", None, ("in.txt",), False, ()),
    ("tar xzf dist.tgz -C /opt", {}, "filesystem", None, ("dist.tgz",), False, ()),
    ("unzip -q bundle.zip -d /opt/app", {}, "filesystem", None, ("bundle.zip",), False, ()),
    ("rm -rf /var/lib/apt/lists/*", {}, "filesystem", None, (), False, ()),
    ("make -j4", {}, "build", None, (), True, ("make runs build rules that may read and write "
                                                "any file",)),
    # --- no-ops and unknowns
    ("true", {}, "noop", None, (), False, ()),
    ("[ -f /etc/os-release ]", {}, "noop", None, ("/etc/os-release",), False, ()),
    ("echo done", {}, "noop", None, (), False, ()),
    ("test -d /app", {}, "noop", None, ("/app",), False, ()),
    ("ls", {}, "noop", None, (".",), False, ()),
    ("ls -R /app", {}, "noop", None, ("/app",), False, ()),
    ("du -sh", {}, "noop", None, (".",), False, ()),
    ("", {}, "noop", None, (), False, ()),
    ("./build.sh --release", {}, "unknown", None, (), True,
     ("`build.sh` is not a command dockerfix knows",)),
    ("sudo -E env PIP_NO_CACHE_DIR=1 pip install six", {}, "install", "pip", (), False, ()),
]


@pytest.mark.parametrize(("command", "files", "kind", "eco", "reads", "reads_all", "reasons"),
                         CASES, ids=[f"{i}:{c[0][:40]}" for i, c in enumerate(CASES)])
def test_classify(command: str, files: dict[str, str], kind: str, eco: str | None,
                  reads: tuple[str, ...], reads_all: bool, reasons: tuple[str, ...]) -> None:
    effect = run(command, files)
    assert (effect.kind, effect.ecosystem, effect.reads, effect.reads_all, effect.reasons) == (
        kind, eco, reads, reads_all, reasons)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("apt-get update", {}, ("/var/lib/apt/lists",), False, True),
    ("apt-get clean", {}, ("/var/cache/apt",), False, False),
    ("rm -rf /var/lib/apt/lists/*", {}, ("/var/lib/apt/lists/*",), False, False),
    ("pip install --no-cache-dir flask", {}, ("/usr/local/lib/python3*/site-packages",
                                              "/usr/local/bin"), False, True),
    ("pip install --user --no-cache-dir flask", {"HOME": "/home/app"}, ("/home/app/.local",),
     False, True),
    ("pip install -t /deps --no-cache-dir flask", {}, ("/deps",), False, True),
    ("pip install flask", {"VIRTUAL_ENV": "/opt/venv", "HOME": "/root"},
     ("/opt/venv", "/root/.cache/pip"), False, True),
    ("npm ci", {"HOME": "/root"}, ("node_modules", "/root/.npm"), False, True),
    ("uv sync --no-install-project", {"UV_PROJECT_ENVIRONMENT": "/venv", "HOME": "/root"},
     ("/venv", "/root/.cache/uv"), False, True),
    ("poetry install --no-root", {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "HOME": "/root"},
     (".venv", "/root/.cache/pypoetry"), False, True),
    ("go mod download", {"GOPATH": "/go"}, ("/go/pkg/mod",), False, True),
    ("mvn -o dependency:go-offline -Dmaven.repo.local=/m2", {}, ("/m2",), False, False),
    ("bundle install --deployment", {}, ("vendor/bundle", ".bundle/config"), False, True),
    ("composer install --no-scripts --no-autoloader", {"COMPOSER_HOME": "/tmp"},
     ("vendor", "/tmp"), False, True),
    ("curl -fsSL -o /usr/local/bin/tini https://example.com/tini", {},
     ("/usr/local/bin/tini",), False, True),
    ("curl -fsSLO https://example.com/dl/tool.tar.gz", {}, ("tool.tar.gz",), False, True),
    ("wget -O - https://example.com/key.asc", {}, (), False, True),
    ("wget -P /tmp https://example.com/dl/a.zip?x=1", {}, ("/tmp/a.zip",), False, True),
    ("git clone https://github.com/org/tool.git", {}, ("tool",), False, True),
    ("mkdir -p /app /data", {}, ("/app", "/data"), False, False),
    ("ln -sf /usr/bin/python3 /usr/local/bin/python", {}, ("/usr/local/bin/python",), False,
     False),
    ("tar -xzf app.tgz", {}, (".",), False, False),
    ("groupadd -r app", {}, ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow",
                             "/etc/subuid", "/etc/subgid", "/var/log/lastlog",
                             "/var/log/faillog"), False, False),
    ("useradd -r -M -u 1000 app", {}, ("/etc/passwd", "/etc/shadow", "/etc/group",
                                       "/etc/gshadow", "/etc/subuid", "/etc/subgid",
                                       "/var/log/lastlog", "/var/log/faillog"), False, False),
    ("adduser -D -h /srv/app app", {}, ("/etc/passwd", "/etc/shadow", "/etc/group",
                                        "/etc/gshadow", "/etc/subuid", "/etc/subgid",
                                        "/var/log/lastlog", "/var/log/faillog", "/srv/app"),
     False, False),
    ("make install", {}, (), True, True),
    ("frobnicate", {}, (), True, True),
    ("true", {}, (), False, False),
]


@pytest.mark.parametrize(("command", "env", "writes", "writes_all", "network"), WRITE_CASES,
                         ids=[c[0][:40] for c in WRITE_CASES])
def test_writes(command: str, env: dict[str, str], writes: tuple[str, ...], writes_all: bool,
                network: bool) -> None:
    effect = run(command, {"package.json": "{}"}, env)
    assert (effect.writes, effect.writes_all, effect.network) == (writes, writes_all, network)


@pytest.mark.parametrize(("command", "cost"), [
    ("true", 0.0), ("mkdir -p /x", 0.1), ("apt-get install -y curl", 30.0),
    ("pip install flask", 20.0), ("npm ci --ignore-scripts", 20.0), ("go build ./...", 20.0),
    ("cargo build", 60.0), ("apt-get update", 10.0),
])
def test_cost(command: str, cost: float) -> None:
    assert run(command, {"package.json": "{}"}).cost == cost


def test_workspaces_without_a_listing_decline() -> None:
    effect = classify(["npm", "ci"], read_file=NPM_WS.get)
    assert (effect.reads_all, effect.reasons) == (True, (
        "cannot list the workspace packages packages/*: their install scripts are unknown",))


@pytest.mark.parametrize(("argv", "with_value", "options", "positionals"), [
    (["-fsSLo", "out", "url"], ("-o",), (("-f", ""), ("-s", ""), ("-S", ""), ("-L", ""),
                                         ("-o", "out")), ("url",)),
    (["--target=/x", "a", "--", "-b"], ("--target",), (("--target", "/x"),), ("a", "-b")),
    (["-rreq.txt"], ("-r",), (("-r", "req.txt"),), ()),
])
def test_parse_args(argv: list[str], with_value: tuple[str, ...],
                    options: tuple[tuple[str, str], ...], positionals: tuple[str, ...]) -> None:
    parsed = parse_args(argv, with_value)
    assert (parsed.options, parsed.positionals) == (options, positionals)
