"""Facilitated mediations: starting one (command and message shortcut), and the facilitator's
controls in App Home. A facilitator sees stages and numbers, never a party's private text."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.listeners.common import (
    Deps,
    Problem,
    Where,
    act_on_click,
    action_value,
    attempt,
    error_text,
    open_modal,
    person_problem,
    team_of,
    tell,
)
from bot.listeners.views import OUTCOME_REFUSALS, chosen_outcome, field_errors, submit_handler
from bot.payloads import BlockActions, ViewSubmission, of
from bot.payloads import Shortcut as ShortcutPayload
from bot.store import PairTaken, StoreUnavailable
from bot.submitted import Values, choice, text
from bot.views import facilitate as fv
from bot.views import modals
from bot.views.home import waiting_on
from bot.views.ids import Action, Callback, Shortcut
from bot.webclient import slack_error
from flows import commands as c
from flows.config import FacilitatorPolicy, WorkspaceConfig
from flows.errors import RefusalCode, Refused
from flows.models import JointKind, Mediation

log = logging.getLogger("commonground.facilitate")


async def may_facilitate(client: AsyncWebClient, config: WorkspaceConfig, user: str) -> bool:
    """Whether the workspace lets this person host mediations."""
    if config.facilitator_policy is FacilitatorPolicy.EVERYONE or user in config.admins:
        return True
    if config.facilitator_policy is FacilitatorPolicy.LISTED:
        return user in config.facilitators
    if not config.facilitator_group:
        return False
    try:
        found = await client.usergroups_users_list(usergroup=config.facilitator_group)
    except SlackApiError as exc:
        log.warning("usergroups.users.list failed", extra={"error": slack_error(exc)})
        return False
    return user in (found.get("users") or [])


async def open_facilitate_modal(
    deps: Deps,
    client: AsyncWebClient,
    team: str,
    where: Where,
    first: str | None,
    second: str | None,
    topic: str,
) -> None:
    """Open the facilitate modal, or say kindly why this person cannot host."""
    config = await deps.service.configs.get(team) if deps.service.configs else WorkspaceConfig()
    if "facilitated" not in config.enabled_flows or not await may_facilitate(client, config, where.user_id):
        await open_modal(deps, client, where, modals.info_modal(t.FACILITATE_NOT_ALLOWED))
        return
    await open_modal(deps, client, where, fv.facilitate_modal(first, second, topic))


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the facilitator's shortcut, modals and App Home controls, and the hosted section."""
    deps.runner.home_sections.append(_hosted_provider(deps))

    @app.shortcut(Shortcut.HOST.value)
    async def host_about_message(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        # The message itself is never read or copied: only who wrote it, as a suggested first person.
        await ack()
        sent = of(context, ShortcutPayload)
        author = sent.message.user if sent.message else None
        first = author if author and author != sent.user_id else None
        try:
            await open_facilitate_modal(deps, client, team_of(context), sent, first, None, "")
        except StoreUnavailable as exc:
            await open_modal(deps, client, sent, modals.info_modal(error_text(exc)))

    app.view(Callback.FACILITATE.value)(_start_handler(deps))
    app.action(Action.FAC_NUDGE.value)(_nudge_handler(deps))
    app.action(Action.FAC_PAUSE.value)(_simple_handler(deps, lambda u: c.Pause(actor=u)))
    app.action(Action.FAC_RESUME.value)(_simple_handler(deps, lambda u: c.Resume(actor=u)))
    app.action(Action.FAC_MOVE_ON.value)(_open_handler(deps, _move_on_view))
    app.action(Action.FAC_JOINT.value)(_open_handler(deps, _joint_view))
    app.action(Action.FAC_END.value)(_open_handler(deps, _end_view))
    app.view(Callback.MOVE_ON.value)(submit_handler(deps, Callback.MOVE_ON, _move_on_command, "reason"))
    app.view(Callback.END.value)(
        submit_handler(deps, Callback.END, _end_command, "outcome", OUTCOME_REFUSALS)
    )
    app.view(Callback.JOINT_CHOICE.value)(_joint_submit_handler(deps))


def _hosted_provider(deps: Deps) -> Callable[[str, str], Any]:
    async def provider(team: str, user: str) -> list[Block]:
        hosted = await deps.service.store.for_facilitator(team, user)
        return fv.hosted_section(hosted, deps.service.clock())

    return provider


async def _hosted(
    deps: Deps, context: AsyncBoltContext, body: dict[str, Any]
) -> Mediation | RefusalCode | None:
    """The hosted mediation the clicked control names, or why the clicker may not control it."""
    m = await deps.service.store.get(team_of(context), action_value(body))
    if m is None:
        return None
    if m.facilitator != of(context, BlockActions).user_id:
        return RefusalCode.NOT_THE_FACILITATOR
    return m


def _start_handler(deps: Deps) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        sent = of(context, ViewSubmission)
        values: Values = sent.view.values()
        user = sent.user_id
        team = team_of(context)
        first, second = choice(values, "first") or "", choice(values, "second") or ""
        errors = await _people_problems(client, user, first, second)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        config = await deps.service.configs.get(team) if deps.service.configs else WorkspaceConfig()
        if not await may_facilitate(client, config, user):  # a forged submission, or the setting changed
            await ack(response_action="errors", errors={"first": t.FACILITATE_NOT_ALLOWED})
            return
        command = c.StartFacilitated(actor=user, first=first, second=second, topic=text(values, "topic"))
        try:
            transition = await deps.service.start_facilitated(team, command)
        except Refused as refused:
            await ack(
                response_action="errors",
                errors=field_errors(Callback.FACILITATE, refused, "first", {"topic": 150}),
            )
            return
        except PairTaken:
            await ack(response_action="errors", errors={"second": t.ALREADY_OPEN_FIELD})
            return
        except StoreUnavailable as exc:
            await ack(response_action="errors", errors={"topic": error_text(exc)})
            return
        await ack()
        await deps.runner.run(transition)

    return handler


async def _people_problems(client: AsyncWebClient, user: str, first: str, second: str) -> dict[str, str]:
    if user in (first, second):
        return {"first" if first == user else "second": t.FACILITATE_YOURSELF}
    if first == second:
        return {"second": t.FACILITATE_SAME}
    problems: dict[str, str] = {}
    for block, person in (("first", first), ("second", second)):
        problem = await person_problem(client, person)
        if problem:
            problems[block] = problem
    return problems


def _simple_handler(deps: Deps, factory: Callable[[str], c.Command]) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        await act_on_click(deps, client, body, team_of(context), factory(of(context, BlockActions).user_id))

    return handler


def _nudge_handler(deps: Deps) -> Callable[..., Any]:
    """A kind reminder to every party something waits on; the host is told who was reminded."""

    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        user = of(context, BlockActions).user_id
        try:
            m = await deps.service.store.get(team_of(context), action_value(body))
        except StoreUnavailable as exc:
            await tell(client, body, error_text(exc))
            return
        if m is None:
            await tell(client, body, t.NOT_FOUND)
            return
        roles = [p.role for p in m.parties if waiting_on(m, p.role)] or [p.role for p in m.parties]
        reminded: list[str] = []
        for role in roles:
            command = c.NudgeParty(actor=user, role=role)
            if await act_on_click(deps, client, body, team_of(context), command) is None:
                return  # refused: said once, not once per party
            reminded.append(f"<@{m.party(role).user_id}>")
        await tell(client, body, t.HOSTED_NUDGED.format(people=t.AND.join(reminded)))

    return handler


async def _move_on_view(deps: Deps, client: AsyncWebClient, m: Mediation) -> dict[str, Any]:
    return fv.move_on_modal(m)


async def _end_view(deps: Deps, client: AsyncWebClient, m: Mediation) -> dict[str, Any]:
    return fv.end_modal(m)


async def _joint_view(deps: Deps, client: AsyncWebClient, m: Mediation) -> dict[str, Any]:
    return fv.joint_choice_modal(m, await _shared_private_channels(client, m))


async def _shared_private_channels(client: AsyncWebClient, m: Mediation) -> list[tuple[str, str]]:
    """Private channels the bot is in where both parties and the facilitator are members."""
    everyone = set(m.user_ids) | ({m.facilitator} if m.facilitator else set())
    try:
        listed = await client.conversations_list(types="private_channel", exclude_archived=True, limit=200)
    except SlackApiError as exc:
        log.warning("conversations.list failed", extra={"error": slack_error(exc)})
        return []
    shared = []
    for channel in listed.get("channels") or []:
        members = await client.conversations_members(channel=channel["id"])
        if everyone <= set(members.get("members") or []):
            shared.append((str(channel["id"]), str(channel.get("name", channel["id"]))))
    return shared


def _open_handler(deps: Deps, build: Callable[[Deps, AsyncWebClient, Mediation], Any]) -> Callable[..., Any]:
    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        sent = of(context, BlockActions)
        try:
            found = await _hosted(deps, context, body)
        except StoreUnavailable as exc:
            await open_modal(deps, client, sent, modals.info_modal(error_text(exc)))
            return
        if found is None:
            view = modals.info_modal(t.NOT_FOUND)
        elif isinstance(found, RefusalCode):
            view = modals.info_modal(t.REFUSALS[found])
        elif not found.is_open:
            view = modals.info_modal(t.REFUSALS[RefusalCode.CLOSED])
        else:
            # Opening a modal must happen within 3 s of the click: a loading view first when slow.
            view = await build(deps, client, found)
        await open_modal(deps, client, sent, view)

    return handler


def _move_on_command(user: str, values: Values) -> c.Command:
    return c.MoveOn(actor=user, reason=text(values, "reason"))


def _end_command(user: str, values: Values) -> c.Command:
    return c.EndWithOutcome(actor=user, outcome=chosen_outcome(values), reason=text(values, "reason") or None)


def _joint_submit_handler(deps: Deps) -> Callable[..., Any]:
    """The joint-space choice: a thread needs a private channel where everyone is a member."""

    async def handler(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        sent = of(context, ViewSubmission)
        values: Values = sent.view.values()
        user = sent.user_id
        try:
            kind = JointKind(choice(values, "kind") or JointKind.GROUP_DM.value)
        except ValueError:
            await ack(response_action="errors", errors={"kind": t.INPUT_UNREADABLE})
            return
        channel = choice(values, "channel")
        team = team_of(context)
        mediation_id = modals.read_metadata(sent.view.private_metadata).get("m", "")
        if kind is JointKind.THREAD:
            problem = await _thread_problem(deps, client, team, mediation_id, channel)
            if problem:
                block = "channel" if "channel" in values else "kind"
                await ack(response_action="errors", errors={block: problem})
                return
        command = c.ChooseJointSpace(
            actor=user, kind=kind, channel_id=channel if kind is JointKind.THREAD else None
        )
        result = await attempt(deps, team, mediation_id, command)
        if isinstance(result, Problem):
            if result.silent:
                await ack()
            else:
                await ack(response_action="errors", errors={"kind": result.text})
            return
        await ack()
        await deps.runner.run(result)

    return handler


async def _thread_problem(
    deps: Deps, client: AsyncWebClient, team: str, mediation_id: str, channel: str | None
) -> str | None:
    if not channel:
        return t.JOINT_CHOICE_PICK
    m = await deps.service.store.get(team, mediation_id)
    if m is None:
        return t.NOT_FOUND
    try:
        info = (await client.conversations_info(channel=channel))["channel"]
        members = set((await client.conversations_members(channel=channel)).get("members") or [])
    except SlackApiError:
        return t.JOINT_CHOICE_MEMBERS
    if not info.get("is_private"):
        return t.JOINT_CHOICE_PUBLIC
    everyone = set(m.user_ids) | ({m.facilitator} if m.facilitator else set())
    if not everyone <= members:
        return t.JOINT_CHOICE_MEMBERS
    return None
