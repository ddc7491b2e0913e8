"""Which differences between an original's image and its rewrite's build noise explains."""

from __future__ import annotations

from dockerfix.build.compare import _real_differences
from dockerfix.build.imagediff import Entry, ImageSnapshot

DIR = Entry("dir", 0o755, 0, 0)


def _file(text: str) -> Entry:
    return Entry("file", 0o644, 0, 0, len(text), str(hash(text)))


def _snap(**files: str) -> ImageSnapshot:
    entries: dict[str, Entry] = {"/": DIR}
    for path, text in files.items():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            entries["/" + "/".join(parts[:i])] = DIR
        entries["/" + "/".join(parts)] = _file(text)
    return ImageSnapshot(entries)


def _build(build_id: str, lock: str = "lock 1", log: str = "a") -> ImageSnapshot:
    return _snap(
        **{
            "app/package.json": "{}",
            "app/yarn.lock": lock,
            f"app/.next/static/{build_id}/_buildManifest.js": "m",
            f"root/.npm/_logs/{log}-debug.log": "log",
        }
    )


def test_a_folder_named_anew_by_every_build_is_noise() -> None:
    original, again, rewritten = (
        _build("ID1", log="a"),
        _build("ID2", log="b"),
        _build("ID3", log="c"),
    )
    noisy = {p for p in set(original) ^ set(again)}
    assert _real_differences(original, rewritten, again, noisy) == []


def test_a_real_difference_beside_the_noise_is_kept() -> None:
    original, again = _build("ID1"), _build("ID2")
    rewritten = _build("ID3", lock="lock 2")
    noisy = {p for p in set(original) ^ set(again)}
    assert _real_differences(original, rewritten, again, noisy) == ["~ /app/yarn.lock (sha256)"]
    # A new folder where the original's builds agree is a difference.
    extra = ImageSnapshot({**dict(_build("ID3")), "/app/dist": DIR, "/app/dist/a.js": _file("x")})
    assert _real_differences(original, extra, again, noisy) == ["+ /app/dist", "+ /app/dist/a.js"]
