"""Used buttons turn into what happened: once a step is done, the DM that offered it keeps its words,
loses its buttons and says what happened and when; a click on an old button gets one sentence."""

from __future__ import annotations

from datetime import timedelta

from bot import texts as t
from bot.sandbox.models import Message
from flows.models import Stage
from tests.e2e import play
from tests.support.harness import Harness


def buttons(message: Message) -> list[str]:
    """The action ids of a message's buttons."""
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def shown(h: Harness, old: Message) -> Message:
    """The message as it is now in Slack."""
    return h.standin.message(old.channel, old.ts)


def assert_done(h: Harness, old: Message, what: str, when: str) -> None:
    """`old` is now its own words without buttons, and a line saying what happened and when."""
    now = shown(h, old)
    assert buttons(now) == [], now.blocks
    words = [b.get("text") for b in old.blocks if b["type"] != "actions"]
    assert [b.get("text") for b in now.blocks[:-1]] == words  # the words stay
    line = str(now.blocks[-1])
    assert now.blocks[-1]["type"] == "context" and what in line and f"|{when}>" in line, line


def later(h: Harness, hours: int = 1) -> str:
    """Move the clock on; returns how the new time reads in a date's UTC fallback."""
    h.clock.now += timedelta(hours=hours)
    return f"{h.clock.now.day} {h.clock.now:%b %Y %H:%M} UTC"


def offered(h: Harness, user: str, action_id: str) -> Message:
    """The newest DM offering `action_id`, as it reads now."""
    return h.as_seen(h.dm_with_action(user, action_id))


async def test_every_step_message_turns_into_what_happened(h: Harness) -> None:
    await play.start(h)
    invitation = offered(h, h.bob, "cg_invite_accept")
    when = later(h)
    await h.click_dm(h.bob, "cg_invite_accept")
    assert_done(h, invitation, "You accepted (", when)

    ann_rules, bob_rules = offered(h, h.ann, "cg_rules_agree"), offered(h, h.bob, "cg_rules_agree")
    when = later(h)
    await h.click_dm(h.ann, "cg_rules_agree")
    assert_done(h, ann_rules, "You agreed to the working agreement (", when)
    assert buttons(shown(h, bob_rules)) == ["cg_rules_agree"]  # Bob's step is still his to take
    when = later(h)
    await h.click_dm(h.bob, "cg_rules_agree")
    assert_done(h, bob_rules, "You agreed to the working agreement (", when)

    ann_intake, bob_intake = offered(h, h.ann, "cg_intake_open"), offered(h, h.bob, "cg_intake_open")
    ann_shared = later(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    assert_done(h, ann_intake, "You shared your answers (", ann_shared)
    ann_sharing = offered(h, h.ann, "cg_sharing_open")  # what Bob may read stays changeable…
    when = later(h)
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    assert_done(h, bob_intake, "You shared your answers (", when)
    assert_done(h, ann_sharing, "You shared your answers (", ann_shared)  # …until both finished

    bob_reflect = offered(h, h.bob, "cg_reflect_open")
    when = later(h)
    await play.reflect(h, h.bob, "The date moved and you heard it on the call.")
    assert_done(h, bob_reflect, "You sent your reflection (", when)
    ann_answer = offered(h, h.ann, "cg_answer_open")
    when = later(h)
    await play.answer(h, h.ann, confirmed=False, missing="How anxious I was about testing.")
    assert_done(h, ann_answer, "You added what was missing (", when)
    bob_again = offered(h, h.bob, "cg_reflect_open")
    assert bob_again.ts != bob_reflect.ts
    when = later(h)
    await play.reflect(h, h.bob, "You were anxious about testing time and want a say in dates.")
    assert_done(h, bob_again, "You sent your reflection (", when)
    ann_answer = offered(h, h.ann, "cg_answer_open")
    when = later(h)
    await play.answer(h, h.ann, confirmed=True)
    assert_done(h, ann_answer, "You confirmed that you felt understood (", when)

    ann_reflect = offered(h, h.ann, "cg_reflect_open")
    when = later(h)
    await play.reflect(h, h.ann, "You were under pressure from the client, and you need support.")
    assert_done(h, ann_reflect, "You sent your reflection (", when)
    bob_answer = offered(h, h.bob, "cg_answer_open")
    await play.answer(h, h.bob, confirmed=True)
    assert_done(h, bob_answer, "You confirmed that you felt understood (", when)

    ann_check_in, bob_check_in = offered(h, h.ann, "cg_check_in_open"), offered(h, h.bob, "cg_check_in_open")
    when = later(h)
    await play.check_in(h, h.ann, [10, 9, 10, 9])
    assert_done(h, ann_check_in, "You checked in (", when)
    assert buttons(shown(h, bob_check_in)) == ["cg_check_in_open"]
    when = later(h)
    await play.check_in(h, h.bob, [9, 9, 10, 10])
    assert_done(h, bob_check_in, "You checked in (", when)
    assert (await h.mediation()).stage is Stage.JOINT

    # No DM offers a button that leads nowhere, and nothing is left to update.
    assert [buttons(m) for m in h.dm(h.ann) + h.dm(h.bob) if buttons(m)] == []
    assert await h.store.offers(h.team, (await h.mediation()).id) == []
    h.standin.assert_no_rejections()


async def reply_to_old_click(h: Harness, user: str, old: Message, action_id: str) -> str:
    """What the person is told after clicking `action_id` on `old`: an ephemeral note where they
    clicked, or a small modal for buttons that open one."""
    before = len(h.standin.ephemerals(user))
    await h.click_old(user, old, action_id)
    notes = h.standin.ephemerals(user)[before:]
    if notes:
        assert len(notes) == 1, [n.text for n in notes]
        return notes[0].text
    view = h.top_view(user)
    assert view.callback_id == "cg_info", view.callback_id
    await h.slack.close(user, view.id)
    return str(view.blocks)


async def test_a_late_click_on_the_invitation_after_accepting_gets_one_sentence(h: Harness) -> None:
    await play.start(h)
    invitation = offered(h, h.bob, "cg_invite_accept")
    await h.click_dm(h.bob, "cg_invite_accept")
    for action_id in ("cg_invite_accept", "cg_invite_postpone", "cg_invite_decline"):
        assert await reply_to_old_click(h, h.bob, invitation, action_id) == t.STEP_TAKEN_CARE_OF
    m = await h.mediation()
    assert m.stage is Stage.GROUND_RULES and m.is_open and not m.postponed
    assert "You accepted (" in str(shown(h, invitation).blocks)


async def test_after_cancelling_every_old_button_gets_the_same_sentence(h: Harness) -> None:
    """Every button either of them was ever offered, clicked after Ann cancelled."""
    seen: dict[str, tuple[str, Message]] = {}

    def remember() -> None:
        for user in (h.ann, h.bob):
            for message in h.dm(user):
                if buttons(message) and message.ts not in seen:
                    seen[message.ts] = (user, h.as_seen(message))

    await play.start(h)
    remember()
    await h.click_dm(h.bob, "cg_invite_accept")
    remember()
    await h.click_dm(h.ann, "cg_rules_agree")
    await h.click_dm(h.bob, "cg_rules_agree")
    remember()
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    remember()
    assert len(seen) == 6  # the invitation, two working agreements, two intakes, "what I share"
    open_before = [old for _, old in seen.values() if buttons(shown(h, old))]
    when = later(h)
    await h.command(h.ann, "cancel")
    assert (await h.mediation()).outcome is not None

    for old in open_before:  # Bob's intake, Ann's "what I share"
        assert_done(h, old, "This step is closed: the mediation ended (", when)
    for user, old in seen.values():
        for action_id in buttons(old):
            reply = await reply_to_old_click(h, user, old, action_id)
            assert t.STEP_TAKEN_CARE_OF in reply, (action_id, reply)
    h.standin.assert_no_rejections()
