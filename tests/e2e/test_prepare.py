"""`/mediate prepare`: one person practises a hard conversation in one modal, step by step. The coach
reviews what happened and offers an I-statement; they imagine the other side and practise listening to
it, as often as they like. Nothing is ever sent to anyone or stored."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot import texts as t
from bot.sandbox.models import View
from flows.errors import FieldProblem
from flows.prepare import IMAGINED_MAX, STATEMENT_MAX
from tests.support.harness import Harness

BLAMING = "You always change the dates without telling anyone, and I was furious on the status call."
CLEAN = "On Monday the launch moved to the 13th and I heard it on the status call. I felt anxious."
REVISED = (
    "When the launch date moved to the 13th and I first heard it on the status call, I felt anxious, "
    "because I need time to plan the testing. Would you be willing to tell me before a date changes?"
)
IMAGINED = (
    "On Friday night the client asked me for the 13th, and I had to decide alone. I felt pressured and "
    "alone. I need support from the team and clarity about who decides."
)
THIN = "The client asked for the date."
# (until a6cf4bd: "You had to decide on your own late on Friday when the client pushed for the 13th; …",
# which the retrained coach reads as a changed detail with none named: a known miss, in the README)
GOOD = (
    "When the client pushed for the 13th on Friday night, you were left to make the call by yourself. You "
    "felt under pressure and lonely, and you need the team behind you and clear roles about who decides."
)


def blocks_text(view: View) -> str:
    return str(view.blocks)


def input_element(view: View, block_id: str) -> dict[str, Any]:
    block = next(b for b in view.blocks if b.get("block_id") == block_id)
    element: dict[str, Any] = block["element"]
    return element


async def open_prepare(h: Harness, user: str | None = None) -> View:
    result = await h.command(user or h.ann, "prepare")
    assert result.status == 200 and result.error is None
    view = h.top_view(user or h.ann)
    assert view.callback_id == "cg_prepare_write"
    return view


async def submit(h: Harness, block_id: str, text: str, user: str | None = None) -> Any:
    return await h.submit(user or h.ann, {block_id: {"value": text}})


async def click(h: Harness, action_id: str, user: str | None = None) -> None:
    who = user or h.ann
    await h.slack.click(who, action_id=action_id, view_id=h.top_view(who).id)
    await h.settle()


async def to_practice(h: Harness, user: str | None = None) -> None:
    """Write clean words (straight on to their side), imagine their account: the practice step."""
    await open_prepare(h, user)
    await submit(h, "prepare_statement", CLEAN, user)
    await submit(h, "prepare_imagined", IMAGINED, user)
    assert h.top_view(user or h.ann).callback_id == "cg_prepare_practice"


async def test_prepare_opens_a_private_modal_and_posts_nothing(h: Harness) -> None:
    view = await open_prepare(h)
    assert t.PREPARE_INTRO in blocks_text(view)
    assert view.title is not None and len(view.title["text"]) <= 24
    assert h.ephemeral_texts(h.ann) == []
    assert not [c for c in h.standin.calls if c.method.startswith("chat.")]
    assert await h.store.for_user(h.team, h.ann) == []


async def test_the_whole_flow_revising_the_words(h: Harness) -> None:
    await open_prepare(h)
    result = await submit(h, "prepare_statement", BLAMING)
    assert result.response_action == "update"

    # The coach's notes: the flagged words, why, and a suggestion; an I-statement to shape.
    words = h.top_view(h.ann)
    assert words.callback_id == "cg_prepare_words"
    shown = blocks_text(words)
    assert "You always change the dates without telling anyone" in shown  # the quote of the blame nudge
    assert "puts the fault on them" in shown and "name one specific time" in shown  # message, suggestion
    scaffold = input_element(words, "prepare_words")["initial_value"]
    assert scaffold.startswith("When you change the dates without telling anyone, I felt furious")
    assert "because I need" in scaffold and "Would you be willing to" in scaffold

    result = await submit(h, "prepare_words", REVISED)
    assert result.response_action == "update"
    assert h.top_view(h.ann).callback_id == "cg_prepare_imagine"

    await submit(h, "prepare_imagined", IMAGINED)
    practice = h.top_view(h.ann)
    assert practice.callback_id == "cg_prepare_practice"
    assert "On Friday night the client asked me" in blocks_text(practice)  # their imagined account
    assert "cg_prepare_finish" not in blocks_text(practice)  # first, a try

    # A thin reflection: a kind band, the score, and what could help, as a coach would say it.
    result = await submit(h, "prepare_practice_0", THIN)
    assert result.response_action == "update"
    feedback = h.top_view(h.ann)
    shown = blocks_text(feedback)
    assert t.PREPARE_BANDS["start"] in shown
    assert "Listening score:" in shown and "of 100" in shown
    assert "Try naming how it felt for them" in shown and t.PREPARE_TO_TRY in shown
    assert input_element(feedback, "prepare_practice_1")["initial_value"] == THIN  # ready to change
    assert "cg_prepare_finish" in shown

    # Trying again, better: heard, with what landed.
    await submit(h, "prepare_practice_1", GOOD)
    shown = blocks_text(h.top_view(h.ann))
    assert t.PREPARE_BANDS["heard"] in shown and "You named how it felt for them." in shown
    score = int(shown.split("Listening score: ")[1].split(" of 100")[0])
    assert score >= 70

    await click(h, "cg_prepare_finish")
    done = h.top_view(h.ann)
    assert done.callback_id == "cg_prepare_done" and done.submit is None
    shown = blocks_text(done)
    assert "tell me before a date changes" in shown  # their own final words
    assert t.PREPARE_DONE_PRIVATE in shown and "/mediate @colleague" in shown
    assert not [c for c in h.standin.calls if c.method.startswith("chat.")]
    assert await h.store.for_user(h.team, h.ann) == []


async def test_keeping_my_words_carries_them_to_the_end(h: Harness) -> None:
    await open_prepare(h)
    await submit(h, "prepare_statement", BLAMING)
    assert h.top_view(h.ann).callback_id == "cg_prepare_words"
    await click(h, "cg_prepare_keep")
    assert h.top_view(h.ann).callback_id == "cg_prepare_imagine"
    await submit(h, "prepare_imagined", IMAGINED)
    await submit(h, "prepare_practice_0", GOOD)
    await click(h, "cg_prepare_finish")
    done = blocks_text(h.top_view(h.ann))
    assert "You always change the dates without telling anyone" in done  # kept, as they wrote it


async def test_clean_words_go_straight_to_their_side(h: Harness) -> None:
    await open_prepare(h)
    await submit(h, "prepare_statement", CLEAN)
    view = h.top_view(h.ann)
    assert view.callback_id == "cg_prepare_imagine"
    assert t.PREPARE_CLEAN in blocks_text(view)
    await submit(h, "prepare_imagined", IMAGINED)
    await submit(h, "prepare_practice_0", GOOD)
    await click(h, "cg_prepare_finish")
    assert "status call. I felt anxious." in blocks_text(h.top_view(h.ann))


async def test_a_faux_feeling_gets_a_scaffold_with_the_feelings_underneath(h: Harness) -> None:
    await open_prepare(h)
    await submit(h, "prepare_statement", "I feel ignored when the plans change.")
    scaffold = input_element(h.top_view(h.ann), "prepare_words")["initial_value"]
    assert (
        scaffold
        == "When …, I felt hurt and lonely, because I need to be included. Would you be willing to …?"
    )


async def test_practice_can_loop_several_times(h: Harness) -> None:
    await to_practice(h)
    for round_ in range(3):
        result = await submit(h, f"prepare_practice_{round_}", "But you should have asked me first.")
        assert result.response_action == "update"
        view = h.top_view(h.ann)
        assert view.callback_id == "cg_prepare_practice"
        assert t.PREPARE_BANDS["start"] in blocks_text(view)
    await submit(h, "prepare_practice_3", GOOD)
    assert t.PREPARE_BANDS["heard"] in blocks_text(h.top_view(h.ann))


async def test_a_question_is_coached_as_not_yet_a_reflection(h: Harness) -> None:
    await to_practice(h)
    await submit(h, "prepare_practice_0", "Did the client ask you for the date?")
    shown = blocks_text(h.top_view(h.ann))
    assert t.PREPARE_BANDS["start"] in shown and "question rather than a reflection" in shown


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "block_id"),
    [
        ("write", "prepare_statement"),
        ("words", "prepare_words"),
        ("imagine", "prepare_imagined"),
        ("practice", "prepare_practice_0"),
        ("again", "prepare_practice_1"),
    ],
)
async def test_blank_text_is_a_field_error_at_every_step(h: Harness, step: str, block_id: str) -> None:
    await open_prepare(h)
    if step != "write":
        await submit(h, "prepare_statement", BLAMING)
    if step not in ("write", "words"):
        await submit(h, "prepare_words", REVISED)
    if step in ("practice", "again"):
        await submit(h, "prepare_imagined", IMAGINED)
    if step == "again":
        await submit(h, "prepare_practice_0", THIN)
    before = h.top_view(h.ann).callback_id
    result = await submit(h, block_id, "   \n  ")
    assert result.response_action == "errors"
    assert result.errors == {block_id: t.field_problem(FieldProblem.EMPTY)}
    assert h.top_view(h.ann).callback_id == before  # the modal stays where it was


async def test_over_long_text_in_a_forged_submission_is_a_field_error(h: Harness) -> None:
    view = await open_prepare(h)
    input_element(view, "prepare_statement").pop("max_length")  # Slack's client would stop this
    result = await submit(h, "prepare_statement", "a" * (STATEMENT_MAX + 1))
    assert result.response_action == "errors"
    assert result.errors == {"prepare_statement": t.field_problem(FieldProblem.TOO_LONG, STATEMENT_MAX)}
    assert h.top_view(h.ann).callback_id == "cg_prepare_write"


async def test_what_would_not_fit_in_the_view_asks_for_a_little_less(h: Harness) -> None:
    # Quotes take two characters each in the view's metadata: long answers full of them do not fit.
    await open_prepare(h)
    await submit(h, "prepare_statement", BLAMING)
    await submit(h, "prepare_words", '"' * 1000)
    result = await submit(h, "prepare_imagined", '"' * IMAGINED_MAX)
    assert result.response_action == "errors"
    assert "Please keep this under" in result.errors["prepare_imagined"]
    assert h.top_view(h.ann).callback_id == "cg_prepare_imagine"
    result = await submit(h, "prepare_imagined", IMAGINED)
    assert result.response_action == "update"


async def test_forged_metadata_is_harmless(h: Harness) -> None:
    await to_practice(h)
    h.top_view(h.ann).private_metadata = "not json at all"
    result = await submit(h, "prepare_practice_0", GOOD)
    assert result.response_action == "update"
    h.top_view(h.ann).private_metadata = '["a", "list"]'
    await click(h, "cg_prepare_finish")
    assert h.top_view(h.ann).callback_id == "cg_prepare_done"


async def test_the_two_prepare_at_once_without_crossing(h: Harness) -> None:
    await open_prepare(h, h.ann)
    await open_prepare(h, h.bob)
    await submit(h, "prepare_statement", BLAMING, h.ann)
    await submit(h, "prepare_statement", CLEAN, h.bob)
    assert h.top_view(h.ann).callback_id == "cg_prepare_words"
    assert h.top_view(h.bob).callback_id == "cg_prepare_imagine"
    assert "You always change" in str(h.views_shown_to(h.ann))
    assert "You always change" not in str(h.views_shown_to(h.bob))


# --- privacy ---------------------------------------------------------------------------------------

SECRET_WHAT = "zq-prepare-happened-41c7"
SECRET_WORDS = "zq-prepare-words-8e02"
SECRET_THEIRS = "zq-prepare-imagined-d5b3"
SECRET_PRACTICE = "zq-prepare-practice-90fa"


async def _all_redis_bytes(client: aioredis.Redis, prefix: str) -> list[bytes]:
    """Every key and value under the test's namespace, whatever the type."""
    found: list[bytes] = []
    async for key in client.scan_iter(match=f"{prefix}:*"):
        found.append(key)
        kind = await client.type(key)
        if kind == b"string":
            found.append(await client.get(key) or b"")
        elif kind == b"hash":
            for field, value in (await client.hgetall(key)).items():
                found += [field, value]
        elif kind == b"list":
            found += await client.lrange(key, 0, -1)
        elif kind == b"set":
            found += list(await client.smembers(key))
        elif kind == b"zset":
            found += await client.zrange(key, 0, -1)
    return found


async def test_what_is_practised_never_leaves_the_modal(
    h: Harness, caplog: pytest.LogCaptureFixture, redis_client: aioredis.Redis, key_prefix: str
) -> None:
    caplog.set_level(logging.DEBUG)  # the strictest case: everything logged, at every level
    await open_prepare(h)
    await submit(h, "prepare_statement", f"You always ignore me about {SECRET_WHAT} and I was hurt.")
    await submit(
        h, "prepare_words", f"When {SECRET_WORDS} happened, I felt hurt. Would you be willing to talk?"
    )
    await submit(h, "prepare_imagined", f"I was busy with {SECRET_THEIRS} and felt stretched thin.")
    await submit(h, "prepare_practice_0", f"You felt stretched by {SECRET_PRACTICE}.")
    await submit(h, "prepare_practice_1", f"You were busy with {SECRET_PRACTICE} and felt stretched thin.")
    await click(h, "cg_prepare_finish")
    # Bob does something ordinary meanwhile: he must see none of it.
    await open_prepare(h, h.bob)
    await h.command(h.bob, "status")

    secrets = (SECRET_WHAT, SECRET_WORDS, SECRET_THEIRS, SECRET_PRACTICE)
    # The check can fail: Ann saw her own words, in her own modal.
    assert SECRET_WORDS in blocks_text(h.top_view(h.ann))
    # Never in any message, of any kind.
    chat_calls = [c for c in h.standin.calls if c.method.startswith("chat.") or c.method == "command_ack"]
    for call in chat_calls:
        assert not any(s in str(call.args) for s in secrets), call.method
    for user in (h.ann, h.bob, h.cat):
        for message in h.dm(user):
            assert not any(s in str(message.blocks) + message.text for s in secrets)
        assert not any(s in text for text in h.ephemeral_texts(user) for s in secrets)
    # Never in anybody else's views.
    others = h.views_shown_to(h.bob) + h.views_shown_to(h.cat)
    assert others  # Bob's own prepare modal and App Home, at least
    for view in others:
        assert not any(s in view for s in secrets)
    # Never stored: no key or value under this test's namespace holds any of it.
    stored = await _all_redis_bytes(redis_client, key_prefix)
    assert stored  # the app did use Redis (delivery ids)
    for item in stored:
        assert not any(s.encode() in item for s in secrets)
    # Never in a log line, whoever logged it.
    assert caplog.records, "nothing was logged at all"
    for record in caplog.records:
        flat = record.getMessage() + str(record.__dict__)
        assert not any(s in flat for s in secrets), record.name
