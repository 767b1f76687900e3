"""Messages in the joint space. They hold no private text: names, statuses, need words from a fixed
list (each person's and the ones they share), the agenda, and the agreement items both parties write
for this space."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock

from bot import texts as t
from bot.views.common import actions, button, context, dump, esc, section
from bot.views.ids import Action, item_value
from bot.views.messages import Message, item_line
from flows.definition import FlowDefinition
from flows.effects import JointPost
from flows.models import Mediation, Role
from flows.needs import named_needs, shared_needs


def joint_message(m: Mediation, post: JointPost, d: FlowDefinition, item_id: str | None = None) -> Message:
    """The message for one joint-space post."""
    if post is JointPost.SUMMARY:
        return _summary(m, d)
    if post is JointPost.ITEM_PROPOSED and item_id:
        return item_message(m, item_id)
    if post is JointPost.PAUSED:
        return Message(
            t.JOINT_PAUSED, dump([section(t.JOINT_PAUSED), actions(button(t.RESUME, Action.RESUME, m.id))])
        )
    if post is JointPost.RESUMED:
        return Message(t.JOINT_RESUMED, dump([section(t.JOINT_RESUMED)]))
    outcome = t.OUTCOMES[m.outcome] if m.outcome else ""
    body = t.JOINT_FINAL.format(outcome=outcome)
    blocks: list[Block] = [section(body)]
    agreed = [i for i in m.agreement if i.accepted]
    if agreed:
        blocks += [section(t.CLOSED_ITEMS), *(section(item_line(m, i.id)) for i in agreed[:40])]
    return Message(body, dump(blocks))


def _summary(m: Mediation, d: FlowDefinition) -> Message:
    a, b = m.initiator.user_id, m.respondent.user_id
    intro = t.JOINT_INTRO.format(a=a, b=b)
    lines = [
        t.JOINT_DIRECTION.format(
            listener=m.party(loop.listener).user_id,
            speaker=m.party(loop.speaker).user_id,
            status=t.LOOP_STATUS[loop.status],
        )
        for loop in m.loops
    ]
    needs_line = _needs_lines(m)
    joint = d.joint()
    agenda = "\n".join(f"{i}. {esc(item)}" for i, item in enumerate(joint.agenda if joint else [], 1))
    blocks: list[Block] = [HeaderBlock(text=t.JOINT_HEADER), section(intro)]
    if lines:
        blocks.append(section("\n".join(lines)))
    blocks += [
        section(needs_line),
        DividerBlock(),
        section(f"{t.JOINT_AGENDA}\n{agenda}"),
        actions(
            button(t.JOINT_UNDERSTOOD, Action.UNDERSTOOD_VIEW, m.id),
            button(t.JOINT_PROPOSE, Action.ITEM_PROPOSE, m.id, "primary"),
            button(t.JOINT_PAUSE, Action.JOINT_PAUSE, m.id),
            button(t.JOINT_DONE, Action.JOINT_DONE, m.id),
            block_id="joint",
        ),
    ]
    return Message(intro, dump(blocks))


def _needs_lines(m: Mediation) -> str:
    """What each person said matters to them, from what they shared, named in our own need words (never
    their text: the space may hold a host, and private words are never posted); a need said only in
    words of their own is pointed to in *What we understood*. Then what both name."""
    shared = {p.role: p.shared_answers().get("needs", "").strip() for p in m.parties}
    if not any(shared.values()):
        return t.JOINT_NO_SHARED_NEEDS
    lines = [t.JOINT_NEEDS_HEADER]
    for party in m.parties:
        text = shared[party.role]
        named = named_needs(text)
        if named:
            lines.append(t.JOINT_NEEDS_OF.format(who=party.user_id, needs=", ".join(named)))
        elif text:
            lines.append(t.JOINT_NEEDS_SEE_UNDERSTOOD.format(who=party.user_id))
        else:
            lines.append(t.JOINT_NEEDS_NOT_SHARED.format(who=party.user_id))
    both = shared_needs(shared[Role.INITIATOR], shared[Role.RESPONDENT])
    if both:
        lines.append(t.JOINT_SHARED_NEEDS.format(needs=", ".join(both)))
    return "\n".join(lines)


def joint_root_message(m: Mediation) -> Message:
    """The message that starts a joint space held in a thread of an existing private channel."""
    body = t.FAC_JOINT_ROOT.format(
        a=m.initiator.user_id, b=m.respondent.user_id, topic=esc(m.topic), facilitator=m.facilitator or ""
    )
    return Message(body, dump([section(body)]))


def item_message(m: Mediation, item_id: str) -> Message:
    """An agreement item with its Accept button, or marked agreed."""
    item = m.item(item_id)
    line = item_line(m, item_id)
    blocks: list[Block] = [section(line)]
    if item and item.accepted:
        blocks.append(context(t.JOINT_ITEM_AGREED))
    elif item:
        other = m.party(item.proposer.other).user_id
        blocks += [
            context(t.JOINT_ITEM_WAITING.format(other=other)),
            actions(
                button(t.JOINT_ITEM_ACCEPT, Action.ITEM_ACCEPT, item_value(m.id, item.id), "primary"),
                block_id=f"item_{item.id}",
            ),
        ]
    return Message(line, dump(blocks))
