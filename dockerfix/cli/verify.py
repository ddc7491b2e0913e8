"""`dockerfix verify`: build a Dockerfile and its rewrite for real and compare the images."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dockerfix.cli.files import InputError, read_path
from dockerfix.cli.load import Refused, load
from dockerfix.cli.options import CONTEXT_OPTION, EXIT_INTERNAL, EXIT_OK, die

if TYPE_CHECKING:
    from dockerfix.analysis import Analysis

EXIT_DIFFERENT = 1


VERIFY_HELP = """Build PATH and its rewrite for real and check they make the same image.

\b
Copies the context to a temporary directory (your files are never touched),
builds the original and the rewritten Dockerfile (with Docker's BuildKit when
a daemon answers, else with buildah; see --engine), builds the
original a second time to learn which files differ between builds anyway
(noise), and compares the filesystems and image configs.  Then it edits one
source file in the copy, rebuilds both and reports which steps came from the
cache and the wall times.

\b
SAFETY: builds run the Dockerfile's RUN commands as root with the host's
network (buildah: chroot isolation on this machine; Docker: containers of the
daemon).  Never verify a Dockerfile you do not trust.

\b
verify never pulls: every FROM image must already be in the engine's image
store (Docker's daemon, or buildah's --store).  --base-images builds local
stand-ins for busybox, debian, python and node images there, for tests and
demos.

\b
Exit codes: 0 same image, 1 the images differ, 2 no engine or bad input,
3 internal error.
"""


@click.command("verify", help=VERIFY_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", type=click.Path(path_type=Path))
@CONTEXT_OPTION
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["auto", "docker", "buildah"]),
    default="auto",
    show_default=True,
    help="Build engine: Docker with BuildKit, buildah, or auto (Docker when a daemon answers).",
)
@click.option("--edit", "edit", default=None, help="Context file to edit for the rebuild check.")
@click.option(
    "--against",
    "against",
    type=click.Path(path_type=Path),
    default=None,
    help="Compare with this Dockerfile instead of dockerfix's rewrite (a hand-made rewrite).",
)
@click.option(
    "--store",
    "store",
    type=click.Path(path_type=Path),
    default=None,
    help="buildah's image store (default: ~/.cache/dockerfix/buildah).",
)
@click.option("--keep-store", is_flag=True, help="Keep the images verify built, for inspection.")
@click.option("--base-images", is_flag=True, help="Build local stand-ins for missing FROM images.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
def verify_command(
    path: Path,
    context: Path | None,
    engine_name: str,
    edit: str | None,
    against: Path | None,
    store: Path | None,
    keep_store: bool,
    base_images: bool,
    fmt: str,
) -> None:
    from dockerfix.build.compare import VerifyError, render_text, verify_dockerfile
    from dockerfix.build.engine import EngineError, EngineUnavailable
    from dockerfix.build.find import find_engine

    try:
        source, analysis = load(path, context)
        context = analysis.context_dir
        assert context is not None
        rewritten = _rewritten_text(analysis, against)
        engine = find_engine(engine_name, store=store)
        report = verify_dockerfile(
            source.text,
            rewritten,
            context,
            engine,
            edit=edit,
            keep_images=keep_store,
            base_images=base_images,
            progress=lambda message: click.echo(f"dockerfix: {message}", err=True),
        )
    except (Refused, EngineUnavailable, VerifyError) as exc:
        die(str(exc))
    except EngineError as exc:
        die(str(exc), EXIT_INTERNAL)
    if fmt == "json":
        click.echo(json.dumps(asdict(report), indent=2))
    else:
        click.echo(render_text(report, source.display))
    sys.exit(EXIT_OK if report.equivalent else EXIT_DIFFERENT)


def _rewritten_text(analysis: Analysis, against: Path | None) -> str:
    """dockerfix's rewrite with the project's settings, or the hand-made one to compare."""
    from dockerfix.pipeline.run import run_fixes

    if against is None:
        return run_fixes(analysis).code
    try:
        other = read_path(against)
    except InputError as exc:
        raise Refused(str(exc)) from None
    load(against, analysis.context_dir)
    return other.text
