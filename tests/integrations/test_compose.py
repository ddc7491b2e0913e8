"""Variables in compose files' build entries."""

from __future__ import annotations

from pathlib import Path

from dockerfix.integrations.compose import contexts_from


def test_pwd_is_the_compose_files_folder_and_defaults_apply(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  api:\n    build:\n      dockerfile: ${PWD}/backend/.Dockerfile\n"
        "  web:\n    build:\n      context: ${WEB_DIR:-web}\n"
        "  other:\n    build:\n      context: $OTHER_DIR\n"
    )
    assert contexts_from(tmp_path / "compose.yaml") == {
        (tmp_path / "backend" / ".Dockerfile").resolve(): tmp_path.resolve(),
        (tmp_path / "web" / "Dockerfile").resolve(): (tmp_path / "web").resolve(),
    }
