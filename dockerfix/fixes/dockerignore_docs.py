"""Documentation of the .dockerignore fixes (DFX004-006), importable without the model."""

from __future__ import annotations

_DFX004_DOC = """
## What it does
Looks at what the build context holds and what the Dockerfile copies, and adds the paths that
change often or never belong in an image (`.git`, `node_modules`, `__pycache__`, caches, logs,
editor folders, secrets) to the `.dockerignore` BuildKit uses for this Dockerfile
(`<Dockerfile>.dockerignore`, else `.dockerignore` at the context root), creating it if needed.
The entries go in a block marked `# Added by dockerfix (DFX004)` at the end of the file.

## Why
`COPY . .` sends every file of the context and its cache key covers all of them: a commit, a
new log line or a test run that rewrites `.pytest_cache` reruns the copy and every step after
it. Folders like `node_modules` also overwrite what the image installed for itself.

## Example
With `COPY . .` and an `app.log` and a `.git` folder in the context, dockerfix creates
```
# Added by dockerfix (DFX004): paths no instruction needs, kept out of the build context
.git
**/*.log
```

## Fix safety
Unsafe (applied only with `--unsafe-fixes`): every entry removes files that a COPY/ADD sends,
so the image changes; the message lists exactly what leaves it, at its path in the image.
Without `--unsafe-fixes` the entries are reported and nothing is written.

Even then the existing bytes of the file are kept (the block is appended; a missing final newline is
added first; CRLF files get CRLF lines), each entry is anchored at the context root and checked
against Docker's own matching rules to exclude exactly the files that were examined, and an
entry is declined, with its reason, when any instruction of any stage might need one of its
files: a COPY/ADD or bind-mount source that names it, a RUN that reads it or may read anything
(for version control, dependency and build-output folders and secrets: a bundler build reads
`.env`, setuptools-scm and `git describe` read `.git`), a `COPY --from` of it, a dependency
folder that no step of the stage reinstalls, or build output that the final image might use.
The image loses only the excluded files.
"""

_DFX005_DOC = """
## What it does
Reports every file of the build context that holds a credential: `.env` files (not
`.env.example`), private keys (`id_rsa`, `*.key`, `*.pem` with a private key), an `.npmrc` with
an auth token, `.pypirc`/`.netrc` with a password.

## Why
A secret copied into a layer stays in the image history even when a later step deletes it.

## Example
`.env` next to `COPY . .` ends up in `/app/.env` of the image.

## Fix safety
Display-only. With `--unsafe-fixes`, DFX004 adds the file to `.dockerignore` unless an
instruction names it or may read it (a bundler build such as `npm run build` reads `.env`);
then the build needs it, and the advice is to pass it with `RUN --mount=type=secret`.
"""

_DFX006_DOC = """
## What it does
Reports a COPY/ADD source or bind-mount source that exists in the context but that the
existing `.dockerignore` excludes.

## Why
BuildKit applies `.dockerignore` before COPY sees the context: the build fails with "not
found", or a glob silently copies nothing.

## Example
`.dockerignore` holds `dist` and the Dockerfile says `COPY dist/ /srv`.

## Fix safety
Display-only: which of the two is wrong is the author's call.
"""

RULE_DOCS: dict[str, tuple[str, str, str, str]] = {
    "DFX004": (
        "dockerignore",
        "unsafe",
        "Keep paths no instruction needs out of the build context with `.dockerignore`.",
        _DFX004_DOC,
    ),
    "DFX005": (
        "secret-in-context",
        "display-only",
        "A file holding a credential is in the build context.",
        _DFX005_DOC,
    ),
    "DFX006": (
        "copy-source-ignored",
        "display-only",
        "A COPY/ADD source is excluded by `.dockerignore`.",
        _DFX006_DOC,
    ),
}
