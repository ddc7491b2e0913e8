"""The ``dockerfix`` command line: rewrite, check, explain and verify Dockerfiles."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import click

from dockerfix._version import __version__
from dockerfix.cli.files import InputError, SourceFile, read_bytes, read_path
from dockerfix.cli.onefile import editor_context, editor_fix, fix_text
from dockerfix.cli.options import (
    CONTEXT_OPTION,
    EXIT_CHANGES,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    die,
)
from dockerfix.fixes.codes import SECRET_IN_CONTEXT
from dockerfix.records import dataclass
from dockerfix.settings import Settings

EXAMPLES = """\b
Commands:
  explain   what invalidates each step, and what a change reruns
  verify    build a Dockerfile and its rewrite for real and compare the images
  rules     the fixes, and the documentation of each
  lsp       the language server (stdio), for editors

\b
Examples:
  dockerfix                      show the rewrite of every Dockerfile under . as a diff
  dockerfix --write              apply it in place
  dockerfix --check app/         exit 1 if any Dockerfile under app/ would change (CI)
  dockerfix --unsafe-fixes Dockerfile
                                 also apply fixes that change commands
  dockerfix - --stdin-filename app/Dockerfile < app/Dockerfile
                                 editor mode: rewritten text on stdout
  dockerfix explain Dockerfile --changed src/app.py
                                 which steps that change reruns, now and after the rewrite
  dockerfix verify Dockerfile    build both versions with buildah and compare the images
  dockerfix rules DFX002         what a fix does and why it is safe

\b
Exit codes: 0 ok, 1 changes needed (--check), 2 bad input or usage, 3 internal error.
"""


class _DefaultCommandGroup(click.Group):
    """A group whose default command (the rewrite) runs when no subcommand is named."""

    default_command = "fix"
    # Loaded on first use: editors and pre-commit run the rewrite and should not pay for them.
    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "explain": ("dockerfix.cli.explain", "explain_command"),
        "verify": ("dockerfix.cli.verify", "verify_command"),
        "lsp": ("dockerfix.cli.lsp", "lsp_command"),
    }

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in ("--version",):
            return super().parse_args(ctx, args)
        if not args or (args[0] not in self.commands and args[0] not in self.lazy):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            import importlib

            module, attr = self.lazy[name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            self.add_command(command, name)
        return super().get_command(ctx, name)


@click.group(cls=_DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dockerfix")
def main() -> None:
    """Rewrite Dockerfiles so everyday rebuilds hit the build cache."""


@dataclass
class _Outcome:
    changed: int = 0
    unchanged: int = 0
    failed: int = 0


class _FixCommand(click.Command):
    """The default command: its usage reads `dockerfix [OPTIONS] [PATHS]...`."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("dockerfix", " ".join(self.collect_usage_pieces(ctx)))


@main.command(
    "fix",
    cls=_FixCommand,
    epilog=EXAMPLES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Exit 1 when any file would change; write nothing.")
@click.option("--write", is_flag=True, help="Apply the rewrite in place.")
@click.option(
    "--exit-non-zero-on-write",
    is_flag=True,
    help="With --write: exit 1 when a file was written (or created), as a commit hook must.",
)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change commands.")
@click.option(
    "--cache-mounts",
    is_flag=True,
    help="Add BuildKit cache mounts for package-manager downloads (DFX008).",
)
@click.option("--select", "select", default=None, help="Only these fix codes (comma separated).")
@click.option("--ignore", "ignore", default=None, help="Skip these fix codes (comma separated).")
@CONTEXT_OPTION
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    default=None,
    help="With '-': the path the text on stdin belongs to (sets the context).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["diff", "json", "sarif", "rdjson", "github", "gnu"]),
    default=None,
    help="Output format (default diff: a unified diff; the others report findings).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Configuration file (default: the nearest .dockerfix.toml or pyproject.toml "
    "with [tool.dockerfix]).",
)
@click.option("--exclude", multiple=True, help="Glob of paths to skip when searching.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes for many files.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def fix_command(
    paths: tuple[Path, ...],
    check: bool,
    write: bool,
    exit_non_zero_on_write: bool,
    unsafe_fixes: bool,
    cache_mounts: bool,
    select: str | None,
    ignore: str | None,
    context: Path | None,
    stdin_filename: Path | None,
    fmt: str | None,
    config_path: Path | None,
    exclude: tuple[str, ...],
    jobs: int,
    quiet: bool,
) -> None:
    """Show (or apply) the cache-friendly rewrite of each Dockerfile under PATHS.

    PATHS are Dockerfiles or directories to search (default: the current
    directory).  '-' reads one Dockerfile from stdin and writes the result to
    stdout.
    """
    if check and write:
        _fail_usage("--check and --write cannot be used together")
    _refuse_misspelt_command(paths)
    if context is not None and not context.is_dir():
        die(f"--context {context}: not a directory", EXIT_INPUT)
    from dockerfix.config import ConfigError, find_config, load_config

    try:
        if config_path is not None and not config_path.is_file():
            raise ConfigError(f"--config {config_path}: no such file")
        start = stdin_filename or (paths[0] if paths and paths[0] != Path("-") else Path.cwd())
        config = load_config(config_path or find_config(start if start.exists() else Path.cwd()))
    except ConfigError as exc:
        die(str(exc), EXIT_INPUT)
    options = Settings.from_config(
        config,
        unsafe_fixes=unsafe_fixes,
        select=_codes(select),
        ignore=_codes(ignore) or (),
        cache_mounts=cache_mounts,
    )
    fmt = fmt or config.format or "diff"
    if fmt not in ("diff", "json", "sarif", "rdjson", "github", "gnu"):
        die(f"{config.path}: unknown format {fmt!r}", EXIT_INPUT)
    exclude = (*exclude, *config.exclude)
    if context is None and stdin_filename is not None and paths == (Path("-"),):
        from dockerfix.integrations.compose import ComposeError

        try:
            context = editor_context(stdin_filename, config)
        except ComposeError as exc:
            die(str(exc), EXIT_INPUT)
    from dockerfix.fixes import codes

    for code in sorted({*(options.select or ()), *options.ignore}):
        if code not in codes.KNOWN:
            _fail_usage(f"unknown fix code {code!r} (known: {', '.join(sorted(codes.KNOWN))})")
    try:
        if paths == (Path("-"),):
            sys.exit(_run_stdin(stdin_filename, context, options, check, quiet, fmt))
        if Path("-") in paths:
            _fail_usage("'-' (stdin) cannot be combined with other paths")
        sys.exit(
            _run_paths(
                paths or (Path("."),),
                context,
                options,
                check,
                write,
                exclude,
                quiet,
                fmt,
                config,
                jobs,
                exit_non_zero_on_write,
            )
        )
    except (SystemExit, KeyboardInterrupt):
        raise
    except BrokenPipeError:
        # The reader went away (`dockerfix | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception as exc:  # an internal error: report it without a traceback dump
        die(
            f"internal error: {type(exc).__name__}: {exc} "
            "(please report this with the Dockerfile that caused it)",
            EXIT_INTERNAL,
        )


def _refuse_misspelt_command(paths: tuple[Path, ...]) -> None:
    """`dockerfix explian`: a first word that is no file but close to a subcommand."""
    if not paths or paths[0].exists() or "/" in str(paths[0]):
        return
    import difflib

    names = sorted({*main.commands, *_DefaultCommandGroup.lazy} - {"fix"})
    close = difflib.get_close_matches(str(paths[0]), names, n=1, cutoff=0.75)
    if close:
        _fail_usage(f"unknown command {str(paths[0])!r} (did you mean {close[0]!r}?)")


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(c.strip().upper() for c in text.split(",") if c.strip())


def _fail_usage(message: str) -> None:
    die(message, EXIT_INPUT)


def _run_stdin(
    stdin_filename: Path | None,
    context: Path | None,
    options: Settings,
    check: bool,
    quiet: bool = False,
    fmt: str = "diff",
) -> int:
    """Editor mode: the rewritten text on stdout, the findings on stderr as in file mode;
    with a --format other than diff, that report on stdout instead (as for files)."""
    display = str(stdin_filename) if stdin_filename else "<stdin>"
    data = sys.stdin.buffer.read()
    try:
        source = read_bytes(data, display, stdin_filename)
    except InputError as exc:
        die(str(exc), EXIT_INPUT)
    result, messages = editor_fix(source, context, options)
    for message in messages:
        click.echo(message, err=True)
    if fmt != "diff":
        from dockerfix.report import make_report, render

        report = make_report(
            display, source.text, result.code, result.fixes, result.error, result.error_line
        )
        click.echo(render(fmt, [report]), nl=False)
        if result.error is not None:
            return EXIT_INPUT
        return EXIT_CHANGES if check and result.changed else EXIT_OK
    if result.error is not None:
        sys.stdout.buffer.write(data)
        return EXIT_INPUT
    if not quiet:
        for fix in result.fixes:
            if not fix.applied or fix.tier == "unsafe":
                click.echo(f"{display}:{fix.line}: {fix.code} {fix.message}", err=True)
    sys.stdout.buffer.write(result.code.encode("utf-8"))
    return EXIT_CHANGES if check and result.changed else EXIT_OK


def _run_paths(
    paths: Sequence[Path],
    context: Path | None,
    options: Settings,
    check: bool,
    write: bool,
    exclude: tuple[str, ...],
    quiet: bool,
    fmt: str = "diff",
    config: Any = None,
    jobs: int = 1,
    exit_on_write: bool = False,
) -> int:
    from dockerfix.integrations.buildscripts import script_contexts_above, sources_context
    from dockerfix.integrations.compose import (
        ComposeError,
        compose_contexts,
        compose_contexts_above,
    )
    from dockerfix.integrations.discover import discover

    if fmt != "diff":
        from dockerfix.report import make_report
    outcome = _Outcome()
    reports = []
    found = list(discover(paths, exclude))
    try:
        composed = (
            {
                **compose_contexts_above(p for p in paths if p.is_file()),
                **compose_contexts(p for p in paths if p.is_dir()),
            }
            if context is None
            else {}
        )
    except ComposeError as exc:
        die(str(exc), EXIT_INPUT)
    if not found and not quiet:
        click.echo("dockerfix: no Dockerfiles found", err=True)
    # The commands that build the images (`docker build -f docker/Dockerfile .` in a Makefile
    # or a workflow) name the contexts compose files do not.
    scripted = script_contexts_above(found) if context is None else {}
    jobs_list = []
    for path in found:
        chosen = (
            context
            or (config.context_for(path) if config is not None else None)
            or composed.get(Path(os.path.realpath(path)))
            or scripted.get(Path(os.path.realpath(path)))
        )
        if chosen is None:
            chosen = sources_context(path)
            if chosen is not None and not quiet:
                click.echo(
                    f"dockerfix: {path}: the build context is taken to be {chosen}, which holds "
                    f"the files its COPY instructions send ({path.parent} does not); "
                    "--context sets it",
                    err=True,
                )
        jobs_list.append(_Job(path, chosen or path.parent, options))
    for path, (source, result, messages) in zip(found, _analyse_all(jobs_list, jobs, quiet)):
        for message in messages:
            click.echo(message, err=True)
        if source is None or result is None:
            outcome.failed += 1
            continue
        if result.error is not None:
            # Every format shows a file it could not read: json `error`, a SARIF notification.
            outcome.failed += 1
            if fmt != "diff":
                error = result.error
                reports.append(
                    make_report(
                        source.display, source.text, source.text, (), error, result.error_line
                    )
                )
            continue
        edited = {f for edit in result.edits for f in edit.fixes}
        if fmt != "diff":
            reports.append(make_report(source.display, result.original, result.code, result.fixes))
            for edit in result.edits:
                shown = _display(edit.path)
                reports.append(make_report(shown, edit.original or "", edit.new, edit.fixes))
        if fmt == "diff":
            said = [
                # Findings not applied, applied ones that change the image, what an edit of
                # another file changes, and with --write (no diff shows it) every applied
                # one; a secret in the context even with --quiet.
                (name, fix)
                for name, fixes in (
                    (source.display, result.fixes),
                    *((_display(edit.path), edit.fixes) for edit in result.edits),
                )
                for fix in fixes
                if (
                    not quiet
                    and (not fix.applied or fix.tier == "unsafe" or fix in edited or write)
                )
                or fix.code == SECRET_IN_CONTEXT
            ]
            for name, fix in said:
                click.echo(f"{name}:{fix.line}: {fix.code} {fix.message}", err=True)
        if not result.changed and not result.edits:
            outcome.unchanged += 1
            continue
        outcome.changed += 1
        if check and not quiet:
            # As black says "would reformat PATH": the CI log names each file to fix.
            for name in (source.display, *(_display(e.path) for e in result.edits)):
                click.echo(f"would rewrite {name}", err=True)
        if write:
            # The Dockerfile rewrite may rely on the .dockerignore edit: that goes first.
            try:
                for edit in result.edits:
                    write_atomic(edit.path, edit.new, edit.original, None, create=True)
                if result.changed:
                    write_atomic(path, result.code, source.text, _root_of(path, paths))
            except (WriteRefused, OSError) as exc:
                click.echo(f"dockerfix: error: {exc}", err=True)
                outcome.failed += 1
                continue
        elif not check and fmt == "diff":
            from dockerfix.report.diff import unified_diff

            diff = unified_diff(source.display, result.original, result.code)
            for edit in result.edits:
                diff += unified_diff(
                    _display(edit.path), edit.original or "", edit.new, edit.original is None
                )
            click.echo(_colour(diff) if _use_colour() else diff, nl=False)
    if fmt != "diff":
        from dockerfix.report import render

        click.echo(render(fmt, reports), nl=False)
    if not quiet:
        click.echo(_summary(outcome, check, write), err=True)
    if outcome.failed:
        return EXIT_INPUT
    return EXIT_CHANGES if (check or (write and exit_on_write)) and outcome.changed else EXIT_OK


@dataclass(frozen=True)
class _Job:
    path: Path
    context: Path
    options: Settings


def _analyse(job: _Job) -> tuple[SourceFile | None, Any, list[str]]:
    """Read and fix one Dockerfile; returns error lines instead of printing (worker-safe)."""
    try:
        source = read_path(job.path)
    except InputError as exc:
        return None, None, [f"dockerfix: error: {exc}"]
    settings = job.options.with_changes(edit_dockerignore=True)
    result, messages = fix_text(source, job.context, settings)
    return source, result, messages


def _analyse_all(
    jobs_list: list[_Job], jobs: int, quiet: bool
) -> list[tuple[SourceFile | None, Any, list[str]]]:
    """Results in input order; several worker processes with --jobs N."""
    show_progress = (
        not quiet and len(jobs_list) >= 20 and sys.stderr.isatty() and not os.environ.get("CI")
    )
    if jobs > 1 and len(jobs_list) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            mapped = pool.map(_analyse, jobs_list, chunksize=max(1, len(jobs_list) // (jobs * 8)))
            return _with_progress(mapped, len(jobs_list), show_progress)
    return _with_progress(_in_turn(jobs_list), len(jobs_list), show_progress)


def _in_turn(jobs_list: list[_Job]) -> Iterator[tuple[SourceFile | None, Any, list[str]]]:
    """The results one by one, the next file's git history read while this one is fixed."""
    for i, job in enumerate(jobs_list):
        if i + 1 < len(jobs_list) and jobs_list[i + 1].options.use_git:
            from dockerfix.model.volatility import start_history

            start_history(jobs_list[i + 1].context)
        yield _analyse(job)


def _with_progress(results: Any, total: int, show: bool) -> list[Any]:
    if not show:
        return list(results)
    out = []
    with click.progressbar(length=total, label="dockerfix", file=sys.stderr) as bar:
        for item in results:
            out.append(item)
            bar.update(1)
    return out


def _create_new(path: Path, text: str) -> None:
    """Create a file that must not exist yet (O_EXCL: never overwrite a file made meanwhile)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise WriteRefused(f"{path}: appeared while dockerfix was working; not written") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _use_colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _colour(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "".join(out)


@main.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List the fixes, or print the documentation of one (e.g. `dockerfix rules DFX002`)."""
    from dockerfix.fixes.registry import rules

    known = rules()
    if code is None:
        for rule in known.values():
            click.echo(f"{rule.code}  {rule.name:<20} {rule.tier:<13} {rule.summary}")
        return
    found = known.get(code.upper())
    if found is None:
        die(f"unknown fix code {code!r} (known: {', '.join(known)})", EXIT_INPUT)
    else:
        click.echo(
            f"# {found.code} {found.name} ({found.tier})\n\n{found.summary}\n\n{found.doc}",
            nl=False,
        )


def _root_of(path: Path, roots: Sequence[Path]) -> Path:
    """The command-line path (a folder, or a file's folder) that ``path`` was found under."""
    for root in roots:
        if root == path:
            return path.parent
        if root.is_dir() and (root == path.parent or root in path.parents):
            return root
    return path.parent


def _summary(outcome: _Outcome, check: bool, write: bool) -> str:
    verb = "rewritten" if write else "would be rewritten"
    parts = [f"{outcome.changed} file{'s' if outcome.changed != 1 else ''} {verb}"]
    parts.append(f"{outcome.unchanged} unchanged")
    if outcome.failed:
        parts.append(f"{outcome.failed} failed")
    return "dockerfix: " + ", ".join(parts)


class WriteRefused(Exception):
    """A write dockerfix will not do (the message is one line for stderr)."""


def write_atomic(
    path: Path,
    text: str,
    expected: str | None = None,
    root: Path | None = None,
    *,
    create: bool = False,
) -> None:
    """Replace ``path`` with ``text``: a temp file in the same directory, then rename.

    Refuses when the file changed since it was read (``expected``) and when ``path``
    is a symbolic link to a file outside ``root``.  A failure at any point leaves the
    old file in place and no temp file behind.
    """
    import tempfile

    if create and expected is None:
        _create_new(path, text)
        return
    target = Path(os.path.realpath(path))
    if root is not None and path.is_symlink():
        inside = Path(os.path.realpath(root))
        if inside != target and inside not in target.parents:
            raise WriteRefused(f"{path}: a symbolic link to {target}, outside {root}; not written")
    if expected is not None and target.read_bytes() != expected.encode("utf-8"):
        raise WriteRefused(f"{path}: changed while dockerfix was working on it; not written")
    mode = target.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".dockerfix", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def entry() -> None:
    """Console entry point: usage errors become one line on stderr and exit code 2."""
    try:
        code = main.main(standalone_mode=False, prog_name="dockerfix")
    except click.UsageError as exc:
        hint = " (see 'dockerfix --help')"
        message = exc.format_message()
        if "'--fix'" in message:
            message = "No such option '--fix': dockerfix applies fixes with --write"
        click.echo(f"dockerfix: error: {message}{hint}", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as exc:
        click.echo(f"dockerfix: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_INPUT)
    except click.exceptions.Abort:
        click.echo("dockerfix: aborted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    entry()
