"""The end of a mediation is fair: finishing is a joint act, pending proposals are withdrawn visibly at
the close, and buttons that cannot be undone ask first. Signed HTTP against the stand-in."""

from __future__ import annotations

from bot import texts as t
from bot.sandbox.models import Message
from flows.errors import RefusalCode
from flows.models import FinishStatus, Outcome, Stage
from tests.e2e import play
from tests.support.forge import as_user, send_signed_payload
from tests.support.harness import SIGNING_SECRET, Harness

FIRST = "Tell Ann about date changes first"
SECOND = "Raise testing worries in the planning call"
THIRD = "Meet for ten minutes each Monday"


async def propose_item(
    h: Harness, user: str, summary: Message, who: str, what: str, when: str = ""
) -> Message:
    await h.click_message(user, summary, "cg_item_propose")
    values: dict[str, dict[str, object]] = {"who": {"value": who}, "what": {"value": what}}
    if when:
        values["by_when"] = {"value": when}
    await h.submit(user, values)
    m = await h.mediation()
    return play.last_with(play.joint_messages(h, m), "cg_item_accept")


async def test_ann_and_bob_finish_together(h: Harness) -> None:
    mid = await play.to_joint(h)
    m = await h.mediation(mid)
    assert m.joint is not None
    channel = m.joint.channel_id
    summary = play.joint_messages(h, m)[0]
    finish = play.confirm_of(summary.blocks, "cg_joint_done")
    assert "confirms before anything closes" in finish["text"]["text"]

    first = await propose_item(h, h.ann, summary, "Bob", FIRST, "2026-12-15")
    await h.click_message(h.bob, first, "cg_item_accept")

    # Ann opens the finish modal: every item is accepted, so "agreed" is offered and suggested.
    await h.click_message(h.ann, summary, "cg_joint_done")
    modal = h.top_view(h.ann)
    choice = play.element(modal.blocks, "value")
    assert [o["value"] for o in choice["options"]] == ["agreed", "partly_agreed", "no_agreement"]
    assert choice["initial_option"]["value"] == "agreed"
    # Meanwhile Bob proposes another item, so "agreed" no longer fits: the engine says so, kindly.
    second = await propose_item(h, h.bob, summary, "Ann", SECOND)
    refused = await h.submit(h.ann, {"outcome": {"value": "agreed"}})
    assert refused.errors == {"outcome": t.REFUSALS[RefusalCode.OUTCOME_NEEDS_ALL_ACCEPTED]}
    assert (await h.mediation(mid)).finish_proposals == []
    # A fresh modal offers only what fits, and suggests "partly agreed".
    await h.slack.close_view(h.ann, h.top_view(h.ann).id)
    await h.click_message(h.ann, summary, "cg_joint_done")
    choice = play.element(h.top_view(h.ann).blocks, "value")
    assert [o["value"] for o in choice["options"]] == ["partly_agreed", "no_agreement"]
    assert choice["initial_option"]["value"] == "partly_agreed"
    assert "1 item(s) not yet accepted" in str(h.top_view(h.ann).blocks)
    result = await h.submit(h.ann, {"outcome": {"value": "partly_agreed"}})
    assert result.response_action == "close"

    # The proposal is posted for both; only Bob can confirm. Bob says not yet.
    proposal = play.last_with(play.joint_messages(h, await h.mediation(mid)), "cg_finish_confirm")
    assert "partly agreed" in proposal.text
    assert "Items not accepted by both" in str(proposal.blocks)
    close = play.confirm_of(proposal.blocks, "cg_finish_confirm")
    assert "partly agreed" in close["text"]["text"] and "can't be undone" in close["text"]["text"]
    await h.click_message(h.ann, proposal, "cg_finish_confirm")
    assert t.REFUSALS[RefusalCode.OWN_FINISH] in h.ephemeral_texts(h.ann)
    await h.click_message(h.bob, proposal, "cg_finish_not_yet")
    redrawn = h.standin.message(channel, proposal.ts)
    assert "cg_finish_confirm" not in str(redrawn.blocks) and "isn't ready to finish yet" in str(
        redrawn.blocks
    )
    assert "isn't ready to finish yet, and that's all right" in h.last_dm(h.ann).text
    assert (await h.mediation(mid)).stage is Stage.JOINT

    # Ann proposes again; Bob adds an item, which withdraws the proposal (it was about other items).
    await play.propose_finish(h, mid, h.ann, "partly_agreed")
    again = play.last_with(play.joint_messages(h, await h.mediation(mid)), "cg_finish_confirm")
    third = await propose_item(h, h.bob, summary, "Both of us", THIRD)
    assert "cg_finish_confirm" not in str(h.standin.message(channel, again.ts).blocks)
    assert "items changed" in str(h.standin.message(channel, again.ts).blocks)
    await h.click_message(h.ann, third, "cg_item_accept")

    # Bob clicks Accept on his own second item (refused: it's Ann's to accept) — kept for later.
    stale = await h.slack.click(h.bob, action_id="cg_item_accept", message=(channel, second.ts))
    await h.settle()

    # Now Bob proposes and Ann confirms: closed, partly agreed.
    await play.finish(h, mid, h.bob, h.ann, "partly_agreed")
    m = await h.mediation(mid)
    assert m.stage is Stage.CLOSED and m.outcome is Outcome.PARTLY_AGREED
    assert [p.status for p in m.finish_proposals] == [
        FinishStatus.NOT_YET,
        FinishStatus.ITEMS_CHANGED,
        FinishStatus.CONFIRMED,
    ]
    # The pending item is withdrawn visibly: no live Accept button any more.
    withdrawn = h.standin.message(channel, second.ts)
    assert "cg_item_accept" not in str(withdrawn.blocks)
    assert t.JOINT_ITEM_WITHDRAWN in str(withdrawn.blocks)
    # The final message and both DMs list the agreed items (who, what, by when), not the withdrawn one.
    final = play.joint_messages(h, m)[-1]
    assert "closed" in final.text and FIRST in str(final.blocks) and SECOND not in str(final.blocks)
    for person in (h.ann, h.bob):
        closed = str(h.last_dm(person).blocks)
        assert "What you agreed" in closed and FIRST in closed and "by Tue 15 Dec 2026" in closed
        assert "Both of us" in closed and THIRD in closed and SECOND not in closed

    # A late click on the old Accept (a stale client): one kind sentence, nothing changes.
    before = len(h.ephemeral_texts(h.ann))
    late = as_user(stale.payload, h.ann, h.standin.issue_trigger(h.ann))
    await send_signed_payload(f"{h.app_url}/slack/events", SIGNING_SECRET, late)
    await h.settle()
    assert h.ephemeral_texts(h.ann)[before:] == [t.REFUSALS[RefusalCode.CLOSED]]
    assert (await h.mediation(mid)).agreement[1].withdrawn_at is not None
    h.standin.assert_no_rejections()


async def test_the_proposer_may_withdraw_and_the_other_may_not(h: Harness) -> None:
    mid = await play.to_joint(h)
    await play.propose_finish(h, mid, h.bob, "no_agreement")
    proposal = play.last_with(play.joint_messages(h, await h.mediation(mid)), "cg_finish_withdraw")
    await h.click_message(h.ann, proposal, "cg_finish_withdraw")
    assert t.REFUSALS[RefusalCode.NOT_YOUR_STEP] in h.ephemeral_texts(h.ann)
    # While Bob's proposal waits, Ann is asked to answer it rather than propose her own.
    summary = play.joint_messages(h, await h.mediation(mid))[0]
    await h.click_message(h.ann, summary, "cg_joint_done")
    assert t.REFUSALS[RefusalCode.FINISH_AWAITS_YOU] in str(h.top_view(h.ann).blocks)
    await h.click_message(h.bob, proposal, "cg_finish_withdraw")
    m = await h.mediation(mid)
    assert m.stage is Stage.JOINT and m.finish_proposals[0].status is FinishStatus.WITHDRAWN
    assert "withdrew this proposal" in str(h.standin.message(proposal.channel, proposal.ts).blocks)


async def test_decline_and_cancel_ask_first(h: Harness) -> None:
    await play.start(h)
    invitation = h.dm_with_action(h.bob, "cg_invite_decline")
    dialog = play.confirm_of(invitation.blocks, "cg_invite_decline")
    assert dialog["style"] == "danger" and "can't undo" in dialog["text"]["text"]
    # Two open mediations: /mediate cancel asks which, and each End button asks first.
    await h.command(h.ann, f"<@{h.cat}|cat> the office move")
    await h.submit(h.ann, {})
    await h.command(h.ann, "cancel")
    listed = h.standin.ephemerals(h.ann)[-1]
    dialog = play.confirm_of(listed.blocks, "cg_cancel_one")
    assert dialog["style"] == "danger" and "other person is told" in dialog["text"]["text"]
    h.standin.assert_no_rejections()
