"""The hand-over: with a worker alive the web process acks and queues; the worker does the work as the
listener would have. Real Redis, the app over HTTP, the Slack stand-in."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot import texts as t
from bot import worker as worker_module
from bot.jobs import JobKind, JobPolicy, new_job
from bot.listeners.handover import run_job
from flows.models import Stage
from tests.e2e import play
from tests.support.harness import Harness


def accepted_dms(h: Harness) -> int:
    return sum("accepted" in m.text.lower() for m in h.dm(h.ann))


async def pretend_a_worker(h: Harness) -> None:
    """A heartbeat with no worker behind it: what the web process queues stays queued to be seen."""
    assert h.deps.jobs is not None
    await h.deps.jobs.beat()
    assert await h.deps.jobs.read_worker()


async def test_an_accept_is_queued_with_the_ack_and_done_by_the_worker(h: Harness) -> None:
    await play.start(h)
    await pretend_a_worker(h)
    assert h.deps.jobs is not None
    before = len(h.standin.calls)
    result = await h.click_dm(h.bob, "cg_invite_accept")
    assert result.status == 200
    assert await h.deps.jobs.counts() == {"waiting": 1, "leased": 0}
    assert (await h.mediation()).stage is Stage.INVITATION  # nothing done in the web process
    assert not h.standin.calls[before:]  # not one Web API call after the ack
    await h.start_worker()
    await h.settle()
    m = await h.mediation()
    assert m.stage is Stage.GROUND_RULES and m.version == 2
    assert accepted_dms(h) == 1
    assert await h.deps.jobs.counts() == {"waiting": 0, "leased": 0}


async def test_a_retried_click_is_queued_once(h: Harness) -> None:
    await play.start(h)
    await pretend_a_worker(h)
    assert h.deps.jobs is not None
    await h.click_dm(h.bob, "cg_invite_accept")
    again = await h.slack.resend_last()  # Slack's retry: the same body, signed afresh
    assert again.status == 200
    assert await h.deps.jobs.counts() == {"waiting": 1, "leased": 0}
    await h.start_worker()
    await h.settle()
    assert accepted_dms(h) == 1 and (await h.mediation()).version == 2


async def test_a_job_whose_worker_died_is_done_again_and_has_one_effect(h: Harness) -> None:
    await play.start(h)
    await pretend_a_worker(h)
    jobs = h.deps.jobs
    assert jobs is not None
    await h.click_dm(h.bob, "cg_invite_accept")
    [taken] = await jobs.take()  # a worker takes it, then dies before doing it
    assert taken.job.kind is JobKind.CHANGE
    assert await jobs.take() == []  # leased: nobody else takes it meanwhile
    assert await jobs.counts() == {"waiting": 0, "leased": 1}
    later = time.time() + jobs.policy.lease_seconds + 1
    [again] = await jobs.take(now=later)  # the lease ran out: taken again
    assert again.job == taken.job
    # It is done, and its lease record lost: done a second time, the engine keeps it once.
    await run_job(h.deps, h.bolt.client, again.job)
    await run_job(h.deps, h.bolt.client, again.job)
    await jobs.done(again)
    await h.settle()
    assert await jobs.counts() == {"waiting": 0, "leased": 0}
    assert accepted_dms(h) == 1 and (await h.mediation()).version == 2


async def test_a_refusal_in_the_worker_is_told_where_the_person_clicked(h: Harness) -> None:
    await play.start(h)
    old = h.as_seen(h.dm_with_action(h.bob, "cg_invite_accept"))  # Bob's screen, not refreshed
    await h.command(h.ann, "cancel")
    await h.start_worker()
    await h.click_old(h.bob, old, "cg_invite_accept")
    told = h.ephemeral_texts(h.bob)
    assert told and told[-1] in (t.STEP_TAKEN_CARE_OF, *t.REFUSALS.values())
    assert (await h.mediation()).stage is Stage.CLOSED


async def test_status_is_answered_by_the_worker_through_the_response_url(h: Harness) -> None:
    await play.start(h)
    await h.start_worker()
    result = await h.command(h.ann, "status")
    assert result.status == 200 and result.body.strip() == ""  # an empty ack
    latest = h.standin.ephemerals(h.ann)[-1]
    assert "the release dates" in str(latest.blocks) and t.STAGES[Stage.INVITATION] in str(latest.blocks)


async def test_a_whole_mediation_plays_the_same_with_a_worker(h: Harness) -> None:
    await h.start_worker()
    mid = await play.to_joint(h)
    await play.finish(h, mid, h.ann, h.bob, "no_agreement")
    assert (await h.mediation(mid)).stage is Stage.CLOSED
    jobs = h.deps.jobs
    assert jobs is not None and await jobs.counts() == {"waiting": 0, "leased": 0}
    assert jobs.handed_over == 3  # Accept and both working agreements (modals and the rest stay here)


async def test_a_worker_busy_with_a_long_job_still_says_it_is_alive(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heartbeat does not wait for the jobs: a slow batch must not make the web processes think
    no worker is running (they would start doing the work themselves)."""
    jobs = h.deps.jobs
    assert jobs is not None
    jobs.policy = JobPolicy(alive_seconds=0.3, heartbeat_seconds=0.1)
    release = asyncio.Event()

    async def slow_job(*args: object) -> None:
        await release.wait()

    monkeypatch.setattr(worker_module, "run_job", slow_job)
    await play.start(h)
    await h.start_worker()
    await jobs.enqueue(new_job(JobKind.STATUS, h.team, h.ann), None)
    for _ in range(10):  # a second, three times the heartbeat's life, while the job hangs
        await asyncio.sleep(0.1)
        assert await jobs.read_worker()
    release.set()
