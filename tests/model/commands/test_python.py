"""Table tests for the Python tools: exact reads, declines with reasons, writes."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

REQS = {
    "requirements.txt": "# prod\n-r requirements/base.txt\nflask==3.0 \\\n  --hash=sha256:ab\n",
    "requirements/base.txt": "-c constraints.txt\nrequests>=2 ; python_version > '3'\n",
    "requirements/constraints.txt": "urllib3<3\n",
}
PYPROJECT_APP = '[project]\nname = "app"\ndependencies = ["fastapi"]\n'
PYPROJECT_PKG = PYPROJECT_APP + '[build-system]\nrequires = ["hatchling"]\n'


# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "pip install --no-cache-dir -r requirements.txt",
        REQS,
        "install",
        "pip",
        ("requirements.txt", "requirements/base.txt", "requirements/constraints.txt"),
        False,
        (
            "requirements.txt includes requirements/base.txt",
            "requirements/base.txt includes requirements/constraints.txt",
        ),
    ),
    (
        "python3 -m pip install --requirement=requirements/base.txt",
        REQS,
        "install",
        "pip",
        ("requirements/base.txt", "requirements/constraints.txt"),
        False,
        ("requirements/base.txt includes requirements/constraints.txt",),
    ),
    (
        "pip3.12 install -rrequirements/constraints.txt",
        REQS,
        "install",
        "pip",
        ("requirements/constraints.txt",),
        False,
        (),
    ),
    ("pip install flask==3.0 'uvicorn[standard]>=0.20'", {}, "install", "pip", (), False, ()),
    (
        "pip install --no-deps --user ./dist/app-1.0-py3-none-any.whl",
        {},
        "install",
        "pip",
        ("dist/app-1.0-py3-none-any.whl",),
        False,
        (),
    ),
    (
        "pip install -e .",
        {},
        "install",
        "pip",
        (),
        True,
        ("pip -e . installs the local project .: building it may read any file",),
    ),
    (
        "pip install .",
        {},
        "install",
        "pip",
        (),
        True,
        ("pip install . installs the local project .: building it may read any file",),
    ),
    (
        "pip install --editable=./libs/core",
        {},
        "install",
        "pip",
        (),
        True,
        (
            "pip -e ./libs/core installs the local project ./libs/core: building it may read any "
            "file",
        ),
    ),
    (
        "pip install -r requirements.txt",
        {"requirements.txt": "-e .\ndjango\n"},
        "install",
        "pip",
        ("requirements.txt",),
        True,
        ("requirements.txt installs the local project .: building it may read any file",),
    ),
    (
        "pip install -r requirements.txt",
        {},
        "install",
        "pip",
        ("requirements.txt",),
        True,
        ("requirements.txt is not known: cannot tell which files it includes",),
    ),
    (
        "pip install -r req.txt -c https://example.com/c.txt",
        {"req.txt": "numpy\n"},
        "install",
        "pip",
        ("req.txt",),
        False,
        (),
    ),
    (
        "pip install -r requirements.txt --find-links ./wheels",
        {"requirements.txt": "numpy\n"},
        "install",
        "pip",
        ("requirements.txt", "wheels"),
        False,
        (),
    ),
    (
        "pip install 'mylib @ file:///src/mylib'",
        {},
        "install",
        "pip",
        (),
        True,
        (
            "pip install mylib @ file:///src/mylib installs the local project /src/mylib: building "
            "it may read any file",
        ),
    ),
    ("pip install git+https://github.com/org/repo.git@v1", {}, "install", "pip", (), False, ()),
    ("pip freeze", {}, "noop", "pip", (), False, ()),
    (
        "pip-sync requirements.txt",
        {"requirements.txt": "six==1.16\n"},
        "install",
        "pip-tools",
        ("requirements.txt",),
        False,
        (),
    ),
    (
        "pip-sync",
        {"requirements.txt": "-e .\n"},
        "install",
        "pip-tools",
        ("requirements.txt",),
        True,
        ("requirements.txt installs the local project .: building it may read any file",),
    ),
    (
        "pipenv install --deploy --system",
        {"Pipfile": "[packages]\nflask = '*'\n"},
        "install",
        "pipenv",
        ("Pipfile", "Pipfile.lock"),
        False,
        (),
    ),
    (
        "pipenv sync",
        {"Pipfile": "[packages]\napp = {path = '.', editable = true}\n"},
        "install",
        "pipenv",
        ("Pipfile", "Pipfile.lock"),
        True,
        ("Pipfile installs app from the local path .",),
    ),
    (
        "pipenv install --deploy",
        {},
        "install",
        "pipenv",
        ("Pipfile", "Pipfile.lock"),
        True,
        ("Pipfile is not known: cannot tell whether it installs local paths",),
    ),
    (
        "poetry install --no-root --no-interaction",
        {"pyproject.toml": PYPROJECT_PKG},
        "install",
        "poetry",
        ("pyproject.toml", "poetry.lock", "poetry.toml"),
        False,
        (),
    ),
    (
        "poetry install --only main",
        {"pyproject.toml": PYPROJECT_PKG},
        "install",
        "poetry",
        ("pyproject.toml", "poetry.lock", "poetry.toml"),
        True,
        ("poetry install without --no-root installs the project itself: it may read any file",),
    ),
    (
        "poetry install",
        {"pyproject.toml": "[tool.poetry]\npackage-mode = false\n"},
        "install",
        "poetry",
        ("pyproject.toml", "poetry.lock", "poetry.toml"),
        False,
        (),
    ),
    (
        "poetry install --no-root",
        {"pyproject.toml": "[tool.poetry.dependencies]\nlib = {path = '../lib', develop = true}\n"},
        "install",
        "poetry",
        ("pyproject.toml", "poetry.lock", "poetry.toml"),
        True,
        ("pyproject.toml has a path dependency ../lib: poetry builds it",),
    ),
    (
        "poetry install --no-root --no-directory",
        {"pyproject.toml": "[tool.poetry.dependencies]\nlib = {path = '../lib'}\n"},
        "install",
        "poetry",
        ("pyproject.toml", "poetry.lock", "poetry.toml"),
        False,
        (),
    ),
    ("poetry config virtualenvs.create false", {}, "filesystem", "poetry", (), False, ()),
    (
        "uv sync --locked --no-install-project",
        {"pyproject.toml": PYPROJECT_PKG},
        "install",
        "uv",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"),
        False,
        (),
    ),
    (
        "uv sync --frozen",
        {"pyproject.toml": PYPROJECT_PKG},
        "install",
        "uv",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"),
        True,
        ("uv sync without --no-install-project installs the project itself: it may read any file",),
    ),
    (
        "uv sync --frozen",
        {"pyproject.toml": PYPROJECT_APP},
        "install",
        "uv",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml"),
        False,
        (),
    ),
    (
        "uv sync --frozen --no-install-workspace",
        {
            "pyproject.toml": PYPROJECT_APP + '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/a/pyproject.toml": "[project]\nname='a'\n",
        },
        "install",
        "uv",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml", "libs/a/pyproject.toml"),
        False,
        (),
    ),
    (
        "uv sync --frozen --no-install-project",
        {
            "pyproject.toml": PYPROJECT_APP + '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/a/pyproject.toml": "[project]\nname='a'\n",
        },
        "install",
        "uv",
        ("pyproject.toml", "uv.lock", ".python-version", "uv.toml", "libs/a/pyproject.toml"),
        True,
        (
            "uv sync without --no-install-workspace installs the workspace members (libs/a): it may "
            "read any of their files",
        ),
    ),
    (
        "uv pip install --system -r requirements.txt",
        REQS,
        "install",
        "uv",
        ("requirements.txt", "requirements/base.txt", "requirements/constraints.txt"),
        False,
        (
            "requirements.txt includes requirements/base.txt",
            "requirements/base.txt includes requirements/constraints.txt",
        ),
    ),
    (
        "uv pip install -r pyproject.toml",
        {"pyproject.toml": PYPROJECT_APP},
        "install",
        "uv",
        ("pyproject.toml",),
        False,
        (),
    ),
    (
        "pdm install --prod --no-self",
        {"pyproject.toml": PYPROJECT_PKG},
        "install",
        "pdm",
        ("pyproject.toml", "pdm.lock", "pdm.toml", ".pdm-python"),
        False,
        (),
    ),
    (
        "pdm sync --prod",
        {"pyproject.toml": PYPROJECT_PKG},
        "install",
        "pdm",
        ("pyproject.toml", "pdm.lock", "pdm.toml", ".pdm-python"),
        True,
        ("pdm sync without --no-self installs the project itself: it may read any file",),
    ),
    (
        "conda env create -f environment.yml",
        {
            "environment.yml": "name: app\ndependencies:\n  - python=3.11\n  - pip:\n"
            "    - -r requirements.txt\n",
            "requirements.txt": "numpy\n",
        },
        "install",
        "conda",
        ("environment.yml", "requirements.txt"),
        False,
        ("environment.yml includes requirements.txt",),
    ),
    (
        "micromamba install -y -n base -f env/environment.yml",
        {"env/environment.yml": "dependencies:\n  - pip\n  - pip:\n    - -e ..\n"},
        "install",
        "conda",
        ("env/environment.yml",),
        True,
        ("env/environment.yml installs the local project ..: building it may read any file",),
    ),
    ("conda clean -afy", {}, "filesystem", "conda", (), False, ()),
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
    (
        "pip install --no-cache-dir flask",
        {},
        ("/usr/local/lib/python3*/site-packages", "/usr/local/bin"),
        False,
        True,
    ),
    (
        "pip install --user --no-cache-dir flask",
        {"HOME": "/home/app"},
        ("/home/app/.local",),
        False,
        True,
    ),
    ("pip install -t /deps --no-cache-dir flask", {}, ("/deps",), False, True),
    (
        "pip install flask",
        {"VIRTUAL_ENV": "/opt/venv", "HOME": "/root"},
        ("/opt/venv", "/root/.cache/pip"),
        False,
        True,
    ),
    (
        "uv sync --no-install-project",
        {"UV_PROJECT_ENVIRONMENT": "/venv", "HOME": "/root"},
        ("/venv", "/root/.cache/uv"),
        False,
        True,
    ),
    (
        "poetry install --no-root",
        {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "HOME": "/root"},
        (".venv", "/root/.cache/pypoetry"),
        False,
        True,
    ),
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
