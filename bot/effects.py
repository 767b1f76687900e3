"""Carries out engine effects against Slack's Web API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import assert_never

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.outbox import DeliveryPolicy, OutboxEntry, effect_id, in_outbox
from bot.service import MediationService, Saved
from bot.store import SentOffer, StoreUnavailable, VersionConflict
from bot.views.common import dump
from bot.views.home import home_view
from bot.views.joint import finish_message, item_message, joint_message, joint_root_message
from bot.views.messages import done_message, facilitator_message, notice_message
from bot.views.safety import safety_blocks
from bot.webclient import is_transient, retry_after, slack_error
from bot.workspaces import WorkspaceClients, clients_for
from flows import commands as c
from flows.config import WorkspaceConfig
from flows.effects import (
    Effect,
    JointPost,
    Notice,
    Notify,
    NotifyFacilitator,
    OpenJointSpace,
    PostToJoint,
    RefreshHome,
    Schedule,
    UpdatePosted,
    finish_ref,
    item_ref,
)
from flows.engine import Transition
from flows.errors import Refused
from flows.models import JointKind, Mediation, Role
from flows.steps import offer_for, step_done

log = logging.getLogger("commonground.effects")


def joint_key(channel: str, thread_ts: str | None) -> str:
    """How a joint space is found from a message: its channel, and for a thread its root."""
    return f"{channel}:{thread_ts}" if thread_ts else channel


HomeSection = Callable[[str, str], Awaitable[list[Block]]]

# Web API errors that mean a person can no longer be reached: the mediation ends for them.
UNREACHABLE = {"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "users_not_found"}
# chat.update errors after which a step message can never be updated: stop trying.
GONE = {"message_not_found", "channel_not_found", "cant_update_message", "is_archived"} | UNREACHABLE


class Status(Enum):
    """How one attempt at an effect went."""

    DELIVERED = "delivered"  # done (or answered for good, e.g. a party who cannot be reached)
    RETRY = "retry"  # Slack had a bad moment: try again later
    FAILED = "failed"  # Slack refused it for good: give up


@dataclass(frozen=True)
class Attempt:
    """One attempt at an effect: how it went, a follow-up transition, how long Slack asked us to wait."""

    status: Status
    follow_up: Transition | None = None
    retry_after: float | None = None


class EffectRunner:
    """Runs a transition's effects in order, feeding back what Slack tells us (a new joint space,
    an unreachable party) as further commands. A stored transition's Slack effects come from the
    outbox (bot/outbox.py): each is leased, delivered with a few quick tries, and marked done, or
    left for the worker; the person who acted is told when something does not get through."""

    def __init__(
        self,
        client: AsyncWebClient | WorkspaceClients,
        service: MediationService,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        # one workspace's client, or a client per installed workspace (bot.workspaces)
        self.client = client if isinstance(client, AsyncWebClient) else None
        self.clients = clients_for(client)
        self.service = service
        self.policy = policy or service.outbox.policy
        # Further App Home sections (hosted mediations, admin): (team, user) -> blocks, or [] for none.
        self.home_sections: list[HomeSection] = []

    async def run(self, transition: Transition) -> None:
        """Carry out every effect of `transition`; follow-up transitions run too."""
        m = base = transition.mediation  # the ids name the version this transition gave
        saved = transition if isinstance(transition, Saved) else None
        claimed: dict[str, OutboxEntry] = {}
        if saved is not None:
            ids = [effect_id(m.id, m.version, i) for i, e in enumerate(transition.effects) if in_outbox(e)]
            try:
                claimed = await self.service.outbox.claim(m.team, ids)
            except StoreUnavailable:
                log.error("store unavailable while running effects", extra={"mediation": m.id})
                return  # the entries stay in the outbox: the worker delivers them
        delayed: list[Effect] = []
        for index, effect in enumerate(transition.effects):
            if saved is not None and isinstance(effect, Schedule):
                continue  # the service scheduled it with the save
            if saved is None or not in_outbox(effect):
                follow_up = await self._one(m, effect)
            else:
                entry = claimed.pop(effect_id(base.id, base.version, index), None)
                if entry is None:
                    continue  # delivered already, or being delivered by another process
                attempt = await self._quickly(m, entry, effect)
                follow_up = attempt.follow_up
                if attempt.status is Status.RETRY:
                    delayed.append(effect)
            if follow_up is not None:
                await self.run(follow_up)
                if not follow_up.mediation.is_open:
                    # e.g. a party became unreachable: the rest no longer applies
                    for entry in claimed.values():
                        await self._done(entry)
                    break
                m = follow_up.mediation
        if saved is not None and delayed:
            await self.tell_actor(base, saved.actor, delayed, t.DELIVERY_DELAYED)

    async def _quickly(self, m: Mediation, entry: OutboxEntry, effect: Effect) -> Attempt:
        """Deliver an entry with a few quick tries (backoff and jitter); what still fails goes back
        to the outbox for the worker, or is given up when Slack refused it for good."""
        attempt = await self._attempt(m, entry, effect)
        for number in range(self.policy.quick_tries):
            if attempt.status is not Status.RETRY:
                break
            await asyncio.sleep(self.policy.quick_delay(number, attempt.retry_after))
            attempt = await self._attempt(m, entry, effect)
        settled = await self._settle(m, entry, effect, attempt)
        return replace(attempt, status=settled)

    async def deliver_entry(self, entry: OutboxEntry) -> Status:
        """Deliver one leased outbox entry (the worker's drain), rendered from the stored mediation."""
        m = await self.service.store.get(entry.team, entry.mediation_id)
        if m is None or (not m.is_open and m.version > entry.version):
            await self._done(entry)  # removed, or closed since: those people were told that instead
            return Status.DELIVERED
        effect = entry.to_effect()
        attempt = await self._attempt(m, entry, effect)
        status = await self._settle(m, entry, effect, attempt)
        if attempt.follow_up is not None:
            await self.run(attempt.follow_up)
        return status

    async def _settle(self, m: Mediation, entry: OutboxEntry, effect: Effect, attempt: Attempt) -> Status:
        """Record how an entry's delivery went: done, back in the outbox, or given up (and told)."""
        failed = attempt.status is Status.FAILED
        if attempt.status is Status.RETRY:
            if entry.attempts + 1 < self.policy.max_attempts:
                delay = self.policy.later(entry.attempts + 1, attempt.retry_after)
                try:
                    await self.service.outbox.retry_later(entry, self.service.clock().timestamp() + delay)
                except StoreUnavailable:
                    log.error("store unavailable; the lease runs out", extra={"mediation": m.id})
                return Status.RETRY
            failed = True
        if not await self._done(entry):
            return Status.DELIVERED
        if failed:
            log.warning(
                "effect given up",
                extra={"mediation": m.id, "effect": entry.kind, "attempts": entry.attempts + 1},
            )
            await self.tell_actor(m, entry.actor, [effect], t.DELIVERY_FAILED)
            return Status.FAILED
        return Status.DELIVERED

    async def _done(self, entry: OutboxEntry) -> bool:
        try:
            return await self.service.outbox.done(entry)
        except StoreUnavailable:
            log.error("store unavailable; the lease runs out", extra={"mediation": entry.mediation_id})
            return False

    async def _attempt(self, m: Mediation, entry: OutboxEntry, effect: Effect) -> Attempt:
        """Try an effect once (the Web API client retries a little on its own)."""
        try:
            return Attempt(Status.DELIVERED, await self._apply(m, effect, entry.actor))
        except SlackApiError as exc:
            error = slack_error(exc)
            log.warning(
                "web api call failed",
                extra={"mediation": m.id, "error": error, "effect": type(effect).__name__},
            )
            if is_transient(exc):
                return Attempt(Status.RETRY, retry_after=retry_after(exc))
            role = self._role_of(effect)
            if error in UNREACHABLE and role is not None:
                follow_up = None
                if m.is_open:
                    follow_up = await self._feed(m, c.PartyUnreachable(role=role, error=error), entry.actor)
                return Attempt(Status.DELIVERED, follow_up)
            if isinstance(effect, UpdatePosted | RefreshHome):
                return Attempt(Status.DELIVERED)  # cosmetic: redrawn with the next change
            return Attempt(Status.FAILED)
        except (StoreUnavailable, VersionConflict) as exc:
            log.warning(
                "store problem while running effects", extra={"mediation": m.id, "error": type(exc).__name__}
            )
            return Attempt(Status.RETRY)
        except (TimeoutError, aiohttp.ClientError, SlackRequestError) as exc:
            log.warning("web api unreachable", extra={"mediation": m.id, "error": type(exc).__name__})
            return Attempt(Status.RETRY)

    async def _one(self, m: Mediation, effect: Effect) -> Transition | None:
        """An effect outside the outbox (a timer, or a transition that was not stored): once."""
        try:
            return await self._apply(m, effect, None)
        except SlackApiError as exc:
            error = slack_error(exc)
            log.warning(
                "web api call failed",
                extra={"mediation": m.id, "error": error, "effect": type(effect).__name__},
            )
            role = self._role_of(effect)
            if error in UNREACHABLE and role is not None and m.is_open:
                return await self._feed(m, c.PartyUnreachable(role=role, error=error), None)
        except (StoreUnavailable, VersionConflict):
            log.error("store unavailable while running effects", extra={"mediation": m.id})
        except (TimeoutError, aiohttp.ClientError, SlackRequestError) as exc:
            log.warning("web api unreachable", extra={"mediation": m.id, "error": type(exc).__name__})
        return None

    async def _apply(self, m: Mediation, effect: Effect, actor: str | None) -> Transition | None:
        """Carry out one effect; Slack's and the store's errors are raised."""
        match effect:
            case Notify():
                await self.notify(m, effect)
            case OpenJointSpace():
                channel, thread_ts = await self._open_joint(m, effect)
                await self.service.store.link_joint(m.team, joint_key(channel, thread_ts), m.id)
                opened = c.JointSpaceOpened(channel_id=channel, kind=effect.kind, thread_ts=thread_ts)
                return await self._feed(m, opened, actor)
            case NotifyFacilitator():
                await self.notify_facilitator(m, effect)
            case PostToJoint():
                await self._post_joint(m, effect)
            case UpdatePosted():
                await self._update_posted(m, effect)
            case RefreshHome():
                await self.refresh_homes(m, raise_errors=True)
                await self.refresh_offers(m)
            case Schedule():
                await self.service.store.schedule(m.team, m.id, effect.timer, effect.at, version=m.version)
            case _:
                assert_never(effect)
        return None

    @staticmethod
    def _role_of(effect: Effect) -> Role | None:
        return effect.role if isinstance(effect, Notify) else None

    @staticmethod
    def _recipient(m: Mediation, effect: Effect) -> str | None:
        """Who an effect was meant to reach, as a person reads it; None for what only redraws."""
        if isinstance(effect, Notify):
            return f"<@{m.party(effect.role).user_id}>"
        if isinstance(effect, NotifyFacilitator):
            return f"<@{m.facilitator}>" if m.facilitator else None
        if isinstance(effect, PostToJoint | OpenJointSpace):
            return t.DELIVERY_JOINT_SPACE
        return None

    async def tell_actor(self, m: Mediation, actor: str | None, effects: list[Effect], text: str) -> None:
        """Tell the person who acted, in a DM, that something did not reach someone (never what)."""
        names = [n for e in effects if (n := self._recipient(m, e)) and n != f"<@{actor}>"]
        if actor is None or not names:
            return
        who = " and ".join(dict.fromkeys(names))
        try:
            client = await self.clients.for_team(m.team)
            channel = await self.dm_channel(actor, client)
            await client.chat_postMessage(channel=channel, text=text.format(who=who))
        except SlackApiError as exc:
            log.warning("could not tell the actor", extra={"mediation": m.id, "error": slack_error(exc)})
        except (TimeoutError, aiohttp.ClientError, SlackRequestError) as exc:
            log.warning("could not tell the actor", extra={"mediation": m.id, "error": type(exc).__name__})

    async def _feed(self, m: Mediation, command: c.Command, actor: str | None) -> Transition | None:
        try:
            return await self.service.act(m.team, m.id, command, actor=actor)
        except Refused as refused:
            log.info("follow-up refused", extra={"mediation": m.id, "code": refused.code.value})
            return None
        except VersionConflict:
            log.warning("follow-up lost every compare-and-set", extra={"mediation": m.id})
            return None

    @staticmethod
    async def dm_channel(user_id: str, client: AsyncWebClient) -> str:
        """The bot's DM channel with a user."""
        response = await client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def notify(self, m: Mediation, effect: Notify) -> None:
        """Send one party their private message."""
        definition = await self.service.definitions.for_mediation(m)
        message = notice_message(m, effect.role, effect.notice, definition, effect.speaker, effect.by)
        blocks = message.blocks
        if effect.notice in (Notice.DECLINED, Notice.PULSE_LOW) and self.service.configs is not None:
            # Declined, or a low check-in during the conversation: the workspace's contacts.
            blocks = blocks + dump(safety_blocks(await self.service.configs.get(m.team)))
        if effect.notice is Notice.SAFETY_CONTACTS:
            # A contact first: the workspace's safety text and contacts, before the buttons.
            config = await self.service.configs.get(m.team) if self.service.configs else WorkspaceConfig()
            blocks = blocks[:1] + dump(safety_blocks(config)) + blocks[1:]
        client = await self.clients.for_team(m.team)
        channel = await self.dm_channel(m.party(effect.role).user_id, client)
        posted = await client.chat_postMessage(channel=channel, text=message.text, blocks=blocks)
        offer = offer_for(m, effect.role, effect.notice)
        if offer is not None:
            sent = SentOffer(
                notice=effect.notice,
                speaker=effect.speaker,
                offer=offer,
                channel=str(posted["channel"]),
                ts=str(posted["ts"]),
            )
            await self.service.store.record_offer(m.team, m.id, sent)
        proposal = m.pending_finish
        if effect.notice is Notice.FINISH_PROPOSED and proposal is not None:
            await self.service.store.record_posted(
                m.team, m.id, finish_ref(proposal.id), channel, posted["ts"]
            )

    async def refresh_offers(self, m: Mediation) -> None:
        """Turn every step message whose step is done into what happened (chat.update): its words
        stay, its buttons go. Decided on the newest stored state, so that a slow transition never
        undoes what a later one recorded."""
        sent_offers = await self.service.store.offers(m.team, m.id)
        if not sent_offers:
            return
        latest = await self.service.store.get(m.team, m.id)
        if latest is not None and latest.version > m.version:
            m = latest
        definition = await self.service.definitions.for_mediation(m)
        client = await self.clients.for_team(m.team)
        for sent in sent_offers:
            done = step_done(m, sent.offer)
            if done is None:
                continue
            message = done_message(m, sent.notice, definition, sent.speaker, sent.offer, done)
            try:
                await client.chat_update(
                    channel=sent.channel, ts=sent.ts, text=message.text, blocks=message.blocks
                )
            except SlackApiError as exc:
                error = slack_error(exc)
                log.warning("chat.update failed", extra={"mediation": m.id, "error": error})
                if is_transient(exc):
                    raise  # the refresh goes back to the outbox and is tried again
                if error not in GONE:
                    continue  # tried again after the next change
            await self.service.store.forget_offer(m.team, m.id, sent)

    async def _open_joint(self, m: Mediation, effect: OpenJointSpace) -> tuple[str, str | None]:
        """Open the joint space: (channel, thread root for a thread)."""
        users = m.user_ids + ([m.facilitator] if m.facilitator else [])
        client = await self.clients.for_team(m.team)
        if effect.kind is JointKind.GROUP_DM:
            response = await client.conversations_open(users=",".join(users))
            return str(response["channel"]["id"]), None
        if effect.kind is JointKind.THREAD and effect.channel_id:
            root = joint_root_message(m)
            posted = await client.chat_postMessage(
                channel=effect.channel_id, text=root.text, blocks=root.blocks
            )
            return effect.channel_id, str(posted["ts"])
        name = f"common-ground-{m.id}".lower()[:80]
        created = await client.conversations_create(name=name, is_private=True)
        channel = str(created["channel"]["id"])
        await client.conversations_invite(channel=channel, users=",".join(users))
        return channel, None

    async def notify_facilitator(self, m: Mediation, effect: NotifyFacilitator) -> None:
        """Tell the facilitator (stages and names only)."""
        if m.facilitator is None:
            return
        message = facilitator_message(m, effect.notice, effect.by)
        client = await self.clients.for_team(m.team)
        channel = await self.dm_channel(m.facilitator, client)
        await client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)

    async def _post_joint(self, m: Mediation, effect: PostToJoint) -> None:
        if m.joint is None:
            return
        definition = await self.service.definitions.for_mediation(m)
        message = joint_message(m, effect.post, definition, effect.item_id)
        client = await self.clients.for_team(m.team)
        posted = await client.chat_postMessage(
            channel=m.joint.channel_id, thread_ts=m.joint.thread_ts, text=message.text, blocks=message.blocks
        )
        refs = {JointPost.ITEM_PROPOSED: item_ref, JointPost.FINISH_PROPOSED: finish_ref}
        if effect.post in refs and effect.item_id:
            ref = refs[effect.post](effect.item_id)
            await self.service.store.record_posted(m.team, m.id, ref, m.joint.channel_id, posted["ts"])

    async def _update_posted(self, m: Mediation, effect: UpdatePosted) -> None:
        """Redraw a recorded message from the current state (settled: no live button)."""
        where = await self.service.store.posted(m.team, m.id, effect.ref)
        if where is None:
            return  # never posted (e.g. the space was not open): nothing on screen to correct
        kind, _, ref_id = effect.ref.partition(":")
        message = item_message(m, ref_id) if kind == "item" else finish_message(m, ref_id)
        channel, ts = where
        client = await self.clients.for_team(m.team)
        await client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)

    async def refresh_homes(self, m: Mediation, *, raise_errors: bool = False) -> None:
        """Publish both parties' App Home, and the facilitator's."""
        for user_id in m.user_ids + ([m.facilitator] if m.facilitator else []):
            await self.publish_home(m.team, user_id, raise_errors=raise_errors)

    async def publish_home(self, team: str, user_id: str, *, raise_errors: bool = False) -> None:
        """Publish one user's App Home from the store, with every section that applies to them. A
        failure is logged; with `raise_errors`, one that may pass (a bad moment at Slack) is raised."""
        mediations = await self.service.store.for_user(team, user_id)
        sections = [blocks for provider in self.home_sections if (blocks := await provider(team, user_id))]
        try:
            client = await self.clients.for_team(team)
            await client.views_publish(
                user_id=user_id, view=home_view(mediations, user_id, self.service.clock(), sections)
            )
        except SlackApiError as exc:
            log.warning("views.publish failed", extra={"error": slack_error(exc)})
            if raise_errors and is_transient(exc):
                raise
