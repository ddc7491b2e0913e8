"""A Docker daemon for the real-build tests and benchmarks: the running one, or one started here.

`docker_daemon()` yields an engine on a daemon that answers: the user's when one does (left
running), else a private `dockerd` with its own data root and socket, stopped and removed
when the block ends. dockerfix itself never starts a daemon.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dockerfix.build.docker import INSTALL_HINT, DockerEngine, find_client
from dockerfix.build.engine import EngineUnavailable

__all__ = ["docker_daemon"]

_READY_SECONDS = 60


@contextmanager
def docker_daemon(workdir: Path) -> Iterator[DockerEngine]:
    """An engine on a daemon that answers; raises EngineUnavailable saying why there is none."""
    found = find_client()
    if isinstance(found, DockerEngine):
        yield found
        return
    if shutil.which("dockerd") is None:
        raise EngineUnavailable(f"dockerd is not installed ({INSTALL_HINT})")
    # Unix socket paths are limited to 108 bytes: keep the sockets under a short folder.
    run = Path(tempfile.mkdtemp(prefix="dfx-dockerd-"))
    host = f"unix://{run}/docker.sock"
    log = (workdir / "dockerd.log").open("wb")
    command = [
        "dockerd",
        "--iptables=false",
        "--bridge=none",
        f"--data-root={workdir / 'data'}",
        f"--exec-root={run / 'exec'}",
        f"--pidfile={run / 'dockerd.pid'}",
        f"--host={host}",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield _wait_until_ready(process, host, workdir / "dockerd.log")
    finally:
        _stop(process)
        log.close()
        shutil.rmtree(run, ignore_errors=True)
        shutil.rmtree(workdir / "data", ignore_errors=True)


def _wait_until_ready(process: subprocess.Popen[bytes], host: str, log: Path) -> DockerEngine:
    deadline = time.monotonic() + _READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:]
            raise EngineUnavailable(f"dockerd exited ({process.returncode}): {' '.join(tail)}")
        found = find_client(host)
        if isinstance(found, DockerEngine):
            return found
        time.sleep(0.5)
    raise EngineUnavailable(f"dockerd did not answer at {host} within {_READY_SECONDS} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
