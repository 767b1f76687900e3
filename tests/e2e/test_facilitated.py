"""Facilitated mediations over signed HTTP: Maya hosts Ann and Bob, uses every control, and never sees
what either of them writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts as t
from flows.config import AuditEntry, FacilitatorPolicy
from flows.errors import FieldProblem, RefusalCode
from flows.models import JointKind, LoopStatus, Outcome, Stage
from tests.e2e import play
from tests.support.forge import as_user, send_signed_payload
from tests.support.harness import SIGNING_SECRET, Harness

ANN_SHARED = "zq-ann-shared-answer-6d21"
ANN_PRIVATE = "zq-ann-private-answer-90fe"
BOB_REFLECTION = "zq-bob-reflection-3c7a"


@pytest.fixture
async def maya(h: Harness) -> str:
    return h.standin.add_user("maya", real_name="Maya Chen")


async def host(h: Harness, maya: str, topic: str = "the rota") -> str:
    await h.command(maya, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> {topic}")
    view = h.top_view(maya)
    assert view.callback_id == "cg_facilitate"
    result = await h.submit(maya, {})
    assert result.response_action in ("close", "clear"), result
    hosted = await h.store.for_facilitator(h.team, maya)
    assert len(hosted) == 1
    return hosted[0].id


def hosted_home(h: Harness, maya: str) -> str:
    home = h.standin.home(maya)
    assert home is not None
    return str(home.blocks)


async def click_hosted(h: Harness, maya: str, action_id: str, **kwargs: object) -> None:
    await h.click_home(maya, action_id, **kwargs)


async def test_maya_hosts_a_whole_mediation(h: Harness, maya: str) -> None:
    mid = await host(h, maya)
    # Both are invited, with the facilitator named; Maya is told and sees it in App Home.
    for person in (h.ann, h.bob):
        invitation = h.dm_with_action(person, "cg_invite_accept")
        assert "facilitated conversation" in invitation.text and maya in str(invitation.blocks)
    assert "You are hosting" in h.last_dm(maya).text
    assert "Waiting on" in hosted_home(h, maya)

    await h.click_dm(h.bob, "cg_invite_accept")
    assert (await h.mediation(mid)).stage is Stage.INVITATION  # both must accept
    await h.click_dm(h.ann, "cg_invite_accept")
    assert (await h.mediation(mid)).stage is Stage.GROUND_RULES

    # A kind reminder to whoever something waits on.
    await click_hosted(h, maya, "cg_fac_nudge")
    assert "kind reminder" in h.last_dm(h.ann).text and "cg_rules_agree" in str(h.last_dm(h.ann).blocks)
    told = str(h.top_view(maya).blocks)  # Remind confirms to the host who was reminded
    assert "kind reminder" in told and h.ann in told and h.bob in told
    reminder = h.last_dm(h.ann)

    # Pause and resume: both parties are told.
    await click_hosted(h, maya, "cg_fac_pause")
    assert (await h.mediation(mid)).paused
    assert "paused" in h.last_dm(h.bob).text
    paused = h.last_dm(h.bob)
    assert "cg_resume" in str(paused.blocks)
    await click_hosted(h, maya, "cg_fac_resume")
    assert not (await h.mediation(mid)).paused
    assert "cg_resume" not in str(paused.blocks) and "The mediation was resumed (" in str(paused.blocks)

    await h.click_dm(h.ann, "cg_rules_agree")
    # The reminder keeps its words and says what became of the step it offered.
    assert "kind reminder" in str(reminder.blocks) and "cg_rules_agree" not in str(reminder.blocks)
    assert "You agreed to the working agreement (" in str(reminder.blocks)
    await h.click_dm(h.bob, "cg_rules_agree")
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)

    # A stuck loop: Maya moves on, with a reason both read.
    await play.reflect(
        h, h.bob, "You heard about the date on the call and felt anxious; being consulted matters."
    )
    answer_offer = h.dm_with_action(h.ann, "cg_answer_open")
    await click_hosted(h, maya, "cg_fac_move_on")
    await h.submit(maya, {"reason": {"value": "Let's keep the momentum; we'll return to it together."}})
    assert "cg_answer_open" not in str(answer_offer.blocks)
    assert "This step is closed: the mediation moved on (" in str(answer_offer.blocks)
    m = await h.mediation(mid)
    assert all(loop.status is LoopStatus.NOT_YET for loop in m.loops)
    for person in (h.ann, h.bob):
        assert any("keep the momentum" in msg.text for msg in h.dm(person))
    assert m.stage is Stage.ALLIANCE

    # The joint space in a thread of a private channel all three share.
    room = h.standin.add_channel("team-leads", members=[h.ann, h.bob, maya], is_private=True)
    await click_hosted(h, maya, "cg_fac_joint")
    await h.submit(maya, {"kind": {"value": "thread"}, "channel": {"value": room}})
    assert (await h.mediation(mid)).joint_choice is not None
    assert any("hosts, sees the numbers" in msg.text for msg in h.dm(h.ann))  # said honestly up front
    await play.check_in(h, h.ann, [10, 9, 10, 9])
    await play.check_in(h, h.bob, [9, 9, 10, 10])
    m = await h.mediation(mid)
    assert m.joint is not None and m.joint.kind is JointKind.THREAD and m.joint.thread_ts
    root = h.standin.message(room, m.joint.thread_ts)
    assert "continues in this thread" in root.text
    summary = [msg for msg in h.standin.messages(room) if msg.thread_ts == m.joint.thread_ts]
    assert summary and "Welcome to your conversation" in str(summary[0].blocks)
    home = hosted_home(h, maya)
    assert "Check-in" in home and "(total 38)" in home  # the numbers, never the words

    # An item both accept; then Maya records what happened ("they reached…", never "you").
    thread = play.joint_messages(h, m)
    await h.click_message(h.ann, play.last_with(thread, "cg_item_propose"), "cg_item_propose")
    await h.submit(h.ann, {"who": {"value": "Bob"}, "what": {"value": "Post the rota a week ahead"}})
    await h.click_message(
        h.bob, play.last_with(play.joint_messages(h, m), "cg_item_accept"), "cg_item_accept"
    )
    await click_hosted(h, maya, "cg_fac_end")
    end = str(h.top_view(maya).blocks)
    assert "They reached an agreement" in end and "You reached" not in end
    await h.submit(maya, {"outcome": {"value": "agreed"}})
    m = await h.mediation(mid)
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.AGREED
    assert "reached an agreement" in h.last_dm(h.ann).text
    assert "Post the rota a week ahead" in str(h.last_dm(h.bob).blocks)


async def test_facilitator_cannot_be_a_party(h: Harness, maya: str) -> None:
    await h.command(maya, f"facilitate <@{maya}|maya> <@{h.bob}|bob> the rota")
    result = await h.submit(maya, {})
    assert result.response_action == "errors" and result.errors == {"first": t.FACILITATE_YOURSELF}
    assert await h.store.for_facilitator(h.team, maya) == []


async def test_same_person_twice_and_an_app_are_refused(h: Harness, maya: str) -> None:
    await h.command(maya, f"facilitate <@{h.bob}|bob> <@{h.bob}|bob> the rota")
    result = await h.submit(maya, {})
    assert result.errors == {"second": t.FACILITATE_SAME}
    result = await h.submit(maya, {"second": {"value": h.robot}})
    assert "is an app" in result.errors["second"]


async def save_policy(h: Harness, **changes: object) -> None:
    config = await h.configs.get(h.team)
    entry = AuditEntry(actor="UADMIN", at=datetime(2026, 12, 1, tzinfo=UTC), action="test")
    await h.configs.save(h.team, config.model_copy(update=changes), entry)


async def test_only_listed_facilitators_may_host(h: Harness, maya: str) -> None:
    await save_policy(h, facilitator_policy=FacilitatorPolicy.LISTED, facilitators=[h.cat])
    await h.command(maya, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> the rota")
    view = h.top_view(maya)
    assert view.callback_id == "cg_info" and t.FACILITATE_NOT_ALLOWED in str(view.blocks)
    await h.command(h.cat, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> the rota")
    assert h.top_view(h.cat).callback_id == "cg_facilitate"


async def test_a_user_group_may_host(h: Harness, maya: str) -> None:
    group = h.standin.add_usergroup("facilitators", [maya])
    await save_policy(h, facilitator_policy=FacilitatorPolicy.USERGROUP, facilitator_group=group)
    await h.command(maya, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> the rota")
    assert h.top_view(maya).callback_id == "cg_facilitate"
    await h.command(h.cat, f"facilitate <@{h.ann}|ann> <@{h.bob}|bob> the rota")
    assert h.top_view(h.cat).callback_id == "cg_info"


async def test_message_shortcut_suggests_the_author_and_copies_nothing(h: Harness, maya: str) -> None:
    room = h.standin.add_channel("ops", members=[h.ann, maya], is_private=True)
    message = h.standin.post_user_message(h.ann, room, "zq-message-text-11aa should stay where it is")
    await h.slack.message_shortcut(maya, "cg_host", (room, message.ts))
    await h.settle()
    view = h.top_view(maya)
    assert view.callback_id == "cg_facilitate"
    first = next(b for b in view.blocks if b.get("block_id") == "first")
    assert first["element"]["initial_user"] == h.ann
    assert "zq-message-text-11aa" not in str(view.blocks) + view.private_metadata


async def test_a_facilitator_cannot_control_a_mediation_they_do_not_host(h: Harness, maya: str) -> None:
    h.allow_rejections = {"chat.postEphemeral"}
    mid = await host(h, maya)
    home = h.standin.home(maya)
    assert home is not None
    legit = await h.slack.click(maya, action_id="cg_fac_nudge", view_id=home.id)
    await h.settle()
    before = len(h.dm(h.ann))
    forged = as_user(legit.payload, h.cat, h.standin.issue_trigger(h.cat))
    forged["actions"][0]["action_id"] = "cg_fac_end"
    await send_signed_payload(f"{h.app_url}/slack/events", SIGNING_SECRET, forged)
    await h.settle()
    assert t.REFUSALS[RefusalCode.NOT_THE_FACILITATOR] in str(h.top_view(h.cat).blocks)
    forged = as_user(legit.payload, h.cat, h.standin.issue_trigger(h.cat))
    await send_signed_payload(f"{h.app_url}/slack/events", SIGNING_SECRET, forged)
    await h.settle()
    assert len(h.dm(h.ann)) == before  # no reminder sent for Cat
    assert (await h.mediation(mid)).is_open


async def test_a_public_channel_or_a_missing_member_is_refused_for_the_thread(h: Harness, maya: str) -> None:
    mid = await host(h, maya)
    public = h.standin.add_channel("general", members=[h.ann, h.bob, maya], is_private=False)
    partial = h.standin.add_channel("leads", members=[h.ann, maya], is_private=True)
    await click_hosted(h, maya, "cg_fac_joint")
    view = h.top_view(maya)
    assert "channel" not in {b.get("block_id") for b in view.blocks}  # no private channel shared by all
    # A forged submission naming channels the modal did not offer.
    for channel, expected in ((public, t.JOINT_CHOICE_PUBLIC), (partial, t.JOINT_CHOICE_MEMBERS)):
        view.blocks.append(
            {
                "type": "input",
                "block_id": "channel",
                "optional": True,
                "label": {"type": "plain_text", "text": "x"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        )
        result = await h.submit(maya, {"kind": {"value": "thread"}, "channel": {"value": channel}})
        assert result.response_action == "errors" and result.errors["channel"] == expected
        view.blocks.pop()
    assert (await h.mediation(mid)).joint_choice is None


async def test_the_facilitator_never_sees_private_text(h: Harness, maya: str) -> None:
    mid = await host(h, maya)
    await h.click_dm(h.ann, "cg_invite_accept")
    await h.click_dm(h.bob, "cg_invite_accept")
    await h.click_dm(h.ann, "cg_rules_agree")
    await h.click_dm(h.bob, "cg_rules_agree")
    answers = dict(play.ANN_ANSWERS, happened=f"{ANN_SHARED} on Monday.", requests=f"{ANN_PRIVATE}, please.")
    await play.intake(h, h.ann, answers, shares={**play.ALL, "requests": "none"})
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(h, h.bob, f"You were anxious and {BOB_REFLECTION}; being consulted matters to you.")
    await play.answer(h, h.ann, confirmed=True)
    await play.reflect(h, h.ann, "You felt pressured and alone; support matters to you.")
    await play.answer(h, h.bob, confirmed=True)
    # Every control Maya has, every surface she sees.
    await click_hosted(h, maya, "cg_fac_nudge")
    await click_hosted(h, maya, "cg_fac_joint")
    await h.submit(maya, {"kind": {"value": "group_dm"}})
    await play.check_in(h, h.ann, [3, 4, 5, 6])
    await h.click_dm(h.ann, "cg_repair_continue")
    await play.check_in(h, h.bob, [10, 10, 10, 10])
    m = await h.mediation(mid)
    assert m.joint is not None and maya in h.standin.conversation(m.joint.channel_id).members
    await click_hosted(h, maya, "cg_fac_end")
    await h.submit(maya, {"outcome": {"value": "no_agreement"}})

    planted = (ANN_SHARED, ANN_PRIVATE, BOB_REFLECTION)
    seen_by_maya = h.shown_to(maya)
    assert len(seen_by_maya) > 10
    for text in seen_by_maya:
        assert not any(p in text for p in planted)
    # The check can fail: Bob was shown what Ann shared, and Ann Bob's reflection.
    assert any(ANN_SHARED in text for text in h.shown_to(h.bob))
    assert any(BOB_REFLECTION in text for text in h.shown_to(h.ann))


async def test_maya_ends_before_the_joint_stage_with_a_reason_both_read(h: Harness, maya: str) -> None:
    reason = "You both asked for some time apart first; we can try again in the spring."
    mid = await host(h, maya)
    await h.click_dm(h.ann, "cg_invite_accept")
    await h.click_dm(h.bob, "cg_invite_accept")
    home = h.standin.home(maya)
    assert home is not None
    dialog = play.confirm_of(home.blocks, "cg_fac_end")
    assert dialog["style"] == "danger" and "Both people are told" in dialog["text"]["text"]

    # Before the joint conversation: only "ended without agreement", and a reason is required.
    await click_hosted(h, maya, "cg_fac_end")
    view = h.top_view(maya)
    choice = play.element(view.blocks, "value")
    assert [o["value"] for o in choice["options"]] == ["no_agreement"]
    assert choice["options"][0]["text"]["text"] == t.END_EARLY_OUTCOME
    reason_block = next(b for b in view.blocks if b.get("block_id") == "reason")
    assert not reason_block.get("optional")
    assert "They haven't reached the joint conversation" in str(view.blocks) and "You reached" not in str(
        view.blocks
    )
    # A stale or edited modal claiming "agreed" is refused by the engine, under the outcome.
    choice["options"].append({"text": {"type": "plain_text", "text": "They agreed"}, "value": "agreed"})
    result = await h.submit(maya, {"outcome": {"value": "agreed"}, "reason": {"value": reason}})
    assert result.errors == {"outcome": t.REFUSALS[RefusalCode.OUTCOME_NEEDS_ALL_ACCEPTED]}
    choice["options"].pop()
    # Blank words are no reason.
    result = await h.submit(maya, {"outcome": {"value": "no_agreement"}, "reason": {"value": "   "}})
    assert result.errors == {"reason": t.FIELD_PROBLEMS[FieldProblem.EMPTY]}
    assert (await h.mediation(mid)).is_open

    result = await h.submit(maya, {"outcome": {"value": "no_agreement"}, "reason": {"value": reason}})
    assert result.response_action == "close"
    m = await h.mediation(mid)
    assert (m.stage, m.outcome, m.end_reason) == (Stage.CLOSED, Outcome.NO_AGREEMENT, reason)
    for person in (h.ann, h.bob):
        closed = h.last_dm(person)
        assert f"<@{maya}> has ended the mediation" in closed.text
        assert reason in str(closed.blocks)
    h.standin.assert_no_rejections()


async def test_stopping_after_a_low_check_in_asks_first(h: Harness, maya: str) -> None:
    await host(h, maya)
    for person in (h.ann, h.bob):
        await h.click_dm(person, "cg_invite_accept")
    for person in (h.ann, h.bob):
        await h.click_dm(person, "cg_rules_agree")
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    await play.reflect(
        h, h.bob, "You heard about the date on the call and felt anxious; being consulted matters."
    )
    await play.answer(h, h.ann, confirmed=True)
    await play.reflect(h, h.ann, "You felt pressured and alone; support matters to you.")
    await play.answer(h, h.bob, confirmed=True)
    await play.check_in(h, h.ann, [3, 4, 5, 6])
    repair = h.dm_with_action(h.ann, "cg_repair_stop")
    dialog = play.confirm_of(repair.blocks, "cg_repair_stop")
    assert dialog["style"] == "danger" and "can't be undone" in dialog["text"]["text"]
    h.standin.assert_no_rejections()
