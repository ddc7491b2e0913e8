"""A language-server client for the tests: JSON-RPC over a `dockerfix lsp` subprocess's stdio,
framed with Content-Length headers, speaking nothing but the protocol."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

# Seconds to wait for one answer from the server.
TIMEOUT = 20.0


class LspClient:
    """One server process: requests wait for their response; notifications are queued."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dockerfix.cli", "lsp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self._next_id = 0
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read_all, daemon=True)
        self._reader.start()

    # -- framing ---------------------------------------------------------------------------

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read_one(self) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        length = None
        while True:
            header = self.process.stdout.readline()
            if not header:
                return None  # the server closed its stdout
            if header in (b"\r\n", b"\n"):
                break
            name, _, value = header.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        assert length is not None, "a message without Content-Length"
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def _read_all(self) -> None:
        while (message := self._read_one()) is not None:
            if "id" in message and "method" in message:
                self._write({"id": message["id"], "result": None})  # a request to the client
            elif "id" in message:
                self._mailbox(message["id"]).put(message)
            else:
                self.notifications.put(message)

    def _mailbox(self, request_id: int) -> queue.Queue[dict[str, Any]]:
        with self._lock:
            return self._responses.setdefault(request_id, queue.Queue())

    # -- the protocol ----------------------------------------------------------------------

    def request(self, method: str, params: Any) -> Any:
        """Send a request and return its result (failing the test on an error response)."""
        self._next_id += 1
        request_id = self._next_id
        self._write({"id": request_id, "method": method, "params": params})
        response = self._mailbox(request_id).get(timeout=TIMEOUT)
        assert "error" not in response, response["error"]
        return response.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._write({"method": method, "params": params})

    def next_notification(self, method: str) -> dict[str, Any]:
        """The params of the next notification of `method` (others are skipped)."""
        while True:
            message = self.notifications.get(timeout=TIMEOUT)
            if message["method"] == method:
                params: dict[str, Any] = message["params"]
                return params

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        """The next diagnostics published for `uri`."""
        while True:
            params = self.next_notification("textDocument/publishDiagnostics")
            if params["uri"] == uri:
                found: list[dict[str, Any]] = params["diagnostics"]
                return found

    def initialize(self, root: Path, options: Any = None) -> dict[str, Any]:
        capabilities = {
            "workspace": {
                "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]}
            },
            "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}},
        }
        result: dict[str, Any] = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": capabilities,
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.resolve().as_uri()
        document = {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def stop(self) -> int:
        """shutdown, then exit; the server's exit code."""
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def apply_edit(text: str, edit: dict[str, Any], uri: str) -> str:
    """`text` after the WorkspaceEdit's edits of `uri` (a `changes` map or document changes),
    positions counted in UTF-16 code units as the protocol's default encoding."""
    if edit.get("changes"):
        edits = edit["changes"].get(uri, [])
    else:
        edits = [
            e
            for change in edit.get("documentChanges", [])
            if change.get("textDocument", {}).get("uri") == uri
            for e in change["edits"]
        ]
    starts = _line_starts(text)
    spans = sorted(
        (
            (
                _offset(text, starts, e["range"]["start"]),
                _offset(text, starts, e["range"]["end"]),
                e,
            )
            for e in edits
        ),
        key=lambda span: span[0],
        reverse=True,
    )
    for start, end, e in spans:
        text = text[:start] + e["newText"] + text[end:]
    return text


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = 0
    while i < len(text):
        if text[i] == "\r" and text[i + 1 : i + 2] == "\n":
            i += 1
        if text[i] in "\r\n":
            starts.append(i + 1)
        i += 1
    return starts


def _offset(text: str, starts: list[int], position: dict[str, int]) -> int:
    index = starts[position["line"]]
    units = 0
    while units < position["character"] and index < len(text) and text[index] not in "\r\n":
        units += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index
