"""Delete my data: `/mediate delete-my-data` (and App Home's button), confirmed first, erases the person's
words from every mediation they are in, closes the open ones kindly, removes their index entries and
shows a receipt. Checked by planting text and scanning every Redis key of the test, raw and decrypted."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot import texts as t
from bot.crypto import Cipher
from flows.models import Stage
from tests.e2e import play
from tests.support.harness import Harness

TOPIC = "zq-topic-1d7e the release dates"
HOPES = "zq-hope-84c2"
CLOSED_ANSWER = "zq-closed-answer-3b90"
OPEN_ANSWER = "zq-open-answer-e51a"
CORRECTION = "zq-correction-7f02"
PLANTED = (TOPIC, HOPES, CLOSED_ANSWER, OPEN_ANSWER, CORRECTION)


async def every_value(redis_client: aioredis.Redis, key_prefix: str) -> list[bytes]:
    """Every byte string stored under the test's prefix: key names, hash fields and values, set and
    sorted-set members, list items and strings."""
    found: list[bytes] = []
    async for key in redis_client.scan_iter(match=f"{key_prefix}:*"):
        found.append(key)
        kind = await redis_client.type(key)
        if kind == b"string":
            found.append(await redis_client.get(key))
        elif kind == b"hash":
            for field, value in (await redis_client.hgetall(key)).items():
                found += [field, value]
        elif kind == b"set":
            found += list(await redis_client.smembers(key))
        elif kind == b"zset":
            found += list(await redis_client.zrange(key, 0, -1))
        elif kind == b"list":
            found += list(await redis_client.lrange(key, 0, -1))
        else:
            raise AssertionError(f"unexpected Redis type {kind!r} at {key!r}")
    return found


def readable(values: list[bytes], cipher: Cipher) -> str:
    """Everything a reader of Redis could see: the raw bytes, and whatever the app's key unpacks."""
    parts = []
    for value in values:
        parts.append(value.decode("utf-8", "replace"))
        try:
            parts.append(cipher.unpack(value).decode("utf-8", "replace"))
        except Exception:  # not a Fernet token of ours: the raw bytes above are what there is
            continue
    return "\n".join(parts)


async def ann_starts(h: Harness) -> None:
    await h.command(h.ann, f"<@{h.bob}|bob> {TOPIC}")
    await h.submit(h.ann, {"hopes": {"value": f"I hope {HOPES} works out."}})
    await play.accept_and_agree(h)


async def test_delete_my_data_erases_anns_words_everywhere_and_keeps_bobs_list(
    h: Harness, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    # A closed mediation: Ann's topic, hopes, answers, and a correction of Bob's reflection.
    await ann_starts(h)
    await play.intake(h, h.ann, dict(play.ANN_ANSWERS, happened=f"On Monday {CLOSED_ANSWER} happened."))
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(h, h.bob, "You heard about the date on the call and felt anxious about testing.")
    await play.answer(h, h.ann, confirmed=False, missing=f"That {CORRECTION} matters to me.")
    closed = await h.mediation()
    await h.command(h.bob, "cancel")
    assert not (await h.mediation(closed.id)).is_open
    # An open one, after it: her answers only.
    await play.start(h, "the rota")
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, dict(play.ANN_ANSWERS, needs=f"I need {OPEN_ANSWER}."))
    opened = next(m for m in await h.store.for_user(h.team, h.ann) if m.is_open)

    cipher = Cipher(h.encryption_key)
    before = readable(await every_value(redis_client, key_prefix), cipher)
    assert all(p in before for p in PLANTED)  # the scan sees them while they are there
    raw_before = b"".join(await every_value(redis_client, key_prefix))
    assert not any(p.encode() in raw_before for p in PLANTED)  # encrypted at rest all along

    # The command says what will happen, and its button asks Slack's confirmation first.
    await h.command(h.ann, "delete-my-data")
    prompt = h.standin.ephemerals(h.ann)[-1]
    assert "erases everything you wrote" in prompt.text
    button = next(e for b in prompt.blocks if b["type"] == "actions" for e in b["elements"])
    assert button["action_id"] == "cg_delete_my_data"
    assert button["confirm"]["title"]["text"] == t.DELETE_CONFIRM_TITLE
    assert "can't be undone" in button["confirm"]["text"]["text"]
    await h.slack.click(h.ann, action_id="cg_delete_my_data", message=(prompt.channel, prompt.ts))
    await h.settle()

    # The receipt replaces the prompt: how many, what, when.
    receipt = h.standin.ephemerals(h.ann)[-1]
    assert receipt.ts == prompt.ts and "cg_delete_my_data" not in str(receipt.blocks)
    assert "From 2 mediation(s)" in receipt.text and "1 open mediation(s) closed" in receipt.text
    assert "<!date^" in receipt.text and t.DELETE_RECEIPT_KEPT in str(receipt.blocks)

    # Not a trace in Redis: raw bytes, or anything the app's key decrypts.
    after = readable(await every_value(redis_client, key_prefix), cipher)
    assert not [p for p in PLANTED if p in after]
    # Her index entries are gone; the documents remain for Bob.
    assert await h.store.for_user(h.team, h.ann) == []
    assert not await redis_client.exists(f"{key_prefix}:{{{h.team}}}:user:{h.ann}")
    assert await h.store.open_between(h.team, h.ann, h.bob) is None
    now_open = await h.mediation(opened.id)
    assert not now_open.is_open and now_open.closed_reason == "data_erased"
    assert now_open.respondent.answers == opened.respondent.answers  # Bob's words stay his

    # Bob was told only that it closed, at a participant's request.
    told = h.last_dm(h.bob)
    assert "closed at a participant's request" in told.text
    assert not any(p in told.text + str(told.blocks) for p in PLANTED)
    # Bob's list still works, and shows no word of Ann's.
    bob_list = await h.store.for_user(h.team, h.bob)
    assert {m.id for m in bob_list} == {closed.id, opened.id}
    await h.command(h.bob, "status")
    status = h.standin.ephemerals(h.bob)[-1]
    assert t.STAGES[Stage.CLOSED] in str(status.blocks)
    assert not any(p in str(status.blocks) for p in PLANTED)
    bob_home = h.standin.home(h.bob)
    assert bob_home is not None and str(bob_home.blocks).count(f"*With <@{h.ann}>*") == 2
    assert not any(p in str(bob_home.blocks) for p in PLANTED)
    # Ann's App Home no longer lists them.
    ann_home = h.standin.home(h.ann)
    assert ann_home is not None and t.HOME_EMPTY in str(ann_home.blocks)

    # A later save of the mediation (the retention purge) does not put her back in an index.
    assert await h.service.purge(h.team, opened.id)
    assert await h.store.for_user(h.team, h.ann) == []

    # Safe to run twice: nothing is left, and nothing changes.
    await h.command(h.ann, "delete-my-data")
    again = h.standin.ephemerals(h.ann)[-1]
    await h.slack.click(h.ann, action_id="cg_delete_my_data", message=(again.channel, again.ts))
    await h.settle()
    assert "nothing of yours left to delete" in h.standin.ephemerals(h.ann)[-1].text
    assert {m.id for m in await h.store.for_user(h.team, h.bob)} == {closed.id, opened.id}


async def test_the_app_home_button_confirms_and_shows_a_receipt(h: Harness) -> None:
    await ann_starts(h)
    home = h.standin.home(h.ann)
    assert home is not None and "cg_delete_my_data" in str(home.blocks)
    assert '"confirm"' in str(home.blocks).replace("'", '"')
    await h.click_home(h.ann, "cg_delete_my_data")
    receipt = h.top_view(h.ann)
    assert receipt.callback_id == "cg_delete_receipt"
    assert "From 1 mediation(s)" in str(receipt.blocks) and "1 open mediation(s) closed" in str(
        receipt.blocks
    )
    m = await h.store.get(h.team, (await h.store.for_user(h.team, h.bob))[0].id)
    assert m is not None and not m.is_open and m.hopes is None
    assert "closed at a participant's request" in h.last_dm(h.bob).text
    assert await h.store.for_user(h.team, h.ann) == []
