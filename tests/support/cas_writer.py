"""A second process for the compare-and-set test: its own Redis client and `MediationService`, which
waits for the go signal and proposes N agreement items on one mediation at once. Prints "ready", then
a JSON line {"stored": n, "errors": [...]}.

    python -m tests.support.cas_writer REDIS_URL PREFIX KEY TEAM MEDIATION GO_LIST N
"""

from __future__ import annotations

import asyncio
import json
import sys

import redis.asyncio as aioredis

from bot.config_store import ConfigStore
from bot.crypto import Cipher
from bot.definitions import DefinitionSource
from bot.service import MediationService
from bot.store import MediationStore
from flows import commands as c


async def main(
    url: str, prefix: str, key: str, team: str, mediation_id: str, go: str, n: int
) -> dict[str, object]:
    client = aioredis.Redis.from_url(url)
    store = MediationStore(client, Cipher(key), prefix=prefix)
    configs = ConfigStore(client, prefix=prefix)
    service = MediationService(store, DefinitionSource(configs), configs=configs)
    await client.ping()
    print("ready", flush=True)
    await client.blpop([go], timeout=30)
    errors: list[str] = []

    async def propose(i: int) -> None:
        who = "UANN" if i % 2 else "UBOB"
        try:
            await service.act(team, mediation_id, c.ProposeItem(actor=who, who="Bob", what=f"child item {i}"))
        except Exception as exc:  # reported to the test, which fails on any
            errors.append(type(exc).__name__)

    await asyncio.gather(*(propose(i) for i in range(n)))
    await client.aclose()
    return {"stored": n - len(errors), "errors": errors}


if __name__ == "__main__":
    url, prefix, key, team, mediation_id, go, n = sys.argv[1:8]
    print(json.dumps(asyncio.run(main(url, prefix, key, team, mediation_id, go, int(n)))), flush=True)
