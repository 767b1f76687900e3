"""Privacy: what a party keeps to themselves never reaches the other party, any message, or a log."""

from __future__ import annotations

import logging

import pytest
import redis.asyncio as aioredis

from tests.e2e import play
from tests.support.harness import Harness

BOB_SECRET = "zq-unshared-request-5c1f9e"
BOB_SUMMARISED = "zq-summarised-feeling-77ab"
ANN_HOPES = "zq-private-hope-a93d"


async def test_unshared_text_never_leaves_its_author(
    h: Harness, caplog: pytest.LogCaptureFixture, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    caplog.set_level(logging.DEBUG)  # the strictest case: everything logged, at every level
    await h.command(h.ann, f"<@{h.bob}|bob> the release dates")
    await h.submit(h.ann, {"hopes": {"value": f"I hope {ANN_HOPES} works out."}})
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    bob_answers = dict(
        play.BOB_ANSWERS,
        requests=f"Would you be willing to {BOB_SECRET}?",
        feelings=f"I felt {BOB_SUMMARISED} and alone.",
    )
    await play.intake(
        h,
        h.bob,
        bob_answers,
        shares={"happened": "all", "feelings": "summary", "needs": "all", "requests": "none"},
        summaries={"feelings": "I felt under pressure."},
    )
    await play.reflect(
        h, h.bob, "You heard about the date on the call and felt anxious; being consulted matters."
    )
    await play.answer(h, h.ann, confirmed=True)
    await h.click_dm(h.ann, "cg_reflect_open")
    reflect_view = str(h.top_view(h.ann).blocks)
    assert "I felt under pressure." in reflect_view  # the summary Bob chose to share is shown
    await h.submit(h.ann, {"reflection": {"value": "You felt under pressure and need support."}})
    await play.answer(h, h.bob, confirmed=True)
    await play.check_in(h, h.ann, [10, 10, 10, 10])
    await play.check_in(h, h.bob, [10, 10, 10, 10])
    summary = h.standin.messages((await h.mediation()).joint.channel_id)[0]
    await h.click_message(h.ann, summary, "cg_understood_view")
    await h.click_home(h.bob, "cg_answers_view")

    # The check can fail: Bob sees his own unshared words in his own modal.
    assert BOB_SECRET in str(h.top_view(h.bob).blocks)

    private = (BOB_SECRET, BOB_SUMMARISED, ANN_HOPES)
    # Never in any message (DM, group DM, ephemeral, update) of any kind.
    for call in h.standin.calls:
        if call.method.startswith("chat."):
            assert not any(p in str(call.args) for p in private), call.method
    for user in (h.ann, h.bob):
        for message in h.dm(user):
            assert not any(p in str(message.blocks) + message.text for p in private)
    # Never in front of the other party: every modal and App Home Ann was shown.
    ann_views = h.views_shown_to(h.ann)
    assert ann_views
    for view in ann_views:
        assert BOB_SECRET not in view and BOB_SUMMARISED not in view
    bob_views = h.views_shown_to(h.bob)
    assert bob_views
    for view in bob_views:
        assert ANN_HOPES not in view
    # Never in a log line, whoever logged it.
    assert caplog.records, "nothing was logged at all"
    for record in caplog.records:
        flat = record.getMessage() + str(record.__dict__)
        assert not any(p in flat for p in private), record.name
    # Never readable at rest.
    async for key in redis_client.scan_iter(match=f"{key_prefix}:*"):
        if await redis_client.type(key) == b"hash":
            values = b"".join(await redis_client.hvals(key))
            assert not any(p.encode() in values for p in private)
