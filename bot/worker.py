"""The worker process: delivers due timers (invitation reminders and expiry)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.effects import EffectRunner
from bot.service import MediationNotFound, MediationService
from bot.store import StoreUnavailable, VersionConflict
from flows import commands as c
from flows.effects import Notice, Notify
from flows.errors import Refused
from flows.models import Role, Stage

log = logging.getLogger("commonground.worker")


async def run_due(service: MediationService, runner: EffectRunner) -> int:
    """Deliver every timer that is due now; returns how many were taken."""
    due = await service.store.take_due(service.clock())
    for team, mediation_id, timer in due:
        try:
            if timer == "expire":
                await runner.run(await service.act(team, mediation_id, c.Expire()))
            elif timer == "follow_up":
                await runner.run(await service.act(team, mediation_id, c.FollowUp()))
            elif timer == "purge":
                await service.purge(team, mediation_id)
            elif timer == "reminder":
                m = await service.store.get(team, mediation_id)
                if m is not None and m.stage is Stage.INVITATION and m.is_open:
                    await runner.notify(m, Notify(role=Role.RESPONDENT, notice=Notice.REMINDER))
        except (Refused, MediationNotFound):
            continue  # answered, closed or removed meanwhile: nothing to do
    return len(due)


async def deliver_outbox(
    service: MediationService, runner: EffectRunner, now: datetime | None = None, limit: int = 100
) -> int:
    """Deliver the outbox entries that are due (leased, so two workers never deliver one entry at
    once; each marked done once): what the web process could not deliver, or never got to.
    Returns how many were taken."""
    entries = await service.outbox.take_due(now or service.clock(), limit)
    for entry in entries:
        try:
            await runner.deliver_entry(entry)
        except (Refused, MediationNotFound, StoreUnavailable, VersionConflict) as exc:
            # the lease runs out and the entry is taken again later
            log.warning("outbox entry not delivered", extra={"entry": entry.id, "error": type(exc).__name__})
    return len(entries)


async def run_worker(service: MediationService, runner: EffectRunner, interval: float = 30.0) -> None:
    """Deliver due timers forever, every `interval` seconds."""
    while True:
        try:
            taken = await run_due(service, runner)
            await deliver_outbox(service, runner)
            if taken:
                log.info("timers delivered", extra={"count": taken})
        except StoreUnavailable:
            log.warning("store unavailable; retrying")
        await asyncio.sleep(interval)
