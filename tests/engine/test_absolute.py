"""A copy's relative destination written out: the spelling the rewrite uses when a WORKDIR
moves across the copy."""

from __future__ import annotations

import pytest

from dockerfix.model.stages import build_model
from dockerfix.pipeline.absolute import absolute_text
from dockerfix.syntax import parse


def _last_step_text(dockerfile: str) -> str | None:
    stage = build_model(parse(dockerfile)).stages[-1]
    return absolute_text(stage.steps[-1])


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        ("FROM node:20\nWORKDIR /app\nCOPY . .\n", "COPY . /app/"),
        ("FROM ruby:3\nCOPY . app/\n", "COPY . /app/"),
        (
            "FROM node:20\nWORKDIR /app\nCOPY --chown=node a.json b.json ./\n",
            "COPY --chown=node a.json b.json /app/",
        ),
        (
            "FROM node:20\nWORKDIR /app\nCOPY package.json conf/pkg.json\n",
            "COPY package.json /app/conf/pkg.json",
        ),
        ("FROM python:3\nADD . .\n", "ADD . /"),
    ],
)
def test_rewrites_the_destination(dockerfile: str, expected: str) -> None:
    assert _last_step_text(dockerfile) == expected


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:20\nWORKDIR /app\nCOPY . /srv/\n",  # absolute already
        "FROM example.com/base\nCOPY . .\n",  # the base image's WORKDIR is not known
        'FROM node:20\nWORKDIR /app\nCOPY ["a b.json", "./"]\n',  # JSON form
        "FROM node:20\nWORKDIR /app\nCOPY . \\\n  .\n",  # continued line
        "FROM node:20\nARG D=x\nWORKDIR /app\nCOPY . $D/\n",  # a variable
    ],
)
def test_leaves_what_it_cannot_respell(dockerfile: str) -> None:
    assert _last_step_text(dockerfile) is None
