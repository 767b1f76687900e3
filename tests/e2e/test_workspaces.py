"""Many workspaces, one process: the app installed from the link into two workspaces of the same
Slack, both running mediations at once over HTTP (signed requests, the stand-in serving both), and
neither can read, act on or count the other's — a request that names the other workspace's team
(signed, as if Slack itself were fooled) included."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from bot import texts as t
from bot.sandbox import payloads
from bot.sandbox.delivery import SlackDelivery
from bot.store import MediationStore
from flows.models import Stage
from tests.e2e import play
from tests.support.harness import SIGNING_SECRET, Harness
from tests.support.installed import InstalledHarness


@pytest.fixture
async def two(
    store: MediationStore, redis_url: str, encryption_key: str, key_prefix: str
) -> AsyncIterator[tuple[InstalledHarness, Harness]]:
    a = await InstalledHarness(store, redis_url, encryption_key, key_prefix).start()
    b = a.workspace("T0OTHER", "other")
    try:
        yield a, b
    finally:
        await b.slack.close()
        await a.stop()


def start_ids_at(harness: Harness, first: int) -> None:
    """People of the second workspace get ids of their own (Slack's ids are unique across workspaces)."""
    harness.standin._counter = itertools.count(first)


@pytest.fixture
async def running(two: tuple[InstalledHarness, Harness]) -> tuple[InstalledHarness, Harness, str, str]:
    a, b = two
    await a.install(a)
    await a.install(b)
    tokens = {
        (await a.installations.async_find_bot(enterprise_id=None, team_id=h.standin.team_id)).bot_token  # type: ignore[union-attr]
        for h in (a, b)
    }
    assert len(tokens) == 2  # each workspace its own token
    a_id, b_id = await asyncio.gather(play.start(a, "the release dates"), play.start(b, "the rota"))
    await asyncio.gather(play.accept_and_agree(a), play.accept_and_agree(b))
    return a, b, a_id, b_id


async def test_two_workspaces_at_once_each_sees_only_its_own(
    running: tuple[InstalledHarness, Harness, str, str],
) -> None:
    a, b, a_id, b_id = running
    assert a.team != b.team
    for h, mine, theirs in ((a, a_id, b_id), (b, b_id, a_id)):
        m = await h.mediation(mine)
        assert m.team == h.team and m.stage is Stage.INTAKE
        assert await h.store.get(h.team, theirs) is None  # not readable under the other's namespace
        assert [x.id for x in await h.store.for_user(h.team, h.ann)] == [mine]
        assert [x.id for x in await h.store.open_in_team(h.team)] == [mine]
        _, runs = await h.store.outcome_inputs(h.team)  # the admins' counts: only their own
        assert len(runs) == 1

    # every message reached the right workspace: DMs in each are about that workspace's topic
    for h, own, other in ((a, "the release dates", "the rota"), (b, "the rota", "the release dates")):
        texts = " ".join(str(msg.blocks) + (msg.text or "") for msg in h.dm(h.bob))
        assert own in texts and other not in texts
        assert not h.unexpected_rejections()

    # what each person reads: their own status, App Home
    for h, own, other in ((a, "the release dates", "the rota"), (b, "the rota", "the release dates")):
        result = await h.command(h.ann, "status")
        assert own in result.body and other not in result.body
        home = h.standin.home(h.ann)
        assert home is not None and other not in str(home.blocks)


async def test_a_request_naming_the_other_team_reaches_nothing_of_theirs(
    two: tuple[InstalledHarness, Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two
    start_ids_at(b, 100)  # B's people get ids that are not A's
    await a.install(a)
    await a.install(b)
    b.ann = b.standin.add_user("dana", real_name="Dana Other")
    b.bob = b.standin.add_user("eli", real_name="Eli Other")
    a_id = await play.start(a, "the release dates")
    b_id = await play.start(b, "the rota")
    invitation = a.dm_with_action(a.bob, "cg_invite_accept")

    # Bob of workspace A clicks his Accept, but the request names workspace B
    other_team = {"id": b.standin.team_id, "domain": b.standin.team_domain}
    monkeypatch.setattr(payloads, "team_of", lambda ws: other_team)
    forged = SlackDelivery(f"{a.app_url}/slack/events", SIGNING_SECRET, a.standin, team_id=b.standin.team_id)
    b_calls = len(b.standin.calls)
    try:
        result = await forged.click(
            a.bob, action_id="cg_invite_accept", message=(invitation.channel, invitation.ts)
        )
        await a.settle()
        assert result.status == 200
        # it was answered as B's (with B's token: the stand-in routed it to B, which knows no such click)
        assert [c.method for c in b.standin.calls[b_calls:]], "the forged click never reached B"
        # ... and /mediate status as Ann of A, naming B
        status = await forged.command(a.ann, "status")
        await a.settle()
    finally:
        await forged.close()
    assert (await a.mediation(a_id)).stage is Stage.INVITATION  # A's mediation did not move
    assert (await b.mediation(b_id)).stage is Stage.INVITATION  # nor B's
    assert "the release dates" not in status.body and "the rota" not in status.body
    assert t.STATUS_NONE in status.body or status.body.strip() == ""
    # nothing was created or counted in B for A's people
    assert await b.store.for_user(b.team, a.bob) == [] and await b.store.for_user(b.team, a.ann) == []
    _, runs = await b.store.outcome_inputs(b.team)
    assert len(runs) == 1
