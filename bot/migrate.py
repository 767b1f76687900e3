"""`commonground migrate`: bring what an earlier release stored up to this release's layout, in place.

Earlier releases kept a mediation's document as a plain Fernet token and listed it in `user:<id>`,
`hosts:<id>` and the workspace's `all` set (see `bot.store` for today's keys). Such mediations are in
none of today's indexes or *Outcomes* counters. For every workspace (team hash tag) that still holds
old index keys or old-format documents, `Migration.run`:

1. finds every mediation document with SCAN (bounded batches, never KEYS), and the ids the old index
   keys name;
2. reads each with the store (either format); an unreadable one is skipped, counted and logged by id;
3. writes each readable one's index memberships (open sets, recent closed lists, "mine" sets, the pair
   key, the running stage) exactly as a save would, and re-encodes an old-format document in the packed
   format, in one script per document that does nothing if the document changed since it was read
   (compare-and-set on its version, which it keeps: timers name versions);
4. rebuilds the workspace's *Outcomes* counters from scratch, from the documents, and replaces them in
   one script that checks nothing moved meanwhile: neither the counters (every creation or stage change a
   serving process makes moves them) nor the version of any document read. If something did, the
   workspace is done again (up to `attempts` times); so running it twice, or while serving, never counts
   a mediation twice;
5. removes each old index key once every id it names is covered (a document that was migrated, or one
   that no longer exists); a key naming an unreadable document is kept, so a later run with the right
   key can still find whose it is.

Timers of the single sorted set of earlier releases move into the shards too (`TimerQueue.migrate_legacy`).
Timer kinds keep their stored names (`reminder`, `expire`, `follow_up`, `purge`): each is delivered as
its engine command (`flows.commands.TIMER_COMMANDS`), so no timer needs rewriting.
Workspaces with no old keys and only packed documents are left as they are. `dry_run` reads and counts
and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from bot.crypto import PACKED
from bot.store import RECENT_CLOSED, MediationStore, UnreadableMediation, person_lists_lua, unavailable
from flows import retention
from flows.aggregates import contribution, running, tally
from flows.models import Mediation

log = logging.getLogger("commonground.migrate")

OLD_INDEXES = ("user", "hosts")
"""The per-person index keys of earlier releases (`user:<id>`, `hosts:<id>`); with the team's `all`."""

OLD_ALL = "all"

# KEYS: 1 doc, 2 pair, 3 team's open set, 4 running stages, then per indexed person an (open set,
#       recent closed sorted set) pair, then "mine" sets
# ARGV: 1 version read, 2 re-encoded document ("" keeps the stored one), 3 id, 4 open ("1"|"0"),
#       5 closing time (score), 6 closed kept per person, 7 in the "mine" sets ("1"|"0"),
#       8 running stage ("" for none), 9 number of (open, closed) pairs
# The person lists are the save script's own Lua (`person_lists_lua`); no new version, counters or outbox.
_REINDEX = (
    """
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'doc', ARGV[2]) end
local id = ARGV[3]
local open = ARGV[4] == '1'
if open then redis.call('SADD', KEYS[3], id) else redis.call('SREM', KEYS[3], id) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[4], id, ARGV[8]) else redis.call('HDEL', KEYS[4], id) end
"""
    + person_lists_lua(first_key=5, pairs=9, closed_at=5, kept=6, mine=7)
    + """if open then
  redis.call('SET', KEYS[2], id, 'NX')
elseif redis.call('GET', KEYS[2]) == id then
  redis.call('DEL', KEYS[2])
end
return 1
"""
)

# KEYS: 1 the counters, then the documents read.
# ARGV: 1 how many counter fields were read (n), then those n (field, value) pairs, then the version
#       read of each document, then the rebuilt counters as (field, value) pairs.
# Replaces the counters only if they and every document are as they were read: returns 1, else 0.
_COMMIT = """
local n = tonumber(ARGV[1])
local now = redis.call('HGETALL', KEYS[1])
if #now ~= 2 * n then return 0 end
local read = {}
for i = 2, 1 + 2 * n, 2 do read[ARGV[i]] = ARGV[i + 1] end
for i = 1, #now, 2 do
  if read[now[i]] ~= now[i + 1] then return 0 end
end
local at = 2 + 2 * n
for k = 2, #KEYS do
  if redis.call('HGET', KEYS[k], 'v') ~= ARGV[at] then return 0 end
  at = at + 1
end
redis.call('DEL', KEYS[1])
for i = at, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""

# KEYS: 1 an old index key. ARGV: the ids it may name. Removes it only if it names no other id.
_DROP_OLD = """
local covered = {}
for _, id in ipairs(ARGV) do covered[id] = true end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not covered[id] then return 0 end
end
redis.call('DEL', KEYS[1])
return 1
"""

ATTEMPTS = 5
"""How many times a workspace whose counters keep moving (a busy one, while serving) is done again."""

PROGRESS_SECONDS = 2.0
"""How often a long run prints where it is."""


@dataclass
class Summary:
    """What a run did (or, with `dry_run`, would do)."""

    dry_run: bool = False
    keys_scanned: int = 0
    teams: int = 0  # workspaces brought up to date
    teams_current: int = 0  # workspaces that needed nothing
    mediations: int = 0  # mediations indexed and counted in those workspaces
    reencoded: int = 0  # old-format documents written in the packed format
    skipped: int = 0  # unreadable documents (logged by id)
    keys_removed: int = 0  # old index keys removed
    keys_kept: int = 0  # old index keys kept (they name an unreadable document)
    timers_moved: int = 0  # timers moved from the single old set into the shards
    unfinished: list[str] = field(default_factory=list)  # workspaces that kept changing: run again

    def lines(self) -> list[str]:
        """The summary a person reads."""
        would = "would be " if self.dry_run else ""
        lines = [
            "Dry run: nothing was changed." if self.dry_run else "Migration finished.",
            f"  workspaces {would}brought up to date: {self.teams:,}"
            f" (already up to date: {self.teams_current:,})",
            f"  mediations {would}indexed and counted: {self.mediations:,}",
            f"  documents {would}re-encoded: {self.reencoded:,}",
            f"  unreadable documents skipped: {self.skipped:,} (logged by id)",
            f"  old index keys {would}removed: {self.keys_removed:,}"
            + (f" (kept, naming an unreadable document: {self.keys_kept:,})" if self.keys_kept else ""),
            f"  timers {would}moved into shards: {self.timers_moved:,}",
            f"  keys scanned: {self.keys_scanned:,}",
        ]
        if self.unfinished:
            lines.append(
                f"  workspaces that kept changing and were not finished: {len(self.unfinished)};"
                " run `commonground migrate` again"
            )
        return lines


@dataclass
class _Found:
    """What the scan found under one workspace's hash tag."""

    ids: set[str] = field(default_factory=set)
    old_keys: set[str] = field(default_factory=set)


@dataclass
class ReadDocument:
    """A document as read: its version (as stored), its format, and what it holds."""

    id: str
    version: bytes
    packed: bool
    mediation: Mediation


@dataclass
class _Done:
    """One workspace's part of the summary (counted once it is finished)."""

    finished: bool = False  # else something moved meanwhile: do it again
    current: bool = False  # it needed nothing
    mediations: int = 0
    reencoded: int = 0
    skipped: int = 0
    keys_removed: int = 0
    keys_kept: int = 0


def _glob(text: str) -> str:
    """`text` with the characters SCAN's MATCH treats as a pattern escaped."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Migration:
    """One run of `commonground migrate` over a store's key prefix."""

    def __init__(
        self,
        store: MediationStore,
        *,
        dry_run: bool = False,
        batch: int = 500,
        attempts: int = ATTEMPTS,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.redis = store.redis
        self.prefix = store.prefix
        self.dry_run = dry_run
        self.batch = batch
        self.attempts = attempts
        self._progress = progress
        self._last_progress = time.monotonic()
        self._processed = 0  # mediations processed so far (for the progress line)
        self._reindex = self.redis.register_script(_REINDEX)
        self._commit = self.redis.register_script(_COMMIT)
        self._drop_old = self.redis.register_script(_DROP_OLD)
        self.summary = Summary(dry_run=dry_run)

    async def run(self) -> Summary:
        """Migrate every workspace under the prefix (see the module's description)."""
        found = await self._scan()
        bases: dict[str, dict[str, str]] = {}
        if not self.dry_run:
            # The counters as they are before the second scan: a document created after this moves
            # them (the commit then sees it), one created before is there for the whole second scan
            # and SCAN returns it.
            for team in sorted(found):
                bases[team] = await self._counters(team)
            for team, again in (await self._scan()).items():
                if team in found:
                    found[team].ids |= again.ids
                    found[team].old_keys |= again.old_keys
        for team in sorted(found):
            await self._migrate_team(team, found[team], bases.get(team, {}))
        self.summary.timers_moved = await self._timers()
        self._tick(force=True)
        return self.summary

    # finding ----------------------------------------------------------------------------------

    async def _scan(self, team: str | None = None) -> dict[str, _Found]:
        """Every workspace's mediation ids and old index keys (or one workspace's), by SCAN."""
        head = f"{self.prefix}:{{"
        match = f"{_glob(head)}{_glob(team) + '}:' if team is not None else ''}*"
        found: dict[str, _Found] = {}

        async def call() -> None:
            # scan_iter: SCAN with a cursor, `batch` keys a page (on a cluster client, every primary's)
            async for raw in self.redis.scan_iter(match=match, count=self.batch):
                self.summary.keys_scanned += 1
                key = _text(raw)
                tag, sep, tail = key[len(head) :].partition("}:")
                if not sep or "{" in tag or "}" in tag:
                    continue
                if tail.startswith("m:"):
                    found.setdefault(tag, _Found()).ids.add(tail[2:])
                elif tail == OLD_ALL or tail.partition(":")[0] in OLD_INDEXES:
                    found.setdefault(tag, _Found()).old_keys.add(key)
                if self.summary.keys_scanned % self.batch == 0:
                    self._tick()

        await unavailable(call)()
        return found

    async def _counters(self, team: str) -> dict[str, str]:
        key = self.store.key(team, "agg")

        async def call() -> dict[bytes, bytes]:
            return cast(dict[bytes, bytes], await self.redis.hgetall(key))

        return {_text(k): _text(v) for k, v in (await unavailable(call)()).items()}

    # one workspace ----------------------------------------------------------------------------

    async def _migrate_team(self, team: str, found: _Found, base: dict[str, str]) -> None:
        reencoded = 0  # by attempts that were not finished (their documents stay re-encoded)
        for attempt in range(self.attempts):
            done = await self._team(team, found, base)
            reencoded += done.reencoded
            if done.finished:
                s = self.summary
                if done.current:
                    s.teams_current += 1
                else:
                    s.teams += 1
                s.mediations += done.mediations
                s.reencoded += reencoded
                s.skipped += done.skipped
                s.keys_removed += done.keys_removed
                s.keys_kept += done.keys_kept
                return
            log.info("workspace changed while migrating; again", extra={"team": team, "attempt": attempt + 1})
            await asyncio.sleep(0.05 * (attempt + 1))
            base = await self._counters(team)
            found = (await self._scan(team)).get(team, _Found())
        self.summary.reencoded += reencoded
        self.summary.unfinished.append(team)

    async def _team(self, team: str, found: _Found, base: dict[str, str]) -> _Done:
        """Bring one workspace up to date; not `finished` when something moved meanwhile (do it again)."""
        members = await self._members(sorted(found.old_keys))
        ids = found.ids.union(*members.values())
        docs, unreadable, missing = await self._read(team, sorted(ids))
        done = _Done(skipped=len(unreadable))
        if not found.old_keys and all(doc.packed for doc in docs):
            done.current = done.finished = True
            return done
        for start in range(0, len(docs), 64):
            chunk = docs[start : start + 64]
            if self.dry_run:
                written = [True] * len(chunk)
            else:

                async def write(chunk: list[ReadDocument] = chunk) -> list[bool]:
                    return await asyncio.gather(*(self._write_indexes(team, doc) for doc in chunk))

                written = await unavailable(write)()
            done.reencoded += sum(ok and not doc.packed for ok, doc in zip(written, chunk, strict=True))
            done.mediations += len(chunk)
            self._processed += len(chunk)
            self._tick()
        if not self.dry_run and not await self._replace_counters(team, base, docs):
            return done
        covered = {doc.id for doc in docs} | missing
        for key, names in members.items():
            if names <= covered and await self._remove_old(key, names):
                done.keys_removed += 1
            else:
                done.keys_kept += 1
        done.finished = True
        return done

    async def _members(self, keys: list[str]) -> dict[str, set[str]]:
        """The ids each old index key names."""
        if not keys:
            return {}

        async def call() -> list[set[bytes]]:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.smembers(key)
                return cast(list[set[bytes]], await pipe.execute())

        rows = await unavailable(call)()
        return {key: {_text(i) for i in row} for key, row in zip(keys, rows, strict=True)}

    async def _read(self, team: str, ids: list[str]) -> tuple[list[ReadDocument], set[str], set[str]]:
        """The readable documents, the ids of unreadable ones, and the ids with no document."""
        docs: list[ReadDocument] = []
        unreadable: set[str] = set()
        missing: set[str] = set()
        for start in range(0, len(ids), self.batch):
            chunk = ids[start : start + self.batch]

            async def call(chunk: list[str] = chunk) -> list[list[bytes | None]]:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for mediation_id in chunk:
                        pipe.hmget(self.store.key(team, "m", mediation_id), ["v", "doc"])
                    return cast(list[list[bytes | None]], await pipe.execute())

            for mediation_id, (version, blob) in zip(chunk, await unavailable(call)(), strict=True):
                if version is None or blob is None:
                    missing.add(mediation_id)
                    continue
                try:
                    mediation = self.store.decode(mediation_id, version, blob)
                except UnreadableMediation:  # the store logged its id
                    unreadable.add(mediation_id)
                    continue
                docs.append(ReadDocument(mediation_id, version, blob[:1] == PACKED, mediation))
        return docs, unreadable, missing

    async def _write_indexes(self, team: str, doc: ReadDocument) -> bool:
        """Write one document's index memberships (and re-encode it when old) if it is unchanged."""
        m = doc.mediation
        k = self.store.key
        people = [p.user_id for p in m.parties if p.erased_at is None]  # as a save indexes them
        recent = [key for user in people for key in (k(team, "open", user), k(team, "closed", user))]
        if m.facilitator:
            recent += [k(team, "hopen", m.facilitator), k(team, "hclosed", m.facilitator)]
        keys = [
            k(team, "m", m.id),
            k(team, "pair", *sorted((m.initiator.user_id, m.respondent.user_id))),
            k(team, "open"),
            k(team, "aggrun"),
            *recent,
            *(k(team, "mine", user) for user in people),
        ]
        closed_at = retention.closed_at(m)
        run = running(contribution(m))
        args: list[str | bytes | float | int] = [
            doc.version,
            b"" if doc.packed else self.store.encode(m),
            m.id,
            "1" if m.is_open else "0",
            closed_at.timestamp() if closed_at else 0,
            RECENT_CLOSED,
            "0" if m.purged_at is not None else "1",
            run.encode() if run is not None else "",
            len(recent) // 2,
        ]
        return bool(await self._reindex(keys=keys, args=args))

    async def _replace_counters(self, team: str, base: dict[str, str], docs: list[ReadDocument]) -> bool:
        """Replace the workspace's counters with the sum of its documents' if nothing moved."""
        totals: Counter[str] = Counter()
        for doc in docs:
            totals.update(tally(contribution(doc.mediation)))
        args: list[str | bytes | int] = [len(base), *_pairs(base.items())]
        args += [doc.version for doc in docs]
        args += [*_pairs((name, str(n)) for name, n in sorted(totals.items()) if n)]
        keys = [self.store.key(team, "agg"), *(self.store.key(team, "m", doc.id) for doc in docs)]

        async def call() -> int:
            return cast(int, await self._commit(keys=keys, args=args))

        return bool(await unavailable(call)())

    async def _remove_old(self, key: str, names: set[str]) -> bool:
        if self.dry_run:
            return True

        async def call() -> int:
            return cast(int, await self._drop_old(keys=[key], args=sorted(names)))

        return bool(await unavailable(call)())

    # timers -----------------------------------------------------------------------------------

    async def _timers(self) -> int:
        if not self.dry_run:
            return await self.store.timers.migrate_legacy(batch=self.batch)
        legacy = f"{self.prefix}:timers"

        async def call() -> int:
            return int(await self.redis.zcard(legacy))

        return await unavailable(call)()

    # progress ---------------------------------------------------------------------------------

    def _tick(self, *, force: bool = False) -> None:
        if self._progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_SECONDS:
            return
        self._last_progress = now
        s = self.summary
        self._progress(
            f"migrate: {s.keys_scanned:,} keys scanned, {self._processed:,} mediations processed,"
            f" {s.teams + s.teams_current:,} workspaces done, {s.skipped:,} unreadable skipped"
        )


def _pairs(items: Iterable[tuple[str, str]]) -> list[str]:
    return [part for item in items for part in item]


async def migrate(
    store: MediationStore,
    *,
    dry_run: bool = False,
    batch: int = 500,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Bring every workspace under the store's prefix up to this release's layout (see the module)."""
    return await Migration(store, dry_run=dry_run, batch=batch, progress=progress).run()
