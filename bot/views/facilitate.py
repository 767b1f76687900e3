"""What a facilitator sees: the mediations they host (stages, who is waiting since when, check-in
numbers) and the modals of their controls. Never a party's private text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)

from bot import texts as t
from bot.views import confirm
from bot.views.common import actions, button, context, esc, modal, section, slack_date, split_at_word
from bot.views.home import waiting_on
from bot.views.ids import Action, Callback
from bot.views.joint import outcome_choice
from bot.views.modals import metadata, person_input, topic_input
from flows.engine import (
    END_REASON_MAX,
    MOVE_ON_REASON_MAX,
    TOPIC_MAX,
    agreement_outcome,
    fitting_outcomes,
    stalled_since,
)
from flows.models import JointKind, LoopStatus, Mediation, Outcome, Stage

HOSTED_LIMIT = 8


def hosted_section(mediations: list[Mediation], now: datetime) -> list[Block]:
    """The App Home section of the mediations a facilitator hosts (open ones first)."""
    if not mediations:
        return []
    blocks: list[Block] = [HeaderBlock(text=t.HOSTED_HEADER)]
    ordered = sorted(mediations, key=lambda m: (not m.is_open, -m.updated_at.timestamp()))
    for i, m in enumerate(ordered[:HOSTED_LIMIT]):
        blocks += _hosted_item(m)[1:] if i == 0 else _hosted_item(m)
    if len(ordered) > HOSTED_LIMIT:
        blocks.append(context(t.HOME_MORE.format(count=len(ordered) - HOSTED_LIMIT)))
    return blocks


def _hosted_item(m: Mediation) -> list[Block]:
    since = slack_date(m.stage_since())
    a, b = m.initiator.user_id, m.respondent.user_id
    lines = [t.HOSTED_ITEM.format(a=a, b=b, topic=esc(m.topic), stage=t.STAGES[m.stage], since=since)]
    notes: list[str] = []
    if not m.is_open:
        notes.append(t.HOME_CLOSED.format(outcome=t.OUTCOMES[m.outcome] if m.outcome else ""))
    elif m.paused:
        notes.append(t.HOME_PAUSED)
    waiting = [p for p in m.parties if m.is_open and waiting_on(m, p.role)]
    for party in waiting:
        what = waiting_on(m, party.role) or ""
        notes.append(t.HOSTED_WAITING.format(who=party.user_id, what=t.WAITING_THEIR[what]))
        stalled = stalled_since(m, party.role)
        if stalled is not None:  # the step waited too long: they had their one kind reminder
            notes.append(t.HOSTED_STALLED.format(who=party.user_id, when=slack_date(stalled)))
    for party in m.parties:
        if party.check_in is not None:
            scores = " / ".join(str(s) for s in party.check_in)
            notes.append(
                t.HOSTED_CHECK_IN.format(who=party.user_id, scores=scores, total=sum(party.check_in))
            )
        if party.pulse is not None:  # the latest check-in during the conversation: numbers only
            scores = " / ".join(str(s) for s in party.pulse)
            notes.append(t.HOSTED_PULSE.format(who=party.user_id, scores=scores, total=sum(party.pulse)))
    blocks: list[Block] = [DividerBlock(), section("\n".join(lines))]
    if notes:
        blocks.append(context("\n".join(notes)))
    if m.is_open:
        controls: list[ButtonElement] = []
        if waiting and not m.paused:
            controls.append(button(t.HOSTED_NUDGE.format(name="them"), Action.FAC_NUDGE, m.id))
        if m.stage is not Stage.INVITATION:
            if m.paused:
                controls.append(button(t.RESUME, Action.FAC_RESUME, m.id, "primary"))
            else:
                controls.append(button(t.JOINT_PAUSE, Action.FAC_PAUSE, m.id))
        if m.stage is Stage.REFLECTION and any(not lp.status.ended for lp in m.loops):
            controls.append(button(t.HOSTED_MOVE_ON, Action.FAC_MOVE_ON, m.id))
        if m.joint is None:
            controls.append(button(t.HOSTED_JOINT, Action.FAC_JOINT, m.id))
        controls.append(button(t.HOSTED_END, Action.FAC_END, m.id, "danger", confirm.end()))
        blocks.append(actions(*controls, block_id=f"hosted_{m.id}"))
    return blocks


def _modal(callback: Callback, title: str, blocks: list[Block], submit: str, meta: str) -> dict[str, Any]:
    return modal(callback.value, title, blocks, submit=submit, close=t.CANCEL, meta=meta)


def facilitate_modal(first: str | None, second: str | None, topic: str) -> dict[str, Any]:
    """Start a facilitated mediation: the two people and the topic."""
    short, rest = split_at_word(topic, TOPIC_MAX)
    blocks: list[Block] = [
        section(t.FACILITATE_INTRO),
        person_input("first", t.FACILITATE_FIRST, first),
        person_input("second", t.FACILITATE_SECOND, second),
        topic_input(short),
    ]
    if rest:  # no private note here: the rest is shown to the host alone, to reuse as they like
        blocks.append(context(t.TOPIC_SHORTENED_HOST.format(limit=TOPIC_MAX, rest=esc(rest))))
    return _modal(Callback.FACILITATE, t.FACILITATE_TITLE, blocks, t.FACILITATE_SUBMIT, "{}")


def move_on_modal(m: Mediation) -> dict[str, Any]:
    """Why move on from a stuck listening loop (both parties read the reason)."""
    stuck = [lp for lp in m.loops if lp.status in (LoopStatus.WAITING_REFLECTION, LoopStatus.WAITING_ANSWER)]
    rounds = ", ".join(str(len(lp.rounds)) for lp in stuck) or "0"
    blocks: list[Block] = [
        context(f"{t.STAGES[m.stage]} · rounds so far: {rounds}"),
        InputBlock(
            block_id="reason",
            label=t.MOVE_ON_LABEL,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=MOVE_ON_REASON_MAX),
        ),
    ]
    return _modal(Callback.MOVE_ON, t.MOVE_ON_TITLE, blocks, t.MOVE_ON_SUBMIT, metadata(m=m.id))


_KIND_LABELS = {
    JointKind.GROUP_DM: t.JOINT_CHOICE_GROUP_DM,
    JointKind.PRIVATE_CHANNEL: t.JOINT_CHOICE_CHANNEL,
    JointKind.THREAD: t.JOINT_CHOICE_THREAD,
}


def joint_choice_modal(m: Mediation, channels: list[tuple[str, str]]) -> dict[str, Any]:
    """Where the joint conversation happens; `channels` are the private channels everyone shares."""
    options = [Option(value=k.value, text=label) for k, label in _KIND_LABELS.items()]
    current = m.joint_choice.kind if m.joint_choice else JointKind.GROUP_DM
    initial = next(o for o in options if o.value == current.value)
    blocks: list[Block] = [
        InputBlock(
            block_id="kind",
            label=t.JOINT_CHOICE_LABEL,
            element=RadioButtonsElement(action_id="value", options=options, initial_option=initial),
        )
    ]
    if channels:
        channel_options = [Option(value=cid, text=f"#{name}"[:75]) for cid, name in channels[:100]]
        blocks.append(
            InputBlock(
                block_id="channel",
                label=t.JOINT_CHOICE_WHICH,
                optional=True,
                element=StaticSelectElement(action_id="value", options=channel_options),
            )
        )
    else:
        blocks.append(context(t.JOINT_CHOICE_NONE))
    return _modal(
        Callback.JOINT_CHOICE, t.JOINT_CHOICE_TITLE, blocks, t.JOINT_CHOICE_SUBMIT, metadata(m=m.id)
    )


def end_modal(m: Mediation) -> dict[str, Any]:
    """End with an outcome that fits the stage: before the joint conversation only "ended without
    agreement", with a reason both parties read; in it, what the agreement items allow."""
    if m.stage is Stage.JOINT:
        items = [i for i in m.agreement if i.withdrawn_at is None]
        accepted = sum(1 for i in items if i.accepted)
        intro = t.END_JOINT_INTRO.format(accepted=accepted, total=len(items))
        choice = outcome_choice(t.END_LABEL, t.END_OUTCOMES, fitting_outcomes(m), agreement_outcome(m))
        reason_label, optional = t.END_REASON_OPTIONAL, True
    else:
        intro = t.END_EARLY_INTRO
        early = {Outcome.NO_AGREEMENT: t.END_EARLY_OUTCOME}
        choice = outcome_choice(t.END_LABEL, early, [Outcome.NO_AGREEMENT], Outcome.NO_AGREEMENT)
        reason_label, optional = t.END_REASON_LABEL, False
    blocks: list[Block] = [
        section(intro),
        choice,
        InputBlock(
            block_id="reason",
            label=reason_label,
            optional=optional,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=END_REASON_MAX),
        ),
    ]
    return _modal(Callback.END, t.END_TITLE, blocks, t.END_SUBMIT, metadata(m=m.id))
