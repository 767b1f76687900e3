"""Faults: someone else's button, stale steps, double clicks, Slack retries, simultaneous actions,
Redis going away, and Slack saying a person is gone."""

from __future__ import annotations

import asyncio

from bot import texts as t
from flows.errors import RefusalCode
from flows.models import Outcome, Stage
from tests.e2e import play
from tests.support.forge import as_user, send_signed_payload
from tests.support.harness import SIGNING_SECRET, Harness


def invitation_accepted_dms(h: Harness) -> int:
    return sum("accepted your invitation" in m.text for m in h.dm(h.ann))


async def test_someone_elses_button_is_refused(h: Harness) -> None:
    h.allow_rejections = {"chat.postEphemeral"}  # Cat is not in Bob's DM: Slack refuses, we use a modal
    await play.start(h)
    invitation = h.dm_with_action(h.bob, "cg_invite_accept")
    # Cat cannot see Bob's DM, so she replays Bob's click as herself.
    legit = await h.slack.click(
        h.bob, action_id="cg_invite_postpone", message=(invitation.channel, invitation.ts)
    )
    await h.settle()
    before = await h.mediation()
    forged = as_user(legit.payload, h.cat, h.standin.issue_trigger(h.cat))
    forged["actions"][0]["action_id"] = "cg_invite_decline"
    assert await send_signed_payload(f"{h.app_url}/slack/events", SIGNING_SECRET, forged) == 200
    await h.settle()
    after = await h.mediation()
    assert after.stage is Stage.INVITATION and after.version == before.version
    # Cat is not in Bob's DM, so she is told in a small modal of her own.
    assert t.REFUSALS[RefusalCode.NOT_A_PARTY] in str(h.top_view(h.cat).blocks)


async def test_the_initiator_cannot_accept_for_the_respondent(h: Harness) -> None:
    await play.start(h)
    invitation = h.dm_with_action(h.bob, "cg_invite_accept")
    legit = await h.slack.click(
        h.bob, action_id="cg_invite_postpone", message=(invitation.channel, invitation.ts)
    )
    await h.settle()
    forged = as_user(legit.payload, h.ann, h.standin.issue_trigger(h.ann))
    forged["actions"][0]["action_id"] = "cg_invite_accept"
    forged["channel"]["id"] = h.standin.im_with(h.ann)
    await send_signed_payload(f"{h.app_url}/slack/events", SIGNING_SECRET, forged)
    await h.settle()
    assert (await h.mediation()).stage is Stage.INVITATION
    assert t.REFUSALS[RefusalCode.NOT_YOUR_STEP] in h.ephemeral_texts(h.ann)


async def test_forged_modal_submission_for_someone_elses_mediation(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await h.click_dm(h.ann, "cg_intake_open")
    view = h.top_view(h.ann)
    result = await h.slack.submit(h.ann, view.id, play.intake_values(play.ANN_ANSWERS))
    await h.settle()
    forged = as_user(result.payload, h.cat, h.standin.issue_trigger(h.cat))
    await send_signed_payload(f"{h.app_url}/slack/events", SIGNING_SECRET, forged)
    await h.settle()
    m = await h.mediation()
    assert h.cat not in m.user_ids and m.initiator.answers["happened"].text == play.ANN_ANSWERS["happened"]


async def test_stale_modal_button_opens_a_kind_notice(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    await play.intake(h, h.ann, play.ANN_ANSWERS)
    await play.intake(h, h.bob, play.BOB_ANSWERS)
    reflect_offer = h.as_seen(h.dm_with_action(h.bob, "cg_reflect_open"))
    await play.reflect(h, h.bob, "You heard it on the call and felt anxious.")
    # Bob clicks the old "Read and reflect" button again: his reflection is already with Ann.
    await h.click_old(h.bob, reflect_offer, "cg_reflect_open")
    view = h.top_view(h.bob)
    assert view.callback_id == "cg_info"
    assert t.STEP_TAKEN_CARE_OF in str(view.blocks)
    # Ann's answer button after the stage moved on.
    answer_offer = h.as_seen(h.dm_with_action(h.ann, "cg_answer_open"))
    await play.answer(h, h.ann, confirmed=True)
    await h.click_old(h.ann, answer_offer, "cg_answer_open")
    assert t.STEP_TAKEN_CARE_OF in str(h.top_view(h.ann).blocks)


async def test_stale_button_after_the_stage_moved_on(h: Harness) -> None:
    await play.start(h)
    await play.accept_and_agree(h)
    intake_offer = h.as_seen(h.dm_with_action(h.bob, "cg_intake_open"))
    # The old intake-stage button clicked after the mediation was cancelled.
    await h.command(h.ann, "cancel")
    await h.click_old(h.bob, intake_offer, "cg_intake_open")
    assert t.STEP_TAKEN_CARE_OF in str(h.top_view(h.bob).blocks)


async def test_double_click_has_one_effect(h: Harness) -> None:
    await play.start(h)
    invitation = h.dm_with_action(h.bob, "cg_invite_accept")
    clicks = [
        h.slack.click(h.bob, action_id="cg_invite_accept", message=(invitation.channel, invitation.ts))
        for _ in range(2)
    ]
    results = await asyncio.gather(*clicks)
    await h.settle()
    assert [r.status for r in results] == [200, 200]
    m = await h.mediation()
    assert m.stage is Stage.GROUND_RULES and m.version == 2
    assert invitation_accepted_dms(h) == 1
    assert sum("working agreement" in msg.text for msg in h.dm(h.bob)) == 1


async def test_slack_retry_of_the_same_request_has_one_effect(h: Harness) -> None:
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_accept")
    result = await h.slack.resend_last()
    await h.settle()
    assert result.status == 200
    assert invitation_accepted_dms(h) == 1
    assert (await h.mediation()).version == 2


async def test_event_retries_are_dropped(h: Harness) -> None:
    await h.slack.app_home_opened(h.ann)
    await h.settle()
    first = len(h.standin.calls_to("views.publish"))
    assert first == 1
    await h.slack.retry(retry_num=1)
    await h.settle()
    assert len(h.standin.calls_to("views.publish")) == first


async def test_both_parties_at_the_same_instant(h: Harness) -> None:
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_accept")
    ann_rules = h.dm_with_action(h.ann, "cg_rules_agree")
    bob_rules = h.dm_with_action(h.bob, "cg_rules_agree")
    await asyncio.gather(
        h.slack.click(h.ann, action_id="cg_rules_agree", message=(ann_rules.channel, ann_rules.ts)),
        h.slack.click(h.bob, action_id="cg_rules_agree", message=(bob_rules.channel, bob_rules.ts)),
    )
    await h.settle()
    m = await h.mediation()
    assert m.initiator.ground_rules_at is not None and m.respondent.ground_rules_at is not None
    assert m.stage is Stage.INTAKE
    assert sum("private moment" in msg.text for msg in h.dm(h.ann)) == 1


async def test_user_not_found_ends_the_mediation_cleanly(h: Harness) -> None:
    h.standin.set_error("chat.postMessage", "user_not_found")  # the invitation DM fails
    await play.start(h)
    m = await h.mediation()
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.CANCELLED
    assert "can no longer reach" in h.last_dm(h.ann).text
    assert await h.store.open_between(h.team, h.ann, h.bob) is None  # Ann may start again


async def test_decline_is_final_and_kind(h: Harness) -> None:
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_decline")
    m = await h.mediation()
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.DECLINED
    assert "deserves respect" in h.last_dm(h.ann).text
    assert "Thank you for letting us know" in h.last_dm(h.bob).text


async def test_not_now_keeps_it_open(h: Harness) -> None:
    await play.start(h)
    await h.click_dm(h.bob, "cg_invite_postpone")
    m = await h.mediation()
    assert m.stage is Stage.INVITATION and m.postponed
    assert "isn't ready" in h.last_dm(h.ann).text
    await h.click_dm(h.bob, "cg_invite_accept")
    assert (await h.mediation()).stage is Stage.GROUND_RULES
