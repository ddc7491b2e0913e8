"""Code actions: dockerfix's whole rewrite, each fix code's alone, the unsafe rewrite, and the
rewrite with its `.dockerignore` edit; each one exactly what a command line prints or writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types

from dockerfix.diagnostics import Result
from dockerfix.lsp.document import DocumentRun, run_variant
from dockerfix.lsp.positions import minimal_edit
from dockerfix.records import dataclass

REWRITE_TITLE = "Apply dockerfix's rewrite"


@dataclass(frozen=True)
class Offer:
    """A code action before it is attached to the request: its title, kind, the codes whose
    diagnostics it fixes, and its edit."""

    title: str
    kind: str
    codes: frozenset[str]
    edit: types.WorkspaceEdit
    preferred: bool = False


def offers(run: DocumentRun, uri: str, encoding: str, can_create: bool) -> list[Offer]:
    """Every code action the document has; none when dockerfix would not change it."""
    if run.result is None or run.result.error is not None or run.settings is None:
        return []
    found: list[Offer] = []
    rewrite = run.rewrite
    if rewrite is not None:
        applied = frozenset(f.code for f in run.result.fixes if f.applied)
        edit = _text_edit(uri, run.text, rewrite, encoding)
        found.append(Offer(REWRITE_TITLE, types.CodeActionKind.QuickFix, applied, edit, True))
        found += _alone(run, uri, encoding, applied, rewrite)
    found += _unsafe(run, uri, encoding, rewrite)
    if run.path is not None:
        found += _with_dockerignore(run, uri, encoding, can_create)
    return found


def _alone(
    run: DocumentRun, uri: str, encoding: str, applied: frozenset[str], rewrite: str
) -> list[Offer]:
    """One fix code on its own (`--select CODE`), where it rewrites the file differently."""
    if len(applied) < 2:
        return []
    out = []
    for code in sorted(applied):
        alone = run_variant(run, select=frozenset({code}))
        if alone.changed and alone.error is None and alone.code != rewrite:
            edit = _text_edit(uri, run.text, alone.code, encoding)
            title = f"Apply dockerfix's {code} fix only"
            out.append(Offer(title, types.CodeActionKind.QuickFix, frozenset({code}), edit))
    return out


def _unsafe(run: DocumentRun, uri: str, encoding: str, rewrite: str | None) -> list[Offer]:
    """The rewrite with unsafe fixes (`--unsafe-fixes`), when the settings leave them out and
    they change the file further."""
    assert run.settings is not None
    if run.settings.unsafe_fixes:
        return []
    unsafe = run_variant(run, unsafe_fixes=True)
    if not unsafe.changed or unsafe.error is not None or unsafe.code == (rewrite or run.text):
        return []
    declined = frozenset(f.code for f in run.result.fixes if not f.applied) if run.result else None
    edit = _text_edit(uri, run.text, unsafe.code, encoding)
    title = "Apply dockerfix's rewrite with unsafe fixes (changes commands)"
    return [Offer(title, types.CodeActionKind.QuickFix, declined or frozenset(), edit)]


def _with_dockerignore(run: DocumentRun, uri: str, encoding: str, can_create: bool) -> list[Offer]:
    """The rewrite together with its `.dockerignore` edit (`--write --unsafe-fixes`): two
    document changes, applied together or not at all."""
    full = run_variant(run, write_dockerignore=True, unsafe_fixes=True)
    if full.error is not None or not full.edits:
        return []
    creates = any(e.original is None for e in full.edits)
    if creates and not can_create:
        return []
    codes = frozenset(f.code for e in full.edits for f in e.fixes)
    title = "Apply dockerfix's rewrite and .dockerignore edit (unsafe: changes the image)"
    edit = _files_edit(run, uri, full, encoding, creates)
    return [Offer(title, types.CodeActionKind.QuickFix, codes, edit)]


def _files_edit(
    run: DocumentRun, uri: str, full: Result, encoding: str, creates: bool
) -> types.WorkspaceEdit:
    """The Dockerfile's and the other files' edits as one WorkspaceEdit: a `changes` map that
    every client applies, or document changes when a file must be created first."""
    files: list[tuple[str, str | None, types.TextEdit]] = [
        (
            Path(e.path).resolve().as_uri(),
            e.original,
            minimal_edit(e.original or "", e.new, encoding),
        )
        for e in full.edits
    ]
    if full.changed:
        files.append((uri, run.text, minimal_edit(run.text, full.code, encoding)))
    if not creates:
        return types.WorkspaceEdit(changes={target: [edit] for target, _, edit in files})
    changes: list[types.TextDocumentEdit | types.CreateFile] = []
    for target, original, edit in files:
        if original is None:
            changes.append(types.CreateFile(uri=target))
        changes.append(_document_edit(target, edit))
    return types.WorkspaceEdit(document_changes=changes)


def _document_edit(uri: str, edit: types.TextEdit) -> types.TextDocumentEdit:
    document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
    return types.TextDocumentEdit(text_document=document, edits=[edit])


def _text_edit(uri: str, old: str, new: str, encoding: str) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: [minimal_edit(old, new, encoding)]})


def to_actions(
    found: list[Offer],
    diagnostics: Sequence[types.Diagnostic],
    only: Sequence[str] | None,
) -> list[types.CodeAction]:
    """The offers as the request wants them: each with the diagnostics it fixes; with
    `only: ["source.fixAll"]`, the whole rewrite as a fix-all action."""
    wants_fix_all = only is not None and any(
        types.CodeActionKind.SourceFixAll.value.startswith(k) for k in only
    )
    out = []
    for offer in found:
        kind = offer.kind
        if only is not None:
            if wants_fix_all and offer.title == REWRITE_TITLE:
                kind = types.CodeActionKind.SourceFixAll
            elif not any(kind.startswith(k) for k in only):
                continue
        fixed = [d for d in diagnostics if d.code in offer.codes]
        out.append(
            types.CodeAction(
                title=offer.title,
                kind=kind,
                diagnostics=fixed or None,
                edit=offer.edit,
                is_preferred=offer.preferred or None,
            )
        )
    return out
