"""Moments that keep trust: nothing typed is cut silently, and both people hear when it resumes."""

from __future__ import annotations

from flows.engine import TOPIC_MAX
from tests.e2e import play
from tests.support.harness import Harness

WORDS = "the way release dates are moved without a word to the people who test them " * 4


async def test_a_long_topic_is_shortened_at_a_word_and_the_rest_kept_in_the_private_note(h: Harness) -> None:
    await h.command(h.ann, f"<@{h.bob}|bob> {WORDS}")
    view = h.top_view(h.ann)
    blocks = {b.get("block_id"): b for b in view.blocks}
    topic = blocks["topic"]["element"]["initial_value"]
    rest = blocks["hopes"]["element"]["initial_value"]
    assert len(topic) <= TOPIC_MAX and WORDS.strip().startswith(topic) and not topic.endswith(" ")
    assert f"{topic} {rest}" == WORDS.strip()  # nothing lost, cut between words
    assert "shortened" in str(view.blocks)
    await h.submit(h.ann, {})
    m = await h.mediation()
    assert m.topic == topic and m.hopes == rest


async def test_a_short_topic_is_not_touched(h: Harness) -> None:
    await h.command(h.ann, f"<@{h.bob}|bob> the rota")
    view = h.top_view(h.ann)
    assert "shortened" not in str(view.blocks)
    hopes = next(b for b in view.blocks if b.get("block_id") == "hopes")
    assert not hopes["element"].get("initial_value")


async def test_pause_and_resume_tell_both_people_each_as_themselves(h: Harness) -> None:
    await play.to_joint(h)
    joint = (await h.mediation()).joint
    assert joint is not None
    summary = next(m for m in h.standin.messages(joint.channel_id) if "cg_joint_pause" in str(m.blocks))
    await h.click_message(h.ann, summary, "cg_joint_pause")
    assert (await h.mediation()).paused
    assert h.last_dm(h.ann).text.startswith("You paused") and "cg_resume" in str(h.last_dm(h.ann).blocks)
    assert h.last_dm(h.bob).text.startswith(f"<@{h.ann}> paused")
    await h.click_dm(h.bob, "cg_resume")
    assert not (await h.mediation()).paused
    assert h.last_dm(h.bob).text.startswith("You resumed")
    assert h.last_dm(h.ann).text.startswith(f"<@{h.bob}> resumed")
