"""App Home: the user's mediations, where each stands and what waits on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot import texts as t
from bot.views.common import DATE_ONLY, actions, button, context, dump_view, esc, section, slack_date
from bot.views.ids import Action
from flows.models import Mediation, Role, SafetyOption, Stage
from flows.steps import Step, pending_step

HOME_LIMIT = 15


# Each step a person can be waited on for, as the key of `texts.WAITING` (and `WAITING_THEIR`).
WAITING_KEYS = {
    Step.ANSWER_INVITATION: "accept",
    Step.AGREE_RULES: "rules",
    Step.WRITE_ANSWERS: "intake",
    Step.CHANGE_SHARING: "sharing",
    Step.REFLECT: "reflect",
    Step.ANSWER_REFLECTION: "answer",
    Step.CHECK_IN: "check_in",
    Step.REPAIR: "repair",
}


def waiting_on(m: Mediation, role: Role) -> str | None:
    """What the mediation waits for from this role (a key of `texts.WAITING`), or None: the step that
    waits on them (`flows.steps.pending_step`), or the conversation itself once it is open."""
    step = pending_step(m, role)
    if step is not None:
        return WAITING_KEYS[step]
    return "joint" if m.is_open and not m.paused and m.stage is Stage.JOINT else None


_BUTTONS = {
    "accept": (t.ACCEPT, Action.INVITE_ACCEPT),
    "rules": (t.GROUND_RULES_AGREE, Action.RULES_AGREE),
    "intake": (t.INTAKE_BUTTON, Action.INTAKE_OPEN),
    "sharing": (t.HOME_SHARING, Action.SHARING_OPEN),
    "reflect": (t.REFLECT_BUTTON, Action.REFLECT_OPEN),
    "answer": (t.ANSWER_BUTTON, Action.ANSWER_OPEN),
    "check_in": (t.CHECK_IN_BUTTON, Action.CHECK_IN_OPEN),
    "repair": (t.REPAIR_CONTINUE, Action.REPAIR_CONTINUE),
}


def step_button(waiting: str, mediation_id: str) -> ButtonElement | None:
    """The button that does what waits on a person, if there is one."""
    if waiting not in _BUTTONS:
        return None
    label, action_id = _BUTTONS[waiting]
    return button(label, action_id, mediation_id, "primary")


def _item(m: Mediation, user_id: str) -> list[Block]:
    me = m.party_of(user_id)
    if me is None:
        return []
    other = m.party(me.role.other).user_id
    since = slack_date(m.stage_since(), DATE_ONLY)
    blocks: list[Block] = [
        section(t.HOME_ITEM.format(other=other, topic=esc(m.topic), stage=t.STAGES[m.stage], since=since))
    ]
    buttons: list[ButtonElement] = []
    waiting = waiting_on(m, me.role)
    if m.is_open and me.safety_pending:
        blocks.append(context(t.HOME_SAFETY_PENDING))
        buttons += safety_buttons(m, me.safety.choice if me.safety else None)
    if not m.is_open:
        blocks.append(context(t.HOME_CLOSED.format(outcome=t.OUTCOMES[m.outcome] if m.outcome else "")))
    elif m.held_for_safety and not me.safety_pending:
        blocks.append(context(t.HOME_HELD))  # who asked, and why, is theirs alone
    elif m.paused and me.safety_holding:
        blocks.append(context(t.HOME_PAUSED))  # their own pause: the buttons above go on
    elif m.joint_held:
        pass  # the joint space waits on their choice, which the line above already says
    elif m.paused:
        blocks.append(context(t.HOME_PAUSED))
        buttons.append(button(t.RESUME, Action.RESUME, m.id, "primary"))
    elif waiting:
        blocks.append(context(t.HOME_WAITING_YOU.format(what=t.WAITING[waiting])))
        if waiting in _BUTTONS:
            label, action_id = _BUTTONS[waiting]
            buttons.append(button(label, action_id, m.id, "primary"))
    else:
        blocks.append(context(t.HOME_WAITING_OTHER.format(other=other)))
    if me.answers:
        buttons.append(button(t.HOME_MY_ANSWERS, Action.ANSWERS_VIEW, m.id))
    if m.is_open and m.stage is Stage.INTAKE and me.intake_saved_at and waiting != "sharing":
        buttons.append(button(t.HOME_SHARING, Action.SHARING_OPEN, m.id))
    if m.loops and m.stage in (Stage.ALLIANCE, Stage.JOINT, Stage.CLOSED):
        buttons.append(button(t.JOINT_UNDERSTOOD, Action.UNDERSTOOD_VIEW, m.id))
    if buttons:
        blocks.append(actions(*buttons, block_id=f"home_{m.id}"))
    return blocks


_SAFETY_BUTTONS = (
    (SafetyOption.GO_ON, t.SAFETY_GO_ON, Action.SAFETY_GO_ON, "primary"),
    (SafetyOption.CONTACT_FIRST, t.SAFETY_CONTACT_FIRST, Action.SAFETY_CONTACT_FIRST, None),
    (SafetyOption.PAUSE, t.SAFETY_PAUSE, Action.SAFETY_PAUSE, None),
)


def safety_buttons(m: Mediation, chosen: SafetyOption | None) -> list[ButtonElement]:
    """The safety choices still open to a person: go on, a contact first, pause (not the one made)."""
    return [
        button(label, aid, m.id, style) for option, label, aid, style in _SAFETY_BUTTONS if option != chosen
    ]


def delete_button() -> ButtonElement:
    """*Delete my data*, with Slack's confirmation dialog saying what will happen."""
    confirm = ConfirmObject(
        title=PlainTextObject(text=t.DELETE_CONFIRM_TITLE),
        text=PlainTextObject(text=t.DELETE_CONFIRM_TEXT),
        confirm=PlainTextObject(text=t.DELETE_CONFIRM_YES),
        deny=PlainTextObject(text=t.DELETE_CONFIRM_NO),
        style="danger",
    )
    return ButtonElement(
        text=t.DELETE_BUTTON, action_id=Action.DELETE_MY_DATA, value="me", style="danger", confirm=confirm
    )


VIEW_BLOCKS_MAX = 100


def home_view(
    mediations: list[Mediation], user_id: str, now: datetime, sections: Sequence[list[Block]] = ()
) -> dict[str, Any]:
    """The App Home tab for one user: their own mediations, then any further sections (the ones they
    host, the admin's), within Slack's 100 blocks."""
    blocks: list[Block] = [HeaderBlock(text=t.HOME_HEADER), section(t.HOME_INTRO)]
    extra = [block for part in sections for block in [DividerBlock(), *part]]
    budget = VIEW_BLOCKS_MAX - len(extra) - len(blocks) - 3
    if not mediations:
        blocks.append(context(t.HOME_EMPTY))
    ordered = sorted(mediations, key=lambda m: (not m.is_open, -m.updated_at.timestamp()))
    shown = 0
    for m in ordered[:HOME_LIMIT]:
        item = [DividerBlock(), *_item(m, user_id)]
        if len(item) > budget:
            break
        blocks += item
        budget -= len(item)
        shown += 1
    if len(ordered) > shown:
        blocks.append(context(t.HOME_MORE.format(count=len(ordered) - shown)))
    if mediations:
        blocks.append(actions(delete_button(), block_id="delete_my_data"))
    return dump_view(View(type="home", blocks=(blocks + extra)[:VIEW_BLOCKS_MAX]))
