"""Effects that survive Slack's bad moments: the outbox, retries, each effect once, and the person who
acted told when something does not get through."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import texts as t
from bot.effects import EffectRunner
from bot.outbox import DeliveryPolicy, entries_for, in_outbox
from bot.store import VersionConflict
from bot.webclient import web_client
from bot.worker import deliver_outbox
from flows import commands as c
from flows.effects import Notice, Notify
from flows.models import Role, Stage
from tests.e2e import play
from tests.support.harness import Harness


def runner(h: Harness, policy: DeliveryPolicy | None = None, *, retries: bool = True) -> EffectRunner:
    """A worker's runner, with a client of its own."""
    client = (
        web_client(h.standin.bot_token, h.standin.api_url)
        if retries
        else AsyncWebClient(token=h.standin.bot_token, base_url=h.standin.api_url)
    )
    return EffectRunner(client, h.service, policy)


def posted(h: Harness) -> Counter[tuple[str, str]]:
    """Every message the app posted, counted by (conversation, text)."""
    return Counter(
        (str(call.args.get("channel")), str(call.args.get("text")))
        for call in h.standin.calls_to("chat.postMessage")
        if call.ok
    )


def texts_to(h: Harness, user: str) -> list[str]:
    return [m.text or "" for m in h.dm(user)]


def after_grace(h: Harness) -> None:
    """Move the clock past the time a fresh entry is the web process's."""
    h.clock.now += timedelta(seconds=h.service.outbox.policy.grace_seconds + 1)


@pytest.mark.parametrize(
    ("status", "body", "retry_after"),
    [(429, "json", 1), (500, "html", None), (503, "broken", None)],
    ids=["429-retry-after", "500-html", "503-broken-json"],
)
async def test_slack_having_a_bad_moment_every_message_arrives_once(
    h: Harness, status: int, body: str, retry_after: int | None
) -> None:
    await play.start(h)
    # For about three seconds every Web API method answers 429 (Retry-After) or a 5xx.
    fault = h.standin.inject_fault(None, status=status, body=body, retry_after=retry_after, seconds=3)
    accepted = await h.click_dm(h.bob, "cg_invite_accept")
    assert accepted.status == 200
    assert fault.hits > 0  # Slack did have its bad moment
    assert (await h.mediation()).stage is Stage.GROUND_RULES
    await h.click_dm(h.ann, "cg_rules_agree")
    await h.click_dm(h.bob, "cg_rules_agree")
    assert (await h.mediation()).stage is Stage.INTAKE
    # Everything arrived, each once, and nothing waits in the outbox.
    assert sum("accepted your invitation" in text for text in texts_to(h, h.ann)) == 1
    assert sum("working agreement" in text for text in texts_to(h, h.bob)) == 1
    assert sum("private moment" in text for text in texts_to(h, h.ann)) == 1
    assert sum("private moment" in text for text in texts_to(h, h.bob)) == 1
    assert max(posted(h).values()) == 1
    assert await h.service.outbox.pending(h.team) == {}
    # Nobody was told something did not arrive: it all did, within the quick tries.
    assert not any("didn't reach" in text for text in texts_to(h, h.ann) + texts_to(h, h.bob))
    # The buttons of done steps were turned into what happened, as on a good day.
    assert "cg_invite_accept" not in str(h.dm(h.bob)[0].blocks)


async def test_a_crash_between_the_save_and_the_delivery_the_worker_delivers(h: Harness) -> None:
    mediation_id = await play.start(h)
    before = posted(h)
    # Bob accepts; the process dies right after the save, before a single effect ran.
    saved = await h.service.act(h.team, mediation_id, c.Accept(actor=h.bob))
    waiting = await h.service.outbox.pending(h.team)
    assert len(waiting) == len([e for e in saved.effects if in_outbox(e)]) > 0
    assert posted(h) == before
    # The web process has its grace period; then the worker's drain delivers them, once.
    assert await deliver_outbox(h.service, runner(h)) == 0
    after_grace(h)
    assert await deliver_outbox(h.service, runner(h)) == len(waiting)
    assert sum("accepted your invitation" in text for text in texts_to(h, h.ann)) == 1
    assert sum("working agreement" in text for text in texts_to(h, h.bob)) == 1
    assert await h.service.outbox.pending(h.team) == {}
    h.clock.now += timedelta(hours=2)
    assert await deliver_outbox(h.service, runner(h)) == 0
    assert max(posted(h).values()) == 1
    await h.click_dm(h.bob, "cg_rules_agree")  # the delivered message works
    assert (await h.mediation()).respondent.ground_rules_at is not None


async def test_two_drainers_and_the_web_process_at_once_deliver_each_effect_once(h: Harness) -> None:
    first = await play.start(h)
    transitions = [await h.service.act(h.team, first, c.Accept(actor=h.bob))]
    await h.command(h.cat, f"<@{h.bob}|bob> the rota")
    await h.submit(h.cat, {})
    second = (await h.store.for_user(h.team, h.cat))[0].id
    transitions.append(await h.service.act(h.team, second, c.Decline(actor=h.bob)))
    waiting = await h.service.outbox.pending(h.team)
    assert len(waiting) >= 4
    before = posted(h)
    after_grace(h)
    web = runner(h)
    taken = await asyncio.gather(
        deliver_outbox(h.service, runner(h)),
        deliver_outbox(h.service, runner(h)),
        *(web.run(transition) for transition in transitions),
    )
    assert sum(taken[:2]) <= len(waiting)
    assert await h.service.outbox.pending(h.team) == {}
    new = posted(h) - before
    assert new and max(new.values()) == 1
    assert sum("accepted your invitation" in text for text in texts_to(h, h.ann)) == 1
    assert sum("Thank you for letting us know" in text for text in texts_to(h, h.bob)) == 1
    assert await deliver_outbox(h.service, runner(h)) == 0


async def test_what_cannot_be_delivered_is_told_to_the_person_who_acted(h: Harness) -> None:
    # Bob's DM is broken for good (a proxy's error page); everything else works.
    h.standin.inject_fault(
        "chat.postMessage", status=500, body="html", retry_after=None, channel=h.standin.im_with(h.bob)
    )
    mediation_id = await play.start(h)
    assert not h.dm(h.bob)
    assert t.DELIVERY_DELAYED.format(who=f"<@{h.bob}>") in texts_to(h, h.ann)
    (entry,) = (await h.service.outbox.pending(h.team)).values()
    assert entry.kind == "Notify" and entry.attempts == 1 and entry.actor == h.ann
    assert entry.mediation_id == mediation_id and h.bob not in entry.model_dump_json()  # ids only
    worker = runner(h, DeliveryPolicy(max_attempts=3), retries=False)
    assert await deliver_outbox(h.service, worker) == 0  # backing off: not due yet
    for _ in range(2):
        h.clock.now += timedelta(hours=1)
        assert await deliver_outbox(h.service, worker) == 1
    assert t.DELIVERY_FAILED.format(who=f"<@{h.bob}>") in texts_to(h, h.ann)
    assert await h.service.outbox.pending(h.team) == {}
    assert (await h.mediation()).stage is Stage.INVITATION  # the state stays as it was
    h.clock.now += timedelta(hours=1)
    assert await deliver_outbox(h.service, worker) == 0
    assert sum("couldn't be delivered" in text for text in texts_to(h, h.ann)) == 1


async def test_an_unreachable_party_still_ends_the_mediation_cleanly(h: Harness) -> None:
    h.standin.set_error("conversations.open", "user_disabled")  # Slack's answer: terminal, not a retry
    await play.start(h)
    m = await h.mediation()
    assert m.stage is Stage.CLOSED
    assert not any("didn't reach" in text for text in texts_to(h, h.ann))
    assert await h.service.outbox.pending(h.team) == {}


async def test_the_outbox_is_written_in_the_same_step_as_the_document(h: Harness) -> None:
    await play.start(h)
    m = await h.mediation()
    reminder = [Notify(role=Role.RESPONDENT, notice=Notice.REMINDER)]
    outbox = h.service.outbox
    written = entries_for(h.team, m.id, m.version + 1, reminder, h.ann)
    saved = await h.store.save(m, outbox.encode(written), 0.0)
    assert written[0].id in await outbox.pending(h.team)
    # A second writer that read the same version loses the compare-and-set: neither its document
    # nor its outbox entry is written.
    lost = entries_for(h.team, m.id, m.version + 1, reminder * 2, h.bob)[1:]
    with pytest.raises(VersionConflict):
        await h.store.save(m.model_copy(update={"topic": "something else"}), outbox.encode(lost), 0.0)
    assert lost[0].id not in await outbox.pending(h.team)
    assert (await h.mediation()).version == saved.version
    assert (await h.mediation()).topic == m.topic


async def test_a_message_the_close_made_moot_is_not_sent_late(h: Harness) -> None:
    h.standin.inject_fault("chat.postMessage", status=503, retry_after=None, channel=h.standin.im_with(h.bob))
    await play.start(h)
    assert len(await h.service.outbox.pending(h.team)) == 1  # Bob's invitation, waiting
    h.standin.clear_faults()
    await h.command(h.ann, "cancel")
    told = len(h.dm(h.bob))  # that it was cancelled, at most
    h.clock.now += timedelta(hours=1)
    assert await deliver_outbox(h.service, runner(h)) == 1
    assert await h.service.outbox.pending(h.team) == {}
    assert len(h.dm(h.bob)) == told  # no invitation after the cancellation


async def test_an_unreadable_entry_is_dropped_and_the_drain_goes_on(h: Harness) -> None:
    mediation_id = await play.start(h)
    await h.service.act(h.team, mediation_id, c.Accept(actor=h.bob))  # entries for the worker
    bogus = f"{mediation_id}:99:0"
    await h.store.redis.hset(h.store.key(h.team, "outbox"), bogus, '{"kind": "Teleport"}')
    await h.store.redis.zadd(h.store.key(h.team, "outbox:due"), {bogus: 0})
    after_grace(h)
    await deliver_outbox(h.service, runner(h))
    assert await h.service.outbox.pending(h.team) == {}
    assert sum("accepted your invitation" in text for text in texts_to(h, h.ann)) == 1


async def test_slack_failing_to_look_a_person_up_does_not_refuse_what_ann_typed(h: Harness) -> None:
    """users.info answering 429 or a 5xx says nothing about Bob: the mediation starts, and the
    invitation reaches him once Slack is well again."""
    await h.command(h.ann, f"<@{h.bob}|bob> the release dates")
    h.standin.inject_fault("users.info", status=503, body="html", retry_after=None, seconds=5)
    result = await h.submit(h.ann, {})
    assert result.response_action in ("", "clear", "close", None) and not result.errors, result
    m = await h.mediation()
    assert m.respondent.user_id == h.bob and m.stage is Stage.INVITATION
    assert sum("cg_invite_accept" in str(message.blocks) for message in h.dm(h.bob)) == 1


async def test_a_person_slack_does_not_know_is_still_refused(h: Harness) -> None:
    h.allow_rejections.add("users.info")  # Slack's own answer: user_not_found
    await h.command(h.ann, "<@U0NOBODY|nobody> the release dates")
    result = await h.submit(h.ann, {})
    assert result.response_action == "errors" and "colleague" in result.errors
