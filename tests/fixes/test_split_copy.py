"""DFX002's declines say what the user can do, and promise only what `--unsafe-fixes` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockerfix.api import fix

CSPROJ = (
    '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n'
    '    <PackageReference Include="Serilog" Version="3.1.1" />\n  </ItemGroup>\n</Project>\n'
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize(
    ("files", "dockerfile", "ending"),
    [
        pytest.param(
            {
                "package.json": '{"name": "x", "dependencies": {"express": "^4.19.2"}}',
                "package-lock.json": '{"lockfileVersion": 3}',
                "node_modules/express/index.js": "",
                "server.js": "",
            },
            'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "server.js"]\n',
            "exclude it in .dockerignore (`--unsafe-fixes` does when no step reads it)",
            id="node_modules: the .dockerignore plan excludes it",
        ),
        pytest.param(
            {
                "Api.csproj": CSPROJ,
                "obj/project.assets.json": "{}",
                "Program.cs": "",
            },
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
            "RUN dotnet restore Api.csproj\n"
            "RUN dotnet publish Api.csproj --no-restore -o /out\n",
            "exclude it in .dockerignore",
            id="obj: the plan does not exclude a restore's output",
        ),
    ],
)
def test_an_install_output_in_the_context_declines_with_what_to_do(
    tmp_path: Path, files: dict[str, str], dockerfile: str, ending: str
) -> None:
    _write(tmp_path, files)
    result = fix(dockerfile, tmp_path, use_git=False)
    assert result.code == dockerfile
    (decline,) = [d for d in result.fixes if d.code == "DFX002"]
    assert "the later COPY would overwrite what the install wrote" in decline.message
    assert decline.message.endswith(ending)


def test_the_split_goes_past_a_copy_that_seldom_changes_to_the_one_that_does(
    tmp_path: Path,
) -> None:
    from dockerfix.analysis import Analysis
    from dockerfix.fixes.split_copy import split_candidates
    from dockerfix.syntax import parse

    _write(
        tmp_path,
        {
            "package.json": '{"name": "mono", "private": true, "workspaces": ["apps/*", "packages/*"]}',
            "package-lock.json": '{"lockfileVersion": 3}',
            "apps/web/package.json": '{"name": "web", "dependencies": {"react": "^18.3.1"}}',
            "apps/web/src/main.js": "",
            "packages/ui/package.json": '{"name": "ui"}',
            "packages/ui/index.js": "",
        },
    )
    text = (
        "FROM node:20\nWORKDIR /srv\nCOPY package.json package-lock.json ./\n"
        "COPY apps ./apps\nCOPY packages ./packages\nRUN npm ci\n"
    )
    analysis = Analysis(parse(text), context_dir=tmp_path)
    stage = analysis.model.stages[0]
    lines = {s.position: s.instruction.start_line for s in stage.steps}
    by_line = {line: position for position, line in lines.items()}
    # The history says packages/ seldom changes and apps/ changes in most commits.
    vol = {p: 0.05 for p in lines}
    vol[by_line[4]] = 0.9
    found, declined = split_candidates(stage, analysis.effects(stage), vol)
    assert [(lines[c.install], lines[c.broad]) for c in found] == [(6, 4)]
    assert [img for img, _ in found[0].provided] == ["/srv/apps/web/package.json"]
    assert declined == []
    # Both copies seldom change: nothing to split (a source edit does not rerun the install).
    vol[by_line[4]] = 0.05
    assert split_candidates(stage, analysis.effects(stage), vol) == ([], [])


HUSKY = {
    "package.json": '{"name": "x", "scripts": {"prepare": "husky", "build": "tsc"}, '
    '"devDependencies": {"husky": "^9.1.5"}}',
    "package-lock.json": '{"lockfileVersion": 3}',
    "src/index.ts": "",
}
HUSKY_DOCKERFILE = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n"
HUSKY_SPLIT = (
    "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
    "COPY . .\nRUN npm run build\n"
)


@pytest.mark.parametrize(
    ("extra", "ignore", "safe"),
    [
        pytest.param({".git/HEAD": "ref: refs/heads/main\n"}, None, False, id="git-sent"),
        pytest.param({".git/HEAD": "ref: refs/heads/main\n"}, ".git\n", True, id="git-ignored"),
        pytest.param({}, None, True, id="no-git"),
    ],
)
def test_a_git_hooks_script_matters_only_where_a_git_folder_reaches_the_image(
    tmp_path: Path, extra: dict[str, str], ignore: str | None, safe: bool
) -> None:
    # husky installs hooks into the .git it finds: with none in the build context it does
    # nothing wherever the install runs, and the split is safe.
    _write(tmp_path, {**HUSKY, **extra, **({".dockerignore": ignore} if ignore else {})})
    result = fix(HUSKY_DOCKERFILE, tmp_path, use_git=False)
    assert result.code == (HUSKY_SPLIT if safe else HUSKY_DOCKERFILE)
    unsafe = fix(HUSKY_DOCKERFILE, tmp_path, use_git=False, unsafe_fixes=True)
    assert unsafe.code == HUSKY_SPLIT
    (split,) = [d for d in unsafe.fixes if d.code == "DFX002"]
    assert ("unsafe: package.json has a prepare script `husky`" in split.message) is not safe


def test_a_stage_that_runs_git_keeps_the_git_hooks_assumption(tmp_path: Path) -> None:
    _write(tmp_path, HUSKY)
    text = HUSKY_DOCKERFILE.replace("COPY . .", "RUN git init\nCOPY . .")
    assert fix(text, tmp_path, use_git=False).code == text
