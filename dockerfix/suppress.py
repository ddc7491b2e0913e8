"""Inline suppressions: `# dockerfix: skip-file` and `# dockerfix: ignore[...]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockerfix.syntax import Dockerfile, Instruction, Trivia

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
        codes = self.ignored.get(position, frozenset())
        return codes == ALL or code in codes


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
            codes = frozenset(c.strip().upper() for c in codes_text.split(",") if c.strip())
            for code in sorted(codes - known):
                unknown.append((comment.line, code))
            ignored[position] = ignored.get(position, frozenset()) | (codes & known)
    return Suppressions(skip, ignored, tuple(unknown))
