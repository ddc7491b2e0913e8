"""The package-manager table: which files each ecosystem's dependency install reads.

One `Ecosystem` per package manager says which context files are its manifests (in copy order),
which files reveal that a project uses it, what else its install reads, the command change that
makes a dependency-only install possible, and which folders the install creates in the project
(a later broad `COPY . .` could clobber them). `dependency_files` combines the table with the
command classifier to name exactly the files a dependency-only install needs.

The rows live with the command handlers of their family (`dockerfix.model.commands`); this
module works on the table they make up.

Manifest patterns are context-relative globs (`*` stays within a folder, `**/` spans folders);
a pattern ending in `/` names a folder that is copied whole.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence

from dockerfix.model.commands import ECOSYSTEMS, Ecosystem, FileReader, classify, glob_regex, norm

__all__ = [
    "BY_NAME",
    "ECOSYSTEMS",
    "DependencySetUnknown",
    "Ecosystem",
    "dependency_files",
    "detect_ecosystems",
    "manifests_present",
    "render_markdown",
    "write_docs",
]

# Folders that never hold a project's own manifests (installed or generated content).
_IGNORED_SEGMENTS = frozenset(
    {
        "node_modules",
        ".git",
        "bin",
        "obj",
        "target",
        ".venv",
        "vendor",
        "dist-newstyle",
        ".stack-work",
        ".build",
    }
)


class DependencySetUnknown(ValueError):
    """The files a dependency install reads cannot be determined from the context."""

    def __init__(self, ecosystem: str, reasons: Sequence[str]) -> None:
        self.ecosystem = ecosystem
        self.reasons = tuple(reasons)
        super().__init__(f"{ecosystem}: " + "; ".join(self.reasons))


BY_NAME: dict[str, Ecosystem] = {eco.name: eco for eco in ECOSYSTEMS}


def _listing(files: Iterable[str]) -> list[str]:
    return [
        p for p in (norm(f) for f in files) if not _IGNORED_SEGMENTS.intersection(p.split("/")[:-1])
    ]


def _matches(pattern: str, files: Sequence[str]) -> list[str]:
    """Files matching a manifest pattern; a folder pattern (`x/`) yields itself when used."""
    if pattern.endswith("/"):
        folder = re.compile(glob_regex(pattern) + ".+")
        return [pattern] if any(folder.fullmatch(f) for f in files) else []
    regex = re.compile(glob_regex(pattern))
    return sorted(f for f in files if regex.fullmatch(f))


def manifests_present(eco: Ecosystem, files: Iterable[str]) -> list[str]:
    """The manifests of `eco` that exist in a context listing, in copy order.

    Workspace members are not listed here: naming them needs the manifests' content, which
    `dependency_files` reads.
    """
    listing = _listing(files)
    found: list[str] = []
    for pattern in eco.manifests:
        found += [m for m in _matches(pattern, listing) if m not in found]
    return found


def detect_ecosystems(files: Iterable[str]) -> list[Ecosystem]:
    """The ecosystems a context uses, in table order."""
    listing = _listing(files)
    used = [eco for eco in ECOSYSTEMS if any(_matches(pattern, listing) for pattern in eco.detect)]
    names = {eco.name for eco in used}
    return [eco for eco in used if not names.intersection(eco.superseded_by)]


def dependency_files(eco: Ecosystem, files: Iterable[str], read_file: FileReader) -> list[str]:
    """Manifests plus everything they pull in, for a dependency-only install at the root.

    Raises `DependencySetUnknown` with the reasons when the install may read other files
    (lifecycle scripts, `-e .`, a gemspec, path dependencies, unknown nested files).
    """
    listing = _listing(files)
    result = manifests_present(eco, listing)

    def glob(pattern: str) -> list[str]:
        return _matches(pattern, listing)

    for argv in _dependency_commands(eco, listing):
        effect = classify(argv, read_file=read_file, glob=glob)
        if effect.reads_all:
            raise DependencySetUnknown(eco.name, effect.reasons)
        for read in effect.reads:
            result += [p for p in _present(read, listing) if p not in result]
    return result


def _dependency_commands(eco: Ecosystem, listing: Sequence[str]) -> list[tuple[str, ...]]:
    if "{each}" not in eco.dependency_install:
        return [eco.dependency_install] if eco.dependency_install else []
    each = [f for pattern in eco.each_of for f in _matches(pattern, listing)]
    return [
        tuple(f if w == "{each}" else w for w in eco.dependency_install)
        for f in dict.fromkeys(each)
    ]


def _present(read: str, listing: Sequence[str]) -> list[str]:
    if read in listing:
        return [read]
    if any(f.startswith(read + "/") for f in listing):
        return [read + "/"]
    return _matches(read, listing) if any(c in read for c in "*?[") else []


# --- documentation ----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code_list(items: Iterable[str]) -> str:
    return ", ".join(f"`{_cell(item)}`" for item in items) or "—"


def render_markdown(ecosystems: Sequence[Ecosystem] = ECOSYSTEMS) -> str:
    """docs/ecosystems.md, generated from the table."""
    lines = [
        "# Ecosystems",
        "",
        "<!-- Generated by dockerfix.model.ecosystems.render_markdown(); do not edit. -->",
        "",
        "What dockerfix knows about each package manager: the manifests a dependency install "
        "reads (copied in this order, only those present), the files that reveal the "
        "ecosystem, and the folders the install creates in the project, which a later "
        "`COPY . .` must not overwrite.",
        "",
        "| Ecosystem | Detected by | Manifests (copy order) | Install creates |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {eco.name} | {_code_list(eco.detect)} | {_code_list(eco.manifests)} | "
        f"{_code_list(eco.output_dirs)} |"
        for eco in ecosystems
    ]
    for eco in ecosystems:
        lines += _section(eco)
    return "\n".join(lines) + "\n"


def _section(eco: Ecosystem) -> list[str]:
    variant = eco.unsafe_variant or "none: a dependency-only install needs no command change"
    lines = [
        "",
        f"## {eco.name}",
        "",
        f"- Install commands: {_code_list(eco.install_examples)}",
        f"- Also reads: {eco.extra_reads}",
        f"- Dependency-only variant: {variant}",
    ]
    if eco.other_manifests:
        lines.append(f"- Other dependency files, not copied: {_code_list(eco.other_manifests)}")
    if eco.dependency_install:
        lines.append(f"- Dependency set computed with: `{' '.join(eco.dependency_install)}`")
    return lines


def write_docs(path: str = posixpath.join("docs", "ecosystems.md")) -> None:
    """Regenerate the committed table."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render_markdown())
