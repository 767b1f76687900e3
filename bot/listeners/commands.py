"""The `/mediate` slash command and its subcommands."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.jobs import JobKind, new_job
from bot.listeners.common import Deps, Reply, error_text, flow_enabled, open_modal, reply_via, team_of
from bot.listeners.facilitate import open_facilitate_modal
from bot.listeners.handover import Handover, hand_over
from bot.listeners.status import answer_in_ack
from bot.payloads import Shortcut as ShortcutPayload
from bot.payloads import SlashCommand, of
from bot.service import MediationNotFound
from bot.store import StoreUnavailable
from bot.views import confirm
from bot.views.common import button, dump, esc, section
from bot.views.ids import Action, Shortcut
from bot.views.modals import info_modal, start_modal
from bot.views.prepare import write_modal as prepare_modal
from bot.views.safety import delete_prompt
from flows import commands as c
from flows.errors import Refused

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>\s*")


def parse_mention(text: str) -> tuple[str | None, str]:
    """(user id, the rest) when `text` starts with an escaped mention, else (None, text)."""
    match = MENTION.match(text.strip())
    if not match:
        return None, text.strip()
    return match.group(1), text.strip()[match.end() :].strip()


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the `/mediate` listener and the global shortcut."""
    register_shortcuts(app, deps)

    @app.command("/mediate")
    async def mediate(
        ack: AsyncAck,
        command: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        sent = of(context, SlashCommand)
        text = sent.text.strip()
        word = text.split(maxsplit=1)[0].lower() if text else ""
        user = sent.user_id
        if word in ("help", "?"):
            await ack(response_type="ephemeral", text=t.HELP)
            return
        if word == "facilitate":
            await ack()
            first, rest = parse_mention(text[len(word) :])
            second, topic = parse_mention(rest)
            try:
                await open_facilitate_modal(deps, client, team_of(context), sent, first, second, topic)
            except StoreUnavailable as exc:
                await open_modal(deps, client, sent, info_modal(error_text(exc)))
            return
        if word == "prepare":
            await ack()
            view = prepare_modal() if await _enabled(deps, context, "prepare") else info_modal(t.FLOW_OFF)
            await open_modal(deps, client, sent, view)
            return
        if word == "delete-my-data":
            # Nothing happens yet: the button asks Slack's confirmation first (bot/listeners/erase.py).
            await ack(response_type="ephemeral", text=t.DELETE_WHAT, blocks=delete_prompt())
            return
        if word == "status":
            team = team_of(context)
            job = new_job(JobKind.STATUS, team, user, response_url=sent.response_url)
            if await hand_over(deps, command, job, claim=False) is Handover.QUEUED:
                await ack()  # the worker answers through the response_url
                return
            await answer_in_ack(deps, ack, reply_via(deps, command, respond), team, user)
            return
        if word == "cancel":
            await ack()
            await _cancel(
                deps, reply_via(deps, command, respond), team_of(context), user, text[len(word) :].strip()
            )
            return
        colleague, topic = parse_mention(text)
        if colleague is None and text and not text.startswith("<"):
            # No mention: the whole text is the topic; the person picks the colleague in the modal.
            topic = text
        if colleague == user:
            await ack(response_type="ephemeral", text=t.SELF)
            return
        await ack()
        view = (
            start_modal(colleague, topic) if await _enabled(deps, context, "peer") else info_modal(t.FLOW_OFF)
        )
        await open_modal(deps, client, sent, view)


async def _enabled(deps: Deps, context: AsyncBoltContext, flow: str) -> bool:
    try:
        return await flow_enabled(deps, team_of(context), flow)
    except StoreUnavailable:
        return True  # the submission will say that storage is down, with nothing lost


def register_shortcuts(app: AsyncApp, deps: Deps) -> None:
    """The global "Start a mediation" shortcut: the same modal as `/mediate`."""

    @app.shortcut(Shortcut.START.value)
    async def start_shortcut(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        view = start_modal(None, "") if await _enabled(deps, context, "peer") else info_modal(t.FLOW_OFF)
        await open_modal(deps, client, of(context, ShortcutPayload), view)


async def _cancel(deps: Deps, reply: Reply, team: str, user: str, rest: str) -> None:
    try:
        mediations = [m for m in await deps.service.store.for_user(team, user) if m.is_open]
    except StoreUnavailable as exc:
        await reply(error_text(exc))
        return
    colleague, _ = parse_mention(rest)
    if colleague:
        mediations = [m for m in mediations if colleague in m.user_ids]
        if not mediations:
            await reply(t.CANCEL_NOT_FOUND.format(other=colleague))
            return
    if not mediations:
        await reply(t.CANCEL_NONE)
        return
    if len(mediations) > 1:
        rows: list[Block] = []
        for m in mediations[:20]:
            me = m.party_of(user)
            other = m.party(me.role.other).user_id if me else ""
            row = SectionBlock(
                text=MarkdownTextObject(text=f"<@{other}> — {esc(m.topic)}"),
                accessory=button(t.CANCEL_THIS, Action.CANCEL_ONE, m.id, "danger", confirm.cancel()),
            )
            rows.append(row)
        await reply(t.CANCEL_WHICH, blocks=dump([section(t.CANCEL_WHICH), *rows]))
        return
    m = mediations[0]
    try:
        transition = await deps.service.act(team, m.id, c.Cancel(actor=user))
    except (Refused, MediationNotFound, StoreUnavailable) as exc:
        await reply(error_text(exc))
        return
    me = m.party_of(user)
    other = m.party(me.role.other).user_id if me else ""
    await reply(t.CANCELLED_BY_YOU.format(other=other))
    await deps.runner.run(transition)
