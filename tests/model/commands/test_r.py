"""Table tests for R: exact reads, declines with reasons."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import run

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "Rscript -e 'renv::restore()'",
        {},
        "install",
        "renv",
        (".Rprofile", "renv.lock", "renv/activate.R", "renv/settings.json", "renv/settings.dcf"),
        False,
        (".Rprofile activates renv through renv/activate.R",),
    ),
    (
        "R --vanilla -e \"install.packages('jsonlite', repos='https://cloud.r-project.org')\"",
        {},
        "install",
        "r",
        (),
        False,
        (),
    ),
    (
        "Rscript -e 'devtools::install()'",
        {},
        "install",
        "r",
        (".Rprofile",),
        True,
        ("devtools::install() installs the local package: it may read any file",),
    ),
    (
        "Rscript app.R",
        {},
        "unknown",
        None,
        (),
        True,
        ("Rscript runs an R program that may read any file",),
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
