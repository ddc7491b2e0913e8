"""Compare two built images: their file trees (without timestamps) and their run configuration.

A snapshot records, for every path of an image's root filesystem, what a container would see:
type, permission bits, owner, content digest or link target, extended attributes and size.
Timestamps are left out on purpose: two builds of the same Dockerfile never agree on them,
and no program in the image can depend on them in a way a rewrite of the Dockerfile could change.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import posixpath
import stat
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

from dockerfix.records import dataclass

__all__ = [
    "CONFIG_FIELDS",
    "KNOWN_NOISE_PATTERNS",
    "Entry",
    "ImageSnapshot",
    "SnapshotDiff",
    "diff_configs",
    "diff_snapshots",
    "is_known_noise",
    "measure_noise",
    "run_config",
    "snapshot_image_archive",
    "snapshot_tree",
]

# Files that differ between two runs of the same package install: apt's binary caches,
# ldconfig's auxiliary cache and the install logs carry times or hash-table layouts.
KNOWN_NOISE_PATTERNS: tuple[str, ...] = (
    "/var/cache/apt/*.bin",
    "/var/cache/ldconfig/aux-cache",
    "/var/log/apt/*",
    "/var/log/dpkg.log",
)

# The parts of an image's run configuration that a Dockerfile rewrite must preserve.
CONFIG_FIELDS: tuple[str, ...] = (
    "Env",
    "Cmd",
    "Entrypoint",
    "WorkingDir",
    "User",
    "ExposedPorts",
    "Volumes",
    "Labels",
)

# Bytes 8-11 of a timestamp-based .pyc header hold the source file's mtime, which changes with
# every COPY of the source even when the bytecode is identical.
_PYC_MTIME = slice(8, 12)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Entry:
    """What an image holds at one path; two entries are equal when a container could not tell."""

    kind: str  # file, dir, symlink, char, block, fifo, socket
    mode: int  # permission bits including setuid/setgid/sticky
    uid: int
    gid: int
    size: int = 0  # regular files only: directory sizes depend on the filesystem
    sha256: str | None = None  # regular files; .pyc files with their mtime bytes masked
    target: str | None = None  # symlinks
    rdev: int | None = None  # character and block devices
    xattrs: tuple[tuple[str, bytes], ...] = ()

    def differences(self, other: Entry) -> tuple[str, ...]:
        """Name the fields in which this entry differs from `other`, in declaration order."""
        names = (f.name for f in fields(self))
        return tuple(n for n in names if getattr(self, n) != getattr(other, n))


class ImageSnapshot(Mapping[str, Entry]):
    """A read-only mapping from absolute path (`/`, `/etc/passwd`, ...) to its `Entry`."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Mapping[str, Entry]) -> None:
        self._entries: dict[str, Entry] = dict(entries)

    def __getitem__(self, path: str) -> Entry:
        return self._entries[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"ImageSnapshot({len(self._entries)} paths)"


@dataclass(frozen=True)
class SnapshotDiff:
    """Paths only in the second snapshot, only in the first, and in both but different."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def paths(self) -> set[str]:
        """Every path that differs, whichever way."""
        return {*self.added, *self.removed, *(path for path, _ in self.changed)}

    def summary(self, limit: int = 20) -> list[str]:
        """One line per difference, at most `limit` lines, for a human report."""
        lines = [f"+ {p}" for p in self.added]
        lines += [f"- {p}" for p in self.removed]
        lines += [f"~ {p} ({', '.join(what)})" for p, what in self.changed]
        if len(lines) > limit:
            lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
        return lines


def snapshot_tree(root: Path) -> ImageSnapshot:
    """Walk a mounted image root without following symlinks and record every path."""
    entries: dict[str, Entry] = {"/": _entry(root, "/")}
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        base = "/" if rel_dir == "." else "/" + rel_dir + "/"
        # os.walk lists symlinks to directories under dirnames but does not descend into them.
        for name in sorted((*dirnames, *filenames)):
            entries[base + name] = _entry(Path(dirpath, name), base + name)
    return ImageSnapshot(entries)


def _raise(error: OSError) -> None:
    raise error


def _entry(path: Path, image_path: str) -> Entry:
    st = os.lstat(path)
    kind = _kind(st.st_mode)
    common: dict[str, Any] = {
        "kind": kind,
        "mode": stat.S_IMODE(st.st_mode),
        "uid": st.st_uid,
        "gid": st.st_gid,
        "xattrs": _xattrs(path),
    }
    if kind == "file":
        return Entry(**common, size=st.st_size, sha256=_digest(path, image_path))
    if kind == "symlink":
        return Entry(**common, target=os.readlink(path))
    if kind in ("char", "block"):
        return Entry(**common, rdev=st.st_rdev)
    return Entry(**common)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISREG, "file"),
        (stat.S_ISDIR, "dir"),
        (stat.S_ISLNK, "symlink"),
        (stat.S_ISCHR, "char"),
        (stat.S_ISBLK, "block"),
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "unknown"


def _xattrs(path: Path) -> tuple[tuple[str, bytes], ...]:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:  # filesystems without xattr support, or none allowed on symlinks
        return ()
    pairs = []
    for name in sorted(names):
        try:
            pairs.append((name, os.getxattr(path, name, follow_symlinks=False)))
        except OSError:
            continue
    return tuple(pairs)


def _digest(path: Path, image_path: str) -> str:
    with open(path, "rb") as f:
        return _digest_stream(f, image_path)


# -- images read from a `docker save` archive ----------------------------------------------------

_TAR_KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.CHRTYPE: "char",
    tarfile.BLKTYPE: "block",
    tarfile.FIFOTYPE: "fifo",
}


@dataclass
class _Layer:
    """One layer: its entries in order, the paths it deletes and the folders it makes opaque."""

    entries: dict[str, Entry]
    whiteouts: list[str]
    opaque: list[str]


def snapshot_image_archive(stream: IO[bytes]) -> ImageSnapshot:
    """The filesystem of the image in a `docker save` tar stream: its layers applied in order.

    Whiteouts (`.wh.NAME`, `.wh..wh..opq`) delete what lower layers put there, as an overlay
    mount would; hard links get the entry of the file they link to.
    """
    layers: dict[str, _Layer] = {}
    aliases: dict[str, str] = {}
    manifest: Any = None
    with tarfile.open(fileobj=stream, mode="r|") as outer:
        for member in outer:
            name = posixpath.normpath(member.name)
            if name.endswith("layer.tar") and member.issym():
                aliases[name] = posixpath.normpath(
                    posixpath.join(posixpath.dirname(name), member.linkname)
                )
            elif name.endswith("layer.tar") and member.isfile():
                layers[name] = _read_layer(_member_file(outer, member))
            elif name == "manifest.json":
                manifest = json.load(_member_file(outer, member))
    if not isinstance(manifest, list) or not manifest:
        raise ValueError("no manifest.json in the image archive")
    entries: dict[str, Entry] = {}
    for name in manifest[0]["Layers"]:
        name = posixpath.normpath(name)
        _apply_layer(entries, layers[aliases.get(name, name)])
    return ImageSnapshot(entries)


def _member_file(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    file = archive.extractfile(member)
    if file is None:
        raise ValueError(f"{member.name}: not a file")
    return file


def _read_layer(file: IO[bytes]) -> _Layer:
    layer = _Layer({}, [], [])
    with tarfile.open(fileobj=file, mode="r|") as archive:
        for member in archive:
            path = posixpath.normpath("/" + member.name)
            base = posixpath.basename(path)
            if base == ".wh..wh..opq":
                layer.opaque.append(posixpath.dirname(path))
            elif base.startswith(".wh."):
                layer.whiteouts.append(posixpath.join(posixpath.dirname(path), base[4:]))
            elif member.islnk():
                target = posixpath.normpath("/" + member.linkname)
                linked = layer.entries.get(target)
                if linked is not None:
                    layer.entries[path] = linked
            elif member.type in _TAR_KINDS:
                layer.entries[path] = _tar_entry(archive, member, path)
    return layer


def _tar_entry(archive: tarfile.TarFile, member: tarfile.TarInfo, path: str) -> Entry:
    kind = _TAR_KINDS[member.type]
    xattrs = tuple(
        sorted(
            (key.removeprefix("SCHILY.xattr."), value.encode("utf-8", "surrogateescape"))
            for key, value in member.pax_headers.items()
            if key.startswith("SCHILY.xattr.")
        )
    )
    common: dict[str, Any] = {
        "kind": kind,
        "mode": member.mode & 0o7777,
        "uid": member.uid,
        "gid": member.gid,
        "xattrs": xattrs,
    }
    if kind == "file":
        data = _member_file(archive, member)
        return Entry(**common, size=member.size, sha256=_digest_stream(data, path))
    if kind == "symlink":
        return Entry(**common, target=member.linkname)
    if kind in ("char", "block"):
        return Entry(**common, rdev=os.makedev(member.devmajor, member.devminor))
    return Entry(**common)


def _digest_stream(file: IO[bytes], path: str) -> str:
    """sha256 of the content; a .pyc with its source-mtime bytes masked."""
    h = hashlib.sha256()
    if path.endswith(".pyc"):
        data = bytearray(file.read())
        if len(data) >= _PYC_MTIME.stop:
            data[_PYC_MTIME] = bytes(4)
        h.update(data)
    else:
        while chunk := file.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _apply_layer(entries: dict[str, Entry], layer: _Layer) -> None:
    for gone in (*layer.whiteouts, *layer.opaque):
        prefix = gone.rstrip("/") + "/"
        for path in [p for p in entries if p.startswith(prefix)]:
            del entries[path]
    for gone in layer.whiteouts:
        entries.pop(gone, None)
    entries.update(layer.entries)


def is_known_noise(path: str) -> bool:
    """Whether `path` is a file that differs between identical package installs."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in KNOWN_NOISE_PATTERNS)


def diff_snapshots(
    a: Mapping[str, Entry],
    b: Mapping[str, Entry],
    noise: Iterable[str] | None = None,
    *,
    ignore_known_noise: bool = True,
) -> SnapshotDiff:
    """Compare two snapshots, leaving out the paths in `noise` and (by default) known noise."""
    skip = set(noise or ())

    def wanted(path: str) -> bool:
        return path not in skip and not (ignore_known_noise and is_known_noise(path))

    added = tuple(sorted(p for p in b.keys() - a.keys() if wanted(p)))
    removed = tuple(sorted(p for p in a.keys() - b.keys() if wanted(p)))
    changed = tuple(
        (p, what)
        for p in sorted(a.keys() & b.keys())
        if wanted(p) and (what := a[p].differences(b[p]))
    )
    return SnapshotDiff(added, removed, changed)


def measure_noise(first: Mapping[str, Entry], second: Mapping[str, Entry]) -> set[str]:
    """Paths that differ between two builds of the same Dockerfile: noise for later comparisons."""
    return diff_snapshots(first, second, ignore_known_noise=False).paths()


def diff_configs(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Describe how two image configs differ in the fields a rewrite must keep; [] when equal.

    Accepts the full `buildah inspect --type image` or `docker image inspect` JSON, or the
    run config itself. Env and
    Labels compare as mappings: the order of ENV lines does not change what a process sees.
    """
    ca, cb = run_config(a), run_config(b)
    out: list[str] = []
    for name in CONFIG_FIELDS:
        va, vb = ca.get(name), cb.get(name)
        if name == "Env":
            out += _diff_mapping(name, _env_mapping(va), _env_mapping(vb))
        elif name == "Labels":
            out += _diff_mapping(name, dict(va or {}), dict(vb or {}))
        elif _normal(va) != _normal(vb):
            out.append(f"{name}: {_normal(va)!r} != {_normal(vb)!r}")
    return out


def run_config(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The run config inside an engine's inspect JSON (buildah's OCIv1.config, Docker's Config),
    or `data` itself when it is one."""
    oci = data.get("OCIv1")
    config = oci.get("config") if isinstance(oci, Mapping) else data.get("Config")
    if isinstance(oci, Mapping) or "Config" in data:
        return config if isinstance(config, Mapping) else {}
    return data


def _normal(value: Any) -> Any:
    """Treat absent, empty and null the same: the image runs the same way either way."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, dict):
        return sorted(value)  # ExposedPorts and Volumes are sets encoded as {key: {}}
    return value


def _env_mapping(env: Any) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in env or ():
        key, _, value = str(item).partition("=")
        result[key] = value  # a later duplicate wins, as it does for the process
    return result


def _diff_mapping(name: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    out = []
    for key in sorted(a.keys() | b.keys()):
        if key not in b:
            out.append(f"{name} {key}: only in first ({a[key]!r})")
        elif key not in a:
            out.append(f"{name} {key}: only in second ({b[key]!r})")
        elif a[key] != b[key]:
            out.append(f"{name} {key}: {a[key]!r} != {b[key]!r}")
    return out
