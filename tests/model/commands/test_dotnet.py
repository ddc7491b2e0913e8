"""Table tests for the dotnet CLI: exact reads, declines with reasons."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "dotnet restore",
        {
            "App.sln": 'Project("{FAE}") = "Api", "src\\Api\\Api.csproj", "{1}"\n',
            "src/Api/Api.csproj": "<Project><ItemGroup><ProjectReference "
            'Include="..\\Core\\Core.csproj" /></ItemGroup></Project>',
            "src/Core/Core.csproj": "<Project></Project>",
        },
        "install",
        "dotnet",
        (
            "global.json",
            "NuGet.config",
            "nuget.config",
            "NuGet.Config",
            "Directory.Build.props",
            "Directory.Build.targets",
            "Directory.Packages.props",
            "App.sln",
            "packages.lock.json",
            "src/Api/Api.csproj",
            "src/Api/packages.lock.json",
            "src/Api/Directory.Build.props",
            "src/Api/Directory.Build.targets",
            "src/Api/Directory.Packages.props",
            "src/Core/Core.csproj",
            "src/Core/packages.lock.json",
            "src/Core/Directory.Build.props",
            "src/Core/Directory.Build.targets",
            "src/Core/Directory.Packages.props",
        ),
        False,
        (),
    ),
    (
        "dotnet restore src/Api/Api.csproj",
        {},
        "install",
        "dotnet",
        (
            "global.json",
            "NuGet.config",
            "nuget.config",
            "NuGet.Config",
            "Directory.Build.props",
            "Directory.Build.targets",
            "Directory.Packages.props",
            "src/Api/Api.csproj",
            "src/Api/packages.lock.json",
            "src/Api/Directory.Build.props",
            "src/Api/Directory.Build.targets",
            "src/Api/Directory.Packages.props",
        ),
        True,
        ("src/Api/Api.csproj is not known: cannot tell which projects it references",),
    ),
    (
        "dotnet publish -c Release -o /app",
        {},
        "build",
        "dotnet",
        (),
        True,
        ("dotnet publish compiles the project sources",),
    ),
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
