"""DFX007 prefetch-deps: the ecosystem table and the chain splitting, before/after text."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix.fixes import codes
from dockerfix.fixes.prefetch import ROWS, RULE
from dockerfix.fixes.prefetch_checks import split_run_text
from dockerfix.fixes.prefetch_script import chain_parts

GO = {
    "go.mod": "module example.com/x\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
    "go.sum": "",
    "main.go": "package main\n\nfunc main() {}\n",
}


def _fix(
    tmp_path: Path,
    files: dict[str, str],
    text: str,
    unsafe: bool = True,
    select: list[str] | None = None,
) -> dockerfix.Result:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return dockerfix.fix(text, context=tmp_path, unsafe_fixes=unsafe, use_git=False, select=select)


REWRITES = [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        "COPY . .\nRUN go build -o /app .\n",
        id="go-build",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go test ./... && go vet ./...\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        "COPY . .\nRUN CGO_ENABLED=0 go test ./... && go vet ./...\n",
        id="go-test-vet",
    ),
    pytest.param(
        {"go.mod": GO["go.mod"], "main.go": GO["main.go"]},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . /src/\nRUN go install .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod /src/\nRUN go mod download\n"
        "COPY . /src/\nRUN go install .\n",
        id="go-sum-absent-absolute-dest",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nEXPOSE 8080\nrun go generate ./...\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nrun go mod download\n"
        "COPY . .\nEXPOSE 8080\nrun go generate ./...\n",
        id="go-generate-metadata-between",
    ),
]

NPM = {
    "package.json": '{"name": "x", "scripts": {"build": "tsc"}}',
    "package-lock.json": "{}",
    "src/a.ts": "export {};\n",
}
REWRITES += [
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
        "COPY . .\nRUN npm run build\n",
        id="npm-ci-build",
    ),
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n  && NODE_ENV=production npm run build"
        " && npm prune --omit=dev\n",
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
        "COPY . .\nRUN NODE_ENV=production npm run build && npm prune --omit=dev\n",
        id="npm-continuation-three-parts",
    ),
    pytest.param(
        {"requirements.txt": "flask\n", "app.py": "print(1)\n"},
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install -U pip && pip install -r requirements.txt && python -m compileall .\n",
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\n"
        "RUN pip install -U pip && pip install -r requirements.txt\nCOPY . .\n"
        "RUN python -m compileall .\n",
        id="pip-two-installs",
    ),
    pytest.param(
        {"package.json": '{"name": "x"}', "yarn.lock": "", "a.js": ""},
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn && yarn build\n",
        "FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn\nCOPY . .\n"
        "RUN yarn build\n",
        id="yarn-bare",
    ),
    pytest.param(
        {"package.json": '{"name": "x"}', "package-lock.json": "{}", "a.js": ""},
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\n",
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install\n"
        "COPY . .\nRUN npm run build\n",
        id="npm-install-chain-with-its-lock",
    ),
]

POETRY = {
    "pyproject.toml": "[tool.poetry]\nname = 'x'\nversion = '1'\n",
    "poetry.lock": "",
    "x/__init__.py": "",
}
PY = "FROM python:3.12\nWORKDIR /app\nCOPY . .\n"
REWRITES += [
    pytest.param(
        POETRY,
        PY + "RUN POETRY_VIRTUALENVS_CREATE=false poetry install --only main\n",
        "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n"
        "RUN POETRY_VIRTUALENVS_CREATE=false poetry install --no-root --only main\nCOPY . .\n"
        "RUN POETRY_VIRTUALENVS_CREATE=false poetry install --only main\n",
        id="poetry-prefix-and-flags",
    ),
    pytest.param(
        POETRY,
        PY + "RUN pip install --no-cache-dir poetry && poetry install --only main\n",
        "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n"
        "RUN pip install --no-cache-dir poetry && poetry install --no-root --only main\n"
        "COPY . .\nRUN poetry install --only main\n",
        id="poetry-after-installing-poetry",
    ),
    pytest.param(
        {
            "pyproject.toml": "[project]\nname = 'x'\n[build-system]\nrequires = ['hatchling']\n",
            "uv.lock": "",
            "x.py": "",
        },
        PY + "RUN uv sync --frozen\n",
        "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\n"
        "RUN uv sync --no-install-project --frozen\nCOPY . .\nRUN uv sync --frozen\n",
        id="uv-sync",
    ),
    pytest.param(
        {"composer.json": '{"autoload": {"psr-4": {"A\\\\": "src/"}}}', "src/A.php": ""},
        "FROM php:8.3\nWORKDIR /app\nCOPY . .\nRUN composer install --no-scripts\n",
        "FROM php:8.3\nWORKDIR /app\nCOPY composer.json ./\n"
        "RUN composer install --no-autoloader --no-scripts\nCOPY . .\n"
        "RUN composer install --no-scripts\n",
        id="composer-adds-only-what-is-missing",
    ),
]

DOTNET = {
    "App.sln": "",
    "App/App.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>',
    "App/Program.cs": "",
}
MAVEN = {"pom.xml": "<project><artifactId>a</artifactId></project>", "src/A.java": ""}
NET = "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\n"
REWRITES += [
    pytest.param(
        {"App.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>', "Program.cs": ""},
        NET + "RUN dotnet publish -c Release -r linux-musl-x64 -o /out\n",
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY App.csproj ./\n"
        "RUN dotnet restore -r linux-musl-x64\nCOPY . .\n"
        "RUN dotnet publish -c Release -r linux-musl-x64 -o /out\n",
        id="dotnet-no-project-named-runtime",
    ),
    pytest.param(
        MAVEN,
        "FROM maven:3.9\nWORKDIR /b\nCOPY . .\nRUN mvn -q verify\n",
        "FROM maven:3.9\nWORKDIR /b\nCOPY pom.xml ./\nRUN mvn -B dependency:go-offline\n"
        "COPY . .\nRUN mvn -q verify\n",
        id="maven-verify",
    ),
    pytest.param(
        {"build.gradle": "", "src/A.java": ""},
        "FROM gradle:8\nWORKDIR /b\nCOPY . .\nRUN gradle :app:shadowJar\n",
        "FROM gradle:8\nWORKDIR /b\nCOPY build.gradle ./\nRUN gradle dependencies --no-daemon\n"
        "COPY . .\nRUN gradle :app:shadowJar\n",
        id="gradle-qualified-task",
    ),
]

CARGO = {
    "Cargo.toml": "[package]\nname = 'a'\nversion = '0.1.0'\n",
    "src/main.rs": "fn main() {}\n",
}
RUST = "FROM rust:1.79\nWORKDIR /a\nCOPY . .\n"
STUB = "RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo fetch && rm -rf src\n"
MIX = {"mix.exs": "defmodule A.MixProject do\nend\n", "lib/a.ex": ""}
REWRITES += [
    pytest.param(
        CARGO,
        RUST + "RUN cargo install --path .\n",
        "FROM rust:1.79\nWORKDIR /a\nCOPY Cargo.toml ./\n" + STUB + "COPY . .\n"
        "RUN cargo install --path .\n",
        id="cargo-install-path",
    ),
    pytest.param(
        {**CARGO, "Cargo.toml": "[package]\nname = 'a'\nversion = '0.1.0'\n[lib]\n"},
        RUST + "RUN cargo build\n",
        "FROM rust:1.79\nWORKDIR /a\nCOPY Cargo.toml ./\nRUN mkdir -p src && echo 'fn main() {}' > "
        "src/main.rs && touch src/lib.rs && cargo fetch && rm -rf src\nCOPY . .\nRUN cargo build\n",
        id="cargo-lib-and-bin",
    ),
    pytest.param(
        MIX,
        "FROM elixir:1.16\nWORKDIR /a\nCOPY . .\nRUN mix deps.get && mix compile\n",
        "FROM elixir:1.16\nWORKDIR /a\nCOPY mix.exs ./\nRUN mix deps.get\nCOPY . .\n"
        "RUN mix deps.get && mix compile\n",
        id="mix-deps-get-compile",
    ),
]

HUSKY = {
    "package.json": '{"name": "x", "scripts": {"prepare": "husky install", "build": "tsc"}, '
    '"devDependencies": {"husky": "^8.0.0"}}',
    "package-lock.json": "{}",
    "src/a.ts": "export {};\n",
}
REWRITES += [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        "RUN go build -o /app .\n",
        id="go-download-in-the-same-run",
    ),
    pytest.param(
        {
            **DOTNET,
            "App.sln": 'Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "App", '
            '"App\\App.csproj", "{11111111-1111-1111-1111-111111111111}"\nEndProject\n',
        },
        NET + "RUN dotnet restore && dotnet publish App/App.csproj\n",
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY App.sln ./\n"
        "COPY App/App.csproj ./App/\nRUN dotnet restore\nCOPY . .\n"
        "RUN dotnet publish App/App.csproj\n",
        id="dotnet-restore-in-the-run",
    ),
    pytest.param(
        {"DiscordBot.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>', "Program.cs": ""},
        NET + "RUN dotnet restore && dotnet publish -c Release -o /app\n",
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY DiscordBot.csproj ./\n"
        "RUN dotnet restore\nCOPY . .\nRUN dotnet publish -c Release -o /app\n",
        id="dotnet-restore-and-publish-chained",
    ),
    pytest.param(
        MIX,
        "FROM elixir:1.16\nWORKDIR /a\nRUN mix local.hex --force && mix local.rebar --force\n"
        "COPY . .\nRUN mix deps.get && mix compile\n",
        "FROM elixir:1.16\nWORKDIR /a\nRUN mix local.hex --force && mix local.rebar --force\n"
        "COPY mix.exs ./\nRUN mix deps.get\nCOPY . .\nRUN mix deps.get && mix compile\n",
        id="mix-after-hex-and-rebar-install",
    ),
    pytest.param(
        {"server/" + name: text for name, text in GO.items()},
        "FROM golang:1.22\nCOPY server /server\nWORKDIR /server\nRUN go build -o /app .\n",
        "FROM golang:1.22\nCOPY server/go.mod server/go.sum /server/\n"
        "RUN cd /server && go mod download\nCOPY server /server\nWORKDIR /server\n"
        "RUN go build -o /app .\n",
        id="go-workdir-after-copy-from-base-workdir",
    ),
    pytest.param(
        HUSKY,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
        "COPY . .\nRUN npm run build\n",
        id="npm-chain-with-husky-prepare",
    ),
]

SBT = {
    "build.sbt": 'name := "trans"\nscalaVersion := "2.13.12"\n',
    "project/build.properties": "sbt.version=1.9.7\n",
    "project/plugins.sbt": 'addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "2.1.5")\n',
    "src/main/scala/Main.scala": "object Main extends App\n",
}
SCALA = "FROM sbtscala/scala-sbt:eclipse-temurin-17.0.8_7_1.9.7_2.13.12\nWORKDIR /trans\n"
REWRITES += [
    pytest.param(
        SBT,
        SCALA + "COPY . /trans\nRUN sbt clean assembly\n",
        SCALA + "COPY build.sbt /trans/\nCOPY project/plugins.sbt project/build.properties "
        "/trans/project/\nRUN sbt update\nCOPY . /trans\nRUN sbt clean assembly\n",
        id="sbt-assembly",
    ),
]

MVNW = {**MAVEN, "mvnw": "#!/bin/sh\n", ".mvn/wrapper/maven-wrapper.properties": "x=1\n"}
TEMURIN = "FROM eclipse-temurin:17-jdk-jammy\nWORKDIR /app\n"
REWRITES += [
    pytest.param(
        {**MVNW, "run.sh": "#!/bin/sh\n"},
        TEMURIN + "COPY . .\nRUN chmod +x run.sh\nRUN ./mvnw package -DskipTests\n",
        TEMURIN
        + "COPY pom.xml mvnw ./\nCOPY .mvn/wrapper/maven-wrapper.properties ./.mvn/wrapper/\n"
        "RUN ./mvnw -B dependency:go-offline\nCOPY . .\nRUN chmod +x run.sh\n"
        "RUN ./mvnw package -DskipTests\n",
        id="maven-chmod-of-another-file-between",
    ),
]
REWRITES += [
    pytest.param(
        MVNW,
        TEMURIN + "COPY . .\nRUN chmod +x mvnw\nRUN ./mvnw package -DskipTests\n",
        TEMURIN + "COPY mvnw pom.xml ./\nCOPY .mvn/wrapper/maven-wrapper.properties "
        "./.mvn/wrapper/\nRUN chmod +x mvnw && ./mvnw -B dependency:go-offline\nCOPY . .\n"
        "RUN chmod +x mvnw\nRUN ./mvnw package -DskipTests\n",
        id="maven-wrapper-chmod-between",
    ),
    pytest.param(
        MVNW,
        TEMURIN + "COPY . .\nRUN chmod +x mvnw && ./mvnw package -DskipTests\n",
        TEMURIN + "COPY mvnw pom.xml ./\nCOPY .mvn/wrapper/maven-wrapper.properties "
        "./.mvn/wrapper/\nRUN chmod +x mvnw && ./mvnw -B dependency:go-offline\nCOPY . .\n"
        "RUN chmod +x mvnw && ./mvnw package -DskipTests\n",
        id="maven-wrapper-chmod-in-the-chain",
    ),
]

PNPM = {
    "package.json": '{"name": "ui", "scripts": {"build": "vite build"}}',
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "src/main.ts": "",
}
REWRITES += [
    pytest.param(
        CARGO,
        "FROM rust:1.79\nRUN apt-get update && apt-get install -y pkg-config\nWORKDIR /a\n"
        "COPY . .\nRUN cargo build --release\n",
        "FROM rust:1.79\nRUN apt-get update && apt-get install -y pkg-config\nWORKDIR /a\n"
        "COPY Cargo.toml ./\n" + STUB + "COPY . .\nRUN cargo build --release\n",
        id="cargo-after-system-packages",
    ),
    pytest.param(
        PNPM,
        "FROM node:20\nWORKDIR /ui\nCOPY . .\n"
        "RUN corepack enable && pnpm install --frozen-lockfile && pnpm build\n",
        "FROM node:20\nWORKDIR /ui\nCOPY package.json pnpm-lock.yaml ./\n"
        "RUN corepack enable && pnpm install --frozen-lockfile\nCOPY . .\nRUN pnpm build\n",
        id="pnpm-chain-after-corepack-enable",
    ),
]

REWRITES += [
    pytest.param(
        {**GO, "Makefile": "GOCMD=go\nGOBUILD=$(GOCMD) build\nbuild: deps\n\t$(GOBUILD) -v\n"},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make build && make ui\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        "COPY . .\nRUN make build && make ui\n",
        id="go-make-through-a-variable",
    ),
]

REWRITES += [
    pytest.param(
        {"web/" + name: text for name, text in NPM.items()},
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd web && npm ci && npm run build\n",
        "FROM node:20\nWORKDIR /app\nCOPY web/package.json web/package-lock.json ./web/\n"
        "RUN cd web && npm ci\nCOPY . .\nRUN cd web && npm run build\n",
        id="npm-chain-after-cd",
    ),
]

REWRITES += [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENV GO111MODULE=on GOPROXY=direct\n"
        "ENV GOOS=linux\nRUN go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\n"
        "RUN GO111MODULE=on GOPROXY=direct go mod download\nCOPY . .\n"
        "ENV GO111MODULE=on GOPROXY=direct\nENV GOOS=linux\nRUN go build -o /app .\n",
        id="go-env-after-the-copy-inlined",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nENV GOFLAGS=-trimpath\nRUN go build .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\n"
        "RUN GOFLAGS=-trimpath go mod download\nCOPY . .\nENV GOFLAGS=-trimpath\n"
        "RUN go build .\n",
        id="go-env-between",
    ),
]

NOOPS = [
    pytest.param(
        {**GO, "Makefile": "build:\n\tcc -o app main.c\n"},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make -C tools build\n",
        id="go-make-in-another-folder",
    ),
    pytest.param(
        SBT,
        SCALA + "COPY build.sbt ./\nCOPY project project\nRUN sbt update\nCOPY . .\n"
        "RUN sbt assembly\n",
        id="sbt-already-updated",
    ),
    pytest.param(SBT, SCALA + "COPY . .\nRUN sbt update\n", id="sbt-update-only"),
    pytest.param(
        PNPM,
        "FROM node:20\nWORKDIR /ui\nCOPY . .\nRUN corepack enable && pnpm build\n",
        id="corepack-then-build-only",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        "COPY . .\nRUN go build -o /app .\n",
        id="go-already-prefetched",
    ),
    pytest.param(
        {**GO, "vendor/modules.txt": "# none\n"},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
        id="go-vendor",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -mod=vendor -o /app .\n",
        id="go-mod-vendor-flag",
    ),
    pytest.param(
        {**GO, "Makefile": "build:\n\tcc -o app main.c\n"},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make build\n",
        id="make-build-without-go",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go build -o /app .\n",
        id="no-broad-copy",
    ),
]

NOOPS += [
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm cache clean --force\n",
        id="npm-chain-split-copy-handles",
    ),
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm run build && npm ci\n",
        id="npm-build-first",
    ),
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install left-pad && npm run build\n",
        id="npm-install-of-a-package",
    ),
]

NOOPS += [
    pytest.param(POETRY, PY + "RUN poetry install --no-root\n", id="poetry-no-root-already"),
    pytest.param(
        {"pyproject.toml": "[project]\nname = 'x'\n", "x.py": ""},
        PY + "RUN uv sync --no-install-project\n",
        id="uv-no-install-project-already",
    ),
    pytest.param(
        POETRY,
        "FROM python:3.12\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n"
        "RUN poetry install --no-root\nCOPY . .\nRUN poetry install\n",
        id="poetry-already-prefetched",
    ),
]

NOOPS += [
    pytest.param(
        DOTNET, NET + "RUN dotnet publish App/App.csproj --no-restore\n", id="dotnet-no-restore"
    ),
    pytest.param(
        MAVEN, "FROM maven:3.9\nWORKDIR /b\nCOPY . .\nRUN mvn test\n", id="maven-test-only"
    ),
    pytest.param(
        {"build.gradle": "", "src/A.java": ""},
        "FROM gradle:8\nWORKDIR /b\nCOPY . .\nRUN gradle test\n",
        id="gradle-test-only",
    ),
]

NOOPS += [
    pytest.param(
        CARGO,
        "FROM rust:1.79\nWORKDIR /a\nCOPY Cargo.toml ./\n" + STUB + "COPY . .\nRUN cargo build\n",
        id="cargo-already-prefetched",
    ),
    pytest.param(CARGO, RUST + "RUN cargo install ripgrep\n", id="cargo-install-of-a-crate"),
    pytest.param(
        MIX, "FROM elixir:1.16\nWORKDIR /a\nCOPY . .\nRUN mix deps.get\n", id="mix-deps-get-only"
    ),
]

DECLINES = [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN uname -m > /src/arch.txt && go build .\n",
        "`uname -m` runs before `go build .` in the same RUN and the dependency step may need it",
        id="go-build-after-a-query-written-to-a-file",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nUSER nobody\nRUN go build .\n",
        "changes the state",
        id="go-user-between",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ./gen.sh\nRUN go build .\n",
        "`RUN ./gen.sh` runs before it",
        id="go-run-between",
    ),
    pytest.param(
        {**GO, "etc/app.conf": "x = 1\n"},
        "FROM golang:1.22\nWORKDIR /\nCOPY . .\nRUN go build .\n",
        "may also read /etc/app.conf",
        id="go-in-root-with-system-files-in-the-context",
    ),
    pytest.param(
        {"main.go": GO["main.go"]},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build .\n",
        "go.mod is not among the files",
        id="go-mod-missing",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN --mount=type=bind,target=/x go build .\n",
        "flags other than",
        id="go-bind-mount",
    ),
]


# Builds inside shell code: the commands on the build's way, its unknown words left out.
SHELL_CODE = [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN if [ "$CGO" = 1 ]; then go build -o /app .; else go build -o /app -tags pure .; fi\n',
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        'RUN if [ "$CGO" = 1 ]; then go build -o /app .; else go build -o /app -tags pure .; fi\n',
        "the dependency step runs even when the RUN does not reach `go build -o /app .`",
        id="go-build-inside-if",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN for tag in a b; do go build -tags "$tag" -o /app/$tag .; done\n',
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        'RUN for tag in a b; do go build -tags "$tag" -o /app/$tag .; done\n',
        '"$tag", /app/$tag in `go build -tags "$tag" -o /app/$tag .` is taken to change no '
        "dependency",
        id="go-build-inside-a-loop",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN go build -ldflags "-X main.version=$(git describe --tags)" -o /app .\n',
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        'RUN go build -ldflags "-X main.version=$(git describe --tags)" -o /app .\n',
        '"-X main.version=$(git describe --tags)" in `go build',
        id="go-build-version-from-git",
    ),
    pytest.param(
        CARGO,
        'FROM rust:1.79\nWORKDIR /a\nARG PREBUILT=false\nCOPY . .\nRUN if [ "$PREBUILT" = true ]; '
        "then cp prebuilt/a a; else cargo build --release && cp target/$(uname -m)/a a; fi\n",
        "FROM rust:1.79\nWORKDIR /a\nARG PREBUILT=false\nCOPY Cargo.toml ./\n" + STUB + "COPY . .\n"
        'RUN if [ "$PREBUILT" = true ]; '
        "then cp prebuilt/a a; else cargo build --release && cp target/$(uname -m)/a a; fi\n",
        "the dependency step runs even when the RUN does not reach `cargo build --release`",
        id="cargo-build-in-an-else-branch",
    ),
]


# A build that starts with `cd DIR`, and ARG declarations between the copy and the build.
MOVED = [
    pytest.param(
        {f"api/{name}": text for name, text in GO.items()},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd api && go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY api/go.mod api/go.sum ./api/\n"
        "RUN cd api && go mod download\nCOPY . .\nRUN cd api && go build -o /app .\n",
        id="go-build-after-cd",
    ),
    pytest.param(
        {"App/App.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>', "App/Program.cs": ""},
        NET + "ARG CONFIGURATION=Release\nRUN cd App && dotnet build -c Release\n",
        "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nARG CONFIGURATION=Release\n"
        "COPY App/App.csproj ./App/\nRUN cd App && dotnet restore\nCOPY . .\n"
        "RUN cd App && dotnet build -c Release\n",
        id="dotnet-after-cd-and-an-arg",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nARG GOPROXY\nRUN go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nARG GOPROXY\nCOPY go.mod go.sum ./\n"
        "RUN go mod download\nCOPY . .\nRUN go build -o /app .\n",
        id="go-build-after-an-arg",
    ),
]


MOVED += [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN set -eux; go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        "RUN set -eux; go build -o /app .\n",
        id="go-build-after-set-options",
    ),
    pytest.param(
        {f"api/{name}": text for name, text in GO.items()},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd api && go build -o /app . && cd .. && ls\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY api/go.mod api/go.sum ./api/\n"
        "RUN cd api && go mod download\nCOPY . .\nRUN cd api && go build -o /app . && cd .. && ls\n",
        id="go-build-after-cd-then-back",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN echo building && go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        "RUN echo building && go build -o /app .\n",
        id="go-build-after-a-message",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22-alpine\nWORKDIR /src\nCOPY . .\n"
        'RUN set -eux; arch="$(apk --print-arch)"; uname -m; go build -o /app .\n',
        "FROM golang:1.22-alpine\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        'COPY . .\nRUN set -eux; arch="$(apk --print-arch)"; uname -m; go build -o /app .\n',
        id="go-build-after-an-architecture-query",
    ),
]


GO_CMD = {"go.mod": GO["go.mod"], "go.sum": "", "cmd/api/main.go": "package main\n"}
# A builder image whose WORKDIR dockerfix does not know: the build `cd`s to an absolute
# folder, and steps between the copy and the build touch folders of their own only.
# Two copies of sources, the build reading the manifests of the first.
MOVED += [
    pytest.param(
        {**{f"js/{k}": v for k, v in NPM.items()}, "public/index.html": "<html></html>\n"},
        "FROM node:20\nWORKDIR /app\nCOPY js js\nCOPY public public\n"
        "RUN cd js && npm ci && npm run build\n",
        "FROM node:20\nWORKDIR /app\nCOPY js/package.json js/package-lock.json ./js/\n"
        "RUN cd js && npm ci\nCOPY js js\nCOPY public public\nRUN cd js && npm run build\n",
        id="npm-build-of-the-sources-copied-before-others",
    ),
]
DECLINES += [
    pytest.param(
        {"web/index.html": "<html></html>\n", "public/index.html": "<html></html>\n"},
        "FROM node:20\nWORKDIR /app\nCOPY web web\nCOPY public public\n"
        "RUN cd web && npm ci && npm run build\n",
        "package.json is not among the files `COPY web web` sends",
        id="npm-build-whose-manifests-no-copy-sends",
    ),
]
UI_STAGE = "FROM node:20 AS ui\nRUN mkdir -p /build && echo ok > /build/index.html\n"
MOVED += [
    pytest.param(
        {**GO, "ui/index.ts": "export {};\n"},
        UI_STAGE
        + "FROM example.com/go-builder:1\nCOPY . /src/app\nCOPY --from=ui /build /ui-build\n"
        "RUN cp -r /ui-build /src/app/ui/build\nRUN cd /src/app && go build -o /app .\n",
        UI_STAGE + "FROM example.com/go-builder:1\nCOPY go.mod go.sum /src/app/\n"
        "RUN cd /src/app && go mod download\nCOPY . /src/app\nCOPY --from=ui /build /ui-build\n"
        "RUN cp -r /ui-build /src/app/ui/build\nRUN cd /src/app && go build -o /app .\n",
        id="go-build-after-an-absolute-cd-past-folders-of-their-own",
    ),
]
DECLINES += [
    pytest.param(
        {**GO, "ui/index.ts": "export {};\n"},
        "FROM example.com/go-builder:1\nCOPY . /src/app\nRUN cp -r /src/app/ui /etc/ui\n"
        "RUN cd /src/app && go build -o /app .\n",
        "`RUN cp -r /src/app/ui /etc/ui` runs between `COPY . /src/app` and the build",
        id="go-build-after-a-copy-into-a-system-folder",
    ),
    pytest.param(
        {**GO, "ui/index.ts": "export {};\n"},
        "FROM example.com/go-builder:1\nCOPY . /src/app\nRUN cd src/app && go build -o /app .\n",
        "`go build -o /app .` runs in a directory a `cd` chose",
        id="go-build-after-a-relative-cd-in-an-unknown-workdir",
    ),
]
MOVED += [
    pytest.param(
        GO_CMD,
        "FROM golang:1.22\nWORKDIR /src/cmd/api\nCOPY . /src\nRUN go build -o /app .\n",
        "FROM golang:1.22\nWORKDIR /src/cmd/api\nCOPY go.mod go.sum /src/\nRUN go mod download\n"
        "COPY . /src\nRUN go build -o /app .\n",
        id="go-build-below-its-module",
    ),
    pytest.param(
        GO_CMD,
        "FROM golang:1.22\nCOPY . /src\nWORKDIR /src\nENV GOPROXY=https://goproxy.example\n"
        "RUN go build -o /app ./cmd/api\n",
        "FROM golang:1.22\nCOPY go.mod go.sum /src/\n"
        "RUN cd /src && GOPROXY=https://goproxy.example go mod download\nCOPY . /src\n"
        "WORKDIR /src\nENV GOPROXY=https://goproxy.example\nRUN go build -o /app ./cmd/api\n",
        id="go-build-after-a-workdir-and-an-env",
    ),
]
MOVED += [
    pytest.param(
        GO_CMD,
        "FROM golang:1.22\nCOPY . /src\nWORKDIR /src/cmd/api\nRUN go build -o /app .\n",
        "FROM golang:1.22\nCOPY go.mod go.sum /src/\nRUN cd /src && go mod download\n"
        "COPY . /src\nWORKDIR /src/cmd/api\nRUN go build -o /app .\n",
        id="go-build-below-its-module-in-a-workdir-set-after-the-copy",
    ),
]
DECLINES += [
    pytest.param(
        GO_CMD,
        "FROM golang:1.22\nCOPY . /src\nWORKDIR /src/cmd/api\n"
        "RUN apk add --no-cache git && go build -o /app .\n",
        "the build runs in /src/cmd/api, below its go.mod in /src, and that folder exists only "
        "once `COPY . /src` created it",
        id="go-build-below-its-module-after-setup-in-a-workdir-set-after-the-copy",
    ),
]


MOVED += [
    pytest.param(
        GO,
        "FROM golang:1.22\nCOPY --chown=1000 . /src\nWORKDIR /src\nARG GOPROXY\n"
        "RUN go build -o /app .\n",
        "FROM golang:1.22\nARG GOPROXY\nCOPY --chown=1000 go.mod go.sum /src/\n"
        "RUN cd /src && go mod download\nCOPY --chown=1000 . /src\nWORKDIR /src\n"
        "RUN go build -o /app .\n",
        id="go-build-after-a-workdir-and-an-arg",
    ),
]


PHP_APP = {"composer.json": '{"autoload": {"psr-4": {"A\\\\": "src/"}}}', "src/A.php": ""}
MOVED += [
    pytest.param(
        PHP_APP,
        "FROM php:8.3\nWORKDIR /app\nCOPY . .\n"
        "COPY --from=composer:2 /usr/bin/composer ./composer.phar\n"
        "RUN php composer.phar install --no-dev\n",
        "FROM php:8.3\nWORKDIR /app\nCOPY --from=composer:2 /usr/bin/composer ./composer.phar\n"
        "COPY composer.json ./\nRUN php composer.phar install --no-scripts --no-autoloader "
        "--no-dev\nCOPY . .\nRUN php composer.phar install --no-dev\n",
        id="composer-phar-copied-after-the-sources",
    ),
]
DECLINES += [
    pytest.param(
        {**PHP_APP, "composer.phar": "<?php\n"},
        "FROM php:8.3\nWORKDIR /app\nCOPY . .\n"
        "COPY --from=composer:2 /usr/bin/composer ./composer.phar\n"
        "RUN php composer.phar install --no-dev\n",
        "`COPY --from=composer:2 /usr/bin/composer ./composer.phar` runs between `COPY . .` and "
        "the build",
        id="composer-phar-over-one-from-the-build-context",
    ),
]


# The project copied to a folder of its own and installed there with --working-dir, after an
# `export` of composer's home (the base image's WORKDIR is /var/www/html).
MOVED += [
    pytest.param(
        PHP_APP,
        "FROM php:8.3\nCOPY . /opt/app\nCOPY deploy /assets\nRUN export COMPOSER_HOME=/composer"
        " && composer install --working-dir=/opt/app && rm -rf /opt/app/var/cache/*\n",
        "FROM php:8.3\nCOPY composer.json /opt/app/\nRUN export COMPOSER_HOME=/composer && "
        "composer install --no-scripts --no-autoloader --working-dir=/opt/app\n"
        "COPY . /opt/app\nCOPY deploy /assets\nRUN export COMPOSER_HOME=/composer"
        " && composer install --working-dir=/opt/app && rm -rf /opt/app/var/cache/*\n",
        id="composer-working-dir-after-an-export",
    ),
]
DECLINES += [
    pytest.param(
        PHP_APP,
        "FROM php:8.3\nARG HOME_DIR=/composer\nCOPY . /opt/app\n"
        "RUN export COMPOSER_HOME=$HOME_DIR && composer install --working-dir=/opt/app\n",
        "`export COMPOSER_HOME=$HOME_DIR` runs before `composer install --working-dir=/opt/app` "
        "in the same RUN and the dependency step may need it",
        id="composer-after-an-export-of-a-variable",
    ),
]


MOVED += [
    pytest.param(
        {**GO_CMD, "deploy/app.ini": "[app]\n"},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nCOPY deploy/app.ini /etc/app.ini\n"
        "RUN go build -o /app ./cmd/api\n",
        "FROM golang:1.22\nWORKDIR /src\nCOPY deploy/app.ini /etc/app.ini\n"
        "COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app ./cmd/api\n",
        id="go-build-after-the-sources-and-a-config-file",
    ),
]


MOVED += [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /\nCOPY . .\nRUN go build .\n",
        "FROM golang:1.22\nWORKDIR /\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        "RUN go build .\n",
        id="go-in-root",
    ),
    pytest.param(
        MAVEN,
        "FROM maven:3.9\nCOPY . .\nRUN mvn -B package\n",
        "FROM maven:3.9\nCOPY pom.xml ./\nRUN mvn -B dependency:go-offline\nCOPY . .\n"
        "RUN mvn -B package\n",
        id="maven-in-root",
    ),
]


# They are rewrites like the others (and only reported without --unsafe-fixes).
REWRITES += MOVED


FLUTTER = {
    "pubspec.yaml": "name: app\ndependencies:\n  flutter:\n    sdk: flutter\n",
    "pubspec.lock": "",
    "lib/main.dart": "void main() {}\n",
}
DART_IMAGE = "FROM ghcr.io/cirruslabs/flutter:3.22.2\nWORKDIR /app\n"
SHELL_CODE += [
    pytest.param(
        FLUTTER,
        DART_IMAGE + "COPY . .\nRUN flutter build web --release\n",
        DART_IMAGE + "COPY pubspec.yaml pubspec.lock ./\nRUN flutter pub get\nCOPY . .\n"
        "RUN flutter build web --release\n",
        "flutter pub get also writes plugin files into the platform folders it finds",
        id="flutter-build-web",
    ),
]
REWRITES += [
    pytest.param(
        {"pubspec.yaml": "name: app\n", "bin/server.dart": "void main() {}\n"},
        "FROM dart:3.4\nWORKDIR /app\nCOPY . .\nRUN dart compile exe bin/server.dart -o /server\n",
        "FROM dart:3.4\nWORKDIR /app\nCOPY pubspec.yaml ./\nRUN dart pub get\nCOPY . .\n"
        "RUN dart compile exe bin/server.dart -o /server\n",
        id="dart-compile",
    ),
]
NOOPS += [
    pytest.param(
        FLUTTER,
        DART_IMAGE + "COPY pubspec.yaml pubspec.lock ./\nRUN flutter pub get\nCOPY . .\n"
        "RUN flutter build web\n",
        id="flutter-pub-get-before-the-copy",
    ),
    pytest.param(
        FLUTTER, DART_IMAGE + "COPY . .\nRUN flutter build web --no-pub\n", id="flutter-no-pub"
    ),
]
DECLINES += [
    pytest.param(
        FLUTTER,
        DART_IMAGE + "COPY . .\nRUN flutter build web -C app\n",
        "builds a project in another directory (-C)",
        id="flutter-build-elsewhere",
    ),
]


PYPROJECT = {
    "pyproject.toml": "[project]\nname = 'shop'\nversion = '1'\ndependencies = ['six', 'idna']\n"
    "[project.optional-dependencies]\ndev = ['pytest']\n",
    "shop/__init__.py": "",
}
PY312 = "FROM python:3.12-slim\nWORKDIR /app\n"
PRINT_DEPS = (
    "python -c \"import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; "
    "print('\\n'.join(p['dependencies']{extras}))\" > /tmp/project-requirements.txt"
)


def _print_deps(*extras: str, python: str = "python") -> str:
    more = "".join(f" + p['optional-dependencies']['{e}']" for e in extras)
    return PRINT_DEPS.format(extras=more).replace("python -c", f"{python} -c", 1)


REWRITES += [
    pytest.param(
        PYPROJECT,
        PY312 + "COPY . .\nRUN pip install --no-cache-dir .\n",
        PY312 + "COPY pyproject.toml ./\nRUN " + _print_deps() + " && pip install --no-cache-dir "
        "-r /tmp/project-requirements.txt && rm /tmp/project-requirements.txt\nCOPY . .\n"
        "RUN pip install --no-cache-dir .\n",
        id="pip-install-project",
    ),
    pytest.param(
        PYPROJECT,
        PY312 + 'COPY . .\nRUN pip install -e ".[dev]"\n',
        PY312 + "COPY pyproject.toml ./\nRUN " + _print_deps("dev") + " && pip install "
        "-r /tmp/project-requirements.txt && rm /tmp/project-requirements.txt\nCOPY . .\n"
        'RUN pip install -e ".[dev]"\n',
        id="pip-install-editable-with-extras",
    ),
    pytest.param(
        PYPROJECT,
        PY312 + "COPY . .\nRUN /opt/venv/bin/pip install --user .\n",
        PY312
        + "COPY pyproject.toml ./\nRUN "
        + _print_deps(python="/opt/venv/bin/python")
        + " && /opt/venv/bin/pip install --user -r /tmp/project-requirements.txt && rm "
        "/tmp/project-requirements.txt\nCOPY . .\nRUN /opt/venv/bin/pip install --user .\n",
        id="pip-install-project-of-a-venv",
    ),
    pytest.param(
        PYPROJECT,
        PY312 + "COPY . .\nRUN pip install . -e git+https://example.com/x.git#egg=x gunicorn\n",
        PY312 + "COPY pyproject.toml ./\nRUN " + _print_deps() + " && pip install "
        "-r /tmp/project-requirements.txt && rm /tmp/project-requirements.txt\nCOPY . .\n"
        "RUN pip install . -e git+https://example.com/x.git#egg=x gunicorn\n",
        id="pip-install-project-with-other-requirements",
    ),
    pytest.param(
        PYPROJECT,
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
        "RUN python -m pip install --upgrade pip && python -m pip install .\n",
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY pyproject.toml ./\n"
        "RUN python -m pip install --upgrade pip && " + _print_deps() + " && python -m pip "
        "install -r /tmp/project-requirements.txt && rm /tmp/project-requirements.txt\n"
        "COPY . .\nRUN python -m pip install .\n",
        id="pip-install-project-after-upgrading-pip",
    ),
]
REWRITES += [
    pytest.param(
        PYPROJECT,
        "FROM python:3-alpine\nARG EXTRAS=dev\nCOPY . /app\nWORKDIR /app\n"
        "RUN python -m venv /app/venv && /app/venv/bin/pip install .[${EXTRAS}]\n",
        "FROM python:3-alpine\nARG EXTRAS=dev\nCOPY pyproject.toml /app/\nRUN cd /app && "
        "python -m venv /app/venv && "
        + _print_deps(python="/app/venv/bin/python")
        + " && /app/venv/bin/pip install -r /tmp/project-requirements.txt && rm "
        "/tmp/project-requirements.txt\nCOPY . /app\nWORKDIR /app\n"
        "RUN /app/venv/bin/pip install .[${EXTRAS}]\n",
        id="pip-install-into-a-new-venv-with-extras-from-an-arg",
    ),
]


SETUP_PY = {
    "setup.py": "from setuptools import setup\n\nsetup(\n    name='shop',\n"
    "    install_requires=['six', 'idna>=3'],\n)\n",
    "shop/__init__.py": "",
}
PRINT_SETUP_DEPS = (
    "python -c \"import ast; print('\\n'.join(next(ast.literal_eval(k.value) for n in "
    "ast.walk(ast.parse(open('setup.py').read())) if isinstance(n, ast.Call) and "
    "getattr(n.func, 'id', getattr(n.func, 'attr', None)) == 'setup' for k in n.keywords "
    "if k.arg == 'install_requires')))\" > /tmp/project-requirements.txt"
)
REWRITES += [
    pytest.param(
        SETUP_PY,
        "FROM python:3.10-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --user .\n",
        "FROM python:3.10-slim\nWORKDIR /app\nCOPY setup.py ./\nRUN "
        + PRINT_SETUP_DEPS
        + " && pip install --user -r /tmp/project-requirements.txt && rm "
        "/tmp/project-requirements.txt\nCOPY . .\nRUN pip install --user .\n",
        id="pip-install-setup-py-project",
    ),
]
DECLINES += [
    pytest.param(
        {
            **SETUP_PY,
            "setup.py": "from setuptools import setup\nreqs = ['six']\n"
            "setup(name='shop', install_requires=reqs)\n",
        },
        PY312 + "COPY . .\nRUN pip install .\n",
        "a literal `install_requires` list in setup.py",
        id="pip-setup-py-requirements-from-a-variable",
    ),
    pytest.param(
        {**SETUP_PY, "setup.cfg": "[options]\ninstall_requires =\n    requests\n"},
        PY312 + "COPY . .\nRUN pip install .\n",
        "without a setup.cfg",
        id="pip-setup-py-with-a-setup-cfg",
    ),
    pytest.param(
        SETUP_PY,
        PY312 + 'COPY . .\nRUN pip install ".[dev]"\n',
        "setup.py's extras (dev) are not read by dockerfix",
        id="pip-setup-py-extras",
    ),
]


NOOPS += [
    pytest.param(PYPROJECT, PY312 + "COPY . .\nRUN pip install --no-deps .\n", id="pip-no-deps"),
    pytest.param(
        {"pyproject.toml": "[project]\nname = 'a'\nversion = '1'\n", "a.py": ""},
        PY312 + "COPY . .\nRUN pip install .\n",
        id="pip-project-without-dependencies",
    ),
]
DECLINES += [
    pytest.param(
        {
            "pyproject.toml": "[project]\nname = 'a'\ndynamic = ['version', 'dependencies']\n",
            "a/__init__.py": "",
        },
        PY312 + "COPY . .\nRUN pip install .\n",
        "pyproject.toml declares its dependencies dynamic",
        id="pip-project-dynamic-dependencies",
    ),
    pytest.param(
        PYPROJECT,
        "FROM python:3.10-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
        "needs Python 3.11 or later (tomllib); the base image has Python 3.10",
        id="pip-project-on-python-3-10",
    ),
    pytest.param(
        PYPROJECT,
        "FROM ubuntu:24.04\nWORKDIR /app\nCOPY . .\nRUN pip install --break-system-packages .\n",
        "knows the Python version of official python images only",
        id="pip-project-on-another-image",
    ),
    pytest.param(
        PYPROJECT,
        PY312 + 'COPY . .\nRUN pip install ".[docs]"\n',
        "pyproject.toml does not list the extras it installs (docs)",
        id="pip-project-unknown-extra",
    ),
]


@pytest.mark.parametrize(("files", "source", "expected", "assumption"), SHELL_CODE)
def test_build_inside_shell_code(
    tmp_path: Path, files: dict[str, str], source: str, expected: str, assumption: str
) -> None:
    result = _fix(tmp_path, files, source)
    assert result.code == expected, [f.message for f in result.fixes]
    applied = [f for f in result.fixes if f.applied]
    assert [f.code for f in applied] == [codes.PREFETCH]
    assert "(unsafe: " in applied[0].message
    assert assumption in applied[0].message.partition("(unsafe: ")[2]
    assert _fix(tmp_path, {}, result.code).code == result.code


@pytest.mark.parametrize(("files", "source", "expected"), REWRITES)
def test_rewrite(tmp_path: Path, files: dict[str, str], source: str, expected: str) -> None:
    result = _fix(tmp_path, files, source)
    assert result.code == expected, [f.message for f in result.fixes]
    assert [f.code for f in result.fixes if f.applied] == [codes.PREFETCH]
    assert _fix(tmp_path, {}, result.code).code == result.code


@pytest.mark.parametrize(("files", "source", "expected"), REWRITES)
def test_only_reported_without_unsafe_fixes(
    tmp_path: Path, files: dict[str, str], source: str, expected: str
) -> None:
    result = _fix(tmp_path, files, source, unsafe=False)
    assert result.code == source
    found = [f for f in result.fixes if f.code == codes.PREFETCH]
    assert [(f.applied, f.tier) for f in found] == [(False, "unsafe")]
    assert "--unsafe-fixes would copy" in found[0].message


@pytest.mark.parametrize(("files", "source"), NOOPS)
def test_noop(tmp_path: Path, files: dict[str, str], source: str) -> None:
    result = _fix(tmp_path, files, source, select=[codes.PREFETCH])
    assert result.code == source
    assert not [f for f in result.fixes if f.code == codes.PREFETCH]


@pytest.mark.parametrize(("files", "source", "reason"), DECLINES)
def test_decline(tmp_path: Path, files: dict[str, str], source: str, reason: str) -> None:
    result = _fix(tmp_path, files, source)
    assert result.code == source
    found = [f for f in result.fixes if f.code == codes.PREFETCH]
    assert len(found) == 1 and not found[0].applied and reason in found[0].reason, found


DECLINES += [
    pytest.param(
        MAVEN,
        "FROM example.com/jdk:17\nCOPY . .\nRUN mvn -B package\n",
        "the base image's working directory is not known",
        id="maven-unknown-base-workdir",
    ),
    pytest.param(
        {
            **HUSKY,
            "package.json": '{"name": "x", "scripts": {"prepare": "husky install && node gen.js"}}',
        },
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
        "prepare",
        id="npm-prepare-more-than-git-hooks",
    ),
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && cd src && npm run build\n",
        "the chain runs `cd src`",
        id="npm-cd",
    ),
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && export CI=1 && npm run build\n",
        "the chain runs `export CI=1`",
        id="npm-export",
    ),
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci; npm run build\n",
        "not a plain `&&` list",
        id="npm-semicolon",
    ),
    pytest.param(
        {**NPM, "node_modules/x/index.js": ""},
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
        "COPY would overwrite what the install wrote",
        id="npm-node-modules-in-context",
    ),
    pytest.param(
        {
            **NPM,
            "package.json": '{"name": "x", "scripts": {"prepare": "node gen.js", "build": "tsc"}}',
        },
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
        "prepare",
        id="npm-prepare-script",
    ),
]

DECLINES += [
    pytest.param(
        POETRY,
        PY + "RUN echo started > /tmp/log && poetry install\n",
        "`echo started` runs before `poetry install`",
        id="poetry-not-first",
    ),
    pytest.param(
        {"x.py": ""},
        PY + "RUN pdm install\n",
        "pyproject.toml is not among the files",
        id="pdm-without-pyproject",
    ),
]

DECLINES += [
    pytest.param(
        MAVEN,
        "FROM maven:3.9\nWORKDIR /b\nCOPY . .\nRUN mvn -f other/pom.xml package\n",
        "names another pom.xml",
        id="maven-file-flag",
    ),
    pytest.param(
        {"build.gradle": "", "src/A.java": ""},
        "FROM gradle:8\nWORKDIR /b\nCOPY . .\nRUN gradle -p sub build\n",
        "another directory",
        id="gradle-project-dir",
    ),
    pytest.param(
        DOTNET,
        NET + "RUN dotnet build Other/Other.csproj\n",
        "Other/Other.csproj is not among the files",
        id="dotnet-project-missing",
    ),
]

DECLINES += [
    pytest.param(
        {**CARGO, "Cargo.toml": "[package]\nname = 'a'\n[[bin]]\nname = 'a'\npath = 'bin/a.rs'\n"},
        RUST + "RUN cargo build\n",
        "a [bin] target is not at src/main.rs",
        id="cargo-bin-elsewhere",
    ),
    pytest.param(
        CARGO,
        "FROM rust:1.79\nWORKDIR /a\nCOPY src/main.rs ./src/\nCOPY . .\nRUN cargo build\n",
        "where the stub target would be created",
        id="cargo-src-already-in-image",
    ),
    pytest.param(
        {**CARGO, "Cargo.toml": "[package]\nname = 'a'\n[[test]]\nname = 'it'\n"},
        RUST + "RUN cargo build\n",
        "declares [[test]] targets",
        id="cargo-explicit-test-target",
    ),
    pytest.param(
        {**CARGO, "Cargo.toml": "[workspace]\nmembers = ['a']\n"},
        RUST + "RUN cargo build\n",
        "a/Cargo.toml is not known: cannot tell its workspace members",
        id="cargo-workspace-member-missing",
    ),
    pytest.param(
        MIX,
        "FROM elixir:1.16\nWORKDIR /a\nCOPY . .\nRUN mix archive.install hex phx_new && "
        "mix deps.get && mix compile\n",
        "runs before `mix deps.get`",
        id="mix-other-command-first",
    ),
]

CHAINS = [
    ("npm ci && npm run build", ("npm ci", "npm run build")),
    ("npm ci   &&   npm run build && npm prune", ("npm ci", "npm run build", "npm prune")),
    (
        "pip install -r 'a b.txt' && python -c 'x && y'",
        ("pip install -r 'a b.txt'", "python -c 'x && y'"),
    ),
    ("npm ci", ("npm ci",)),
    ("pip install .[${EXTRAS}] && make", ("pip install .[${EXTRAS}]", "make")),
]
NOT_CHAINS = [
    "npm ci && echo ${X:-y}",
    "npm ci && echo ${X}}",
    "npm ci; npm run build",
    "npm ci || true",
    "npm ci | tee log",
    "(npm ci) && npm run build",
    "npm ci && echo $(date)",
    "npm ci > log && npm run build",
    "npm ci && `x`",
    "npm ci &",
    "npm ci && { npm run build; }",
    "npm ci && 'unterminated",
    "npm ci &&",
]


@pytest.mark.parametrize(("text", "parts"), CHAINS)
def test_chain_parts(text: str, parts: tuple[str, ...]) -> None:
    assert chain_parts(text) == parts


@pytest.mark.parametrize("text", NOT_CHAINS)
def test_chain_parts_refuses(text: str) -> None:
    assert chain_parts(text) is None


def test_split_run_text_accepts_only_the_same_chain() -> None:
    original = "RUN --mount=type=cache,target=/root/.npm npm ci && npm run build"
    install = "RUN --mount=type=cache,target=/root/.npm npm ci"
    rest = "RUN --mount=type=cache,target=/root/.npm npm run build"
    assert split_run_text(original, install, rest)
    assert not split_run_text(original, rest, install)
    assert not split_run_text(original, "RUN npm ci", "RUN npm run build")
    assert not split_run_text(original, install, "RUN --mount=type=cache,target=/root/.npm true")


def test_split_run_text_repeats_only_the_leading_cd() -> None:
    original = "RUN cd web && npm ci && npm run build"
    assert split_run_text(original, "RUN cd web && npm ci", "RUN cd web && npm run build")
    assert not split_run_text(original, "RUN cd web && npm ci", "RUN cd app && npm run build")
    assert not split_run_text(
        "RUN npm ci && npm run build", "RUN npm ci", "RUN cd web && npm run build"
    )


def test_split_run_text_takes_only_the_added_command_after_the_setup() -> None:
    original = "RUN apk add --no-cache git && go build -o /app ."
    install = "RUN apk add --no-cache git && go mod download"
    rest = "RUN go build -o /app ."
    assert split_run_text(original, install, rest, "go mod download")
    assert not split_run_text(original, install, rest)  # not planned as an addition
    assert not split_run_text(original, install, rest, "go mod tidy")
    assert not split_run_text(original, "RUN go mod download", rest, "go mod download")
    assert not split_run_text(
        original, "RUN apk add --no-cache git curl && go mod download", rest, "go mod download"
    )


def test_table_has_one_row_per_ecosystem_with_its_reason() -> None:
    names = [row.ecosystem for row in ROWS]
    assert len(names) == len(set(names))
    for row in ROWS:
        assert row.unsafe and row.prefetch and row.triggers
        assert f"- {row.ecosystem}" in RULE.doc or row.ecosystem in RULE.doc
    assert RULE.code == codes.PREFETCH and RULE.name == "prefetch-deps" and RULE.tier == "unsafe"


def test_rule_doc_matches_the_doc_page() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "fixes" / "DFX007.md").read_text()
    assert page.startswith(f"# {RULE.code} {RULE.name}\n")
    assert f"Tier: {RULE.tier}" in page and RULE.summary in page and RULE.doc.strip() in page
    for row in ROWS:
        assert f"| {row.ecosystem} | {row.triggers} |" in page


DECLINES += [
    pytest.param(
        SBT,
        SCALA + "COPY . /trans\nRUN sbt -sbt-dir /cache/sbt assembly\n",
        "keeps its caches elsewhere",
        id="sbt-own-cache-dir",
    ),
]


DECLINES += [
    pytest.param(
        {**MVNW, "run.sh": "#!/bin/sh\n"},
        TEMURIN + "COPY . .\nRUN chmod +x run.sh && ./run.sh\nRUN ./mvnw package -DskipTests\n",
        "`RUN chmod +x run.sh && ./run.sh` runs before it and may change pom.xml",
        id="maven-script-between",
    ),
]


DECLINES += [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        'RUN if [ "$CGO" = 0 ]; then export GOFLAGS=-mod=mod; fi; go build -o /app .\n',
        "`export GOFLAGS=-mod=mod` runs before `go build -o /app .` in the same RUN",
        id="go-build-after-an-export-inside-if",
    ),
    pytest.param(
        {f"api/{name}": text for name, text in GO.items()},
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd api && cd cmd && go build -o /app .\n",
        "`go build -o /app .` runs in a directory a `cd` chose",
        id="go-build-after-two-cds",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nCOPY --chown=1000 . /src\nWORKDIR /src\nARG GIT_COMMIT\n"
        "RUN go build -o /app .\n",
        "`ARG GIT_COMMIT` runs between `COPY --chown=1000 . /src` and the build",
        id="go-build-after-a-build-stamp-arg",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN set -a; GOFLAGS=-mod=mod; go build -o /app .\n",
        "`set -a` runs before `go build -o /app .` in the same RUN",
        id="go-build-after-set-allexport",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
        "RUN git config --global url.x.insteadOf y && go build -o /app .\n",
        "`git config --global url.x.insteadOf y` runs before `go build -o /app .`",
        id="go-build-after-git-config",
    ),
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN <<EOF\ngo build -o /app .\nEOF\n",
        "`go build` runs inside shell code dockerfix does not take apart",
        id="go-build-in-a-heredoc",
    ),
    pytest.param(
        {"App.csproj": '<Project Sdk="Microsoft.NET.Sdk"></Project>', "Program.cs": ""},
        NET + 'RUN if [ -n "$RID" ]; then dotnet publish -r "$RID" -o /out; fi\n',
        'has words whose value dockerfix does not know ("$RID")',
        id="dotnet-runtime-unknown-inside-if",
    ),
    pytest.param(
        MVNW,
        TEMURIN + "COPY . .\nRUN <<EOF\n./mvnw package -DskipTests\nEOF\n",
        "`./mvnw package` runs inside shell code",
        id="maven-build-in-a-heredoc",
    ),
]


DECLINES += [
    pytest.param(
        {"web/" + name: text for name, text in NPM.items()},
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN cd web && npm ci && cd .. && make\n",
        "the chain runs `cd ..`",
        id="npm-chain-with-a-second-cd",
    ),
]


DECLINES += [
    pytest.param(
        NPM,
        "FROM node:20\nWORKDIR /app\nCOPY . .\nENV NODE_ENV=production\n"
        "RUN npm ci && npm run build\n",
        "a USER, ENV or ARG between the copy and the build",
        id="npm-chain-env-after-the-copy",
    ),
]


REWRITES += [
    pytest.param(
        {"web/" + name: text for name, text in NPM.items()},
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --prefix web && npm run embed --prefix web\n",
        "FROM node:20\nWORKDIR /app\nCOPY web/package.json web/package-lock.json ./web/\n"
        "RUN npm ci --prefix web\nCOPY . .\nRUN npm run embed --prefix web\n",
        id="npm-chain-with-prefix",
    ),
]

NOOPS += [
    pytest.param(
        GO,
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        'RUN if [ -n "$V" ]; then go build -o /a .; else go build -tags x -o /a .; fi\n',
        id="go-build-in-an-if-already-prefetched",
    ),
]


NOOPS += [
    pytest.param(
        {"Cargo.toml": "[workspace]\nmembers = ['a']\n", "a/Cargo.toml": CARGO["Cargo.toml"]},
        "FROM rust:1.79\nWORKDIR /app\nCOPY recipe.json .\n"
        "RUN cargo chef cook --release --recipe-path recipe.json\nCOPY . .\n"
        "RUN cargo build --release\n",
        id="cargo-workspace-after-chef-cook",
    ),
]


def test_extras_from_a_build_argument_are_left_to_the_original_install(tmp_path: Path) -> None:
    source = (
        "FROM python:3.12-slim\nARG EXTRAS=dev\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install .[${EXTRAS}]\n"
    )
    result = _fix(tmp_path, PYPROJECT, source)
    applied = [f for f in result.fixes if f.applied]
    assert [f.code for f in applied] == [codes.PREFETCH]
    assert applied[0].message.endswith(
        "(unsafe: the extras .[${EXTRAS}] names are installed by the original install only, "
        "after the copy)"
    )
    assert "print('\\n'.join(p['dependencies']))" in result.code


def test_a_step_set_aside_is_named_in_the_finding(tmp_path: Path) -> None:
    source = (
        UI_STAGE
        + "FROM example.com/go-builder:1\nCOPY . /src/app\nCOPY --from=ui /build /ui-build\n"
        "RUN cd /src/app && go build -o /app .\n"
    )
    result = _fix(tmp_path, {**GO, "ui/index.ts": "export {};\n"}, source)
    found = [f for f in result.fixes if f.code == codes.PREFETCH]
    assert len(found) == 1 and found[0].applied
    assert (
        "unsafe: `COPY --from=ui /build /ui-build` is taken to touch no file the download reads"
        in found[0].message
    ), found[0].message


def test_a_lock_file_the_download_may_rewrite_is_named_in_the_finding(tmp_path: Path) -> None:
    files = {"package.json": '{"name": "x"}', "package-lock.json": "{}", "a.js": ""}
    result = _fix(
        tmp_path, files, "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\n"
    )
    found = [f for f in result.fixes if f.code == codes.PREFETCH]
    assert len(found) == 1 and found[0].applied
    assert (
        "unsafe: the download may rewrite package-lock.json, and the later COPY would put the "
        "build context's copy back over it" in found[0].message
    ), found[0].message
    # `npm ci` never rewrites it: nothing to say.
    again = _fix(
        tmp_path, {}, "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
    )
    message = next(f.message for f in again.fixes if f.code == codes.PREFETCH)
    assert "may rewrite" not in message
