"""Runs engine commands against the store: load, apply, compare-and-set, retry on a conflict."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config_store import ConfigStore
from bot.definitions import DefinitionSource
from bot.outbox import Outbox, entries_for
from bot.store import MediationStore, VersionConflict
from flows import commands as c
from flows import engine
from flows.effects import Notice, Schedule
from flows.engine import Transition
from flows.errors import RefusalCode, Refused
from flows.models import Mediation

log = logging.getLogger("commonground.service")

# Compare-and-set: how often a command is retried when another writer changed the mediation first, and
# the jittered exponential backoff between tries ("full jitter": a random wait up to base * 2^attempt,
# capped). 25 tries keep every one of 14+ writers hammering one document (two processes, one Redis)
# well inside Slack's 3 seconds; the waits add up to at most about 2 s.
CAS_ATTEMPTS = 25
CAS_BASE_DELAY = 0.004
CAS_MAX_DELAY = 0.1

CommandFor = Callable[[Mediation], Awaitable[c.Command]]
"""Builds a command from the stored mediation (a timer's: with the time of the people it may reach)."""


class MediationNotFound(Exception):
    """No mediation with that id in this workspace."""


class TooBusy(VersionConflict):
    """Other writers kept changing the mediation through every compare-and-set attempt; nothing of
    this command was written (listeners answer "lots happening at once, please try again")."""


def cas_backoff(attempt: int) -> float:
    """Seconds to wait before compare-and-set attempt `attempt + 1` (full jitter, capped)."""
    return random.uniform(0, min(CAS_MAX_DELAY, CAS_BASE_DELAY * 2**attempt))


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def new_id() -> str:
    """A short, unguessable mediation id."""
    return "m" + secrets.token_hex(8)


@dataclass
class Saved(Transition):
    """A transition as stored: its Slack effects wait in the outbox (ids `{mediation}:{version}:
    {index}`) for the runner to deliver, and `actor` is who is told if one cannot be delivered."""

    actor: str | None = None


@dataclass
class Erasure:
    """What "delete my data" did: how many mediations it erased the person's words from, how many
    open ones it closed, when, and the transitions whose effects (telling the others) are still to run."""

    at: datetime
    erased: int = 0
    closed: int = 0
    transitions: list[Transition] = field(default_factory=list)


class MediationService:
    """The one way the adapter changes a mediation."""

    def __init__(
        self,
        store: MediationStore,
        definitions: DefinitionSource,
        *,
        configs: ConfigStore | None = None,
        clock: Callable[[], datetime] = utcnow,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self.store = store
        self.definitions = definitions
        self.configs = configs
        self.clock = clock
        self.ids = ids
        self.outbox = Outbox(store)

    async def _store(
        self,
        transition: Transition,
        actor: str | None,
        *,
        create: bool = False,
        previous: Mediation | None = None,
    ) -> Saved:
        """Write a transition's mediation and, in the same atomic step, its outbox entries."""
        m = transition.mediation
        version = 1 if create else m.version + 1
        entries = entries_for(m.team, m.id, version, transition.effects, actor)
        outgoing = self.outbox.encode(entries)
        due = self.outbox.first_due(self.clock())
        if entries:
            await self.outbox.mark_team(m.team)
        saved: Mediation
        if create:
            saved = await self.store.create(m, outgoing, due)
        else:
            saved = await self.store.save(m, outgoing, due, previous=previous)
        for effect in transition.effects:  # timers are stored before anyone learns of the change
            if isinstance(effect, Schedule):
                await self.store.schedule(m.team, m.id, effect.timer, effect.at, version=saved.version)
        return Saved(saved, transition.effects, actor=actor)

    async def start(self, team: str, command: c.Start, flow: str = "peer") -> Transition:
        """Create a mediation (raises `Refused`, `PairTaken` or `StoreUnavailable`)."""
        definition = await self.definitions.current(team, flow)
        transition = engine.start(command, definition, self.clock(), mediation_id=self.ids(), team=team)
        saved = await self._store(transition, command.actor, create=True)
        log.info("mediation started", extra={"mediation": saved.mediation.id, "team": team})
        return saved

    async def purge(self, team: str, mediation_id: str) -> bool:
        """Remove every private text of a closed mediation (what the retention timer does); True when
        it was done now, False when there was nothing to purge (open, already purged, or gone)."""
        try:
            await self.act(team, mediation_id, c.Purge())
        except (Refused, MediationNotFound):
            return False
        log.info("private text purged", extra={"mediation": mediation_id})
        return True

    async def start_facilitated(self, team: str, command: c.StartFacilitated) -> Transition:
        """Create a facilitated mediation (raises `Refused`, `PairTaken` or `StoreUnavailable`)."""
        definition = await self.definitions.current(team, "facilitated")
        transition = engine.start_facilitated(
            command, definition, self.clock(), mediation_id=self.ids(), team=team
        )
        saved = await self._store(transition, command.actor, create=True)
        log.info("facilitated mediation started", extra={"mediation": saved.mediation.id, "team": team})
        return saved

    async def act(
        self, team: str, mediation_id: str, command: c.Command, *, actor: str | None = None
    ) -> Saved:
        """Apply a command with compare-and-set, retrying when another writer got there first. The
        transition's Slack effects are written to the outbox with it; `actor` (default: the command's)
        is who is told if one cannot be delivered.

        Raises `Refused` (nothing changed), `MediationNotFound`, `StoreUnavailable` (or its
        `UnreadableMediation`) or, when every attempt lost the race, `TooBusy`.
        """

        async def same(_: Mediation) -> c.Command:
            return command

        return await self.act_with(team, mediation_id, same, actor=actor or getattr(command, "actor", None))

    async def act_with(
        self, team: str, mediation_id: str, command_for: CommandFor, *, actor: str | None = None
    ) -> Saved:
        """`act`, with the command built from the mediation as loaded (on every attempt): a timer's
        command carries the time of the people it may reach, known only once the mediation is read."""
        for attempt in range(CAS_ATTEMPTS):
            mediation = await self.store.get(team, mediation_id)
            if mediation is None:
                raise MediationNotFound(mediation_id)
            command = await command_for(mediation)
            definition = await self.definitions.for_mediation(mediation)
            now = self.clock()
            transition = engine.apply(mediation, command, definition, now)
            if mediation.is_open and not transition.mediation.is_open and self.configs is not None:
                # it closes: the purge of its private text follows the workspace's retention period
                days = (await self.configs.get(team)).retention_days
                transition = engine.apply(mediation, command, definition, now, retention_days=days)
            try:
                stored = await self._store(transition, actor, previous=mediation)
            except VersionConflict:
                log.info("version conflict, retrying", extra={"mediation": mediation_id, "attempt": attempt})
                await asyncio.sleep(cas_backoff(attempt))
                continue
            saved = stored.mediation
            log.info(
                "mediation changed",
                extra={
                    "mediation": mediation_id,
                    "command": type(command).__name__,
                    "stage": saved.stage.value,
                },
            )
            return stored
        log.warning("compare-and-set gave up", extra={"mediation": mediation_id, "attempts": CAS_ATTEMPTS})
        raise TooBusy(mediation_id)

    async def erase_user(self, team: str, user_id: str) -> Erasure:
        """Delete this person's data: their words go from every mediation they are part of (open or
        closed, every flow), open ones close, and their index entries go. Safe to run twice: what is
        already erased is left alone. Raises `StoreUnavailable` (run it again: nothing is lost)."""
        mediations = [m for m in await self.store.every_for_user(team, user_id) if m.party_of(user_id)]
        result = Erasure(at=self.clock())
        for m in mediations:
            try:
                transition = await self.act(team, m.id, c.EraseMyData(actor=user_id))
            except Refused as refused:
                if refused.code is not RefusalCode.ALREADY_DONE:
                    raise
                continue  # erased by an earlier run that stopped before the index went
            except MediationNotFound:
                continue
            result.erased += 1
            result.closed += any(
                getattr(e, "notice", None) is Notice.CLOSED_BY_REQUEST for e in transition.effects
            )
            result.transitions.append(transition)
        await self.store.forget_user(team, user_id, mediations)
        log.info("a person's data erased", extra={"team": team, "mediations": result.erased})
        return result
