"""The engine code that needs no builder: BuildKit's progress, image archives, variant texts."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from dockerfix.build.compare import variant_text
from dockerfix.build.docker import _builtin_buildkit, parse_buildkit_steps
from dockerfix.build.engine import LogLine
from dockerfix.build.imagediff import snapshot_image_archive

PROGRESS = """\
#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#4 [build 1/2] FROM docker.io/library/busybox
#4 DONE 0.0s
#5 [build 2/2] RUN make
#8 [stage-1 2/3] COPY --from=build /out /out
#5 0.301 compiling
#5 DONE 1.5s
#8 DONE 0.1s
#7 [stage-1 3/3] COPY a.txt /a.txt
#7 CACHED
#9 [3/4] RUN exit 3
#9 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3
"""


def test_parse_buildkit_steps_in_file_order_with_stage_names() -> None:
    lines = [LogLine(float(n), text) for n, text in enumerate(PROGRESS.splitlines())]

    steps = parse_buildkit_steps(lines, {"build": 0})

    assert [(s.stage, s.index, s.instruction, s.cached, s.seconds) for s in steps] == [
        (0, 0, "FROM docker.io/library/busybox", True, 0.0),
        (0, 1, "RUN make", False, 1.5),
        (0, 2, "RUN exit 3", False, 0.0),  # a single-stage name: stage 0
        (1, 1, "COPY --from=build /out /out", False, 0.1),
        (1, 2, "COPY a.txt /a.txt", True, 0.0),
    ]


@pytest.mark.parametrize(
    ("version", "builtin"),
    [("20.10.24+dfsg1", True), ("28.2.2", False), ("23.0.0", False), ("(unknown)", False)],
)
def test_clients_before_23_have_buildkit_built_in(version: str, builtin: bool) -> None:
    assert _builtin_buildkit(version) is builtin


def _tar(members: list[tuple[str, bytes | None, dict[str, object]]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data, extra in members:
            info = tarfile.TarInfo(name)
            for key, value in extra.items():
                setattr(info, key, value)
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def test_image_archive_applies_layers_whiteouts_and_hard_links() -> None:
    directory = {"type": tarfile.DIRTYPE, "mode": 0o755}
    lower = _tar(
        [
            ("etc/", None, directory),
            ("etc/a.conf", b"a\n", {"mode": 0o644}),
            ("etc/b.conf", b"b\n", {"mode": 0o600, "uid": 7}),
            ("cache/", None, directory),
            ("cache/x", b"x", {}),
        ]
    )
    upper = _tar(
        [
            ("etc/.wh.b.conf", b"", {}),
            ("cache/.wh..wh..opq", b"", {}),
            ("cache/y", b"y", {}),
            ("bin/", None, directory),
            ("bin/tool", b"#!/bin/sh\n", {"mode": 0o4755}),
            ("bin/alias", None, {"type": tarfile.LNKTYPE, "linkname": "bin/tool"}),
            ("bin/link", None, {"type": tarfile.SYMTYPE, "linkname": "tool"}),
        ]
    )
    manifest = json.dumps([{"Layers": ["l1/layer.tar", "l2/layer.tar", "l3/layer.tar"]}])
    image = _tar(
        [
            ("l1/layer.tar", lower, {}),
            ("l2/layer.tar", upper, {}),
            ("l3/layer.tar", None, {"type": tarfile.SYMTYPE, "linkname": "../l1/layer.tar"}),
            ("manifest.json", manifest.encode(), {}),
        ]
    )

    snapshot = snapshot_image_archive(io.BytesIO(image))

    assert sorted(snapshot) == [
        "/bin",
        "/bin/alias",
        "/bin/link",
        "/bin/tool",
        "/cache",
        "/cache/x",  # the third layer is the first again: x comes back
        "/cache/y",
        "/etc",
        "/etc/a.conf",
        "/etc/b.conf",
    ]
    assert snapshot["/bin/alias"] == snapshot["/bin/tool"]
    assert (snapshot["/bin/tool"].mode, snapshot["/bin/link"].target) == (0o4755, "tool")
    assert (snapshot["/etc/b.conf"].uid, snapshot["/etc/b.conf"].mode) == (7, 0o600)


class _Separating:
    """An engine stand-in that names a copy of each base image per key."""

    name = "docker"

    def separate(self, image: str, key: str) -> str:
        return f"copy-of-{image.rsplit('/', 1)[-1]}-{key}"


def test_variant_text_labels_and_renames_base_images_only() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.11 AS build\nRUN make\nFROM build\nFROM scratch\nCOPY --from=build / /\n"
    )

    got, copies = variant_text(_Separating(), text, "k1")  # type: ignore[arg-type]

    assert got == (
        "# syntax line left out: built with the daemon's own frontend\n"
        "FROM copy-of-python:3.11-k1 AS build\nLABEL dockerfix.verify=k1\nRUN make\n"
        "FROM build\nLABEL dockerfix.verify=k1\n"
        "FROM scratch\nLABEL dockerfix.verify=k1\nCOPY --from=build / /\n"
    )
    assert copies == ["copy-of-python:3.11-k1"]
