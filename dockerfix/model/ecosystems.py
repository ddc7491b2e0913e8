"""The package-manager table: which files each ecosystem's dependency install reads.

One `Ecosystem` per package manager says which context files are its manifests (in copy order),
which files reveal that a project uses it, what else its install reads, the command change that
makes a dependency-only install possible, and which folders the install creates in the project
(a later broad `COPY . .` could clobber them). `dependency_files` combines the table with the
command classifier to name exactly the files a dependency-only install needs.

Manifest patterns are context-relative globs (`*` stays within a folder, `**/` spans folders);
a pattern ending in `/` names a folder that is copied whole.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dockerfix.model.commands import FileReader, classify, glob_regex, norm

# Folders that never hold a project's own manifests (installed or generated content).
_IGNORED_SEGMENTS = frozenset(
    {
        "node_modules",
        ".git",
        "bin",
        "obj",
        "target",
        ".venv",
        "vendor",
        "dist-newstyle",
        ".stack-work",
        ".build",
    }
)


@dataclass(frozen=True)
class Ecosystem:
    """One package manager and the files its dependency install reads."""

    name: str
    manifests: tuple[str, ...]
    detect: tuple[str, ...]
    install_examples: tuple[str, ...]
    extra_reads: str
    unsafe_variant: str | None
    output_dirs: tuple[str, ...]
    # argv of the dependency-only install; `{each}` stands for each present file of `each_of`.
    dependency_install: tuple[str, ...] = ()
    each_of: tuple[str, ...] = ()
    # Ecosystems whose presence means this one's detection files belong to them instead.
    superseded_by: tuple[str, ...] = ()


class DependencySetUnknown(ValueError):
    """The files a dependency install reads cannot be determined from the context."""

    def __init__(self, ecosystem: str, reasons: Sequence[str]) -> None:
        self.ecosystem = ecosystem
        self.reasons = tuple(reasons)
        super().__init__(f"{ecosystem}: " + "; ".join(self.reasons))


_REQUIREMENTS = ("requirements*.txt", "requirements/*.txt")

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="pip",
        manifests=(*_REQUIREMENTS, "constraints*.txt"),
        detect=_REQUIREMENTS,
        install_examples=(
            "pip install --no-cache-dir -r requirements.txt",
            "python -m pip install -r requirements/prod.txt",
        ),
        extra_reads="files named by nested `-r`/`-c` lines (relative to the including file), "
        "local wheels and `--find-links` folders; `-e .` or a local folder builds "
        "that project from all its files",
        unsafe_variant="move `-e .` out of the requirements file into `pip install --no-deps "
        "-e .` after `COPY . .`",
        output_dirs=(),
        dependency_install=("pip", "install", "-r", "{each}"),
        each_of=(*_REQUIREMENTS, "constraints*.txt"),
    ),
    Ecosystem(
        name="pip-tools",
        manifests=_REQUIREMENTS,
        detect=("requirements*.in", "requirements/*.in"),
        install_examples=("pip-sync requirements.txt",),
        extra_reads="as pip: nested `-r`/`-c` files; `pip-compile` reads the `.in` files or "
        "the project metadata",
        unsafe_variant=None,
        output_dirs=(),
        dependency_install=("pip-sync", "{each}"),
        each_of=_REQUIREMENTS,
    ),
    Ecosystem(
        name="pipenv",
        manifests=("Pipfile", "Pipfile.lock"),
        detect=("Pipfile", "Pipfile.lock"),
        install_examples=("pipenv install --deploy --system", "pipenv sync"),
        extra_reads="packages with `path = ...` in the Pipfile are built from those folders",
        unsafe_variant=None,
        output_dirs=(".venv",),
        dependency_install=("pipenv", "install", "--deploy"),
    ),
    Ecosystem(
        name="poetry",
        manifests=("pyproject.toml", "poetry.lock", "poetry.toml"),
        detect=("poetry.lock",),
        install_examples=(
            "poetry install --no-interaction --no-root",
            "poetry install --only main",
        ),
        extra_reads="without `--no-root` the project itself is installed (its packages, "
        "README); path dependencies are built from their folders",
        unsafe_variant="`poetry install --no-root` before `COPY . .`, then `poetry install "
        "--only-root` after it",
        output_dirs=(".venv",),
        dependency_install=("poetry", "install", "--no-root"),
    ),
    Ecosystem(
        name="uv",
        manifests=("pyproject.toml", "uv.lock", ".python-version", "uv.toml"),
        detect=("uv.lock",),
        install_examples=("uv sync --locked", "uv sync --frozen --no-dev"),
        extra_reads="workspace members' pyproject.toml; without `--no-install-project` a "
        "project with a build system is installed from its sources; path sources "
        "are built",
        unsafe_variant="`uv sync --locked --no-install-project` (`--no-install-workspace` in a "
        "workspace) before `COPY . .`, then `uv sync --locked` after it",
        output_dirs=(".venv",),
        dependency_install=("uv", "sync", "--locked", "--no-install-workspace"),
    ),
    Ecosystem(
        name="pdm",
        manifests=("pyproject.toml", "pdm.lock", "pdm.toml", ".pdm-python"),
        detect=("pdm.lock",),
        install_examples=("pdm install --prod", "pdm sync --prod"),
        extra_reads="without `--no-self` a distribution project is installed from its sources",
        unsafe_variant="`pdm install --prod --no-self` before `COPY . .`, then `pdm install "
        "--prod` after it",
        output_dirs=(".venv", "__pypackages__"),
        dependency_install=("pdm", "install", "--no-self"),
    ),
    Ecosystem(
        name="conda",
        manifests=("environment.yml", "environment.yaml"),
        detect=("environment.yml", "environment.yaml", "conda-lock.yml"),
        install_examples=(
            "conda env create -f environment.yml",
            "micromamba install -y -n base -f environment.yml",
        ),
        extra_reads="the `pip:` section may name requirement files (`-r`) and local paths (`-e .`)",
        unsafe_variant=None,
        output_dirs=(),
        dependency_install=("conda", "env", "create", "-f", "{each}"),
        each_of=("environment.yml", "environment.yaml"),
    ),
    Ecosystem(
        name="npm",
        manifests=("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
        detect=("package-lock.json", "npm-shrinkwrap.json", "package.json"),
        install_examples=("npm ci", "npm install --omit=dev"),
        extra_reads="workspace packages' package.json (and their bin files); preinstall, "
        "install, postinstall and prepare scripts run and may read anything; a "
        "binding.gyp builds a native addon from the sources",
        unsafe_variant="`npm ci --ignore-scripts` before `COPY . .`, then `npm rebuild` after it",
        output_dirs=("node_modules",),
        dependency_install=("npm", "ci"),
        superseded_by=("yarn-classic", "yarn-berry", "pnpm", "bun"),
    ),
    Ecosystem(
        name="yarn-classic",
        manifests=("package.json", "yarn.lock", ".yarnrc", ".npmrc"),
        detect=("yarn.lock",),
        install_examples=("yarn install --frozen-lockfile", "yarn install --production"),
        extra_reads="workspace packages' package.json; preinstall, install, postinstall and "
        "prepare scripts run",
        unsafe_variant="`yarn install --frozen-lockfile --ignore-scripts` before `COPY . .`, "
        "then the scripts after it",
        output_dirs=("node_modules",),
        dependency_install=("yarn", "install", "--frozen-lockfile"),
        superseded_by=("yarn-berry",),
    ),
    Ecosystem(
        name="yarn-berry",
        manifests=(
            "package.json",
            "yarn.lock",
            ".yarnrc.yml",
            ".yarn/releases/",
            ".yarn/plugins/",
            ".yarn/patches/",
        ),
        detect=(".yarnrc.yml", ".yarn/releases/"),
        install_examples=("yarn install --immutable", "yarn workspaces focus --production"),
        extra_reads="workspace packages' package.json; their preinstall, install and "
        "postinstall scripts run (not with `--mode=skip-build`)",
        unsafe_variant="`yarn install --immutable --mode=skip-build` before `COPY . .`, then "
        "`yarn rebuild` after it",
        output_dirs=(
            "node_modules",
            ".yarn/cache",
            ".yarn/unplugged",
            ".yarn/install-state.gz",
            ".pnp.cjs",
            ".pnp.loader.mjs",
        ),
        dependency_install=("yarn", "install", "--immutable"),
    ),
    Ecosystem(
        name="pnpm",
        manifests=(
            "package.json",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
            ".npmrc",
            ".pnpmfile.cjs",
            "patches/",
        ),
        detect=("pnpm-lock.yaml", "pnpm-workspace.yaml"),
        install_examples=(
            "pnpm install --frozen-lockfile --prod",
            "pnpm fetch --prod && pnpm install --offline --prod",
        ),
        extra_reads="packages listed in pnpm-workspace.yaml; lifecycle scripts of the root and "
        "workspace packages; `pnpm fetch` reads only the lockfile (plus .npmrc and "
        "pnpm-workspace.yaml settings)",
        unsafe_variant="copy pnpm-lock.yaml and run `pnpm fetch` before `COPY . .`, then `pnpm "
        "install --offline` after it",
        output_dirs=("node_modules",),
        dependency_install=("pnpm", "install", "--frozen-lockfile"),
    ),
    Ecosystem(
        name="bun",
        manifests=("package.json", "bun.lock", "bun.lockb", "bunfig.toml", ".npmrc"),
        detect=("bun.lock", "bun.lockb"),
        install_examples=("bun install --frozen-lockfile", "bun install --production"),
        extra_reads="workspace packages' package.json; the project's own lifecycle scripts run",
        unsafe_variant="`bun install --frozen-lockfile --ignore-scripts` before `COPY . .`",
        output_dirs=("node_modules",),
        dependency_install=("bun", "install", "--frozen-lockfile"),
    ),
    Ecosystem(
        name="go",
        manifests=("go.mod", "go.sum", "go.work", "go.work.sum"),
        detect=("go.mod",),
        install_examples=("go mod download", "go build -o /app ./..."),
        extra_reads="go.mod of local modules named by `replace` or go.work `use`; `go build` "
        "reads every Go source it compiles",
        unsafe_variant="`go mod download` before `COPY . .`",
        output_dirs=(),
        dependency_install=("go", "mod", "download"),
    ),
    Ecosystem(
        name="cargo",
        manifests=(
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
            ".cargo/config",
            "rust-toolchain.toml",
            "rust-toolchain",
        ),
        detect=("Cargo.toml",),
        install_examples=("cargo fetch", "cargo build --release --locked"),
        extra_reads="Cargo.toml of workspace members and path dependencies; cargo needs "
        "src/main.rs or src/lib.rs to exist to load a manifest; builds read all "
        "sources",
        unsafe_variant="`cargo fetch`, or a dependency-only build with a placeholder "
        "src/main.rs (as `cargo chef cook` does), before `COPY . .`",
        output_dirs=("target",),
        dependency_install=("cargo", "fetch"),
    ),
    Ecosystem(
        name="maven",
        manifests=("pom.xml", ".mvn/", "mvnw"),
        detect=("pom.xml",),
        install_examples=("mvn -B dependency:go-offline", "./mvnw -B package -DskipTests"),
        extra_reads="module poms (`<modules>`), the parent pom (`relativePath`), .mvn/ "
        "configuration and extensions; lifecycle phases read all sources; "
        "go-offline may miss plugins resolved only during the build",
        unsafe_variant="`mvn dependency:go-offline` before `COPY src src`, then `mvn -o package`",
        output_dirs=("target",),
        dependency_install=("mvn", "dependency:go-offline"),
    ),
    Ecosystem(
        name="gradle",
        manifests=(
            "settings.gradle",
            "settings.gradle.kts",
            "build.gradle",
            "build.gradle.kts",
            "gradle.properties",
            "gradle/",
            "gradlew",
            "buildSrc/",
        ),
        detect=("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"),
        install_examples=("gradle dependencies --no-daemon", "./gradlew build -x test"),
        extra_reads="subproject build files from `include(...)` in settings, included builds, "
        "scripts applied with `apply from`; build scripts are code and may read "
        "other files",
        unsafe_variant="`./gradlew dependencies` before `COPY src src`, then the build",
        output_dirs=("build", ".gradle"),
        dependency_install=("gradle", "dependencies"),
    ),
    Ecosystem(
        name="bundler",
        manifests=("Gemfile", "Gemfile.lock", "gems.rb", "gems.locked", ".bundle/config"),
        detect=("Gemfile", "gems.rb"),
        install_examples=(
            "bundle install --jobs 4",
            "bundle config set --local deployment true && bundle install",
        ),
        extra_reads="files named by `eval_gemfile`; a `gemspec` line loads *.gemspec, which "
        "usually reads lib/…/version.rb and runs git ls-files; gems with `path:` "
        "read their folders",
        unsafe_variant=None,
        output_dirs=("vendor/bundle", ".bundle"),
        dependency_install=("bundle", "install"),
    ),
    Ecosystem(
        name="composer",
        manifests=("composer.json", "composer.lock", "auth.json"),
        detect=("composer.json",),
        install_examples=("composer install --no-dev --optimize-autoloader",),
        extra_reads="scripts (post-install-cmd, post-autoload-dump …) run unless "
        "`--no-scripts`; the autoloader reads the autoload paths unless "
        "`--no-autoloader`; path repositories",
        unsafe_variant="`composer install --no-scripts --no-autoloader` before `COPY . .`, "
        "then `composer dump-autoload --optimize` after it",
        output_dirs=("vendor",),
        dependency_install=("composer", "install", "--no-scripts", "--no-autoloader"),
    ),
    Ecosystem(
        name="mix",
        manifests=("mix.exs", "mix.lock", "config/"),
        detect=("mix.exs",),
        install_examples=("mix deps.get --only prod", "mix do deps.get, deps.compile"),
        extra_reads="config/ is loaded before every task; umbrella apps' mix.exs under "
        "`apps_path`; path dependencies",
        unsafe_variant=None,
        output_dirs=("deps", "_build"),
        dependency_install=("mix", "deps.get"),
    ),
    Ecosystem(
        name="dotnet",
        manifests=(
            "**/*.sln",
            "**/*.slnx",
            "**/*.csproj",
            "**/*.fsproj",
            "**/*.vbproj",
            "global.json",
            "NuGet.config",
            "nuget.config",
            "NuGet.Config",
            "**/Directory.Build.props",
            "**/Directory.Build.targets",
            "**/Directory.Packages.props",
            "**/packages.lock.json",
        ),
        detect=("**/*.csproj", "**/*.fsproj", "**/*.vbproj", "**/*.sln", "**/*.slnx"),
        install_examples=("dotnet restore", "dotnet publish -c Release -o /app"),
        extra_reads="projects named by `<ProjectReference>` and files named by `<Import>`; "
        "build and publish read all sources",
        unsafe_variant="`dotnet restore` before `COPY . .`, then `dotnet publish --no-restore`",
        output_dirs=("obj", "bin"),
        dependency_install=("dotnet", "restore"),
    ),
    Ecosystem(
        name="swift",
        manifests=("Package.swift", "Package.resolved", "Package@swift-*.swift"),
        detect=("Package.swift",),
        install_examples=("swift package resolve", "swift build -c release"),
        extra_reads="local packages (`.package(path:)`) are read from their folders",
        unsafe_variant="`swift package resolve` before `COPY . .`",
        output_dirs=(".build",),
        dependency_install=("swift", "package", "resolve"),
    ),
    Ecosystem(
        name="sbt",
        manifests=("build.sbt", "*.sbt", "project/", ".sbtopts", ".jvmopts"),
        detect=("build.sbt", "project/build.properties"),
        install_examples=("sbt update", "sbt stage"),
        extra_reads="project/ holds plugins and build code; subprojects' *.sbt "
        '(`file("x")`); compiling reads the sources',
        unsafe_variant="`sbt update` before `COPY src src`",
        output_dirs=("target", "project/target"),
        dependency_install=("sbt", "update"),
    ),
    Ecosystem(
        name="dart",
        manifests=("pubspec.yaml", "pubspec.lock", "pubspec_overrides.yaml"),
        detect=("pubspec.yaml",),
        install_examples=("dart pub get", "flutter pub get"),
        extra_reads="pubspec.yaml of path dependencies and workspace members; `flutter pub "
        "get` also regenerates plugin files in the platform folders",
        unsafe_variant=None,
        output_dirs=(".dart_tool",),
        dependency_install=("dart", "pub", "get"),
    ),
    Ecosystem(
        name="cabal",
        manifests=("*.cabal", "cabal.project", "cabal.project.local", "cabal.project.freeze"),
        detect=("*.cabal", "cabal.project"),
        install_examples=("cabal update && cabal build --only-dependencies", "cabal install"),
        extra_reads="the .cabal files of the packages listed in cabal.project",
        unsafe_variant="`cabal build --only-dependencies` before `COPY . .`",
        output_dirs=("dist-newstyle",),
        dependency_install=("cabal", "build", "--only-dependencies"),
        superseded_by=("stack",),
    ),
    Ecosystem(
        name="stack",
        manifests=("stack.yaml", "stack.yaml.lock", "package.yaml", "*.cabal"),
        detect=("stack.yaml",),
        install_examples=("stack setup && stack build --only-dependencies", "stack install"),
        extra_reads="package.yaml / *.cabal of the packages listed in stack.yaml; hpack "
        "regenerates the .cabal files",
        unsafe_variant="`stack build --only-dependencies` before `COPY . .`",
        output_dirs=(".stack-work",),
        dependency_install=("stack", "build", "--only-dependencies"),
    ),
    Ecosystem(
        name="renv",
        manifests=(
            "renv.lock",
            ".Rprofile",
            "renv/activate.R",
            "renv/settings.json",
            "renv/settings.dcf",
        ),
        detect=("renv.lock",),
        install_examples=("Rscript -e 'renv::restore()'",),
        extra_reads=".Rprofile runs at R startup and sources renv/activate.R",
        unsafe_variant=None,
        output_dirs=("renv/library",),
        dependency_install=("Rscript", "-e", "renv::restore()"),
    ),
)

BY_NAME: dict[str, Ecosystem] = {eco.name: eco for eco in ECOSYSTEMS}


def _listing(files: Iterable[str]) -> list[str]:
    return [
        p for p in (norm(f) for f in files) if not _IGNORED_SEGMENTS.intersection(p.split("/")[:-1])
    ]


def _matches(pattern: str, files: Sequence[str]) -> list[str]:
    """Files matching a manifest pattern; a folder pattern (`x/`) yields itself when used."""
    if pattern.endswith("/"):
        folder = re.compile(glob_regex(pattern) + ".+")
        return [pattern] if any(folder.fullmatch(f) for f in files) else []
    regex = re.compile(glob_regex(pattern))
    return sorted(f for f in files if regex.fullmatch(f))


def manifests_present(eco: Ecosystem, files: Iterable[str]) -> list[str]:
    """The manifests of `eco` that exist in a context listing, in copy order.

    Workspace members are not listed here: naming them needs the manifests' content, which
    `dependency_files` reads.
    """
    listing = _listing(files)
    found: list[str] = []
    for pattern in eco.manifests:
        found += [m for m in _matches(pattern, listing) if m not in found]
    return found


def detect_ecosystems(files: Iterable[str]) -> list[Ecosystem]:
    """The ecosystems a context uses, in table order."""
    listing = _listing(files)
    used = [eco for eco in ECOSYSTEMS if any(_matches(pattern, listing) for pattern in eco.detect)]
    names = {eco.name for eco in used}
    return [eco for eco in used if not names.intersection(eco.superseded_by)]


def dependency_files(eco: Ecosystem, files: Iterable[str], read_file: FileReader) -> list[str]:
    """Manifests plus everything they pull in, for a dependency-only install at the root.

    Raises `DependencySetUnknown` with the reasons when the install may read other files
    (lifecycle scripts, `-e .`, a gemspec, path dependencies, unknown nested files).
    """
    listing = _listing(files)
    result = manifests_present(eco, listing)

    def glob(pattern: str) -> list[str]:
        return _matches(pattern, listing)

    for argv in _dependency_commands(eco, listing):
        effect = classify(argv, read_file=read_file, glob=glob)
        if effect.reads_all:
            raise DependencySetUnknown(eco.name, effect.reasons)
        for read in effect.reads:
            result += [p for p in _present(read, listing) if p not in result]
    return result


def _dependency_commands(eco: Ecosystem, listing: Sequence[str]) -> list[tuple[str, ...]]:
    if "{each}" not in eco.dependency_install:
        return [eco.dependency_install] if eco.dependency_install else []
    each = [f for pattern in eco.each_of for f in _matches(pattern, listing)]
    return [
        tuple(f if w == "{each}" else w for w in eco.dependency_install)
        for f in dict.fromkeys(each)
    ]


def _present(read: str, listing: Sequence[str]) -> list[str]:
    if read in listing:
        return [read]
    if any(f.startswith(read + "/") for f in listing):
        return [read + "/"]
    return _matches(read, listing) if any(c in read for c in "*?[") else []


# --- documentation ----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code_list(items: Iterable[str]) -> str:
    return ", ".join(f"`{_cell(item)}`" for item in items) or "—"


def render_markdown(ecosystems: Sequence[Ecosystem] = ECOSYSTEMS) -> str:
    """docs/ecosystems.md, generated from the table."""
    lines = [
        "# Ecosystems",
        "",
        "<!-- Generated by dockerfix.model.ecosystems.render_markdown(); do not edit. -->",
        "",
        "What dockerfix knows about each package manager: the manifests a dependency install "
        "reads (copied in this order, only those present), the files that reveal the "
        "ecosystem, and the folders the install creates in the project, which a later "
        "`COPY . .` must not overwrite.",
        "",
        "| Ecosystem | Detected by | Manifests (copy order) | Install creates |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {eco.name} | {_code_list(eco.detect)} | {_code_list(eco.manifests)} | "
        f"{_code_list(eco.output_dirs)} |"
        for eco in ecosystems
    ]
    for eco in ecosystems:
        lines += _section(eco)
    return "\n".join(lines) + "\n"


def _section(eco: Ecosystem) -> list[str]:
    variant = eco.unsafe_variant or "none: a dependency-only install needs no command change"
    lines = [
        "",
        f"## {eco.name}",
        "",
        f"- Install commands: {_code_list(eco.install_examples)}",
        f"- Also reads: {eco.extra_reads}",
        f"- Dependency-only variant: {variant}",
    ]
    if eco.dependency_install:
        lines.append(f"- Dependency set computed with: `{' '.join(eco.dependency_install)}`")
    return lines


def write_docs(path: str = posixpath.join("docs", "ecosystems.md")) -> None:
    """Regenerate the committed table."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render_markdown())
