"""Table tests for the dotnet CLI: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

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


test_classify = classify_test(CASES)
