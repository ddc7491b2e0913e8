"""The language server: dockerfix's findings, rewrite and explain data in an editor, as you type.

`dockerfix lsp` starts it on stdin/stdout. Each module does one job: `options` (the client's
settings), `document` (one document's result, computed as stdin mode computes it),
`diagnostics`, `actions` (code actions), `hover`, `positions` (text positions and edits),
`debounce`, and `server` (the protocol handlers).
"""
