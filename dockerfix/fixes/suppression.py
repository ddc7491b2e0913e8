"""DFX010 and inline suppressions: `# dockerfix: skip-file` and `# dockerfix: ignore[...]`."""

from __future__ import annotations

import re

from dockerfix.diagnostics import Diagnostic
from dockerfix.fixes import codes
from dockerfix.fixes.rule import rule
from dockerfix.records import dataclass
from dockerfix.syntax import Dockerfile, Instruction, Trivia

RULE = rule(
    codes.INVALID_SUPPRESSION,
    "invalid-suppression",
    "display-only",
    "A `# dockerfix: ignore[...]` comment names a code dockerfix does not have.",
    """
## What it does
Reports codes in `# dockerfix: ignore[CODE,...]` comments that are not dockerfix fix codes,
so a typo does not silently leave an instruction unprotected.

## Suppressions
- `# dockerfix: skip-file` anywhere in the file: dockerfix changes nothing in it.
- `# dockerfix: ignore` directly above an instruction (no blank line between): that
  instruction never moves and takes part in no split.
- `# dockerfix: ignore[DFX002]`, `# dockerfix: ignore[DFX001,DFX003]`: only those fixes.

Comments of other tools (`# hadolint ignore=DL3008`, `# check=skip=...`) are left alone.

## Fix safety
Not a fix.
""",
)

_DIRECTIVE = re.compile(
    r"#\s*dockerfix:\s*(?P<what>skip-file|ignore)(?:\[(?P<codes>[^\]]*)\])?\s*$"
)
ALL = frozenset({"*"})


@dataclass(frozen=True)
class Suppressions:
    """What the file's comments switch off: the whole file, or codes per instruction."""

    skip_file: bool
    # instruction position → codes ignored for it (ALL for a bare `ignore`)
    ignored: dict[int, frozenset[str]]
    unknown_codes: tuple[tuple[int, str], ...]

    def ignores(self, position: int, code: str) -> bool:
        names = self.ignored.get(position, frozenset())
        return names == ALL or code in names


def _match(text: str) -> re.Match[str] | None:
    return _DIRECTIVE.match(text.strip())


def read_suppressions(tree: Dockerfile, known: frozenset[str]) -> Suppressions:
    skip = False
    ignored: dict[int, frozenset[str]] = {}
    unknown: list[tuple[int, str]] = []
    position = -1
    for element in tree.elements:
        comments: tuple[Trivia, ...]
        if isinstance(element, Instruction):
            position += 1
            comments = element.leading
        else:
            comments = (element,) if element.kind == "comment" else ()
        for comment in comments:
            match = _match(comment.text)
            if match is None:
                continue
            if match.group("what") == "skip-file":
                skip = True
                continue
            if not isinstance(element, Instruction):
                continue  # an `ignore` must sit directly above an instruction
            codes_text = match.group("codes")
            if codes_text is None:
                ignored[position] = ALL
                continue
            named = frozenset(c.strip().upper() for c in codes_text.split(",") if c.strip())
            for code in sorted(named - known):
                unknown.append((comment.line, code))
            ignored[position] = ignored.get(position, frozenset()) | (named & known)
    return Suppressions(skip, ignored, tuple(unknown))


def unknown_code_diagnostics(suppress: Suppressions) -> tuple[Diagnostic, ...]:
    """DFX010: one finding per code a suppression comment names that dockerfix lacks."""
    return tuple(
        Diagnostic(
            codes.INVALID_SUPPRESSION,
            f"unknown fix code {code} in a dockerfix comment",
            line,
            "display-only",
            reason="not a dockerfix fix code",
        )
        for line, code in suppress.unknown_codes
    )
