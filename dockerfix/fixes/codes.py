"""The fix codes: one constant each, so code never spells a code as a string literal."""

from __future__ import annotations

SAFETY_CHECK = "DFX000"
REORDER = "DFX001"
SPLIT_COPY = "DFX002"
BUILD_STAMPS = "DFX003"
DOCKERIGNORE = "DFX004"
SECRET_IN_CONTEXT = "DFX005"
COPY_SOURCE_IGNORED = "DFX006"
PREFETCH = "DFX007"
CACHE_MOUNTS = "DFX008"
INVALID_SUPPRESSION = "DFX010"

KNOWN: frozenset[str] = frozenset(
    {
        SAFETY_CHECK,
        REORDER,
        SPLIT_COPY,
        BUILD_STAMPS,
        DOCKERIGNORE,
        SECRET_IN_CONTEXT,
        COPY_SOURCE_IGNORED,
        PREFETCH,
        CACHE_MOUNTS,
        INVALID_SUPPRESSION,
    }
)
# Codes a user can select; the safety check and the suppression check are always on.
SELECTABLE: frozenset[str] = KNOWN - {SAFETY_CHECK, INVALID_SUPPRESSION}
# The codes of the build context checks (the .dockerignore plan).
CONTEXT_CODES: frozenset[str] = frozenset({DOCKERIGNORE, SECRET_IN_CONTEXT, COPY_SOURCE_IGNORED})
