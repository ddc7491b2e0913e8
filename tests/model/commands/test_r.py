"""Table tests for R: exact reads, declines with reasons."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test

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


test_classify = classify_test(CASES)
