"""A real Redis Cluster for tests: three `redis-server --cluster-enabled yes` nodes on free ports,
each with its own folder, given a third of the slots each and joined with CLUSTER MEET (what
`redis-cli --cluster create` does, without needing redis-cli)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from tests.support.redis_server import free_port, redis_server_binary

NODES = 3


class RedisCluster:
    """Three master nodes covering every slot; `url` names the first (clients discover the rest)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = [free_port() for _ in range(NODES)]
        self.bus_ports = [free_port() for _ in range(NODES)]  # not port + 10000: that may not exist
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> RedisCluster:
        for port, bus in zip(self.ports, self.bus_ports, strict=True):
            node = self.folder / str(port)
            node.mkdir(parents=True, exist_ok=True)
            self.procs.append(
                subprocess.Popen(
                    [
                        redis_server_binary(),
                        *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(node)),
                        *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
                        *("--cluster-port", str(bus)),
                        *("--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in self.ports:
            self._wait(
                lambda port=port: redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2).ping()
            )
        # What `redis-cli --cluster create` does: each node takes a third of the slots, then they meet.
        slots = 16384
        for n, port in enumerate(self.ports):
            node = redis.Redis(host="127.0.0.1", port=port)
            node.execute_command("CLUSTER ADDSLOTSRANGE", n * slots // NODES, (n + 1) * slots // NODES - 1)
        first = redis.Redis(host="127.0.0.1", port=self.ports[0])
        for port, bus in zip(self.ports[1:], self.bus_ports[1:], strict=True):
            first.execute_command("CLUSTER MEET", "127.0.0.1", port, bus)
        for port in self.ports:
            self._wait(lambda port=port: _state(port) == "ok")
        return self

    @staticmethod
    def _wait(ready: object, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if ready():  # type: ignore[operator]
                    return
            except (redis.RedisError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError("the Redis Cluster did not come up")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []


def _state(port: int) -> str:
    info = redis.Redis(host="127.0.0.1", port=port, decode_responses=True).execute_command("CLUSTER INFO")
    if isinstance(info, dict):
        return str(info.get("cluster_state", ""))
    return "ok" if "cluster_state:ok" in str(info) else ""
