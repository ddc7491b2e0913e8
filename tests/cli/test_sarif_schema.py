"""SARIF output validated against the official SARIF 2.1.0 JSON schema.

The schema is not stored in this repository: it is taken at test time from the npm
package @microsoft/jest-sarif, which ships it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import jsonschema
import pytest

from tests.cli.test_cli import project, run

PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def sarif_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is needed to fetch the SARIF schema")
    where = tmp_path_factory.mktemp("sarif-schema")
    packed = subprocess.run(
        [npm, "pack", PACKAGE, "--pack-destination", str(where)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if packed.returncode != 0:
        pytest.fail(f"npm pack {PACKAGE} failed: {packed.stderr.strip()}")
    tgz = next(where.glob("*.tgz"))
    with tarfile.open(tgz) as archive:
        member = archive.extractfile(MEMBER)
        assert member is not None
        return json.loads(member.read())


def test_sarif_validates(tmp_path: Path, sarif_schema: dict[str, object]) -> None:
    result = run("--format", "sarif", str(project(tmp_path)))
    assert result.returncode == 0, result.stderr
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["DFX002"]
    change = results[0]["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"].endswith("Dockerfile")
    texts = [r["insertedContent"]["text"] for r in change["replacements"]]
    assert "COPY requirements.txt ./\n" in "".join(texts)


def test_sarif_without_findings_validates(tmp_path: Path, sarif_schema: dict[str, object]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text('FROM alpine\nCMD ["true"]\n')
    log = json.loads(run("--format", "sarif", str(path)).stdout)
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["runs"][0]["results"] == []
