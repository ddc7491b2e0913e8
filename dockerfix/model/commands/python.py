"""Python: pip, pip-tools, pipenv, poetry, uv, pdm, conda and `python -m`."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from dockerfix.model.commands._base import (
    Args,
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _glob_match,
    _is_local_path,
    _Reads,
    _simple,
    _strings,
    _table,
    join,
    load_toml,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import HANDLERS, handles

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
        other_manifests=("setup.cfg",),
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
        other_manifests=("*.in",),
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
        other_manifests=("conda-lock.yml",),
    ),
)

# pip options that take a value (their value is never a requirement).
PIP_VALUE = (
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "--upgrade-strategy",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--trusted-host",
    "--cache-dir",
    "--log",
    "--timeout",
    "--retries",
    "--proxy",
    "--cert",
    "--client-cert",
    "--exists-action",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "--report",
    "--python",
    "--use-feature",
    "--use-deprecated",
    "--root-user-action",
    "--keyring-provider",
    "-d",
    "--dest",
    "-w",
    "--wheel-dir",
    "--build-option",
    "--group",
    "-p",
    "--python-platform",
    "--index-strategy",
    "--resolution",
    "--prerelease",
    "--exclude-newer",
    "-o",
    "--output-file",
    "--link-mode",
    "--extra",
    "--override",
)
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")


def _requirement_lines(text: str) -> list[str]:
    """Logical lines of a requirements file: continuations joined, comments dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    lines = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if line:
            lines.append(line)
    return lines


def _requirement_target(acc: _Reads, spec: str, source: str) -> None:
    """Record what installing one requirement specifier reads (local paths only)."""
    target = spec.split(";", 1)[0].strip()
    if " @ " in target or target.startswith("@"):
        target = target.split("@", 1)[1].strip()
    url = target.startswith("file:")
    if url:
        target = re.sub(r"^file:(//)?", "", target)
    target = re.sub(r"\[[^\]]*\]\Z", "", target)  # `.[dev]`, `./lib[extra]`: the extras
    if not url and not _names_local_file(target):
        return
    if target.endswith(_ARCHIVES):
        acc.add(target)
        return
    acc.decline(f"{source} installs the local project {target}: building it may read any file")


def _project_folder(ctx: _Ctx, acc: _Reads, spec: str, source: str) -> None:
    """pip takes a bare name (`pip install lib`) for the folder of that name when one with a
    setup.py, setup.cfg or pyproject.toml is there, before it looks on the index."""
    name = re.sub(r"\[[^\]]*\]\Z", "", spec.strip())
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        return
    if any(
        ctx.text(join(name, f)) is not None for f in ("setup.py", "setup.cfg", "pyproject.toml")
    ):
        acc.decline(f"{source} installs the local project {name}/: building it may read any file")


def _names_local_file(target: str) -> bool:
    if "://" in target or target.startswith("git+"):
        return False
    return _is_local_path(target) or "/" in target or target.endswith(_ARCHIVES)


def _requirements_file(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    """Read a requirements/constraints file and everything it pulls in."""
    path = norm(path)
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell which files it includes")
        return
    base = posixpath.dirname(path)
    for line in _requirement_lines(text):
        _requirement_line(ctx, acc, line, base, path, seen)


_NESTED = ("-r", "--requirement", "-c", "--constraint")


def _requirement_line(
    ctx: _Ctx, acc: _Reads, line: str, base: str, path: str, seen: set[str]
) -> None:
    words = line.split()
    name, eq, value = words[0].partition("=")
    if not eq and len(words) > 1:
        value = words[1]
    if name.startswith(_NESTED) and not name.startswith("--"):
        name, value = name[:2], (name[2:] or value)  # `-rbase.txt`
    if name in _NESTED:
        if "://" not in value:
            acc.note(f"{path} includes {join(base, value)}")
            _requirements_file(ctx, acc, join(base, value), seen)
    elif name in ("-e", "--editable") or (name.startswith("-e") and not name.startswith("--")):
        _requirement_target(acc, value if name in ("-e", "--editable") else name[2:], path)
    elif name in ("-f", "--find-links") and "://" not in value:
        acc.add(join(base, value))  # a folder of archives (any value but a URL is a path)
    elif not line.startswith("-"):
        _requirement_target(acc, line.split(" --", 1)[0], path)


def _site_packages(ctx: _Ctx) -> tuple[str, ...]:
    venv = ctx.env.get("VIRTUAL_ENV")
    if venv:
        return (venv,)
    return ("/usr/local/lib/python3*/site-packages", "/usr/local/bin")


def _pip_writes(ctx: _Ctx, parsed: Args) -> list[str]:
    target = parsed.last("-t", "--target") or ctx.env.get("PIP_TARGET")
    prefix = parsed.last("--prefix", "--root") or ctx.env.get("PIP_PREFIX")
    user = parsed.has("--user") or ctx.env.get("PIP_USER", "").lower() in ("1", "true", "yes")
    if target:
        writes = [target]
    elif prefix:
        writes = [prefix]
    elif user:
        writes = [f"{ctx.env.get('PYTHONUSERBASE') or ctx.home + '/.local'}"]
    else:
        writes = list(_site_packages(ctx))
    no_cache = parsed.has("--no-cache-dir", "--no-cache") or "PIP_NO_CACHE_DIR" in ctx.env
    if not no_cache:
        writes.append(parsed.last("--cache-dir") or f"{ctx.home}/.cache/pip")
    return writes


def _pip_sources(ctx: _Ctx, acc: _Reads, parsed: Args, tool: str) -> None:
    seen: set[str] = set()
    for path in parsed.values(*_NESTED):
        if "://" not in path:
            _requirements_file(ctx, acc, path, seen)
    for path in ctx.env.get("PIP_CONSTRAINT", "").split():
        _requirements_file(ctx, acc, path, seen)
    if "PIP_CONFIG_FILE" in ctx.env:
        acc.add(ctx.env["PIP_CONFIG_FILE"])
        for line in (ctx.text(ctx.env["PIP_CONFIG_FILE"]) or "").splitlines():
            key, eq, value = line.partition("=")
            if eq and key.strip() in ("find-links", "find_links"):
                acc.add(*(v for v in value.split() if "://" not in v))
    for value in ctx.env.get("PIP_FIND_LINKS", "").split():
        if "://" not in value:
            acc.add(value)
    for value in parsed.values("-f", "--find-links"):
        if "://" not in value:
            acc.add(value)  # a folder of archives (any value but a URL is a path)
    for value in parsed.values("-e", "--editable"):
        _requirement_target(acc, value, f"{tool} -e {value}")
    for spec in parsed.positionals:
        _requirement_target(acc, spec, f"{tool} install {spec}")
        _project_folder(ctx, acc, spec, f"{tool} install {spec}")


@handles("pip")
def _pip(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, PIP_VALUE, stop_at_positional=True)
    if not parsed.positionals:
        return _simple("noop", "pip")
    sub, rest = parsed.positionals[0], list(parsed.positionals[1:])
    parsed = parse_args(rest, PIP_VALUE)
    acc = _Reads()
    if sub in ("install", "uninstall", "download", "wheel"):
        _pip_sources(ctx, acc, parsed, "pip")
    if sub == "install":
        effect = acc.effect("install", "pip", _pip_writes(ctx, parsed), network=True, cost=20.0)
        # Requirement files name the files they include, wherever they are in the tree.
        return replace(effect, names_tree_reads=True)
    if sub == "uninstall":
        return acc.effect("install", "pip", _site_packages(ctx), network=False, cost=2.0)
    if sub in ("download", "wheel"):
        folder = parsed.last("-d", "--dest", "-w", "--wheel-dir") or "."
        return acc.effect("download", "pip", [norm(folder)], network=True, cost=15.0)
    if sub == "config":
        where = "/etc/pip.conf" if parsed.has("--global") else f"{ctx.home}/.config/pip/pip.conf"
        return _simple("filesystem", "pip", writes=(where,), cost=0.1)
    if sub == "cache":
        return _simple("filesystem", "pip", writes=(f"{ctx.home}/.cache/pip",), cost=0.1)
    if sub in (
        "freeze",
        "list",
        "show",
        "check",
        "debug",
        "help",
        "--version",
        "-V",
        "index",
        "inspect",
        "hash",
    ):
        return _simple("noop", "pip")
    return unknown_effect(args, f"`pip {sub}` is not a pip command dockerfix knows")


@handles("pip-sync")
def _pip_sync(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, PIP_VALUE)
    acc = _Reads()
    seen: set[str] = set()
    for path in parsed.positionals or ("requirements.txt",):
        _requirements_file(ctx, acc, path, seen)
    return acc.effect("install", "pip-tools", _site_packages(ctx), network=True, cost=20.0)


@handles("pip-compile")
def _pip_compile(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, PIP_VALUE)
    inputs = list(parsed.positionals) or ["requirements.in"]
    output = parsed.last("-o", "--output-file") or "requirements.txt"
    acc = _Reads()
    seen: set[str] = set()
    for path in inputs:
        if path.endswith((".in", ".txt")):
            _requirements_file(ctx, acc, path, seen)
        else:
            acc.decline(f"pip-compile reads the project metadata of {path}: it may build it")
    return acc.effect("filesystem", "pip-tools", [norm(output)], network=True, cost=10.0)


def _pyproject(ctx: _Ctx, acc: _Reads, path: str = "pyproject.toml") -> dict[str, Any] | None:
    acc.add(path)
    data = load_toml(ctx.text(path))
    if data is None:
        acc.decline(f"{path} is not known: cannot tell whether it declares local path dependencies")
    return data


def _pep508_local(acc: _Reads, deps: Iterable[str], source: str) -> None:
    for dep in deps:
        if "file:" in dep:
            acc.decline(
                f"{source} depends on a local path ({dep.strip()}): building it may read any file"
            )


def _poetry_path_deps(data: Mapping[str, Any], key: str = "path") -> list[str]:
    tables = [
        _table(data, "tool", "poetry", "dependencies"),
        _table(data, "tool", "poetry", "dev-dependencies"),
    ]
    tables += [
        _table(group, "dependencies")
        for group in _table(data, "tool", "poetry", "group").values()
        if isinstance(group, dict)
    ]
    found = []
    for table in tables:
        for spec in table.values():
            specs = spec if isinstance(spec, list) else [spec]
            found += [s[key] for s in specs if isinstance(s, dict) and isinstance(s.get(key), str)]
    return found


@handles("poetry")
def _poetry(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        (
            "--only",
            "--with",
            "--without",
            "-E",
            "--extras",
            "-C",
            "--directory",
            "-P",
            "--project",
            "-f",
            "--format",
            "-o",
            "--output",
        ),
        stop_at_positional=True,
    )
    if not parsed.positionals:
        return _simple("noop", "poetry")
    sub, rest = (
        parsed.positionals[0],
        parse_args(
            parsed.positionals[1:],
            ("--only", "--with", "--without", "-E", "--extras", "-f", "--format", "-o", "--output"),
        ),
    )
    base = parsed.last("-C", "--directory", "-P", "--project") or rest.last("-C") or "."
    if sub in ("install", "sync"):
        return _poetry_install(ctx, rest, base)
    if sub == "config":
        local = rest.has("--local")
        config = ctx.env.get("POETRY_CONFIG_DIR", f"{ctx.home}/.config/pypoetry")
        where = join(base, "poetry.toml") if local else f"{config}/config.toml"
        return _simple("filesystem", "poetry", writes=(where,), cost=0.1)
    if sub in ("export", "lock", "check", "show"):
        acc = _Reads()
        acc.add(join(base, "pyproject.toml"), join(base, "poetry.lock"), join(base, "poetry.toml"))
        output = rest.last("-o", "--output")
        outputs = [norm(output)] if output else []
        writes = [join(base, "poetry.lock")] if sub == "lock" else outputs
        return acc.effect(
            "filesystem" if writes else "noop", "poetry", writes, network=sub == "lock", cost=1.0
        )
    if sub in ("build", "run"):
        return _build_all("poetry", f"poetry {sub} works on the project sources")
    if sub in ("--version", "-V", "about", "env", "help"):
        return _simple("noop", "poetry")
    return unknown_effect(args, f"`poetry {sub}` is not a poetry command dockerfix knows")


def _poetry_install(ctx: _Ctx, parsed: Args, base: str) -> CommandEffect:
    acc = _Reads()
    data = _pyproject(ctx, acc, join(base, "pyproject.toml"))
    acc.add(join(base, "poetry.lock"), join(base, "poetry.toml"))
    if data is not None:
        package_mode = _table(data, "tool", "poetry").get("package-mode", True)
        installs_root = not parsed.has("--no-root") and package_mode is not False
        if installs_root:
            acc.decline(
                "poetry install without --no-root installs the project itself: it may read any file"
            )
        if not parsed.has("--no-directory"):
            for path in _poetry_path_deps(data):
                acc.decline(f"pyproject.toml has a path dependency {path}: poetry builds it")
        for archive in _poetry_path_deps(data, "file"):
            acc.add(join(base, archive))  # `{ file = "vendor/x.tar.gz" }`: poetry installs it
            _pep508_local(
                acc, _strings(_table(data, "project").get("dependencies")), "pyproject.toml"
            )
    env_create = ctx.env.get("POETRY_VIRTUALENVS_CREATE", "true").lower() not in ("false", "0")
    in_project = ctx.env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1")
    cache = ctx.env.get("POETRY_CACHE_DIR", f"{ctx.home}/.cache/pypoetry")
    venv = [join(base, ".venv")] if in_project or not env_create else []
    target = list(_site_packages(ctx)) if not env_create else venv
    return acc.effect("install", "poetry", [*target, cache], network=True, cost=20.0)


def _uv_sources_local(data: Mapping[str, Any]) -> list[str]:
    return [
        src["path"]
        for src in _table(data, "tool", "uv", "sources").values()
        if isinstance(src, dict) and "path" in src and not src.get("workspace")
    ]


def _uv_members(ctx: _Ctx, acc: _Reads, data: Mapping[str, Any], base: str) -> list[str]:
    workspace = _table(data, "tool", "uv", "workspace")
    members: list[str] = []
    for pattern in _strings(workspace.get("members")):
        found = ctx.expand(join(join(base, pattern), "pyproject.toml"))
        if found is None:
            acc.add(join(join(base, pattern), "pyproject.toml"))
            acc.decline(f"cannot list the uv workspace members {pattern}")
            continue
        excluded = [join(base, e) for e in _strings(workspace.get("exclude"))]
        members += [
            posixpath.dirname(f)
            for f in found
            if not any(_glob_match(e, posixpath.dirname(f)) for e in excluded)
        ]
    return members


def _uv_sync(ctx: _Ctx, parsed: Args, base: str) -> CommandEffect:
    acc = _Reads()
    data = _pyproject(ctx, acc, join(base, "pyproject.toml"))
    acc.add(join(base, "uv.lock"), join(base, ".python-version"), join(base, "uv.toml"))
    if data is not None:
        members = _uv_members(ctx, acc, data, base)
        for member in members:
            acc.add(join(member, "pyproject.toml"))
        skip_workspace = parsed.has("--no-install-workspace")
        is_package = "build-system" in data or _table(data, "tool", "uv").get("package") is True
        if is_package and not (skip_workspace or parsed.has("--no-install-project")):
            acc.decline(
                "uv sync without --no-install-project installs the project itself: it "
                "may read any file"
            )
        if members and not skip_workspace:
            acc.decline(
                "uv sync without --no-install-workspace installs the workspace members "
                f"({', '.join(members)}): it may read any of their files"
            )
        if not parsed.has("--no-install-local"):
            for path in _uv_sources_local(data):
                acc.decline(f"pyproject.toml has a path source {path}: uv builds it")
    venv = ctx.env.get("UV_PROJECT_ENVIRONMENT") or join(base, ".venv")
    cache = ctx.env.get("UV_CACHE_DIR", f"{ctx.home}/.cache/uv")
    return acc.effect(
        "install", "uv", [venv, cache], network=not parsed.has("--offline"), cost=10.0
    )


@handles("uv")
def _uv(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args, (*PIP_VALUE, "--directory", "--project", "--package"), stop_at_positional=True
    )
    if not parsed.positionals:
        return _simple("noop", "uv")
    base = parsed.last("--directory", "--project") or "."
    sub, rest = parsed.positionals[0], list(parsed.positionals[1:])
    sub_args = parse_args(rest, (*PIP_VALUE, "--directory", "--project", "--package"))
    base = sub_args.last("--directory", "--project") or base
    if sub == "sync":
        return _uv_sync(ctx, sub_args, base)
    if sub == "pip":
        return _uv_pip(ctx, rest)
    if sub == "venv":
        target = sub_args.positionals[0] if sub_args.positionals else ".venv"
        return _simple(
            "filesystem", "uv", reads=(".python-version",), writes=(norm(target),), cost=0.5
        )
    if sub in ("python", "tool"):
        return _simple("download", "uv", writes=(f"{ctx.home}/.local",), network=True, cost=5.0)
    if sub in ("lock", "export"):
        acc = _Reads()
        _pyproject(ctx, acc, join(base, "pyproject.toml"))
        acc.add(join(base, "uv.lock"))
        output = sub_args.last("-o", "--output-file")
        writes = [join(base, "uv.lock")] if sub == "lock" else ([norm(output)] if output else [])
        return acc.effect("filesystem", "uv", writes, network=sub == "lock", cost=1.0)
    if sub in ("run", "build"):
        return _build_all("uv", f"uv {sub} works on the project sources")
    if sub in ("--version", "version", "help", "cache"):
        return _simple("noop", "uv")
    return unknown_effect(args, f"`uv {sub}` is not a uv command dockerfix knows")


def _uv_pip(ctx: _Ctx, rest: list[str]) -> CommandEffect:
    parsed = parse_args(rest, PIP_VALUE, stop_at_positional=True)
    if not parsed.positionals:
        return _simple("noop", "uv")
    sub = parsed.positionals[0]
    sub_args = parse_args(parsed.positionals[1:], PIP_VALUE)
    acc = _Reads()
    seen: set[str] = set()
    requirement_files = [*sub_args.values(*_NESTED)]
    if sub == "sync":
        requirement_files += sub_args.positionals
    for path in requirement_files:
        if path.endswith((".toml", ".py", ".cfg")):
            _uv_project_requirements(ctx, acc, path)
        elif "://" not in path:
            _requirements_file(ctx, acc, path, seen)
    if sub == "install":
        for spec in sub_args.positionals:
            _requirement_target(acc, spec, f"uv pip install {spec}")
        for value in sub_args.values("-e", "--editable"):
            _requirement_target(acc, value, f"uv pip install -e {value}")
    if sub in ("install", "sync"):
        system = sub_args.has("--system") or "UV_SYSTEM_PYTHON" in ctx.env
        target = sub_args.last("-t", "--target", "--prefix")
        writes = (
            [target]
            if target
            else (list(_site_packages(ctx)) if system or "VIRTUAL_ENV" in ctx.env else [".venv"])
        )
        cache = ctx.env.get("UV_CACHE_DIR", f"{ctx.home}/.cache/uv")
        return acc.effect("install", "uv", [*writes, cache], network=True, cost=10.0)
    if sub == "compile":
        output = sub_args.last("-o", "--output-file")
        return acc.effect(
            "filesystem", "uv", [norm(output)] if output else [], network=True, cost=5.0
        )
    return unknown_effect(rest, f"`uv pip {sub}` is not a uv command dockerfix knows")


def _uv_project_requirements(ctx: _Ctx, acc: _Reads, path: str) -> None:
    if not path.endswith(".toml"):
        acc.add(path)
        acc.decline(
            f"reading requirements from {path} runs the project's build: it may read any file"
        )
        return
    data = _pyproject(ctx, acc, path)
    if data is not None:
        dynamic = _strings(_table(data, "project").get("dynamic"))
        if {"dependencies", "optional-dependencies"} & set(dynamic):
            acc.decline(f"{path} declares dynamic dependencies: uv builds the project to read them")
        _pep508_local(acc, _strings(_table(data, "project").get("dependencies")), path)


@handles("pipenv")
def _pipenv(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        ("--python", "--categories", "--extra-pip-args", "-r", "--requirements"),
        stop_at_positional=True,
    )
    if not parsed.positionals:
        return _simple("noop", "pipenv")
    sub = parsed.positionals[0]
    sub_args = parse_args(parsed.positionals[1:], ("--python", "--categories", "-r"))
    if sub not in ("install", "sync", "update", "lock", "requirements", "verify"):
        if sub == "run":
            return _build_all("pipenv", "pipenv run runs a project command")
        return unknown_effect(args, f"`pipenv {sub}` is not a pipenv command dockerfix knows")
    pipfile = ctx.env.get("PIPENV_PIPFILE", "Pipfile")
    acc = _Reads()
    acc.add(pipfile, f"{pipfile}.lock")
    data = load_toml(ctx.text(pipfile))
    if data is None:
        acc.decline(f"{pipfile} is not known: cannot tell whether it installs local paths")
    else:
        for section in ("packages", "dev-packages"):
            for name, spec in _table(data, section).items():
                if isinstance(spec, dict) and ("path" in spec or "file" in spec):
                    where = spec.get("path") or spec.get("file")
                    acc.decline(f"{pipfile} installs {name} from the local path {where}")
    for spec in sub_args.positionals:
        _requirement_target(acc, spec, f"pipenv install {spec}")
    if sub in ("lock", "requirements", "verify"):
        writes = [f"{pipfile}.lock"] if sub == "lock" else []
        return acc.effect(
            "filesystem" if writes else "noop", "pipenv", writes, network=sub == "lock", cost=1.0
        )
    system = sub_args.has("--system") or "PIPENV_SYSTEM" in ctx.env
    venv = list(_site_packages(ctx)) if system else [f"{ctx.home}/.local/share/virtualenvs"]
    if ctx.env.get("PIPENV_VENV_IN_PROJECT"):
        venv = [".venv"]
    writes = [*venv, f"{ctx.home}/.cache/pipenv"]
    if sub_args.positionals or (sub == "install" and not sub_args.has("--deploy")):
        writes += [pipfile, f"{pipfile}.lock"]
    return acc.effect("install", "pipenv", writes, network=True, cost=20.0)


# pdm options that take a value, before and after the subcommand alike.
_PDM_VALUE = (
    "-p",
    "--project",
    "-G",
    "--group",
    "-L",
    "--lockfile",
    "-o",
    "--output",
    "-f",
    "--format",
)


@handles("pdm")
def _pdm(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        args,
        _PDM_VALUE,
        stop_at_positional=True,
    )
    if not parsed.positionals:
        return _simple("noop", "pdm")
    sub = parsed.positionals[0]
    sub_args = parse_args(
        parsed.positionals[1:],
        _PDM_VALUE,
    )
    base = sub_args.last("-p", "--project") or parsed.last("-p", "--project") or "."
    lock = sub_args.last("-L", "--lockfile") or "pdm.lock"
    if sub in ("build", "run"):
        return _build_all("pdm", f"pdm {sub} works on the project sources")
    if sub not in ("install", "sync", "export", "lock"):
        return unknown_effect(args, f"`pdm {sub}` is not a pdm command dockerfix knows")
    acc = _Reads()
    data = _pyproject(ctx, acc, join(base, "pyproject.toml"))
    acc.add(join(base, lock), join(base, "pdm.toml"), join(base, ".pdm-python"))
    if data is not None:
        _pep508_local(acc, _strings(_table(data, "project").get("dependencies")), "pyproject.toml")
        distribution = _table(data, "tool", "pdm").get("distribution", "build-system" in data)
        if sub in ("install", "sync") and distribution and not sub_args.has("--no-self"):
            acc.decline(
                f"pdm {sub} without --no-self installs the project itself: it may read any file"
            )
    if sub in ("export", "lock"):
        output = sub_args.last("-o", "--output")
        writes = [join(base, lock)] if sub == "lock" else ([norm(output)] if output else [])
        return acc.effect("filesystem", "pdm", writes, network=sub == "lock", cost=1.0)
    writes = [join(base, ".venv"), join(base, "__pypackages__"), f"{ctx.home}/.cache/pdm"]
    return acc.effect("install", "pdm", writes, network=True, cost=20.0)


# Where the dependency step dockerfix writes for `pip install .` keeps the requirements that
# Python's TOML reader (3.11 and later) prints from pyproject.toml; removed in the same RUN.
PYPROJECT_REQUIREMENTS = "/tmp/project-requirements.txt"
_SNIPPET_HEAD = "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; "
_SNIPPET = re.compile(
    re.escape(_SNIPPET_HEAD)
    + r"print\('\\n'\.join\(p\['dependencies'\]"
    + r"((?: \+ p\['optional-dependencies'\]\['[A-Za-z0-9_.-]+'\])*)\)\)"
)


def pyproject_snippet(extras: Iterable[str] = ()) -> str:
    """The `python -c` program that prints, one per line, the dependencies pyproject.toml
    lists in [project] (and those of its `extras`)."""
    parts = ["p['dependencies']", *(f"p['optional-dependencies']['{e}']" for e in extras)]
    return _SNIPPET_HEAD + "print('\\n'.join(" + " + ".join(parts) + "))"


def snippet_extras(program: str) -> list[str] | None:
    """The extras a `pyproject_snippet` program prints; None for any other program."""
    found = _SNIPPET.fullmatch(program)
    if found is None:
        return None
    return re.findall(r"\]\['([A-Za-z0-9_.-]+)'\]", found.group(1))


def pyproject_requirements(text: str | None, extras: Iterable[str] = ()) -> str | None:
    """What `pyproject_snippet(extras)` prints for this pyproject.toml; None when it does not
    list them itself (missing, dynamic, or not parsed)."""
    data = load_toml(text)
    if data is None:
        return None
    table = data.get("project")
    if not isinstance(table, dict) or "dependencies" in table.get("dynamic", []):
        return None
    deps = table.get("dependencies", [])
    optional = table.get("optional-dependencies", {})
    wanted = list(extras)
    if wanted and (
        "optional-dependencies" in table.get("dynamic", []) or not isinstance(optional, dict)
    ):
        return None
    lines = list(deps) if isinstance(deps, list) else None
    for extra in wanted:
        more = optional.get(extra)
        if lines is None or not isinstance(more, list):
            return None
        lines += more
    if lines is None or not all(isinstance(line, str) for line in lines):
        return None
    return "\n".join(lines)


# The same for a setup.py that passes its dependencies to setup() as a literal list: Python's
# own parser reads the file (it does not run it) and prints the list, one per line.
SETUP_SNIPPET = (
    "import ast; print('\\n'.join(next(ast.literal_eval(k.value) for n in "
    "ast.walk(ast.parse(open('setup.py').read())) if isinstance(n, ast.Call) and "
    "getattr(n.func, 'id', getattr(n.func, 'attr', None)) == 'setup' for k in n.keywords "
    "if k.arg == 'install_requires')))"
)


def setup_py_requirements(text: str | None) -> str | None:
    """What `SETUP_SNIPPET` prints for this setup.py: the literal `install_requires` list of
    its one setup() call; None when there is no such list (a variable, `**kwargs`, two calls,
    a syntax error)."""
    import ast

    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and getattr(n.func, "id", getattr(n.func, "attr", None)) == "setup"
    ]
    if len(calls) != 1 or any(k.arg is None for k in calls[0].keywords):
        return None
    values = [k.value for k in calls[0].keywords if k.arg == "install_requires"]
    if len(values) != 1:
        return None
    try:
        listed = ast.literal_eval(values[0])
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(listed, list | tuple) or not all(isinstance(x, str) for x in listed):
        return None
    return "\n".join(listed)


@handles("python")
def _python(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, ("-m", "-W", "-X", "-c"), stop_at_positional=True)
    module = parsed.last("-m")
    program = parsed.last("-c")
    extras = snippet_extras(program) if program is not None else None
    if extras is not None:
        # dockerfix's own program: it reads pyproject.toml and prints its dependencies.
        if pyproject_requirements(ctx.text("pyproject.toml"), extras) is None:
            return unknown_effect(
                args, "pyproject.toml does not list the dependencies (or the extras) itself"
            )
        return _simple("build", "pip", reads=["pyproject.toml"], cost=0.1)
    if program == SETUP_SNIPPET:
        if setup_py_requirements(ctx.text("setup.py")) is None:
            return unknown_effect(args, "setup.py does not pass setup() a literal list")
        return _simple("build", "pip", reads=["setup.py"], cost=0.1)
    if module is None:
        if parsed.positionals and parsed.positionals[0].endswith("setup.py"):
            return _build_all(
                "pip",
                "setup.py builds the project from its sources",
                writes=(".", *_site_packages(ctx)),
            )
        return unknown_effect(args, "a Python program may read and write any file")
    rest = list(parsed.positionals)
    if module == "pip":
        return _pip(ctx, "pip", rest)
    if module == "venv":
        venv = parse_args(rest, ("--prompt",))
        network = venv.has("--upgrade-deps")
        return _simple(
            "filesystem",
            "pip",
            writes=[norm(p) for p in venv.positionals],
            network=network,
            cost=1.0,
        )
    if module == "ensurepip":
        return _simple("install", "pip", writes=_site_packages(ctx), cost=2.0)
    tool = {
        "piptools": {"sync": "pip-sync", "compile": "pip-compile"}.get(rest[0] if rest else ""),
        "uv": "uv",
        "poetry": "poetry",
        "pipenv": "pipenv",
        "pdm": "pdm",
    }.get(module)
    if tool:
        return HANDLERS[tool](ctx, tool, rest[1:] if module == "piptools" else rest)
    return unknown_effect(args, f"`python -m {module}` may read and write any file")


_CONDA_VALUE = (
    "-n",
    "--name",
    "-p",
    "--prefix",
    "-f",
    "--file",
    "-c",
    "--channel",
    "-r",
    "--root-prefix",
    "--platform",
    "--subdir",
    "--override-channels-with",
    "--solver",
    "--repodata-fn",
    "--experimental",
)


def _conda_root(ctx: _Ctx) -> str:
    return (
        ctx.env.get("MAMBA_ROOT_PREFIX")
        or ctx.env.get("CONDA_DIR")
        or ctx.env.get("CONDA_ROOT")
        or "/opt/conda"
    )


def _conda_env_file(ctx: _Ctx, acc: _Reads, path: str) -> None:
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(
            f"{path} is not known: cannot tell whether its pip section installs local paths"
        )
        return
    base = posixpath.dirname(norm(path))
    seen: set[str] = set()
    for raw in text.splitlines():
        item = re.match(r"\s*-\s+(.+?)\s*$", re.sub(r"\s#.*", "", raw))
        if not item:
            continue
        value = item.group(1).strip("'\"")
        if value.startswith(("-", ".", "/", "file:", "git+")) or (
            "/" in value and "::" not in value and ":" not in value.split("/")[0]
        ):
            _requirement_line(ctx, acc, value, base, path, seen)


@handles("conda", "mamba", "micromamba")
def _conda(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(args, _CONDA_VALUE)
    words = list(parsed.positionals)
    eco = "conda"
    if not words:
        return _simple("noop", eco)
    sub = words[0]
    if sub == "env" and len(words) > 1:
        sub = "env " + words[1]
    root = _conda_root(ctx)
    prefix = parsed.last("-p", "--prefix")
    writes = [prefix or root, f"{ctx.home}/.conda"]
    if sub in ("env create", "env update", "create", "install", "update", "upgrade"):
        acc = _Reads()
        files = parsed.values("-f", "--file")
        if not files and sub in ("env create", "env update"):
            files = ["environment.yml"]
        for path in files:
            _conda_env_file(ctx, acc, path)
        return acc.effect("install", eco, writes, network=True, cost=40.0)
    if sub in ("remove", "uninstall", "env remove"):
        return _simple("install", eco, writes=writes, cost=5.0)
    if sub == "clean":
        return _simple("filesystem", eco, writes=(f"{root}/pkgs",), cost=1.0)
    if sub == "config":
        where = f"{root}/.condarc" if parsed.has("--system") else f"{ctx.home}/.condarc"
        return _simple("filesystem", eco, writes=(where,), cost=0.1)
    if sub in ("init", "shell"):
        return _simple("filesystem", eco, writes=(f"{ctx.home}/.bashrc",), cost=0.1)
    if sub in ("list", "info", "search", "env list", "--version", "activate", "deactivate"):
        return _simple("noop", eco)
    return unknown_effect(args, f"`{prog} {sub}` is not a conda command dockerfix knows")
