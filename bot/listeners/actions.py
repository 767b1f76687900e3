"""Button clicks: buttons that change a mediation, and buttons that open a private modal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.guards import can_open
from bot.jobs import JobKind, carrying, new_job
from bot.listeners.common import (
    Deps,
    act_on_click,
    action_value,
    error_text,
    open_modal,
    team_of,
    update_modal,
)
from bot.listeners.handover import Handover, hand_over
from bot.payloads import BlockActions, of
from bot.store import StoreUnavailable
from bot.views import modals
from bot.views.ids import Action, split_item_value
from bot.views.joint import finish_modal, item_message
from bot.webclient import slack_error
from flows import commands as c
from flows.engine import Transition
from flows.models import Mediation, SafetyOption

log = logging.getLogger("commonground.actions")

# Buttons that change the mediation: action → the command for the acting user. The message clicked
# is turned into what happened by the effect runner, once the step is done (see flows.steps).
_CHANGES: dict[Action, Callable[[str], c.Command]] = {
    Action.INVITE_ACCEPT: lambda u: c.Accept(actor=u),
    Action.INVITE_POSTPONE: lambda u: c.Postpone(actor=u),
    Action.INVITE_DECLINE: lambda u: c.Decline(actor=u),
    Action.RULES_AGREE: lambda u: c.AgreeGroundRules(actor=u),
    Action.REPAIR_CONTINUE: lambda u: c.ChooseRepair(actor=u, choice=c.Repair.CONTINUE),
    Action.REPAIR_PAUSE: lambda u: c.ChooseRepair(actor=u, choice=c.Repair.PAUSE),
    Action.REPAIR_STOP: lambda u: c.ChooseRepair(actor=u, choice=c.Repair.STOP),
    Action.RESUME: lambda u: c.Resume(actor=u),
    Action.JOINT_PAUSE: lambda u: c.Pause(actor=u),
    Action.CANCEL_ONE: lambda u: c.Cancel(actor=u),
    Action.FOLLOW_UP_YES: lambda u: c.AnswerFollowUp(actor=u, holding=True),
    Action.FOLLOW_UP_NO: lambda u: c.AnswerFollowUp(actor=u, holding=False),
    Action.SAFETY_GO_ON: lambda u: c.ChooseSafety(actor=u, choice=SafetyOption.GO_ON),
    Action.SAFETY_CONTACT_FIRST: lambda u: c.ChooseSafety(actor=u, choice=SafetyOption.CONTACT_FIRST),
    Action.SAFETY_PAUSE: lambda u: c.ChooseSafety(actor=u, choice=SafetyOption.PAUSE),
    Action.EXTEND_INVITATION: lambda u: c.ExtendInvitation(actor=u),
}

# Buttons that open a modal: action → (guard name, builder).
_MODALS: dict[Action, tuple[str, Callable[[Mediation, Any, Any], dict[str, Any]]]] = {
    Action.INTAKE_OPEN: ("intake", lambda m, p, d: modals.intake_modal(m, p.role, d)),
    Action.SHARING_OPEN: ("sharing", lambda m, p, d: modals.sharing_modal(m, p.role, d)),
    Action.ANSWERS_VIEW: ("answers", lambda m, p, d: modals.answers_modal(m, p.role, d)),
    Action.REFLECT_OPEN: ("reflect", lambda m, p, d: modals.reflect_modal(m, p.role, d)),
    Action.ANSWER_OPEN: ("answer", lambda m, p, d: modals.answer_modal(m, p.role)),
    Action.CHECK_IN_OPEN: ("check_in", lambda m, p, d: modals.check_in_modal(m, d)),
    Action.ITEM_PROPOSE: ("propose", lambda m, p, d: modals.propose_modal(m)),
    Action.UNDERSTOOD_VIEW: ("understood", lambda m, p, d: modals.understood_modal(m)),
    Action.JOINT_DONE: ("finish", lambda m, p, d: finish_modal(m, p.role)),
}

# The answers to a proposal to finish (the value names the mediation and the proposal). The engine
# lets only the other party confirm or say not yet, and only the proposer withdraw.
_FINISH_ANSWERS: dict[Action, Callable[[str, str], c.Command]] = {
    Action.FINISH_CONFIRM: lambda u, p: c.AnswerFinish(actor=u, proposal_id=p, confirmed=True),
    Action.FINISH_NOT_YET: lambda u, p: c.AnswerFinish(actor=u, proposal_id=p, confirmed=False),
    Action.FINISH_WITHDRAW: lambda u, p: c.WithdrawFinish(actor=u, proposal_id=p),
}


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the action listeners."""
    for action, factory in _CHANGES.items():
        app.action(action.value)(_change_handler(deps, factory))
    for action, (guard, builder) in _MODALS.items():
        app.action(action.value)(_modal_handler(deps, guard, builder))
    app.action(Action.ITEM_ACCEPT.value)(_accept_item_handler(deps))
    for action, answer in _FINISH_ANSWERS.items():
        app.action(action.value)(_finish_answer_handler(deps, answer))
    app.action(Action.KEEP_WORDS.value)(_keep_words_handler(deps))


# The clicks whose listener claims the delivery itself (with the hand-over to the worker, in one
# round trip): the dedupe middleware lets them through.
CLAIMED_BY_LISTENER = frozenset(action.value for action in _CHANGES)


def _change_handler(deps: Deps, factory: Callable[[str], c.Command]) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        clicked = of(context, BlockActions)
        team, command = team_of(context), factory(clicked.user_id)
        job = new_job(
            JobKind.CHANGE,
            team,
            clicked.user_id,
            mediation_id=action_value(body),
            **carrying(command),
            channel=clicked.channel_id,
            trigger_id=clicked.trigger_id,
        )
        handed = await hand_over(deps, body, job)
        await ack()
        if handed is Handover.HERE:
            await act_on_click(deps, client, body, team, command)

    return handler


async def _guarded_view(
    deps: Deps,
    context: AsyncBoltContext,
    body: dict[str, Any],
    guard: str,
    builder: Callable[[Mediation, Any, Any], dict[str, Any]],
) -> dict[str, Any]:
    """The modal a click asks for, or a kind notice when it may not be shown (storage down, no such
    mediation, not this person's to see now). Private text is built only after `can_open` agrees."""
    user = of(context, BlockActions).user_id
    try:
        m = await deps.service.store.get(team_of(context), action_value(body))
    except StoreUnavailable as exc:
        return modals.info_modal(error_text(exc))
    if m is None:
        return modals.info_modal(t.NOT_FOUND)
    refusal = can_open(m, user, guard)
    if refusal is not None:
        return modals.info_modal(t.REFUSALS[refusal])
    return builder(m, m.party_of(user), await deps.service.definitions.for_mediation(m))


def _modal_handler(
    deps: Deps, guard: str, builder: Callable[[Mediation, Any, Any], dict[str, Any]]
) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        view = await _guarded_view(deps, context, body, guard, builder)
        await open_modal(deps, client, of(context, BlockActions), view)

    return handler


def _accept_item_handler(deps: Deps) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        mediation_id, item_id = split_item_value(action_value(body))

        async def update_item(transition: Transition) -> None:
            sent = of(context, BlockActions)
            ts, channel = (sent.message.ts if sent.message else None), sent.channel_id
            if not ts or not channel:
                return
            updated = item_message(transition.mediation, item_id)
            try:
                await client.chat_update(channel=channel, ts=ts, text=updated.text, blocks=updated.blocks)
            except SlackApiError as exc:
                log.warning("chat.update failed", extra={"error": slack_error(exc)})

        command = c.AcceptItem(actor=of(context, BlockActions).user_id, item_id=item_id)
        await act_on_click(
            deps, client, body, team_of(context), command, mediation_id=mediation_id, then=update_item
        )

    return handler


def _finish_answer_handler(deps: Deps, factory: Callable[[str, str], c.Command]) -> Callable[..., Any]:
    """An answer to a proposal to finish; the engine's effects redraw the proposal's message."""

    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        mediation_id, proposal_id = split_item_value(action_value(body))
        command = factory(of(context, BlockActions).user_id, proposal_id)
        await act_on_click(deps, client, body, team_of(context), command, mediation_id=mediation_id)

    return handler


def _keep_words_handler(deps: Deps) -> Callable[..., Any]:
    """ "Keep my words" in the coach's review: the saved answers stand; on to choosing what to share."""
    guard, builder = _MODALS[Action.SHARING_OPEN]

    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        sent = of(context, BlockActions)
        view = await _guarded_view(deps, context, body, guard, builder)
        if sent.view is None:  # the button lives in the coach's review modal: elsewhere, a new modal
            await open_modal(deps, client, sent, view)
            return
        await update_modal(deps, client, sent, sent.view.id, view)

    return handler
