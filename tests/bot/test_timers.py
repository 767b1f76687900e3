"""The timer queue on a real Redis: shards, leases, acknowledgements, backoff, dead letters, the
record of each delivery, and timers written before shards."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from redis.crc import key_slot

from bot.store import MediationStore, team_key
from bot.timers import SHARDS, Claim, DueTimer, parse, shard_of, timer_id
from flows.effects import Timer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = team_key(None, "T1")
LEASE = timedelta(seconds=60)


def kinds(timers: list[DueTimer]) -> list[tuple[str, Timer, int]]:
    return sorted((t.mediation_id, t.kind, t.version) for t in timers)


async def test_due_timers_are_leased_then_acknowledged(store: MediationStore) -> None:
    q = store.timers
    await store.schedule(TEAM, "m1", Timer.EXPIRE, NOW + timedelta(days=7), version=1)
    await store.schedule(TEAM, "m1", Timer.REMINDER, NOW + timedelta(hours=24), version=1)
    assert (await q.take_due(NOW, lease=LEASE)).due == []
    day = NOW + timedelta(days=1)
    taken = await q.take_due(day, lease=LEASE)
    assert kinds(taken.due) == [("m1", Timer.REMINDER, 1)] and taken.due[0].tries == 1
    assert (await q.take_due(day, lease=LEASE)).due == []  # leased: nobody else takes it
    assert await q.counts() == {"due": 1, "leased": 1, "dead": 0}
    await q.ack(taken.due)
    assert await q.counts() == {"due": 1, "leased": 0, "dead": 0}
    assert (await q.take_due(day + 2 * LEASE, lease=LEASE)).due == []  # acknowledged: gone for good
    assert kinds((await q.take_due(NOW + timedelta(days=8), lease=LEASE)).due) == [("m1", Timer.EXPIRE, 1)]


async def test_a_lease_that_runs_out_makes_the_timer_due_again(store: MediationStore) -> None:
    q = store.timers
    await store.schedule(TEAM, "m1", Timer.REMINDER, NOW, version=1)
    assert len((await q.take_due(NOW, lease=LEASE)).due) == 1  # and the worker died
    assert (await q.take_due(NOW + LEASE - timedelta(seconds=1), lease=LEASE)).due == []
    again = await q.take_due(NOW + LEASE, lease=LEASE)
    assert kinds(again.due) == [("m1", Timer.REMINDER, 1)] and again.due[0].tries == 2


async def test_the_same_timer_scheduled_twice_is_one_timer(store: MediationStore) -> None:
    """An effect delivered twice schedules the same timer twice: it only moves."""
    await store.schedule(TEAM, "m1", Timer.EXPIRE, NOW, version=3)
    await store.schedule(TEAM, "m1", Timer.EXPIRE, NOW, version=3)
    await store.schedule(TEAM, "m1", Timer.EXPIRE, NOW, version=5)  # another version: another timer
    assert await store.timers.counts() == {"due": 2, "leased": 0, "dead": 0}


async def test_a_timer_rescheduled_while_leased_keeps_its_new_time(store: MediationStore) -> None:
    q = store.timers
    await store.schedule(TEAM, "m1", Timer.PURGE, NOW, version=7)
    await q.take_due(NOW, lease=LEASE)
    later = NOW + timedelta(days=30)
    await store.schedule(TEAM, "m1", Timer.PURGE, later, version=7)
    assert (await q.take_due(NOW + 2 * LEASE, lease=LEASE)).due == []  # the lease ran out: not due yet
    assert len((await q.take_due(later, lease=LEASE)).due) == 1


async def test_a_failed_delivery_comes_back_after_its_backoff(store: MediationStore) -> None:
    q = store.timers
    await store.schedule(TEAM, "m1", Timer.EXPIRE, NOW, version=1)
    taken = (await q.take_due(NOW, lease=LEASE)).due
    await q.retry_later([(taken[0], NOW + timedelta(seconds=20))])
    assert (await q.take_due(NOW + timedelta(seconds=19), lease=LEASE)).due == []
    assert [t.tries for t in (await q.take_due(NOW + timedelta(seconds=20), lease=LEASE)).due] == [2]


async def test_a_timer_taken_too_often_goes_to_the_dead_letters(store: MediationStore) -> None:
    q = store.timers
    await store.schedule(TEAM, "m1", Timer.FOLLOW_UP, NOW, version=4)
    now = NOW
    for tries in (1, 2, 3):
        taken = await q.take_due(now, lease=LEASE, max_tries=3)
        assert [t.tries for t in taken.due] == [tries]
        now += LEASE  # never acknowledged
    taken = await q.take_due(now, lease=LEASE, max_tries=3)
    assert taken.due == [] and taken.dead == [f"{TEAM}|m1|follow_up|4"]
    assert await q.counts() == {"due": 0, "leased": 0, "dead": 1}
    assert await q.dead() == [f"{TEAM}|m1|follow_up|4"]


async def test_the_next_waiting_timer_across_shards_and_leases(store: MediationStore) -> None:
    q = store.timers
    assert await q.next_waiting() is None
    # two mediations in different shards: the earliest wins, whichever shard it is in
    first, second = (
        "m1",
        next(m for m in (f"m{i}" for i in range(2, 50)) if shard_of(TEAM, m) != shard_of(TEAM, "m1")),
    )
    await store.schedule(TEAM, first, Timer.EXPIRE, NOW + timedelta(days=7), version=1)
    await store.schedule(TEAM, second, Timer.REMINDER, NOW + timedelta(hours=24), version=1)
    waiting = await q.next_waiting()
    assert waiting is not None and waiting.kind is Timer.REMINDER and waiting.at == NOW + timedelta(hours=24)
    # taken and never acknowledged (a worker died): it waits again when its lease runs out
    day = NOW + timedelta(days=1)
    assert len((await q.take_due(day, lease=LEASE)).due) == 1
    waiting = await q.next_waiting()
    assert waiting is not None and waiting.kind is Timer.REMINDER and waiting.at == day + LEASE
    await q.ack((await q.take_due(day + LEASE, lease=LEASE)).due)
    waiting = await q.next_waiting()
    assert waiting is not None and waiting.kind is Timer.EXPIRE and waiting.at == NOW + timedelta(days=7)


async def test_a_member_that_names_no_timer_is_buried_not_delivered(store: MediationStore) -> None:
    q = store.timers
    await store.redis.zadd(q.key(0), {"junk": NOW.timestamp(), f"{TEAM}|m1|nap|1": NOW.timestamp()})
    taken = await q.take_due(NOW, lease=LEASE)
    assert taken.due == [] and sorted(taken.dead) == sorted(["junk", f"{TEAM}|m1|nap|1"])
    assert await q.counts() == {"due": 0, "leased": 0, "dead": 2}


async def test_the_record_of_a_delivery(store: MediationStore) -> None:
    q = store.timers
    timer = DueTimer(TEAM, "m1", Timer.REMINDER, 1, shard_of(TEAM, "m1"))
    assert await q.claim(timer, LEASE) is Claim.CLAIMED
    assert await q.claim(timer, LEASE) is Claim.FLIGHT  # another worker is at it
    await q.release(timer)  # it failed: it may be tried again
    assert await q.claim(timer, LEASE) is Claim.CLAIMED
    await q.done(timer)
    assert await q.claim(timer, LEASE) is Claim.DONE
    other_version = DueTimer(TEAM, "m1", Timer.REMINDER, 2, timer.shard)
    assert await q.claim(other_version, LEASE) is Claim.CLAIMED
    key = f"{store._prefix}:{{{TEAM}}}:timer:m1:reminder:1"
    assert await store.redis.ttl(key) > 0  # the record does not stay forever


async def test_timers_spread_over_shards_each_in_one_cluster_slot(store: MediationStore) -> None:
    q = store.timers
    shards = Counter(shard_of(TEAM, f"m{i:05d}") for i in range(4000))
    assert len(shards) == SHARDS
    assert max(shards.values()) < 1.25 * 4000 / SHARDS  # no hot shard
    for i in range(200):
        await store.schedule(TEAM, f"m{i}", Timer.EXPIRE, NOW, version=1)
    sizes = await q.shard_sizes()
    assert sum(sizes) == 200 and all(sizes)
    # Every key of a shard shares its hash tag (one slot per script); the shards spread over slots.
    for shard in range(SHARDS):
        slots = {key_slot(q.key(shard, part).encode()) for part in ("", "lease", "tries", "dead")}
        assert len(slots) == 1
    assert len({key_slot(q.key(shard).encode()) for shard in range(SHARDS)}) == SHARDS
    # The delivery record sits in its mediation's slot, next to the document.
    record = f"{store._prefix}:{{{TEAM}}}:timer:m1:expire:1".encode()
    assert key_slot(record) == key_slot(f"{store._prefix}:{{{TEAM}}}:m:m1".encode())


async def test_ids_round_trip() -> None:
    member = timer_id("E1.T2", "mabc", Timer.FOLLOW_UP, 12)
    assert parse(member, shard=3) == DueTimer("E1.T2", "mabc", Timer.FOLLOW_UP, 12, 3)
    for junk in ("", "a|b|c", "a|b|reminder|x", "|b|reminder|1", "a|b|reminder|1|2"):
        assert parse(junk, shard=0) is None


async def test_timers_written_before_shards_move_into_them(store: MediationStore) -> None:
    legacy = f"{store._prefix}:timers"
    await store.redis.zadd(
        legacy,
        {
            f"{TEAM}|m1|reminder": NOW.timestamp(),
            f"{TEAM}|m1|expire": (NOW + timedelta(days=7)).timestamp(),
            f"{TEAM}|m2|purge": NOW.timestamp(),
            "junk": NOW.timestamp(),
        },
    )
    assert await store.timers.migrate_legacy(batch=2) == 3
    assert await store.redis.exists(legacy) == 0
    taken = await store.timers.take_due(NOW, lease=LEASE)
    assert kinds(taken.due) == [("m1", Timer.REMINDER, 0), ("m2", Timer.PURGE, 0)]
