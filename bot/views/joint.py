"""Messages in the joint space. They hold no private text: names, statuses, need words from a fixed
list (each person's and the ones they share), the agenda, and the agreement items both parties write
for this space."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock, InputBlock, Option, RadioButtonsElement

from bot import texts as t
from bot.views import confirm
from bot.views.common import actions, button, context, dump, esc, modal, section
from bot.views.ids import Action, Callback, item_value
from bot.views.messages import Message, finish_controls, item_line
from bot.views.modals import metadata
from flows.definition import FlowDefinition
from flows.effects import JointPost
from flows.engine import agreement_outcome, fitting_outcomes
from flows.errors import RefusalCode
from flows.models import FinishStatus, Mediation, Role
from flows.needs import named_needs, shared_needs


def joint_message(m: Mediation, post: JointPost, d: FlowDefinition, item_id: str | None = None) -> Message:
    """The message for one joint-space post."""
    if post is JointPost.SUMMARY:
        return _summary(m, d)
    if post is JointPost.ITEM_PROPOSED and item_id:
        return item_message(m, item_id)
    if post is JointPost.FINISH_PROPOSED and item_id:
        return finish_message(m, item_id)
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
            button(t.JOINT_DONE, Action.JOINT_DONE, m.id, confirm=confirm.propose_finish()),
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
    elif item and item.withdrawn_at is not None:
        blocks.append(context(t.JOINT_ITEM_WITHDRAWN))
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


def finish_message(m: Mediation, proposal_id: str) -> Message:
    """A proposal to finish: with its answers while it is open, then what became of it (no button)."""
    proposal = m.finish_proposal(proposal_id)
    if proposal is None:
        gone = t.REFUSALS[RefusalCode.FINISH_NOT_OPEN]
        return Message(gone, dump([section(gone)]))
    names = {
        "proposer": m.party(proposal.proposer).user_id,
        "other": m.party(proposal.proposer.other).user_id,
    }
    body = t.FINISH_POST.format(outcome=t.FINISH_LABELS[proposal.outcome], **names)
    blocks: list[Block] = [section(body)]
    status = t.FINISH_STATUS[proposal.status].format(**names)
    if proposal.status is FinishStatus.PENDING:
        if any(i.pending for i in m.agreement):
            status = f"{status} {t.FINISH_POST_ITEMS_OPEN}"
        blocks += [context(status), *finish_controls(m, proposal.id)]
    else:
        blocks.append(context(status))
    return Message(body, dump(blocks))


def outcome_choice(label: str, labels: dict[Any, str], offered: list[Any], suggested: Any) -> InputBlock:
    """Radio buttons for the outcomes that fit, the suggested one chosen."""
    options = [Option(value=o.value, text=labels[o][:75]) for o in offered]
    initial = next((opt for o, opt in zip(offered, options, strict=True) if o is suggested), None)
    return InputBlock(
        block_id="outcome",
        label=label,
        element=RadioButtonsElement(action_id="value", options=options, initial_option=initial),
    )


def finish_modal(m: Mediation, role: Role) -> dict[str, Any]:
    """Propose to finish: only the outcomes the agreement items allow, the suggested one chosen."""
    suggested = agreement_outcome(m)
    open_items = sum(1 for i in m.agreement if i.pending)
    blocks: list[Block] = [
        section(t.FINISH_INTRO.format(other=m.party(role.other).user_id)),
        context(t.FINISH_SUGGESTED.format(outcome=t.FINISH_LABELS[suggested])),
    ]
    if open_items:
        blocks.append(context(t.FINISH_ITEMS_OPEN.format(count=open_items)))
    blocks.append(outcome_choice(t.FINISH_LABEL, t.FINISH_OPTIONS, fitting_outcomes(m), suggested))
    return modal(
        Callback.FINISH.value,
        t.FINISH_TITLE,
        blocks,
        submit=t.FINISH_SUBMIT,
        close=t.CANCEL,
        meta=metadata(m=m.id),
    )
