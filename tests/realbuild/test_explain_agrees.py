"""`explain`'s prediction of which steps rerun after an edit equals what BuildKit reruns.

For each fixture and edit, the original and the rewritten Dockerfile are built, one context
file is edited, both are rebuilt, and the steps BuildKit ran (no `#N CACHED`) are compared
with `dockerfix.pipeline.explain.predict` step by step.  Each variant starts from its own
copy of the base image and carries its own LABEL after FROM, so the two never share cache
entries (the prediction is made on that same text).  BuildKit shows only the steps that
touch the filesystem (RUN, COPY, ADD, WORKDIR): metadata instructions only edit the image
config, so the comparison is over those lines.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

import dockerfix
from dockerfix.analysis import Analysis
from dockerfix.build.base_images import BASE_IMAGES
from dockerfix.build.compare import edit_line, variant_text
from dockerfix.build.engine import BuildResult, Engine
from dockerfix.model.context import BuildContext
from dockerfix.pipeline.explain import predict

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realbuild"

# (fixture, base image, edited context file, lines that rerun: original, rewritten).
# Line numbers are those of the labelled text (one LABEL line after each FROM); the lines of
# metadata instructions (CMD, ENV, ...) are among them, as buildah reruns them too.
CASES = [
    ("bb-reorder", "busybox", "src/main.sh", [4, 6, 7], [6, 7]),
    ("bb-multistage", "busybox", "src/a.sh", [4, 5, 11, 12, 13], [4, 5, 11, 12, 13]),
    ("bb-multistage", "busybox", "conf/app.conf", [10, 11, 12, 13], [12, 13]),
    ("bb-env-between", "busybox", "src/main.sh", [4, 5, 6, 7], [6, 7]),
    ("bb-dockerignore", "busybox", "src/main.sh", [4, 5, 6], [5, 6]),
    ("bb-dockerignore", "busybox", "notes/todo.txt", [], []),
    ("pip-app", "python", "app/__main__.py", [4, 5, 6], [6, 7]),
    ("pip-app", "python", "requirements.txt", [4, 5, 6], [4, 5, 6, 7]),
    ("npm-app", "node", "index.js", [4, 5, 6], [6, 7]),
]


def _build(engine: Engine, text: str, context: Path, tag: str) -> BuildResult:
    dockerfile = context.parent / f"{uuid.uuid4().hex[:8]}.Dockerfile"
    dockerfile.write_text(text)
    result = engine.build(dockerfile, context, tag)
    assert result.ok, result.tail()
    return result


FILESYSTEM_STEPS = ("RUN", "COPY", "ADD", "WORKDIR")


def _step_lines(text: str) -> list[int]:
    """Lines of the instructions BuildKit runs as steps (FROM aside), in file order."""
    return [
        ins.start_line
        for ins in dockerfix.parse(text).instructions
        if ins.keyword in FILESYSTEM_STEPS and ins.start_line > _first_from(text)
    ]


def _reran_lines(text: str, result: BuildResult) -> list[int]:
    """Lines of the steps BuildKit executed."""
    lines = _step_lines(text)
    steps = [s for s in result.steps if not s.instruction.upper().startswith("FROM ")]
    assert len(steps) == len(lines), [s.instruction for s in result.steps]
    return [line for line, step in zip(lines, steps) if not step.cached]


def _first_from(text: str) -> int:
    return next(i.start_line for i in dockerfix.parse(text).instructions if i.keyword == "FROM")


@pytest.mark.parametrize(("case", "base", "edited", "want_before", "want_after"), CASES)
def test_explain_predicts_the_steps_buildkit_reruns(
    case: str,
    base: str,
    edited: str,
    want_before: list[int],
    want_after: list[int],
    engine: Engine,
    require_base: Callable[[str], tuple[str, ...]],
    tmp_path: Path,
) -> None:
    if base == "node" and not engine.exists(BASE_IMAGES["node"][0]):
        pytest.skip("the node stand-in takes minutes to build; runs when another test made it")
    require_base(base)
    context = tmp_path / "context"
    shutil.copytree(FIXTURES / case / "context", context)
    original = (FIXTURES / case / "Dockerfile").read_text()
    rewritten = dockerfix.fix(original, context=context, use_git=False).code
    assert rewritten != original, "each fixture must be rewritten, or the test shows nothing"
    run = uuid.uuid4().hex[:10]
    texts = {
        "before": variant_text(engine, original, f"{run}-before")[0],
        "after": variant_text(engine, rewritten, f"{run}-after")[0],
    }
    for name, text in texts.items():
        _build(engine, text, context, f"localhost/agree-{name}:{run}")
    target = context / edited
    target.write_text(target.read_text() + edit_line(edited))
    ctx = BuildContext.load(context)
    got: dict[str, list[int]] = {}
    predicted: dict[str, list[int]] = {}
    for name, text in texts.items():
        result = _build(engine, text, context, f"localhost/agree-{name}:{run}-2")
        got[name] = _reran_lines(text, result)
        outcomes = predict(Analysis.in_context(dockerfix.parse(text), ctx), [edited])
        steps = _step_lines(text)
        predicted[name] = [o.line for o in outcomes if o.reruns and o.line in steps]
    for name in texts:
        engine.remove(f"localhost/agree-{name}:{run}")
        engine.remove(f"localhost/agree-{name}:{run}-2")
    assert predicted == got
    steps = {name: _step_lines(text) for name, text in texts.items()}
    assert got == {
        "before": [line for line in want_before if line in steps["before"]],
        "after": [line for line in want_after if line in steps["after"]],
    }
