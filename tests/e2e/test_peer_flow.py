"""A whole peer mediation, from /mediate to the agreement, over signed HTTP against the stand-in."""

from __future__ import annotations

from flows.models import LoopStatus, Outcome, Stage
from tests.e2e import play
from tests.support.harness import Harness


async def test_whole_mediation_to_agreement(h: Harness) -> None:
    # 1. Ann starts; a modal opens prefilled with Bob and the topic.
    await h.command(h.ann, f"<@{h.bob}|bob> the release deadlines")
    modal = h.top_view(h.ann)
    assert modal.callback_id == "cg_start"
    assert modal.state["colleague"]["value"]["selected_user"] == h.bob if modal.state else True
    await h.submit(h.ann, {"hopes": {"value": "I hope we can plan together."}})
    assert h.standin.open_views(h.ann) == []
    m = await h.mediation()
    assert m.stage is Stage.INVITATION and m.topic == "the release deadlines"
    assert "on its way" in h.last_dm(h.ann).text
    assert h.standin.home(h.ann) is not None and "the release deadlines" in str(h.standin.home(h.ann).blocks)

    # 2. Bob's invitation explains the process, voluntariness and confidentiality.
    invitation = h.dm_with_action(h.bob, "cg_invite_accept")
    text = str(invitation.blocks)
    assert "voluntary" in text and "confidential" in text and "the release deadlines" in text
    assert "cg_invite_postpone" in text and "cg_invite_decline" in text
    await h.click_dm(h.bob, "cg_invite_accept")
    assert "accepted" in h.standin.message(invitation.channel, invitation.ts).text
    assert "cg_invite_accept" not in str(h.standin.message(invitation.channel, invitation.ts).blocks)

    # 3. Ground rules.
    assert (await h.mediation()).stage is Stage.GROUND_RULES
    await h.click_dm(h.ann, "cg_rules_agree")
    assert (await h.mediation()).stage is Stage.GROUND_RULES
    await h.click_dm(h.bob, "cg_rules_agree")
    assert (await h.mediation()).stage is Stage.INTAKE

    # 4. Private intake and per-answer sharing.
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    assert h.top_view(h.ann).title["text"] == "Saved"
    await play.intake(
        h,
        h.bob,
        play.BOB_ANSWERS,
        shares={"happened": "all", "feelings": "summary", "needs": "all", "requests": "none"},
        summaries={"feelings": "I felt under pressure."},
    )
    m = await h.mediation()
    assert m.stage is Stage.REFLECTION
    assert m.respondent.shared_answers()["feelings"] == "I felt under pressure."
    assert "requests" not in m.respondent.shared_answers()

    # 5. Reflection, Bob listening to Ann first: partly, then confirmed.
    await h.click_dm(h.bob, "cg_reflect_open")
    reflect_modal = str(h.top_view(h.bob).blocks)
    assert "status call" in reflect_modal  # Ann shared "what happened"
    await h.submit(h.bob, {"reflection": {"value": "The date moved and you heard it on the call."}})
    await play.answer(h, h.ann, confirmed=False, missing="How anxious I was about testing.")
    assert "try again" in h.last_dm(h.bob).text
    await h.click_dm(h.bob, "cg_reflect_open")
    assert "How anxious I was about testing." in str(h.top_view(h.bob).blocks)
    await h.submit(
        h.bob, {"reflection": {"value": "You were anxious about testing time and want a say in dates."}}
    )
    await play.answer(h, h.ann, confirmed=True)
    m = await h.mediation()
    assert m.loop_for_speaker(m.initiator.role).status is LoopStatus.CONFIRMED
    assert m.stage is Stage.REFLECTION  # the other direction still runs

    await play.reflect(h, h.ann, "You were under pressure from the client, and you need support.")
    await play.answer(h, h.bob, confirmed=True)
    m = await h.mediation()
    assert m.stage is Stage.ALLIANCE

    # 6. Alliance check-in.
    await play.check_in(h, h.ann, [10, 9, 10, 9])
    assert (await h.mediation()).stage is Stage.ALLIANCE
    await play.check_in(h, h.bob, [9, 9, 10, 10])
    m = await h.mediation()
    assert m.stage is Stage.JOINT and m.joint is not None

    # 7. The joint space: a group DM with both and the bot, with the summary and agenda.
    channel = m.joint.channel_id
    conversation = h.standin.conversation(channel)
    assert set(conversation.members) >= {h.ann, h.bob}
    summary = h.standin.messages(channel)[0]
    summary_text = str(summary.blocks)
    assert "clarity" in summary_text  # a need both named
    assert "Agenda" in summary_text and "cg_item_propose" in summary_text

    # 8. Agreement items: proposed by one, accepted by the other.
    await h.click_message(h.ann, summary, "cg_item_propose")
    await h.submit(
        h.ann,
        {
            "who": {"value": "Bob"},
            "what": {"value": "Tell Ann about date changes first"},
            "by_when": {"value": "2026-12-15"},
        },
    )
    item_message = h.standin.messages(channel)[-1]
    assert "Tell Ann about date changes first" in str(item_message.blocks)
    await h.click_message(h.bob, item_message, "cg_item_accept")
    assert "Agreed by both" in str(h.standin.message(channel, item_message.ts).blocks)
    await play.finish(h, m.id, h.bob, h.ann, "agreed")

    m = await h.mediation()
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.AGREED
    assert "reached an agreement" in h.last_dm(h.ann).text
    assert "Tell Ann about date changes first" in str(h.last_dm(h.bob).blocks)
    h.standin.assert_no_rejections()
