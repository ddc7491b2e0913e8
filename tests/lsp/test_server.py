"""The language server driven over stdio by a client that speaks only the protocol."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dockerfix.fixes.registry import rules
from tests.lsp.client import LspClient, apply_edit
from tests.lsp.conftest import CASES, cli, copy_case

WARNING, ERROR = 2, 1
REWRITE = "Apply dockerfix's rewrite"


def code_actions(client: LspClient, uri: str, diagnostics: list[dict[str, Any]]) -> Any:
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    return client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}},
    )


def hover(client: LspClient, uri: str, line: int, character: int) -> Any:
    position = {"line": line, "character": character}
    return client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}
    )


def test_diagnostics_are_the_command_lines_findings(client: LspClient, workspace: Path) -> None:
    dockerfile = copy_case("pip-requirements", workspace / "findings")
    uri = client.open(dockerfile, dockerfile.read_text())
    published = client.diagnostics(uri)
    report = json.loads(cli(workspace, "--format", "json", str(dockerfile)).stdout)
    findings = report["files"][0]["fixes"]
    assert [f["code"] for f in findings] == ["DFX002"]
    assert len(published) == len(findings)
    for diagnostic, finding in zip(published, findings):
        assert diagnostic["code"] == finding["code"]
        assert diagnostic["range"]["start"]["line"] == finding["line"] - 1
        assert diagnostic["severity"] == WARNING
        assert diagnostic["data"]["tier"] == finding["tier"]
        assert diagnostic["data"]["applied"] == finding["applied"]
        assert (diagnostic["data"]["reason"] or None) == finding["reason"]
        assert diagnostic["message"].startswith(finding["message"])


def test_code_action_yields_exactly_the_stdin_output(client: LspClient, workspace: Path) -> None:
    dockerfile = copy_case("pip-requirements", workspace / "action")
    text = dockerfile.read_text()
    uri = client.open(dockerfile, text)
    diagnostics = client.diagnostics(uri)
    actions = code_actions(client, uri, diagnostics)
    rewrite = next(a for a in actions if a["title"] == REWRITE)
    stdin = cli(workspace, "-", "--stdin-filename", str(dockerfile), input=text)
    assert stdin.returncode == 0, stdin.stderr
    assert stdin.stdout != text
    assert apply_edit(text, rewrite["edit"], uri) == stdin.stdout
    assert [d["code"] for d in rewrite["diagnostics"]] == ["DFX002"]
    assert rewrite["isPreferred"] is True


def test_hover_on_the_install_step_names_what_invalidates_it(
    client: LspClient, workspace: Path
) -> None:
    dockerfile = copy_case("pip-requirements", workspace / "hover")
    text = dockerfile.read_text()
    uri = client.open(dockerfile, text)
    client.diagnostics(uri)
    install = next(i for i, line in enumerate(text.splitlines()) if line.startswith("RUN pip"))
    found = hover(client, uri, install, 5)["contents"]["value"]
    copy_line = text.splitlines().index("COPY . .") + 1
    assert f"line {copy_line}: `COPY . .`" in found
    assert "`requirements.txt`" in found  # one of the files that COPY sends
    assert "every variable" in found
    assert "Cost" in found and "volatility" in found
    assert "not a git work tree" in found


def test_hover_says_whether_the_work_trees_changes_rerun_a_step(
    client: LspClient, workspace: Path
) -> None:
    dockerfile = copy_case("pip-requirements", workspace / "git")
    git = ["git", "-C", str(dockerfile.parent), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    (dockerfile.parent / "app" / "main.py").write_text("print('changed')\n")
    text = dockerfile.read_text()
    uri = client.open(dockerfile, text)
    client.diagnostics(uri)
    lines = text.splitlines()
    install = next(i for i, line in enumerate(lines) if line.startswith("RUN pip"))
    assert (
        "Work tree (1 changed file): **reruns**"
        in hover(client, uri, install, 0)["contents"]["value"]
    )
    workdir = lines.index("WORKDIR /app")
    assert (
        "Work tree (1 changed file): cached" in hover(client, uri, workdir, 0)["contents"]["value"]
    )


def test_hover_on_a_fix_code_gives_its_rule_doc(client: LspClient, workspace: Path) -> None:
    folder = workspace / "code"
    folder.mkdir()
    text = "FROM alpine:3.20\n# dockerfix: ignore[DFX001]\nRUN echo hi\n"
    uri = client.open(folder / "Dockerfile", text)
    client.diagnostics(uri)
    found = hover(client, uri, 1, text.splitlines()[1].index("DFX001") + 2)["contents"]["value"]
    rule = rules()["DFX001"]
    assert found.startswith(f"**DFX001 {rule.name}** ({rule.tier})")
    assert rule.doc in found
    assert hover(client, uri, 1, 1) is None  # "#": neither a code nor a step


def test_changes_are_analysed_once_typing_pauses(client: LspClient, workspace: Path) -> None:
    dockerfile = copy_case("pip-requirements", workspace / "change")
    clean = (CASES / "pip-requirements" / "expected.Dockerfile").read_text()
    uri = client.open(dockerfile, clean)
    assert client.diagnostics(uri) == []
    unfriendly = dockerfile.read_text()
    for version, text in enumerate([unfriendly[:10], unfriendly[:30], unfriendly], start=2):
        client.change(uri, text, version)
    params = client.next_notification("textDocument/publishDiagnostics")
    assert params["version"] == 4  # one analysis, of the last text
    assert [d["code"] for d in params["diagnostics"]] == ["DFX002"]


def test_a_clean_dockerfile_has_no_diagnostics_and_no_code_action(
    client: LspClient, workspace: Path
) -> None:
    dockerfile = copy_case("pip-requirements", workspace / "clean")
    clean = (CASES / "pip-requirements" / "expected.Dockerfile").read_text()
    uri = client.open(dockerfile, clean)
    assert client.diagnostics(uri) == []
    assert code_actions(client, uri, []) == []


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("FROM alpine:3.20\nFORM x\nRUN echo hi\n", 1, "unknown instruction"),
        ("FROM alpine:3.20\nRUN <<EOF\necho hi\n", 1, "unterminated heredoc"),
        ("FROM alpine:3.20\nRUN echo \x00\n", 0, "binary file"),
    ],
)
def test_input_dockerfix_refuses_is_one_diagnostic(
    client: LspClient, workspace: Path, text: str, line: int, says: str
) -> None:
    folder = workspace / f"broken-{says.split()[-1]}"
    folder.mkdir()
    uri = client.open(folder / "Dockerfile", text)
    diagnostics = client.diagnostics(uri)
    assert len(diagnostics) == 1
    assert diagnostics[0]["severity"] == ERROR
    assert diagnostics[0]["range"]["start"]["line"] == line
    assert says in diagnostics[0]["message"]
    assert code_actions(client, uri, diagnostics) == []
    assert hover(client, uri, 0, 1) is None  # and the server still answers


def test_unsafe_fixes_are_offered_as_such(client: LspClient, workspace: Path) -> None:
    dockerfile = copy_case("pipenv-install-may-rewrite-lock", workspace / "unsafe")
    text = dockerfile.read_text()
    uri = client.open(dockerfile, text)
    diagnostics = client.diagnostics(uri)
    declined = [d for d in diagnostics if d["code"] == "DFX002"]
    assert declined and not declined[0]["data"]["applied"]
    assert "pipenv install --deploy" in declined[0]["message"]
    actions = code_actions(client, uri, diagnostics)
    assert REWRITE not in [a["title"] for a in actions]  # safe mode leaves the file alone
    unsafe = next(a for a in actions if "unsafe fixes" in a["title"])
    assert not unsafe.get("isPreferred")
    stdin = cli(workspace, "-", "--unsafe-fixes", "--stdin-filename", str(dockerfile), input=text)
    assert stdin.stdout != text
    assert apply_edit(text, unsafe["edit"], uri) == stdin.stdout


def test_the_dockerignore_edit_is_a_second_document_change(
    client: LspClient, workspace: Path
) -> None:
    dockerfile = copy_case("npm-node-modules-dockerignore", workspace / "ignore")
    text = dockerfile.read_text()
    uri = client.open(dockerfile, text)
    diagnostics = client.diagnostics(uri)
    assert {d["code"] for d in diagnostics} >= {"DFX002", "DFX004"}
    actions = code_actions(client, uri, diagnostics)
    assert REWRITE not in [a["title"] for a in actions]  # the split needs the .dockerignore
    both = next(a for a in actions if ".dockerignore" in a["title"])
    changes = both["edit"]["documentChanges"]
    ignore_uri = (dockerfile.parent / ".dockerignore").resolve().as_uri()
    assert changes[0] == {"kind": "create", "uri": ignore_uri}
    written = copy_case("npm-node-modules-dockerignore", workspace / "ignore-cli")
    done = cli(workspace, "--write", "--unsafe-fixes", str(written))
    assert done.returncode == 0, done.stderr
    assert apply_edit(text, both["edit"], uri) == written.read_text() != text
    expected_ignore = (written.parent / ".dockerignore").read_text()
    assert apply_edit("", both["edit"], ignore_uri) == expected_ignore


def test_shutdown_and_exit_end_the_server_with_code_0(tmp_path: Path) -> None:
    server = LspClient(tmp_path, "--stdio")
    try:
        capabilities = server.initialize(tmp_path)["capabilities"]
        assert capabilities["hoverProvider"] and capabilities["codeActionProvider"]
        assert server.stop() == 0
    finally:
        server.close()


def test_the_clients_settings_apply_and_bad_ones_are_reported(tmp_path: Path) -> None:
    server = LspClient(tmp_path)
    try:
        server.initialize(tmp_path, {"ignore": ["DFX002"], "debounceMs": "soon"})
        warning = server.next_notification("window/showMessage")
        assert "debounceMs" in warning["message"]
        dockerfile = copy_case("pip-requirements", tmp_path / "ctx")
        uri = server.open(dockerfile, dockerfile.read_text())
        assert server.diagnostics(uri) == []  # DFX002 is ignored
        server.notify("workspace/didChangeConfiguration", {"settings": {"dockerfix": {}}})
        assert [d["code"] for d in server.diagnostics(uri)] == ["DFX002"]
    finally:
        server.close()
