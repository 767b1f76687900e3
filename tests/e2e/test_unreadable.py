"""A mediation whose stored record cannot be read (damaged, or written under a key we no longer hold)
is isolated: App Home and `/mediate status` show the person's other mediations, and whoever acts on
the unreadable one is told kindly. Never a 500, never a broken App Home."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot import texts as t
from tests.e2e import play
from tests.support.harness import Harness


async def damage(h: Harness, redis_client: aioredis.Redis, mediation_id: str) -> None:
    await redis_client.hset(f"{h.key_prefix}:{{{h.team}}}:m:{mediation_id}", "doc", b"\x01damaged on disk")


async def test_an_unreadable_mediation_is_skipped_in_lists_and_its_owner_told(
    h: Harness, redis_client: aioredis.Redis
) -> None:
    broken = await play.start(h, "the release dates")
    await h.command(h.ann, f"<@{h.cat}|cat> the rota")
    await h.submit(h.ann, {})
    await damage(h, redis_client, broken)

    result = await h.command(h.ann, "status")
    assert result.status == 200
    status = str(h.standin.ephemerals(h.ann)[-1].blocks)
    assert "the rota" in status and "the release dates" not in status

    assert await h.slack.app_home_opened(h.ann) == 200
    await h.settle()
    home = h.standin.home(h.ann)
    assert home is not None
    shown = str(home.blocks)
    assert "the rota" in shown and "the release dates" not in shown

    result = await h.click_dm(h.bob, "cg_invite_accept")
    assert result.status == 200
    assert t.UNREADABLE in h.ephemeral_texts(h.bob)
    assert t.STORE_DOWN not in h.ephemeral_texts(h.bob)
