"""What every listener shares: the dependencies, the workspace key, and telling a person kindly
why something did not happen."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from slack_bolt.async_app import AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.effects import EffectRunner
from bot.jobs import JobQueue
from bot.payloads import Interaction, SlashCommand
from bot.service import MediationNotFound, MediationService
from bot.store import PairTaken, StoreUnavailable, UnreadableMediation, VersionConflict, team_key
from bot.views.modals import info_modal
from bot.webclient import slack_error
from bot.workspaces import WorkspaceClients
from flows import commands as c
from flows.engine import Transition
from flows.errors import Refused

log = logging.getLogger("commonground.listeners")


@dataclass(frozen=True)
class Deps:
    """What listeners need, built once by the app factory."""

    service: MediationService
    runner: EffectRunner
    http: aiohttp.ClientSession | None = None
    jobs: JobQueue | None = None  # the hand-over to the worker (bot/jobs.py); None: always here
    # installed from a link: a quick client per workspace for what a listener asks before its ack
    # (who is an admin); None in single-workspace mode, where the app's own client serves
    listener_clients: WorkspaceClients | None = None


class Reply(Protocol):
    """Answer a slash command privately (through its response_url)."""

    async def __call__(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None: ...


def reply_via(deps: Deps, command: dict[str, Any], respond: AsyncRespond) -> Reply:
    """A `Reply` posting to the command's response_url on the app's shared HTTP session (Bolt's
    `respond` opens a new connection each time), or through `respond` when there is no session."""

    async def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        url = command.get("response_url")
        if deps.http is None or not isinstance(url, str) or not url:
            await respond(**ephemeral_body(text, blocks))
            return
        await post_ephemeral(deps, url, text, blocks)

    return reply


def ephemeral_body(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A private answer to a slash command, as its response_url takes it."""
    body: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if blocks is not None:
        body["blocks"] = blocks
    return body


async def post_ephemeral(
    deps: Deps, url: str | None, text: str, blocks: list[dict[str, Any]] | None = None
) -> None:
    """Answer a slash command privately through its response_url, on the shared HTTP session."""
    if not url or deps.http is None:
        log.warning("no response_url to answer through")
        return
    try:
        async with deps.http.post(
            url, json=ephemeral_body(text, blocks), timeout=aiohttp.ClientTimeout(total=10)
        ) as response:
            if response.status != 200:
                log.warning("response_url post failed", extra={"status": response.status})
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("response_url post failed", extra={"error": type(exc).__name__})


def team_of(context: AsyncBoltContext) -> str:
    """The storage namespace of the workspace a request came from."""
    return team_key(context.enterprise_id, context.team_id)


async def flow_enabled(deps: Deps, team: str, flow: str) -> bool:
    """Whether the workspace's admins have this flow switched on."""
    if deps.service.configs is None:
        return True
    return flow in (await deps.service.configs.get(team)).enabled_flows


def error_text(error: Exception) -> str:
    """Kind words for an error a listener caught (never including any private text)."""
    if isinstance(error, Refused):
        return t.REFUSALS[error.code]
    if isinstance(error, MediationNotFound):
        return t.NOT_FOUND
    if isinstance(error, UnreadableMediation):
        return t.UNREADABLE
    if isinstance(error, VersionConflict):
        return t.TOO_BUSY
    if isinstance(error, StoreUnavailable):
        return t.STORE_DOWN
    if isinstance(error, PairTaken):
        return t.ALREADY_OPEN_FIELD
    return t.SOMETHING_WRONG


# Web API errors that mean the three seconds of a trigger id ran out (or it was used already).
TRIGGER_ERRORS = frozenset({"expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"})


async def tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """Tell the acting user something privately where they clicked: an ephemeral message in the
    conversation, or a small modal when they clicked in App Home or a modal, or are not in that
    conversation (a replayed payload)."""
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        except SlackApiError as exc:
            log.info("ephemeral failed, trying a modal", extra={"error": slack_error(exc)})
    if body.get("trigger_id"):
        try:
            await client.views_open(trigger_id=body["trigger_id"], view=info_modal(text))
        except SlackApiError as exc:
            log.warning("could not tell the user", extra={"error": slack_error(exc)})


Where = Interaction | SlashCommand


async def say_instead(deps: Deps, client: AsyncWebClient, where: Where, text: str) -> None:
    """Tell the person in words when a modal could not be shown: through the response_url of the
    command or message they used, as an ephemeral message where they clicked, or else in their DM
    with the app (App Home has no conversation to answer in). Never raises."""
    user = where.user_id
    url = where.response_url
    try:
        if url and deps.http is not None:
            body = {"response_type": "ephemeral", "replace_original": False, "text": text}
            async with deps.http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status == 200:
                    return
        channel = where.channel_id
        if channel:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            await client.chat_postMessage(channel=user, text=text)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("could not tell the user", extra={"error": type(exc).__name__})


async def open_modal(
    deps: Deps, client: AsyncWebClient, where: Where, view: dict[str, Any]
) -> dict[str, Any] | None:
    """`views.open` with the trigger of `where`; the opened view, or None when Slack refused it (an
    expired trigger: "That took a moment too long", said another way), logged by error code only."""
    if not where.trigger_id:
        await say_instead(deps, client, where, t.TOOK_TOO_LONG)
        return None
    try:
        response = await client.views_open(trigger_id=where.trigger_id, view=view)
    except SlackApiError as exc:
        code = slack_error(exc)
        log.info("views.open failed", extra={"error": code})
        await say_instead(
            deps, client, where, t.TOOK_TOO_LONG if code in TRIGGER_ERRORS else t.SOMETHING_WRONG
        )
        return None
    opened = response.get("view")
    return opened if isinstance(opened, dict) else {}


async def update_modal(
    deps: Deps,
    client: AsyncWebClient,
    where: Where,
    view_id: str,
    view: dict[str, Any],
    hash: str | None = None,
) -> bool:
    """`views.update`; False (and the person told kindly) when the view is gone or changed meanwhile."""
    try:
        if hash is None:
            await client.views_update(view_id=view_id, view=view)
        else:
            await client.views_update(view_id=view_id, hash=hash, view=view)
    except SlackApiError as exc:
        log.info("views.update failed", extra={"error": slack_error(exc)})
        await say_instead(deps, client, where, t.TOOK_TOO_LONG)
        return False
    return True


def action_value(body: dict[str, Any]) -> str:
    """The value of the clicked element ("" when it has none)."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    found = action.get("value") if isinstance(action, dict) else None
    return found if isinstance(found, str) else ""


@dataclass(frozen=True)
class Problem:
    """Why a command did not happen: kind words for the person, and the refusal when there was one
    (a modal turns its field problems into errors under the fields)."""

    text: str
    refused: Refused | None = None

    @property
    def silent(self) -> bool:
        """True for a repeat of something already done: a resubmitted modal has nothing to add."""
        return self.refused is not None and self.refused.silent


async def attempt(deps: Deps, team: str, mediation_id: str, command: c.Command) -> Transition | Problem:
    """Carry out one command on a mediation; a refusal or a storage problem comes back as a `Problem`
    (never raised), so every listener answers the same things in the same kind words."""
    try:
        return await deps.service.act(team, mediation_id, command)
    except Refused as refused:
        return Problem(error_text(refused), refused)
    except (MediationNotFound, StoreUnavailable, VersionConflict) as exc:
        return Problem(error_text(exc))


AfterChange = Callable[[Transition], Awaitable[None]]


async def act_on_click(
    deps: Deps,
    client: AsyncWebClient,
    body: dict[str, Any],
    team: str,
    command: c.Command,
    *,
    mediation_id: str | None = None,
    then: AfterChange | None = None,
) -> Transition | None:
    """What every button that changes a mediation does: carry out the command for the clicked
    mediation, tell the person kindly where they clicked when it did not happen, otherwise run
    `then` (e.g. update the clicked message) and carry out the effects. None when nothing changed.

    A click on a button whose step is already done (a second click, an old message) is told too:
    one reassuring sentence, the same for every such button (`texts.STEP_TAKEN_CARE_OF`)."""
    result = await attempt(deps, team, mediation_id or action_value(body), command)
    if isinstance(result, Problem):
        await tell(client, body, result.text)
        return None
    if then is not None:
        await then(result)
    await deps.runner.run(result)
    return result


# users.info errors that say the person does not exist; any other failure (a rate limit, Slack's 5xx, a
# timeout) says nothing about the person, and the invitation goes ahead: its DM waits in the outbox.
NO_SUCH_USER = frozenset({"user_not_found", "users_not_found", "invalid_user", "bot_not_found"})


async def person_problem(client: AsyncWebClient, person: str) -> str | None:
    """Why `person` cannot take part (unknown, an app, deactivated), or None. Slack failing to answer
    is not a reason to refuse what someone typed."""
    try:
        info = (await client.users_info(user=person))["user"]
    except SlackApiError as exc:
        code = slack_error(exc)
        if code in NO_SUCH_USER:
            return t.USER_UNKNOWN
        log.info("users.info failed; going ahead", extra={"error": code})
        return None
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.info("users.info failed; going ahead", extra={"error": type(exc).__name__})
        return None
    if info.get("is_bot") or person == "USLACKBOT":
        return t.BOT_USER.format(user=person)
    if info.get("deleted"):
        return t.DEACTIVATED.format(user=person)
    return None
