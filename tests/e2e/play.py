"""Steps of a peer mediation, played as Ann and Bob would in Slack."""

from __future__ import annotations

from typing import Any

from bot import texts as t
from bot.sandbox.models import Message
from flows.models import Mediation
from tests.support.harness import Harness

ANN_ANSWERS = {
    "happened": "On Monday the launch moved from the 20th to the 13th and I heard it on the status call.",
    "feelings": "I felt caught off guard and anxious about the testing time.",
    "needs": "Clarity and being consulted before dates change matter to me.",
    "requests": "Would you be willing to check with me before announcing a new date?",
}
BOB_ANSWERS = {
    "happened": "The client asked for the 13th on Friday night and I announced it on Monday.",
    "feelings": "I felt pressured and alone with the decision.",
    "needs": "Support from the team and clarity about who decides matter to me.",
    "requests": "Would you be willing to help me push back on the client next time?",
}


def intake_values(answers: dict[str, str]) -> dict[str, dict[str, object]]:
    return {f"q_{key}": {"value": text} for key, text in answers.items()}


def sharing_values(
    shares: dict[str, str], summaries: dict[str, str] | None = None
) -> dict[str, dict[str, object]]:
    values: dict[str, dict[str, object]] = {f"share_{k}": {"value": v} for k, v in shares.items()}
    for key, text in (summaries or {}).items():
        values[f"summary_{key}"] = {"value": text}
    return values


ALL = {"happened": "all", "feelings": "all", "needs": "all", "requests": "all"}


async def start(h: Harness, topic: str = "the release dates") -> str:
    await h.command(h.ann, f"<@{h.bob}|bob> {topic}")
    result = await h.submit(h.ann, {})
    assert result.response_action in ("clear", "close", None, ""), result
    m = await h.mediation()
    return m.id


async def accept_and_agree(h: Harness) -> None:
    await h.click_dm(h.bob, "cg_invite_accept")
    await h.click_dm(h.ann, "cg_rules_agree")
    await h.click_dm(h.bob, "cg_rules_agree")


async def intake(
    h: Harness,
    user: str,
    answers: dict[str, str],
    shares: dict[str, str] | None = None,
    summaries: dict[str, str] | None = None,
) -> None:
    await h.click_dm(user, "cg_intake_open")
    result = await h.submit(user, intake_values(answers))
    assert result.response_action == "update", result
    await keep_words_if_coached(h, user)
    result = await h.submit(user, sharing_values(shares or ALL, summaries))
    assert result.response_action == "update", result


async def keep_words_if_coached(h: Harness, user: str) -> None:
    """When the coach reviews the answers, keep them as they are (the person always may)."""
    view = h.top_view(user)
    if view.callback_id == "cg_intake_review":
        await h.slack.click(user, action_id="cg_keep_words", view_id=view.id)
        await h.settle()
    assert h.top_view(user).callback_id == "cg_sharing"


async def reflect(h: Harness, listener: str, text: str) -> None:
    await h.click_dm(listener, "cg_reflect_open")
    result = await h.submit(listener, {"reflection": {"value": text}})
    assert result.response_action == "update", result


async def answer(h: Harness, speaker: str, confirmed: bool, missing: str | None = None) -> None:
    await h.click_dm(speaker, "cg_answer_open")
    values: dict[str, dict[str, object]] = {"verdict": {"value": "confirmed" if confirmed else "partly"}}
    if missing is not None:
        values["missing"] = {"value": missing}
    result = await h.submit(speaker, values)
    assert result.response_action == "update", result


async def check_in(h: Harness, user: str, scores: list[int]) -> None:
    await h.click_dm(user, "cg_check_in_open")
    values: dict[str, dict[str, object]] = {f"item{i}": {"value": str(s)} for i, s in enumerate(scores)}
    result = await h.submit(user, values)
    assert result.response_action == "update", result


async def to_joint(h: Harness) -> str:
    """Play from /mediate to the open joint space; returns the mediation id."""
    mid = await start(h)
    await accept_and_agree(h)
    await intake(h, h.ann, ANN_ANSWERS)
    await intake(h, h.bob, BOB_ANSWERS)
    await reflect(
        h, h.bob, "You heard about the new date on the call, felt anxious, and need to be consulted."
    )
    await answer(h, h.ann, confirmed=True)
    await reflect(h, h.ann, "You felt pressured and alone, and you need support and clarity on who decides.")
    await answer(h, h.bob, confirmed=True)
    await check_in(h, h.ann, [10, 9, 9, 10])
    await check_in(h, h.bob, [9, 10, 9, 9])
    return mid


def joint_messages(h: Harness, m: Mediation) -> list[Message]:
    """The messages of a mediation's joint space (for a thread, the thread's)."""
    assert m.joint is not None
    messages = h.standin.messages(m.joint.channel_id)
    if m.joint.thread_ts:
        messages = [msg for msg in messages if msg.thread_ts == m.joint.thread_ts]
    return messages


def last_with(messages: list[Message], action_id: str) -> Message:
    """The latest message with a live `action_id` element."""
    return next(msg for msg in reversed(messages) if action_id in str(msg.blocks))


async def propose_finish(h: Harness, mid: str, proposer: str, outcome: str) -> None:
    """`proposer` clicks "We've finished" (past its confirm dialog) and proposes `outcome`."""
    summary = last_with(joint_messages(h, await h.mediation(mid)), "cg_joint_done")
    await h.click_message(proposer, summary, "cg_joint_done")
    assert h.top_view(proposer).callback_id == "cg_finish"
    result = await h.submit(proposer, {"outcome": {"value": outcome}})
    assert result.response_action == "close" and not result.errors, result


async def finish(h: Harness, mid: str, proposer: str, confirmer: str, outcome: str) -> None:
    """Finish together: one proposes `outcome`, the other confirms it."""
    await propose_finish(h, mid, proposer, outcome)
    proposal = last_with(joint_messages(h, await h.mediation(mid)), "cg_finish_confirm")
    await h.click_message(confirmer, proposal, "cg_finish_confirm")


def element(blocks: list[Any], action_id: str) -> dict[str, Any]:
    """The element with this action_id in Block Kit JSON (accessories and input elements included)."""
    for block in blocks:
        found = [*block.get("elements", []), block.get("accessory") or {}, block.get("element") or {}]
        for candidate in found:
            if isinstance(candidate, dict) and candidate.get("action_id") == action_id:
                return candidate
    raise AssertionError(f"no {action_id} in {blocks}")


def confirm_of(blocks: list[Any], action_id: str) -> dict[str, Any]:
    """The confirm dialog of a button: it must say what will happen, with both answers."""
    dialog = element(blocks, action_id).get("confirm")
    assert isinstance(dialog, dict), f"{action_id} has no confirm dialog"
    assert dialog["title"]["text"] and dialog["text"]["text"]
    assert dialog["confirm"]["text"] and dialog["deny"]["text"] == t.CONFIRM_BACK
    return dialog
