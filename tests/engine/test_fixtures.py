"""Every folder under fixtures/cases is one rewrite case: Dockerfile in, expected file out."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

import dockerfix

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


def _read(path: Path) -> str:
    # Bytes, not text mode: CRLF must reach the parser unchanged.
    return path.read_bytes().decode("utf-8")


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "Dockerfile").is_file())


def _options(case: Path) -> dict[str, object]:
    toml = case / "case.toml"
    return tomllib.loads(toml.read_text()) if toml.is_file() else {}


def _run(case: Path, text: str) -> dockerfix.api.Result:
    opts = _options(case)
    context = case / "context"
    return dockerfix.fix(
        text,
        context=context if context.is_dir() else None,
        unsafe_fixes=bool(opts.get("unsafe_fixes", False)),
        use_git=False,
        # A case may say which name the file has (a Containerfile): its Dockerfile is read.
        dockerfile_path=case / str(opts.get("dockerfile_name", "Dockerfile")),
        edit_dockerignore=bool(opts.get("edit_dockerignore", False)),
        cache_mounts=bool(opts.get("cache_mounts", False)),
    )


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_fixture(case: Path) -> None:
    source = _read(case / "Dockerfile")
    expected_path = case / "expected.Dockerfile"
    expected = _read(expected_path) if expected_path.is_file() else source
    result = _run(case, source)
    if result.code != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), result.code.splitlines(True), "expected", "got"
            )
        )
        pytest.fail(f"{case.name}: rewrite differs from expected.Dockerfile:\n{diff}")
    opts = _options(case)
    expected_ignore = case / "expected.dockerignore"
    if expected_ignore.is_file():
        assert [e.new for e in result.edits] == [_read(expected_ignore)]
    else:
        assert result.edits == ()
    every = [*result.fixes, *(f for e in result.edits for f in e.fixes)]
    applied = sorted({f.code for f in every if f.applied})
    declined = sorted({f.code for f in every if not f.applied})
    assert applied == sorted(opts.get("applied", [])), [f.message for f in result.fixes]
    assert declined == sorted(opts.get("declined", [])), [f.message for f in result.fixes]
    for needle in opts.get("reason_contains", []):
        assert any(needle in f.message for f in every), (needle, every)


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_fixture_is_idempotent(case: Path) -> None:
    once = _run(case, _read(case / "Dockerfile")).code
    assert _run(case, once).code == once


def test_there_are_cases_of_each_kind() -> None:
    kinds = {"rewrite": 0, "noop": 0, "decline": 0}
    for case in _cases():
        opts = _options(case)
        if (case / "expected.Dockerfile").is_file():
            kinds["rewrite"] += 1
        elif opts.get("declined"):
            kinds["decline"] += 1
        else:
            kinds["noop"] += 1
    assert kinds["rewrite"] >= 10 and kinds["noop"] >= 5 and kinds["decline"] >= 5, kinds


def _fixture_codes() -> dict[str, dict[str, int]]:
    """Per code: fixture cases that apply it, that decline it, and no-op cases it ran on."""
    from dockerfix.fixes.registry import rules

    tiers = {code: rule.tier for code, rule in rules().items()}
    seen = {code: {"rewrite": 0, "decline": 0, "noop": 0} for code in tiers}
    ignore_cases = CASES.parent / "dockerignore"
    for case in [*_cases(), *sorted(p for p in ignore_cases.iterdir() if p.is_dir())]:
        opts = _options(case)
        expect = opts.get("expect", {})
        assert isinstance(expect, dict)
        applied = {*opts.get("applied", []), *expect.get("codes", [])}
        declined = {c for c in (*opts.get("declined", []), *expect.get("declined", []))}
        rewrites = any(
            (case / name).is_file() for name in ("expected.Dockerfile", "expected.dockerignore")
        )
        for code in applied & set(seen):
            seen[code]["rewrite" if rewrites else "decline"] += 1
        for code in declined & set(seen):
            seen[code]["decline"] += 1
        if not rewrites and not applied and not declined:
            unsafe = bool(opts.get("unsafe_fixes", False))
            for code, tier in tiers.items():
                if code == "DFX008" and not opts.get("cache_mounts", False):
                    continue  # off unless asked for
                if tier == "safe" or (tier == "unsafe" and unsafe):
                    seen[code]["noop"] += 1
            if opts.get("cache_mounts", False):
                seen["DFX008"]["noop"] += 1
    return seen


def test_every_code_has_fixtures() -> None:
    """Every fix has a rewrite case and a no-op or decline case; every finding a case."""
    from dockerfix.fixes.registry import rules

    seen = _fixture_codes()
    for code, rule in rules().items():
        if code == "DFX000":
            continue  # the safety check fires only on an engine bug: tests/verify tests it
        counts = seen[code]
        if rule.tier == "display-only":
            assert counts["rewrite"] + counts["decline"] >= 1, (code, counts)
        else:
            assert counts["rewrite"] >= 1, (code, counts)
            assert counts["decline"] + counts["noop"] >= 1, (code, counts)
