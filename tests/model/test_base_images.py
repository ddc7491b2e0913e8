"""The working directory a stage starts in, from the base image's own Dockerfile."""

from __future__ import annotations

import pytest

from dockerfix.model.base_images import default_user, default_workdir


@pytest.mark.parametrize(
    ("reference", "workdir"),
    [
        ("python:3.12-slim", "/"),
        ("docker.io/library/golang:1.22", "/go"),
        ("elixir:1.16.1", "/"),
        ("erlang:26", "/"),
        ("maven:3.8.5-openjdk-17", "/"),
        ("eclipse-temurin:17-jdk-jammy", "/"),
        ("composer:2", "/app"),
        ("dart:stable", "/root"),
        ("oven/bun", "/home/bun/app"),
        ("oven/bun:1-alpine", "/home/bun/app"),
        ("docker.io/oven/bun:latest", "/home/bun/app"),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "/"),
        ("mcr.microsoft.com/dotnet/core/aspnet:3.1", "/"),
        ("mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled", None),
        ("mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-1809", None),
        # Unknown: another publisher's image, or a tag built from another Dockerfile.
        ("oven/bun:distroless", None),
        ("example.com/team/python:3.12", None),
        ("gradle:8-jdk17", None),
    ],
)
def test_default_workdir(reference: str, workdir: str | None) -> None:
    assert default_workdir(reference) == workdir
    assert default_user(reference) == ("root" if workdir is not None else None)
