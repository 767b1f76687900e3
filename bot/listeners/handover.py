"""Handing a request's work to the worker (bot/jobs.py), and the worker doing it as the listener would.

A listener that can hand over calls `hand_over`: with a worker alive, the job is queued (and the
delivery claimed) in one round trip and the listener only acks; otherwise it claims the delivery and
does the work itself after the ack. `run_job` is what the worker does with a job: the same functions
the listener would have called, so a person sees the same thing either way.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs import Job, JobKind
from bot.listeners.common import Deps, act_on_click, post_ephemeral
from bot.listeners.status import status_answer
from bot.middleware import delivery_key
from bot.store import StoreUnavailable

log = logging.getLogger("commonground.handover")


class Handover(Enum):
    """What became of a request's work."""

    QUEUED = "queued"  # the worker does it
    HERE = "here"  # no worker answers: the listener does it after the ack
    REPEAT = "repeat"  # a retry or replay of a delivery already claimed: nothing to do


async def hand_over(deps: Deps, body: dict[str, Any], job: Job, *, claim: bool = True) -> Handover:
    """Queue `job` for the worker when one is alive, claiming the delivery in the same step (unless
    `claim` is False: a read that may be repeated). Never raises: a Redis that cannot be reached
    leaves the work to the listener, which tells the person."""
    jobs = deps.jobs
    if jobs is None:
        return Handover.HERE
    delivery = delivery_key(body) if claim else None
    try:
        if await jobs.worker_alive():
            return Handover.QUEUED if await jobs.enqueue(job, delivery) else Handover.REPEAT
        if delivery is not None and not await jobs.claim_once(delivery):
            return Handover.REPEAT
    except StoreUnavailable:
        pass  # the listener's own attempt meets the same Redis and says so kindly
    return Handover.HERE


def reply_body(job: Job) -> dict[str, Any]:
    """The parts of the original payload that `tell` needs to answer the person where they acted."""
    body: dict[str, Any] = {"user": {"id": job.user}}
    if job.channel:
        body["channel"] = {"id": job.channel}
    if job.trigger_id:
        body["trigger_id"] = job.trigger_id
    return body


async def run_job(deps: Deps, client: AsyncWebClient, job: Job) -> None:
    """Do a job as its listener would have (the worker's side of the hand-over)."""
    if job.kind is JobKind.CHANGE:
        await act_on_click(
            deps, client, reply_body(job), job.team, job.to_command(), mediation_id=job.mediation_id or ""
        )
        return
    text, blocks = await status_answer(deps, job.team, job.user)
    await post_ephemeral(deps, job.response_url, text, blocks)
