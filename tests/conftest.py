"""Test-wide settings: dockerfix's result cache lives in a temporary folder per session."""

from __future__ import annotations

import os
import tempfile

# Set before any test runs, so subprocesses inherit it too; never the user's cache.
os.environ["DOCKERFIX_CACHE_DIR"] = tempfile.mkdtemp(prefix="dockerfix-test-cache-")
