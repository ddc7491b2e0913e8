"""Read a Dockerfile from disk or stdin, refusing input that cannot be a Dockerfile."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dockerfix.records import dataclass

# BuildKit itself accepts any size, but a Dockerfile over 10 MiB is not a real
# Dockerfile; refusing it keeps memory and time bounded.
MAX_BYTES = 10 * 1024 * 1024


class InputError(Exception):
    """Input that dockerfix refuses; the message is one line for stderr (exit code 2)."""


@dataclass(frozen=True)
class SourceFile:
    """A Dockerfile's text and where it came from."""

    path: Path | None
    text: str
    display: str


def decode(data: bytes, display: str) -> str:
    """Decode Dockerfile bytes strictly: NUL bytes or invalid UTF-8 are refused."""
    if b"\x00" in data:
        raise InputError(f"{display}: binary file (contains NUL bytes), not a Dockerfile")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{display}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_path(path: Path, display: str | None = None) -> SourceFile:
    """Read a Dockerfile; every failure becomes an InputError with a clear message."""
    shown = display or str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(f"{shown}: broken symbolic link") from None
        raise InputError(f"{shown}: no such file") from None
    except PermissionError:
        raise InputError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({_reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{shown}: is a directory, not a Dockerfile")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{shown}: not a regular file")
    if info.st_size > MAX_BYTES:
        raise InputError(f"{shown}: file is {info.st_size} bytes; the limit is {MAX_BYTES} bytes")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except PermissionError:
        raise InputError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({_reason(exc)})") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{shown}: file is over the limit of {MAX_BYTES} bytes")
    return SourceFile(path, decode(data, shown), shown)


def read_bytes(data: bytes, display: str, path: Path | None = None) -> SourceFile:
    if len(data) > MAX_BYTES:
        raise InputError(f"{display}: input is over the limit of {MAX_BYTES} bytes")
    return SourceFile(path, decode(data, display), display)


def _reason(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc)
