"""DFX008 cache-mounts: rewrite and no-op tables, and the doc page."""

from __future__ import annotations

from pathlib import Path

import pytest

import dockerfix
from dockerfix.fixes import codes
from dockerfix.fixes.cache_mounts import ROWS, RULE

PIP_MOUNT = "--mount=type=cache,target=/root/.cache/pip"


def _mounted(text: str, name: str | None = None) -> str:
    path = Path("/project") / name if name else None
    return dockerfix.fix(text, cache_mounts=True, use_git=False, dockerfile_path=path).code


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (
            "RUN pip install --no-cache-dir -r r.txt",
            f"RUN {PIP_MOUNT} pip install -r r.txt",
        ),
        (
            "RUN python3 -m pip install --no-cache-dir . && echo --no-cache-dir",
            f"RUN {PIP_MOUNT} python3 -m pip install . && echo --no-cache-dir",
        ),
        (
            "RUN --network=host pip install x",
            f"RUN --network=host {PIP_MOUNT} pip install x",
        ),
        (
            "RUN uv sync --frozen --no-cache",
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen",
        ),
        (
            "RUN yarn install --frozen-lockfile",
            "RUN --mount=type=cache,target="
            "/usr/local/share/.cache/yarn --mount=type=cache,target=/root/.yarn/berry/cache"
            " yarn install --frozen-lockfile",
        ),
        (
            "RUN pnpm install",
            "RUN --mount=type=cache,target=/root/.local/share/pnpm/store pnpm install",
        ),
        ("RUN bun install", "RUN --mount=type=cache,target=/root/.bun/install/cache bun install"),
        (
            "RUN apt-get update && apt-get install -y curl",
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked"
            " --mount=type=cache,target=/var/lib/apt/lists,sharing=locked"
            " apt-get update && apt-get install -y curl",
        ),
        (
            "RUN apk add curl",
            "RUN --mount=type=cache,target=/etc/apk/cache,sharing=locked apk add curl",
        ),
        (
            "RUN composer install --no-cache",
            "RUN --mount=type=cache,target=/root/.cache/composer composer install",
        ),
        (
            "RUN bundle install",
            "RUN --mount=type=cache,target=/usr/local/bundle/cache bundle install",
        ),
        (
            "RUN mix deps.get",
            "RUN --mount=type=cache,target=/root/.hex/packages"
            " --mount=type=cache,target=/root/.cache/rebar3 mix deps.get",
        ),
    ],
)
def test_rewrites(run: str, expected: str) -> None:
    assert _mounted(f"FROM base\n{run}\n") == f"FROM base\n{expected}\n"


@pytest.mark.parametrize(
    "run",
    [
        "RUN go build ./...",  # the module cache is what the final image would keep
        "RUN mvn -B package",
        "RUN dotnet publish -c Release",
        "RUN cargo build --release",
    ],
)
def test_store_caches_are_mounted_only_in_stages_the_image_does_not_keep(run: str) -> None:
    text = f"FROM base AS build\n{run}\nFROM base\nCOPY --from=build /out /out\n{run}\n"
    got = _mounted(text).splitlines()
    assert got[1].startswith("RUN --mount=type=cache,target=")
    assert got[4] == run


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("FROM b\nRUN --mount=type=cache,target=/x pip install x\n", None),
        ('FROM b\nRUN ["pip", "install", "x"]\n', None),
        ("FROM b\nRUN <<EOF\npip install x\nEOF\n", None),
        ("# syntax=docker/dockerfile:1.1\nFROM b\nRUN pip install x\n", None),
        ("# syntax=example.com/frontend:2\nFROM b\nRUN pip install x\n", None),
        ("FROM b\nRUN pip install x\n", "Containerfile"),
        ("FROM b\nUSER app\nRUN pip install x\n", None),
        ("FROM b\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n", None),
        ("FROM b\nRUN apk add --no-cache curl\n", None),
        ("FROM b\nRUN make && npm run build\n", None),
        ("FROM b\n# dockerfix: ignore[DFX008]\nRUN pip install x\n", None),
    ],
    ids=[
        "already-mounted",
        "exec-form",
        "heredoc",
        "old-frontend",
        "other-frontend",
        "containerfile",
        "non-root",
        "cache-off-env",
        "apk-no-cache",
        "no-install",
        "suppressed",
    ],
)
def test_no_op(text: str, name: str | None) -> None:
    assert _mounted(text, name) == text


@pytest.mark.parametrize(
    "syntax", ["docker/dockerfile:1", "docker/dockerfile:1.4", "docker/dockerfile:1.0-experimental"]
)
def test_frontends_with_cache_mounts(syntax: str) -> None:
    text = f"# syntax={syntax}\nFROM b\nRUN pip install x\n"
    assert PIP_MOUNT in _mounted(text)


def test_off_by_default() -> None:
    text = "FROM b\nRUN pip install --no-cache-dir x\n"
    assert dockerfix.fix(text, use_git=False).code == text


def test_rule_doc_matches_the_doc_page() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "fixes" / "DFX008.md").read_text()
    assert page.startswith(f"# {RULE.code} {RULE.name}\n")
    assert f"Tier: {RULE.tier}" in page and RULE.summary in page and RULE.doc.strip() in page
    for row in ROWS:
        assert f"| {row.ecosystem} | {row.triggers} |" in page
    assert RULE.code == codes.CACHE_MOUNTS and RULE.tier == "unsafe"
