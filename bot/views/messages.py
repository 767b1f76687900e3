"""Direct messages from the bot to one party. They carry no private text: only names, the topic,
stages and buttons that open private modals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, DividerBlock

from bot import texts as t
from bot.views import confirm
from bot.views.common import actions, button, calendar_day, context, dump, esc, section, slack_date
from bot.views.home import WAITING_KEYS, step_button, waiting_on
from bot.views.ids import Action, item_value
from flows.definition import FlowDefinition, InvitationStage
from flows.effects import Notice
from flows.errors import RefusalCode
from flows.models import Mediation, Role, Stage
from flows.steps import Done, Offer


@dataclass(frozen=True)
class Message:
    """A message ready for chat.postMessage: fallback text and blocks."""

    text: str
    blocks: list[dict[str, Any]]


def _names(m: Mediation, role: Role) -> dict[str, str]:
    me, other = m.party(role), m.party(role.other)
    return {
        "initiator": m.initiator.user_id,
        "respondent": m.respondent.user_id,
        "other": other.user_id,
        "me": me.user_id,
        "topic": esc(m.topic),
        "facilitator": m.facilitator or "",
        "a": m.initiator.user_id,
        "b": m.respondent.user_id,
    }


def _by_whom(m: Mediation, role: Role, by: str | None) -> str | None:
    """Who did what a notice reports, as its reader sees it: you, the other person, or the host."""
    if by is None:
        return None
    if by == m.party(role).user_id:
        return t.BY_YOU
    return t.BY_HOST if by == m.facilitator else t.BY_OTHER


def notice_message(
    m: Mediation,
    role: Role,
    notice: Notice,
    d: FlowDefinition,
    speaker: Role | None = None,
    by: str | None = None,
) -> Message:
    """The DM that tells `role` about `notice` (`speaker` names the loop of loop notices; `by` who
    did what it reports)."""
    names = _names(m, role)
    names["by"] = by or ""
    whom = _by_whom(m, role, by)
    mid = m.id
    blocks: list[Block]
    if notice in (Notice.NUDGED, Notice.MOVED_ON) or (
        m.facilitated and notice in (Notice.INVITATION, Notice.DECLINED)
    ):
        return _facilitated_notice(m, role, notice, d)
    if notice in _TIMED:
        return timed_message(m, role, notice, d, by)
    if notice is Notice.INVITATION or notice is Notice.REMINDER or notice is Notice.EXPIRY_WARNING:
        first = _invitation_words(m, notice)
        names["when"] = slack_date(m.expires_at) if m.expires_at else ""
        blocks = [section(first.format(**names))]
        if notice is Notice.INVITATION:
            blocks += _intro(d)
        blocks += [
            section((t.FAC_INVITATION_HOW if m.facilitated else t.INVITATION_HOW).format(**names)),
            actions(
                button(t.ACCEPT, Action.INVITE_ACCEPT, mid, "primary"),
                button(t.NOT_NOW, Action.INVITE_POSTPONE, mid),
                button(t.DECLINE, Action.INVITE_DECLINE, mid, confirm=confirm.decline()),
                block_id="invitation",
            ),
        ]
        return Message(first.format(**names), dump(blocks))
    if notice is Notice.GROUND_RULES:
        rules = d.ground_rules()
        lines = "\n".join(f"{i}. {esc(rule)}" for i, rule in enumerate(rules.rules if rules else [], 1))
        blocks = [
            section(t.GROUND_RULES.format(**names)),
            section(lines),
            actions(button(t.GROUND_RULES_AGREE, Action.RULES_AGREE, mid, "primary"), block_id="rules"),
        ]
        return Message(t.GROUND_RULES.format(**names), dump(blocks))
    simple: dict[Notice, tuple[str, tuple[tuple[str, str, str | None], ...]]] = {
        Notice.INVITATION_SENT: (t.INVITATION_SENT, ()),
        Notice.ACCEPTED: (t.ACCEPTED, ()),
        Notice.POSTPONED: (t.POSTPONED, ()),
        Notice.DECLINED: (t.DECLINED, ()),
        Notice.DECLINE_THANKS: (t.DECLINE_THANKS, ()),
        Notice.INTAKE_OPEN: (t.INTAKE_OPEN, ((t.INTAKE_BUTTON, Action.INTAKE_OPEN, "primary"),)),
        Notice.INTAKE_WAITING: (t.INTAKE_WAITING, ((t.HOME_SHARING, Action.SHARING_OPEN, None),)),
        Notice.REFLECT: (t.REFLECT, ((t.REFLECT_BUTTON, Action.REFLECT_OPEN, "primary"),)),
        Notice.REFLECTION_WAITING: (t.REFLECTION_WAITING, ()),
        Notice.ANSWER_REFLECTION: (t.ANSWER_REFLECTION, ((t.ANSWER_BUTTON, Action.ANSWER_OPEN, "primary"),)),
        Notice.TRY_AGAIN: (t.TRY_AGAIN, ((t.TRY_AGAIN_BUTTON, Action.REFLECT_OPEN, "primary"),)),
        Notice.CHECK_IN: (t.CHECK_IN, ((t.CHECK_IN_BUTTON, Action.CHECK_IN_OPEN, "primary"),)),
        Notice.WAITING_CHECK_IN: (t.WAITING_CHECK_IN, ()),
        Notice.REPAIR: (
            t.REPAIR,
            (
                (t.REPAIR_CONTINUE, Action.REPAIR_CONTINUE, "primary"),
                (t.REPAIR_PAUSE, Action.REPAIR_PAUSE, None),
                (t.REPAIR_STOP, Action.REPAIR_STOP, "danger"),
            ),
        ),
        Notice.PAUSED: (t.PAUSED, ((t.RESUME, Action.RESUME, "primary"),)),
        Notice.RESUMED: (t.RESUMED, ()),
        Notice.CANCELLED: (t.CANCELLED, ()),
        Notice.UNREACHABLE: (t.UNREACHABLE, ()),
        Notice.EXPIRED: (t.EXPIRED, ()),
        Notice.FOLLOW_UP: (
            t.FOLLOW_UP,
            ((t.FOLLOW_UP_YES, Action.FOLLOW_UP_YES, "primary"), (t.FOLLOW_UP_NO, Action.FOLLOW_UP_NO, None)),
        ),
        Notice.HOLDING: (t.HOLDING, ()),
        Notice.REOPENED: (t.REOPENED, ()),
    }
    if notice is Notice.CHECK_IN and m.facilitated:
        simple[notice] = (t.CHECK_IN_FACILITATED, simple[notice][1])
    if whom is not None and notice is Notice.PAUSED:
        simple[notice] = (t.PAUSED_BY[whom], simple[notice][1])
    if whom is not None and notice is Notice.RESUMED:
        simple[notice] = (t.RESUMED_BY[whom], simple[notice][1])
    if notice in simple:
        text, buttons = simple[notice]
        body = text.format(**names)
        blocks = [section(body)]
        if buttons:
            blocks.append(
                actions(
                    *(
                        button(label, aid, mid, style, confirm.stop() if aid is Action.REPAIR_STOP else None)
                        for label, aid, style in buttons
                    ),
                    block_id=notice.value,
                )
            )
        return Message(body, dump(blocks))
    if notice in (Notice.LOOP_CONFIRMED, Notice.LOOP_NOT_YET, Notice.LOOP_SKIPPED):
        return _loop_message(m, role, notice, speaker or Role.INITIATOR)
    if notice is Notice.CLOSED:
        return closed_message(m, role)
    if notice in _SAFETY:
        return safety_message(m, role, notice)
    if notice in (Notice.FINISH_PROPOSED, Notice.FINISH_NOT_YET):
        return _finish_notice(m, role, notice)
    raise ValueError(f"no message for notice {notice}")


def _invitation_words(m: Mediation, notice: Notice) -> str:
    """The first line of an invitation, its reminder, or its last day's announcement."""
    if notice is Notice.REMINDER:
        return t.FAC_REMINDER if m.facilitated else t.REMINDER
    if notice is Notice.EXPIRY_WARNING:
        return t.FAC_EXPIRY_WARNING if m.facilitated else t.EXPIRY_WARNING
    return t.INVITATION


_TIMED = (
    Notice.STALLED,
    Notice.STALLED_OTHER,
    Notice.EXPIRY_SOON,
    Notice.EXTENDED,
    Notice.PULSE,
    Notice.PULSE_LOW,
    Notice.PULSE_THANKS,
)


def timed_message(m: Mediation, role: Role, notice: Notice, d: FlowDefinition, by: str | None) -> Message:
    """What a timer tells one party: a stalled step, the invitation's last day, a check-in during
    the conversation (the engine sends each in the person's own working hours)."""
    names = _names(m, role)
    names["by"] = by or ""
    names["when"] = slack_date(m.expires_at) if m.expires_at else ""
    invitation = d.stage(Stage.INVITATION)
    names["days"] = str(invitation.extend_days if isinstance(invitation, InvitationStage) else "")
    if notice is Notice.STALLED:
        return _stalled(m, role, waiting_on(m, role))
    buttons: list[ButtonElement] = []
    if notice is Notice.EXPIRY_SOON:
        buttons.append(button(t.EXTEND_BUTTON, Action.EXTEND_INVITATION, m.id, "primary"))
    elif notice is Notice.PULSE:
        buttons.append(button(t.CHECK_IN_BUTTON, Action.CHECK_IN_OPEN, m.id, "primary"))
    elif notice is Notice.PULSE_LOW:
        buttons.append(button(t.PULSE_PAUSE, Action.JOINT_PAUSE, m.id))
    words = {
        Notice.STALLED_OTHER: t.STALLED_OTHER,
        Notice.EXPIRY_SOON: t.EXPIRY_SOON,
        Notice.EXTENDED: t.EXTENDED,
        Notice.PULSE: t.PULSE_FACILITATED if m.facilitated else t.PULSE,
        Notice.PULSE_LOW: t.PULSE_LOW,
        Notice.PULSE_THANKS: t.PULSE_THANKS,
    }[notice]
    body = words.format(**names)
    blocks: list[Block] = [section(body)]
    if buttons:
        blocks.append(actions(*buttons, block_id=notice.value))
    return Message(body, dump(blocks))


def _stalled(m: Mediation, role: Role, waiting: str | None) -> Message:
    """One kind reminder of the step that has waited on `role` for a while, with its button."""
    return _step_reminder(m, role, waiting, t.STALLED, t.STALLED_NOTHING, "stalled")


def _step_reminder(
    m: Mediation, role: Role, waiting: str | None, text: str, nothing: str, block_id: str
) -> Message:
    """A reminder of the step that waits on `role` (a key of `texts.WAITING`), with the step's button;
    `nothing` when no step of theirs is waiting."""
    names = _names(m, role)
    if waiting is None or waiting not in t.WAITING:
        body = nothing.format(**names)
        return Message(body, dump([section(body)]))
    body = text.format(what=t.WAITING[waiting], **names)
    blocks: list[Block] = [section(body)]
    found = step_button(waiting, m.id)
    if found is not None:
        blocks.append(actions(found, block_id=block_id))
    return Message(body, dump(blocks))


# What a safety notice says to whom: the person whose words signalled a concern gets their choice; the
# others get only neutral words (no kind of concern, no name of who asked).
_SAFETY: dict[Notice, tuple[str, tuple[tuple[str, str, str | None], ...]]] = {
    Notice.SAFETY_CHOICE: (
        t.SAFETY_CHOICE,
        (
            (t.SAFETY_GO_ON, Action.SAFETY_GO_ON, "primary"),
            (t.SAFETY_CONTACT_FIRST, Action.SAFETY_CONTACT_FIRST, None),
            (t.SAFETY_PAUSE, Action.SAFETY_PAUSE, None),
        ),
    ),
    Notice.SAFETY_CONTACTS: (
        t.SAFETY_CONTACTS,
        ((t.SAFETY_GO_ON, Action.SAFETY_GO_ON, "primary"), (t.SAFETY_PAUSE, Action.SAFETY_PAUSE, None)),
    ),
    Notice.SAFETY_PAUSED: (
        t.SAFETY_PAUSED,
        (
            (t.SAFETY_GO_ON, Action.SAFETY_GO_ON, "primary"),
            (t.SAFETY_CONTACT_FIRST, Action.SAFETY_CONTACT_FIRST, None),
        ),
    ),
    Notice.PAUSED_BY_REQUEST: (t.PAUSED_BY_REQUEST, ()),
    Notice.GOES_ON: (t.GOES_ON, ()),
    Notice.CLOSED_BY_REQUEST: (t.CLOSED_BY_REQUEST, ()),
}


def safety_message(m: Mediation, role: Role, notice: Notice) -> Message:
    """A safety notice: the choice for the person whose own words signalled a concern (naming the kinds
    to them alone), or neutral words for everyone else."""
    text, buttons = _SAFETY[notice]
    check = m.party(role).safety
    named = ", ".join(t.CONCERNS[k.value] for k in check.concerns) if check and check.concerns else ""
    body = text.format(concerns=named or t.SAFETY_CHOICE_SOMETHING, **_names(m, role))
    blocks: list[Block] = [section(body)]
    if buttons:
        row = (button(label, aid, m.id, style) for label, aid, style in buttons)
        blocks.append(actions(*row, block_id=notice.value))
    return Message(body, dump(blocks))


def _intro(d: FlowDefinition) -> list[Block]:
    """The workspace's own words for the invitation, when an admin wrote some."""
    invitation = d.stage(Stage.INVITATION)
    intro = invitation.intro if isinstance(invitation, InvitationStage) else None
    return [section(esc(intro))] if intro else []


def _facilitated_notice(m: Mediation, role: Role, notice: Notice, d: FlowDefinition) -> Message:
    names = _names(m, role)
    blocks: list[Block]
    if notice is Notice.INVITATION:
        body = t.FAC_INVITATION.format(**names)
        blocks = [
            section(body),
            *_intro(d),
            section(t.FAC_INVITATION_HOW.format(**names)),
            actions(
                button(t.ACCEPT, Action.INVITE_ACCEPT, m.id, "primary"),
                button(t.NOT_NOW, Action.INVITE_POSTPONE, m.id),
                button(t.DECLINE, Action.INVITE_DECLINE, m.id, confirm=confirm.decline()),
                block_id="invitation",
            ),
        ]
        return Message(body, dump(blocks))
    if notice is Notice.DECLINED:
        body = t.FAC_DECLINED.format(**names)
        return Message(body, dump([section(body)]))
    if notice is Notice.MOVED_ON:
        reason = next((lp.moved_on for lp in m.loops if lp.moved_on), "") or ""
        body = t.FAC_MOVED_ON.format(reason=esc(reason), **names)
        return Message(body, dump([section(body)]))

    return _nudged(m, role, waiting_on(m, role))


def _nudged(m: Mediation, role: Role, waiting: str | None) -> Message:
    """The facilitator's reminder of what waits on `role` (a key of `texts.WAITING`)."""
    return _step_reminder(m, role, waiting, t.FAC_NUDGED, t.FAC_NUDGED_NOTHING, "nudged")


def done_message(
    m: Mediation, notice: Notice, d: FlowDefinition, speaker: Role | None, offer: Offer, done: Done
) -> Message:
    """The message that offered `offer`, as it reads once the step is done: its own words, no buttons,
    and a line saying what happened and when."""
    if notice is Notice.NUDGED:  # worded from what waited then, not from what waits now
        original = _nudged(m, offer.role, WAITING_KEYS.get(offer.step))
    elif notice is Notice.STALLED:
        original = _stalled(m, offer.role, WAITING_KEYS.get(offer.step))
    else:
        original = notice_message(m, offer.role, notice, d, speaker)
    line = t.STEP_DONE[done.kind].format(when=slack_date(done.at))
    kept = [block for block in original.blocks if block.get("type") != "actions"]
    return Message(f"{original.text}\n{line}", kept + dump([context(line)]))


def facilitator_message(m: Mediation, notice: Notice, by: str | None = None) -> Message:
    """A DM to the facilitator: who did what, the topic and the stage, never a party's private text."""
    names = _names(m, Role.INITIATOR)
    names["by"] = by or ""
    names["when"] = slack_date(m.expires_at) if m.expires_at else ""
    templates = {**t.FAC_NOTICES, **t.FAC_SAFETY_NOTICES}
    if not by:
        templates.update(t.FAC_NOTICES_UNNAMED)
    outcome = t.END_OUTCOMES.get(m.outcome, t.OUTCOMES[m.outcome]) if m.outcome else ""
    body = templates.get(notice.value, templates["resumed"]).format(outcome=outcome, **names)
    blocks: list[Block] = [section(body)]
    if notice is Notice.EXPIRY_SOON and not m.expiry_extended:
        extend = button(t.EXTEND_BUTTON, Action.EXTEND_INVITATION, m.id, "primary")
        blocks.append(actions(extend, block_id=notice.value))
    return Message(body, dump(blocks))


def _loop_message(m: Mediation, role: Role, notice: Notice, speaker: Role) -> Message:
    loop = m.loop_for_speaker(speaker)
    rounds = len(loop.rounds) if loop else 0
    templates = {
        Notice.LOOP_CONFIRMED: t.LOOP_CONFIRMED,
        Notice.LOOP_NOT_YET: t.LOOP_NOT_YET,
        Notice.LOOP_SKIPPED: t.LOOP_SKIPPED,
    }[notice]
    template = templates["speaker" if role is speaker else "listener"]
    body = template.format(
        speaker=m.party(speaker).user_id, listener=m.party(speaker.other).user_id, rounds=rounds
    )
    return Message(body, dump([section(body)]))


def _finish_notice(m: Mediation, role: Role, notice: Notice) -> Message:
    """A proposal to finish, asked in a DM when there is no joint space yet; or "not yet" for the
    one who proposed."""
    names = _names(m, role)
    if notice is Notice.FINISH_NOT_YET:
        body = t.FINISH_NOT_YET_DM.format(**names)
        return Message(body, dump([section(body)]))
    proposal = m.pending_finish
    if proposal is None:  # answered before this DM went out: what the conversation shows is current
        body = t.REFUSALS[RefusalCode.FINISH_NOT_OPEN]
        return Message(body, dump([section(body)]))
    body = t.FINISH_PROPOSED_DM.format(outcome=t.FINISH_LABELS[proposal.outcome], **names)
    return Message(body, dump([section(body), *finish_controls(m, proposal.id)]))


def finish_controls(m: Mediation, proposal_id: str) -> list[Block]:
    """The answers to an open proposal to finish (the engine lets only the right person use each)."""
    proposal = m.finish_proposal(proposal_id)
    if proposal is None:
        return []
    value = item_value(m.id, proposal.id)
    return [
        actions(
            button(
                t.FINISH_CONFIRM, Action.FINISH_CONFIRM, value, "primary", confirm.close(proposal.outcome)
            ),
            button(t.FINISH_NOT_YET, Action.FINISH_NOT_YET, value),
            button(t.FINISH_WITHDRAW, Action.FINISH_WITHDRAW, value),
            block_id=f"finish_{proposal.id}",
        )
    ]


def closed_message(m: Mediation, role: Role) -> Message:
    """The closing DM, with the agreed items when there are any (and the host's reason when the
    host ended it)."""
    names = _names(m, role)
    outcome = t.OUTCOMES[m.outcome] if m.outcome else ""
    if m.closed_reason == "ended_by_facilitator" and m.facilitator:
        body = t.CLOSED_BY_HOST.format(outcome=outcome, **names)
    else:
        body = t.CLOSED.format(outcome=outcome, **names)
    blocks: list[Block] = [section(body)]
    if m.end_reason and m.facilitator:
        blocks.append(section(t.CLOSED_HOST_REASON.format(reason=esc(m.end_reason), **names)))
    agreed = [i for i in m.agreement if i.accepted]
    if agreed:
        blocks += [DividerBlock(), section(t.CLOSED_ITEMS)]
        blocks += [section(item_line(m, i.id)) for i in agreed[:40]]
    return Message(body, dump(blocks))


def item_line(m: Mediation, item_id: str) -> str:
    """One agreement item as a line of mrkdwn."""
    item = m.item(item_id)
    if item is None:
        return ""
    when = t.JOINT_ITEM_WHEN.format(date=calendar_day(item.by_when)) if item.by_when else ""
    return t.JOINT_ITEM.format(
        proposer=m.party(item.proposer).user_id, who=esc(item.who), what=esc(item.what), when=when
    )


def status_blocks(mediations: list[Mediation], user_id: str) -> list[dict[str, Any]]:
    """The `/mediate status` answer."""
    blocks: list[Block] = [section(t.STATUS_HEADER)]
    for m in mediations[:20]:
        me = m.party_of(user_id)
        if me is None:
            continue
        other = m.party(me.role.other).user_id
        stage = t.STAGES[m.stage]
        if m.outcome:
            stage += f" ({t.OUTCOMES[m.outcome]})"
        blocks.append(section(f"*<@{other}>* — {esc(m.topic)}\n{stage}"))
    blocks.append(context(t.USAGE))
    return dump(blocks)
