"""Table tests for the dotnet CLI: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

SHARED = (
    "global.json",
    "NuGet.config",
    "nuget.config",
    "NuGet.Config",
    "Directory.Build.props",
    "Directory.Build.targets",
    "Directory.Packages.props",
)
PROPS = SHARED[4:]
# MSBuild and NuGet look in every folder above: the working directory's eight parents
# (a path above the image's root folds back to it when resolved).
ABOVE = tuple(f"{'../' * depth}{name}" for depth in range(9) for name in SHARED)

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
            *ABOVE,
            "App.sln",
            "packages.lock.json",
            "src/Api/Api.csproj",
            "src/Api/packages.lock.json",
            *(f"src/Api/{name}" for name in PROPS),
            *(f"src/{name}" for name in PROPS),
            "src/Core/Core.csproj",
            "src/Core/packages.lock.json",
            *(f"src/Core/{name}" for name in PROPS),
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
            *ABOVE,
            "src/Api/Api.csproj",
            "src/Api/packages.lock.json",
            *(f"src/Api/{name}" for name in PROPS),
            *(f"src/{name}" for name in PROPS),
        ),
        True,
        ("src/Api/Api.csproj is not known: cannot tell which projects it references",),
    ),
    (
        # A folder: dotnet restores the project (or solution) file in it.
        "dotnet restore --configfile nuget.config src/Api",
        {"src/Api/Api.csproj": "<Project></Project>", "src/Api/Program.cs": ""},
        "install",
        "dotnet",
        (
            *ABOVE,  # --configfile nuget.config among them
            "src/Api/Api.csproj",
            "src/Api/packages.lock.json",
            *(f"src/Api/{name}" for name in PROPS),
            *(f"src/{name}" for name in PROPS),
        ),
        False,
        (),
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
